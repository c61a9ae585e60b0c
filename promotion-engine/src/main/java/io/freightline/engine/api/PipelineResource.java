package io.freightline.engine.api;

import io.freightline.engine.api.Views.AuditView;
import io.freightline.engine.api.Views.CommandView;
import io.freightline.engine.api.Views.ErrorView;
import io.freightline.engine.api.Views.FreightView;
import io.freightline.engine.api.Views.ProjectView;
import io.freightline.engine.api.Views.PromotionView;
import io.freightline.engine.api.Views.StageView;
import io.freightline.engine.api.Views.WarehouseView;
import io.freightline.engine.config.EngineConfig;
import io.freightline.engine.domain.Access;
import io.freightline.engine.domain.Access.Role;
import io.freightline.engine.domain.Engine;
import io.freightline.engine.domain.ManifestException;
import io.freightline.engine.domain.ManifestParser;
import io.freightline.engine.domain.Model;
import io.freightline.engine.domain.ProjectState;
import io.freightline.engine.messaging.EngineService;
import io.freightline.events.CommandIssued;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The engine's REST API, shaped like Kargo's. Reads answer from memory; every change is a command on
 * {@code freightline.commands}, ordered with everything else of its project, and the answer waits (bounded) until
 * the engine applied it.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "pipeline")
@SecurityRequirement(name = "bearer")
public class PipelineResource {
    private final EngineService service;
    private final Auth auth;
    private final EngineConfig config;

    public PipelineResource(EngineService service, Auth auth, EngineConfig config) {
        this.service = service;
        this.auth = auth;
        this.config = config;
    }

    /** Bodies of the POST endpoints. */
    /**
     * @param freight     the freight (id or alias) to promote
     * @param sourceStage instead of {@code freight}: every freight verified in that stage (one per warehouse)
     */
    public record PromoteRequest(String freight, String sourceStage, String reason) {
        public PromoteRequest(String freight, String reason) {
            this(freight, null, reason);
        }
    }

    /** A freight made by hand: artifacts of the warehouse's subscriptions (the rest: their newest discovered). */
    public record CreateFreightRequest(String warehouse, List<io.freightline.events.ArtifactRef> artifacts, String reason) {
    }

    public record ApproveRequest(String stage, String reason) {
    }

    public record ReasonRequest(String reason) {
    }

    // ------------------------------------------------------------------ reads (viewer)

    @GET
    @Path("/whoami")
    @Operation(summary = "The caller: its subject (never the token), grants, and its highest role in each project it may view")
    public Views.WhoAmIView whoami(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz) {
        Access.Caller c = auth.caller(authz);
        Map<String, String> roles = new java.util.TreeMap<>();
        for (String p : service.engine().projectNames()) {
            for (int i = Role.values().length - 1; i >= 0; i--) {
                if (c.can(p, Role.values()[i])) {
                    roles.put(p, Role.values()[i].name());
                    break;
                }
            }
        }
        List<Views.GrantView> grants = c.grants().stream().map(g -> new Views.GrantView(g.role().name(), g.project())).toList();
        return new Views.WhoAmIView(c.subject(), grants, roles);
    }

    @GET
    @Path("/projects")
    @Operation(summary = "Projects the caller may view")
    public List<ProjectView> projects(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz) {
        Access.Caller c = auth.caller(authz);
        List<ProjectView> out = new ArrayList<>();
        for (String p : service.engine().projectNames()) {
            if (!c.can(p, Role.viewer)) continue;
            ProjectView v = service.read(p, ps -> ps.spec == null ? null
                    : new ProjectView(p, List.copyOf(ps.warehouses.keySet()), List.copyOf(ps.stages.keySet()), ps.lineStop));
            if (v != null) out.add(v);
        }
        return out;
    }

    @GET
    @Path("/projects/{project}/stages")
    @Operation(summary = "Stages with current and verified freight, health and queue")
    public List<StageView> stages(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project) {
        return view(authz, project, ps -> ps.stages.values().stream().map(s -> StageView.of(ps, s)).toList());
    }

