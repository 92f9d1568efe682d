package io.lince.web;

import io.lince.contracts.LabelEvent;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the dashboard reads (feed, labelling queue, chart buckets) and the labels it sends. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class DashboardResource {

    /** The roles there are; {@link ConfiguredUsers} refuses any other. */
    static final List<String> ROLES = List.of("viewer", "labeller", "admin");

    @Inject
    Dashboard dashboard;

    @Inject
    Access access;

    /** Who is signed in, with which roles, and whether reading needs a sign-in. */
    @GET
    @Path("/session")
    @PermitAll
    public Map<String, Object> session(@Context SecurityContext who) {
        String user = who.getUserPrincipal() == null ? "" : who.getUserPrincipal().getName();
        return Map.of("user", user, "roles", ROLES.stream().filter(who::isUserInRole).toList(),
                "anonymousRead", access.anonymousRead(), "bucketSeconds", dashboard.bucketSeconds());
    }

    @GET
    @Path("/classes")
    @PermitAll
    public List<String> classes(@Context SecurityContext who) {
        access.read(who);
        return dashboard.classes();
    }

    @GET
    @Path("/feed")
    @PermitAll
    public List<ActivityLog.FeedItem> feed(@QueryParam("limit") @DefaultValue("48") int limit, @Context SecurityContext who) {
        access.read(who);
        return dashboard.log().feed(bounded(limit));
    }

    @GET
    @Path("/queue")
    @PermitAll
    public List<ActivityLog.QueueItem> queue(@QueryParam("limit") @DefaultValue("20") int limit, @Context SecurityContext who) {
        access.read(who);
        return dashboard.log().queue(bounded(limit));
    }

    private static int bounded(int limit) {
        return Math.max(0, Math.min(limit, 500));
    }

    @GET
    @Path("/stats")
    @PermitAll
    public List<ActivityLog.Bucket> stats(@Context SecurityContext who) {
        access.read(who);
        return dashboard.log().buckets();
    }

    /**
     * A Grad-CAM heat map of a queued image (PNG): where the serving model sees the evidence for
     * {@code label}, or for its own answer when none is given.
     */
    @GET
    @Path("/gradcam")
    @Produces("image/png")
    @PermitAll
    public byte[] gradCam(@QueryParam("id") String imageId, @QueryParam("label") String label, @Context SecurityContext who)
            throws java.io.IOException {
        access.read(who);
        if (imageId == null || imageId.isBlank() || imageId.length() > 512) {
            throw new BadRequestException("a heat map needs an id (at most 512 characters)");
        }
        return dashboard.gradCam(imageId, label);
    }

    /** The serving version's temperature and calibration error, the drift watch's state, the shadowed version. */
    @GET
    @Path("/watch")
    @PermitAll
    public Map<String, Object> watch(@Context SecurityContext who) {
        access.read(who);
        return dashboard.watch();
    }

    /** A label from the signed-in person; it joins the image's retraining sample like any upstream label. */
    public record LabelRequest(String imageId, String label) {}

    @POST
    @Path("/labels")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({"labeller", "admin"})
    public Map<String, Object> label(LabelRequest request, @Context SecurityContext who) throws InterruptedException {
        if (request == null || request.imageId() == null || request.imageId().isBlank() || request.imageId().length() > 512) {
            throw new BadRequestException("a label needs an imageId (at most 512 characters)");
        }
        if (!dashboard.classes().contains(request.label())) {
            throw new BadRequestException("unknown class '" + request.label() + "': the model's classes are " + dashboard.classes());
        }
        LabelEvent e = dashboard.label(LabelEvent.newBuilder().setImageId(request.imageId()).setLabel(request.label())
                .setLabeller(who.getUserPrincipal().getName()).setLabelledAt(Instant.now()).build());
        return Map.of("imageId", e.getImageId(), "label", e.getLabel(), "labeller", e.getLabeller());
    }
}
