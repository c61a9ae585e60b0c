package io.freightline.engine.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;

/**
 * The default of {@code freightline.engine.instance-id}: host name and process id, unique per running engine.
 * Its ordinal is below application.properties, so any configured value wins.
 */
public class InstanceIdConfigSource implements ConfigSource {
    static final String KEY = "freightline.engine.instance-id";
    private final Map<String, String> values = Map.of(KEY, host() + "-" + ProcessHandle.current().pid());

    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "engine";
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "freightline-instance-id";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
