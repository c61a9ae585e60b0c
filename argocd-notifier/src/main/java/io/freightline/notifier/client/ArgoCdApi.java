package io.freightline.notifier.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The Argo CD API server operations we use, as in swagger.json (ApplicationService_List/Get/Sync/Patch,
 * ApplicationService_GetApplicationSyncWindows, SessionService_Create, VersionService_Version). Bodies are JSON text
 * so the wrapper controls every field sent and reads error bodies ({@code runtimeError}) itself. Built per server by
 * {@link ArgoCdServers}.
 */
@RegisterRestClient(configKey = "argocd")
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface ArgoCdApi {

    @GET
    @Path("/v1/applications")
    Response list(@QueryParam("selector") String selector, @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/applications/{name}")
    Response get(@PathParam("name") String name, @QueryParam("refresh") String refresh,
                 @QueryParam("appNamespace") String appNamespace, @QueryParam("project") String project,
                 @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/applications/{name}/sync")
    Response sync(@PathParam("name") String name, String body, @HeaderParam("Authorization") String authorization);

    /** ApplicationService_Patch: {@code applicationApplicationPatchRequest} (name, patch, patchType, appNamespace, project). */
    @jakarta.ws.rs.PATCH
    @Path("/v1/applications/{name}")
    Response patch(@PathParam("name") String name, String body, @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/applications/{name}/syncwindows")
    Response syncWindows(@PathParam("name") String name, @QueryParam("appNamespace") String appNamespace,
                         @QueryParam("project") String project, @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/session")
    Response session(String body);

    @GET
    @Path("/version")
    Response version();
}
