package io.freightline.watcher.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The default of {@code freightline.watcher.install-id}, the installation part of the watcher's Kafka
 * transactional id ({@code <install-id>.<instance-id>}). An installation is stable across restarts and differs
 * between two installations sharing one Kafka cluster; on Kubernetes that is the namespace, taken from
 * {@code POD_NAMESPACE} or from the service account's mounted namespace file. Outside Kubernetes the default is
 * {@code local}, and installations are kept apart by their instance ids (random unless configured).
 * Its ordinal is below application.properties and the environment, so any configured value wins.
 */
public class InstallIdConfigSource implements ConfigSource {
    static final String KEY = "freightline.watcher.install-id";
    static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private final Map<String, String> values = Map.of(KEY, derive(System::getenv, SERVICE_ACCOUNT_NAMESPACE));

    static String derive(Function<String, String> env, Path namespaceFile) {
        String namespace = env.apply("POD_NAMESPACE");
        if (namespace == null || namespace.isBlank()) {
            try {
                namespace = Files.isReadable(namespaceFile) ? Files.readString(namespaceFile) : null;
            } catch (IOException e) {
                namespace = null;
            }
        }
        return namespace == null || namespace.isBlank() ? "local" : "k8s-" + namespace.strip();
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
        return "freightline-watcher-install-id";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
