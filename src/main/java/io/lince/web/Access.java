package io.lince.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.core.SecurityContext;
import io.lince.config.LinceConfig;
import jakarta.inject.Inject;

/**
 * Who may read: any authenticated user, and anonymous callers only when
 * {@code lince.web.anonymous-read=true} (off by default). Writing is decided by roles on each
 * endpoint: labeller or admin to label, admin to promote or retrain.
 */
@ApplicationScoped
public class Access {

    @Inject
    LinceConfig config;

    public void read(SecurityContext who) {
        if (who.getUserPrincipal() == null && !anonymousRead()) {
            throw new NotAuthorizedException("sign in to read", "Basic realm=\"lince\"");
        }
    }

    public boolean anonymousRead() {
        return config.web().anonymousRead();
    }
}
