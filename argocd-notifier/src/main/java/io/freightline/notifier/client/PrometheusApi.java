package io.freightline.notifier.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** Prometheus HTTP API: instant query ({@code GET /api/v1/query}). Built per address by {@link CheckClients}. */
@RegisterRestClient(configKey = "prometheus")
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
interface PrometheusApi {

    @GET
    @Path("/query")
    Response query(@QueryParam("query") String query);
}
