package io.lince.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.Set;

/**
 * Cross-site request forgery guard for every state-changing API call: it must carry the
 * {@value #HEADER} header. A browser lets a page on another origin send a form or a simple
 * request with the user's cached credentials, but never a custom header without a CORS preflight,
 * which this server does not grant. The dashboard and the CLI always send it.
 */
@Provider
@PreMatching
public class CsrfGuard implements ContainerRequestFilter {

    public static final String HEADER = "X-Lince-CSRF";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    public void filter(ContainerRequestContext request) {
        String value = request.getHeaderString(HEADER);
        if (!SAFE.contains(request.getMethod()) && (value == null || value.isBlank())) {
            request.abortWith(Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "state-changing requests need the " + HEADER + " header")).build());
        }
    }
}