    @GET
    @Path("/projects/{project}/stages/{stage}")
    @Operation(summary = "One stage")
    public StageView stage(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                           @PathParam("stage") String stage) {
        return view(authz, project, ps -> {
            var spec = ps.stages.get(stage);
            if (spec == null) throw notFound("stage '" + stage + "' not found");
            return StageView.of(ps, spec);
        });
    }

    @GET
    @Path("/projects/{project}/warehouses")
    @Operation(summary = "Warehouses and their subscriptions")
    public List<WarehouseView> warehouses(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project) {
        return view(authz, project, ps -> ps.warehouses.values().stream().map(w -> new WarehouseView(project, w.name(),
                w.intervalSeconds(), w.subscriptions(), ps.warehouseGenerations.getOrDefault(w.name(), 0L),
                ps.freight.values().stream().filter(f -> f.warehouse.equals(w.name())).count())).toList());
    }

    @GET
    @Path("/projects/{project}/freight")
    @Operation(summary = "Freight, newest first")
    public List<FreightView> freight(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                     @QueryParam("warehouse") String warehouse, @QueryParam("limit") @DefaultValue("100") int limit) {
        return view(authz, project, ps -> {
            List<Model.Freight> all = new ArrayList<>(ps.freight.values());
            all.sort(Comparator.comparingLong((Model.Freight f) -> f.seq).reversed());
            return all.stream().filter(f -> warehouse == null || f.warehouse.equals(warehouse))
                    .limit(Math.max(1, Math.min(limit, 10_000))).map(f -> FreightView.of(ps, f)).toList();
        });
    }

    @GET
    @Path("/projects/{project}/freight/{freight}")
    @Operation(summary = "One freight by id or alias")
    public FreightView oneFreight(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                  @PathParam("freight") String freight) {
        return view(authz, project, ps -> FreightView.of(ps, findFreight(ps, freight)));
    }

    @GET
    @Path("/projects/{project}/promotions")
    @Operation(summary = "Promotions, newest first")
    public List<PromotionView> promotions(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                          @QueryParam("stage") String stage) {
        return view(authz, project, ps -> {
            List<PromotionView> out = new ArrayList<>();
            for (Model.Promotion p : ps.promotions.values()) {
                if (stage == null || p.stage.equals(stage)) out.add(PromotionView.of(ps, p));
            }
            out.sort(Comparator.comparing(PromotionView::createdAt).reversed());
            return out;
        });
    }

    @GET
    @Path("/projects/{project}/promotions/{id}")
    @Operation(summary = "One promotion with its step results")
    public PromotionView promotion(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                   @PathParam("id") String id) {
        return view(authz, project, ps -> {
            Model.Promotion p = ps.promotions.get(id);
            if (p == null) throw notFound("promotion '" + id + "' not found");
            return PromotionView.of(ps, p);
        });
    }

