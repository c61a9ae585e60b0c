package io.freightline.engine.api;

import io.freightline.engine.config.EngineConfig;
import io.freightline.engine.domain.Access;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Bearer-token checks for the API: 401 without a known token, 403 when its role or project does not fit. */
@ApplicationScoped
public class Auth {
    private static final Logger LOG = Logger.getLogger(Auth.class);
    private final Access access;

    public Auth(EngineConfig config) {
        List<String> lines = new ArrayList<>();
        config.auth().tokensFile().ifPresent(f -> {
            try {
                lines.addAll(Files.readAllLines(Path.of(f)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tokens file " + f, e);
            }
        });
        config.auth().tokens().ifPresent(t -> lines.addAll(Arrays.asList(t.split(","))));
        this.access = Access.parse(lines);
        LOG.infof("API auth: %d token grant(s) loaded", access.size());
    }

    /** The caller if it may act with the role in the project; otherwise throws 401 or 403. */
    public Access.Caller require(String authorization, String project, Access.Role role) {
        Access.Caller c = caller(authorization);
        if (project != null && !c.can(project, role)) {
            throw new WebApplicationException(Response.status(403).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "role " + role + " required in project " + project)).build());
        }
        return c;
    }

    /** The authenticated caller; throws 401 when the token is missing or unknown. */
    public Access.Caller caller(String authorization) {
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        Access.Caller c = access.caller(token);
        if (c == null) {
            throw new WebApplicationException(Response.status(401).header("WWW-Authenticate", "Bearer realm=\"freightline\"")
                    .type(MediaType.APPLICATION_JSON).entity(Map.of("error", token == null ? "bearer token required" : "unknown token")).build());
        }
        return c;
    }
}
