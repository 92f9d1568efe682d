package io.lince.web;

import io.lince.app.LinceNode;
import io.lince.contracts.ModelPublished;
import io.lince.ops.RunningNode;
import io.lince.registry.ModelRegistry;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.Context;
import java.util.List;
import java.util.Map;

/** The model registry over HTTP: every version, promotion and rollback, and training on request. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    @Inject
    RunningNode running;

    @Inject
    Access access;

    @GET
    @Path("/models")
    @PermitAll
    public List<ModelView> list(@Context SecurityContext who) {
        access.read(who);
        Map<Integer, ModelPublished> versions = node().registry().versions();
        int serving = node().registry().champion().map(ModelPublished::getVersion).orElse(-1);
        return versions.values().stream().map(m -> ModelView.of(m, serving)).toList();
    }

    /** Makes a version the serving one; an older one is a rollback. Classifiers follow within seconds. */
    @POST
    @Path("/models/{version}/promote")
    @RolesAllowed("admin")
    public ModelView promote(@PathParam("version") int version, @QueryParam("reason") @DefaultValue("") String reason,
            @Context SecurityContext who) {
        ModelRegistry registry = node().registry();
        if (!registry.versions().containsKey(version)) {
            throw new NotFoundException("no model v" + version);
        }
        String why = (reason.isBlank() ? "promoted" : reason) + " (by " + who.getUserPrincipal().getName() + ")";
        try {
            return ModelView.of(registry.promote(version, why), version);
        } catch (ModelRegistry.ConcurrentPromotion lost) {
            throw new jakarta.ws.rs.ClientErrorException(Response.status(Response.Status.CONFLICT)
                    .entity(Map.of("error", lost.getMessage())).type(MediaType.APPLICATION_JSON).build());
        }
    }

    /** Asks this node's trainer for a training now; requests made meanwhile are merged into it. */
    @POST
    @Path("/retrain")
    @RolesAllowed("admin")
    public Response retrain(@QueryParam("reason") @DefaultValue("") String reason, @Context SecurityContext who) {
        var trainer = node().trainer().orElseThrow(() -> new ServiceUnavailableException("this node runs no trainer"));
        trainer.requestTraining((reason.isBlank() ? "on request" : reason) + " (by " + who.getUserPrincipal().getName() + ")");
        return Response.accepted(Map.of("requested", true)).build();
    }

    private LinceNode node() {
        return running.require();
    }
}
