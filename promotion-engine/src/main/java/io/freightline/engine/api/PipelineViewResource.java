package io.freightline.engine.api;

import io.freightline.engine.config.EngineConfig;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The pipeline web view: a server-rendered page shell; its script ({@code /ui/app.js}) asks for a token once,
 * keeps it in the tab's sessionStorage, and draws the pipelines from the {@code /api/v1} API. The page itself holds
 * no data, so it needs no token; every call it makes carries the token in the Authorization header, never the URL.
 */
@Path("/")
public class PipelineViewResource {
    /** Only our own script and styles; fetches only to this origin; no framing; no referrer leaks. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private final Template page;
    private final EngineConfig config;

    public PipelineViewResource(@Location("pipeline.html") Template page, EngineConfig config) {
        this.page = page;
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The pipeline web view (HTML)")
    public Response index() {
        String html = page.data("pollMillis", Math.max(500, config.uiPollInterval().toMillis()))
                .data("apiBase", "/api/v1")
                .render();
        return Response.ok(html, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Content-Security-Policy", CSP)
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .build();
    }
}