    @GET
    @Path("/projects/{project}/audit")
    @Operation(summary = "The audit trail, newest first: who did what, when and why")
    public AuditView audit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                           @QueryParam("limit") @DefaultValue("200") int limit) {
        return view(authz, project, ps -> {
            List<Model.AuditEntry> out = new ArrayList<>(ps.audit);
            java.util.Collections.reverse(out);
            return new AuditView(out.subList(0, Math.min(out.size(), Math.max(1, limit))));
        });
    }

    // ------------------------------------------------------------------ commands

    @POST
    @Path("/projects/{project}/stages/{stage}/promotions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Promote freight (id or alias) to a stage (promoter). Older than the current freight: a rollback, which holds auto-promotion.")
    public Response promote(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                            @PathParam("stage") String stage, PromoteRequest body) {
        auth.require(authz, project, Role.promoter); // who asks is checked before what is asked
        boolean hasFreight = body != null && body.freight() != null && !body.freight().isBlank();
        boolean hasSource = body != null && body.sourceStage() != null && !body.sourceStage().isBlank();
        if (!hasFreight && !hasSource) throw badRequest("freight: required");
        if (hasFreight && hasSource) throw badRequest("freight and sourceStage: give one, not both");
        return command(authz, project, Role.promoter, "promote", hasFreight ? Map.of("stage", stage, "freight", body.freight())
                : Map.of("stage", stage, "sourceStage", body.sourceStage()), body.reason());
    }

    @POST
    @Path("/projects/{project}/freight")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create freight by hand from artifacts of a warehouse's subscriptions (admin); for freightCreationPolicy: Manual")
    public Response createFreight(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                  CreateFreightRequest body) {
        auth.require(authz, project, Role.admin); // who asks is checked before what is asked
        if (body == null || body.warehouse() == null || body.warehouse().isBlank()) throw badRequest("warehouse: required");
        if (body.artifacts() == null || body.artifacts().isEmpty()) throw badRequest("artifacts: at least one artifact is required");
        String artifacts;
        try {
            artifacts = io.freightline.events.EventCodec.mapper().writeValueAsString(body.artifacts());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw badRequest("artifacts: " + e.getOriginalMessage());
        }
        return command(authz, project, Role.admin, "create-freight", Map.of("warehouse", body.warehouse(), "artifacts", artifacts), body.reason());
    }

    @POST
    @Path("/projects/{project}/freight/{freight}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Approve freight for a stage (promoter)")
    public Response approve(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                            @PathParam("freight") String freight, ApproveRequest body) {
        auth.require(authz, project, Role.promoter); // who asks is checked before what is asked
        if (body == null || body.stage() == null || body.stage().isBlank()) throw badRequest("stage: required");
        return command(authz, project, Role.promoter, "approve", Map.of("stage", body.stage(), "freight", freight), body.reason());
    }

    @POST
    @Path("/projects/{project}/stages/{stage}/rollback")
    @Operation(summary = "Roll back to the previous verified freight, or to the given one (promoter); holds auto-promotion")
    public Response rollback(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                             @PathParam("stage") String stage, PromoteRequest body) {
        Map<String, String> args = new HashMap<>(Map.of("stage", stage));
        if (body != null && body.freight() != null) args.put("freight", body.freight());
        return command(authz, project, Role.promoter, "rollback", args, body == null ? null : body.reason());
    }

    @POST
    @Path("/projects/{project}/stages/{stage}/clear-hold")
    @Operation(summary = "Release the auto-promotion hold a rollback put on the stage (promoter)")
    public Response clearHold(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                              @PathParam("stage") String stage, ReasonRequest body) {
        return command(authz, project, Role.promoter, "clear-hold", Map.of("stage", stage), reason(body));
    }

    @POST
    @Path("/projects/{project}/stages/{stage}/pause")
    @Operation(summary = "Pause a stage: no promotions start (admin)")
    public Response pause(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                          @PathParam("stage") String stage, ReasonRequest body) {
        return command(authz, project, Role.admin, "pause", Map.of("stage", stage), reason(body));
    }

    @POST
    @Path("/projects/{project}/stages/{stage}/resume")
    @Operation(summary = "Resume a paused stage (admin)")
    public Response resume(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                           @PathParam("stage") String stage, ReasonRequest body) {
        return command(authz, project, Role.admin, "resume", Map.of("stage", stage), reason(body));
    }

    @POST
    @Path("/projects/{project}/pause")
    @Operation(summary = "Pause the whole project: no promotion starts in any stage, queued ones included, until resumed (admin)")
    public Response pauseProject(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                 ReasonRequest body) {
        return command(authz, project, Role.admin, "pause-project", Map.of(), reason(body));
    }

    @POST
    @Path("/projects/{project}/resume")
    @Operation(summary = "Resume a paused project (admin)")
    public Response resumeProject(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                                  ReasonRequest body) {
        return command(authz, project, Role.admin, "resume-project", Map.of(), reason(body));
    }

    @POST
    @Path("/projects/{project}/promotions/{id}/abort")
    @Operation(summary = "Abort a pending or running promotion (promoter)")
    public Response abort(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                          @PathParam("id") String id, ReasonRequest body) {
        return command(authz, project, Role.promoter, "abort", Map.of("promotion", id), reason(body));
    }

    @POST
    @Path("/projects/{project}/warehouses/{warehouse}/refresh")
    @Operation(summary = "Ask the watcher to re-read a warehouse's sources now (admin)")
    public Response refresh(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @PathParam("project") String project,
                            @PathParam("warehouse") String warehouse, ReasonRequest body) {
        return command(authz, project, Role.admin, "refresh", Map.of("warehouse", warehouse), reason(body));
    }

    @POST
    @Path("/manifests")
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @Operation(summary = "Apply pipeline manifests (multi-document YAML; admin of every project they touch). All or nothing.")
    public Response apply(@HeaderParam(HttpHeaders.AUTHORIZATION) String authz, @QueryParam("file") @DefaultValue("(api)") String file,
                          String yaml) {
        Access.Caller caller = auth.caller(authz);
        if (yaml == null || yaml.isBlank()) throw badRequest("body: YAML manifests required");
        ManifestParser.Manifests m;
        try {
            m = ManifestParser.parse(List.of(new ManifestParser.Source(file, yaml)), service.engine().catalog());
        } catch (ManifestException e) {
            return Response.status(400).entity(new ErrorView(e.getMessage(), e.problems())).build();
        }
        if (m.isEmpty()) throw badRequest("no Project, Warehouse or Stage documents");
        for (String p : m.projectNames()) {
            if (!caller.can(p, Role.admin)) {
                return Response.status(403).entity(new ErrorView("role admin required in project " + p, null)).build();
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        int status = 200;
        String sent = ManifestParser.withoutSecretData(yaml); // credentials never go onto a topic
        for (String p : m.projectNames()) {
            CommandIssued c = new CommandIssued(UUID.randomUUID().toString(), p, "apply", Map.of("manifests", sent, "file", file),
                    caller.subject(), "apply manifests", service.now());
            Engine.CommandResult r = service.issue(c, config.commandTimeout());
            results.put(p, r == null ? Map.of("status", "accepted", "command", c.id()) : Map.of("status", r.status(), "message", r.message()));
            if (r == null) status = Math.max(status, 202);
            else if (!r.succeeded()) status = Math.max(status, r.status());
        }
        return Response.status(status).entity(Map.of("projects", results, "skipped", m.skipped())).build();
    }

    private static String reason(ReasonRequest body) {
        return body == null ? null : body.reason();
    }

    private Response command(String authz, String project, Role role, String action, Map<String, String> args, String reason) {
        Access.Caller caller = auth.require(authz, project, role);
        CommandIssued c = new CommandIssued(UUID.randomUUID().toString(), project, action, args, caller.subject(), reason, service.now());
        Engine.CommandResult pre = service.read(project, ps -> service.engine().check(c));
        if (!pre.succeeded()) {
            return Response.status(pre.status()).entity(new ErrorView(pre.message(), null)).build();
        }
        Engine.CommandResult r = service.issue(c, config.commandTimeout());
        if (r == null) {
            return Response.accepted(new CommandView(c.id(), "accepted", "queued; not applied within " + config.commandTimeout(), null)).build();
        }
        if (!r.succeeded()) {
            return Response.status(r.status()).entity(new ErrorView(r.message(), null)).build();
        }
        PromotionView pv = r.promotion() == null ? null : service.read(project, ps -> {
            Model.Promotion p = ps.promotions.get(r.promotion());
            return p == null ? null : PromotionView.of(ps, p);
        });
        return Response.status(r.status()).entity(new CommandView(c.id(), "applied", r.message(), pv)).build();
    }

    private <T> T view(String authz, String project, Function<ProjectState, T> f) {
        auth.require(authz, project, Role.viewer);
        return service.read(project, ps -> {
            if (ps == null || ps.spec == null) throw notFound("project '" + project + "' not found");
            return f.apply(ps);
        });
    }

    private static Model.Freight findFreight(ProjectState ps, String idOrAlias) {
        try {
            Model.Freight f = ps.findFreight(idOrAlias);
            if (f == null) throw notFound("freight '" + idOrAlias + "' not found");
            return f;
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    static WebApplicationException notFound(String msg) {
        return new WebApplicationException(Response.status(404).type(MediaType.APPLICATION_JSON).entity(new ErrorView(msg, null)).build());
    }

    static WebApplicationException badRequest(String msg) {
        return new WebApplicationException(Response.status(400).type(MediaType.APPLICATION_JSON).entity(new ErrorView(msg, null)).build());
    }
}
