package io.lince.web;

import io.lince.config.LinceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Signs in the users of {@code lince.web.users.*} over HTTP basic: each password is checked
 * against its bcrypt hash, and {@link SignInGuard} locks out repeated failures. Quarkus'
 * properties-file realm stores unsalted fast digests (MD5 or SHA-512 of {@code user:realm:password}),
 * which a stolen configuration gives up to a GPU in minutes; bcrypt is salted and slow on purpose
 * (cost 10; checked on a worker thread, never the event loop).
 */
@ApplicationScoped
public class ConfiguredUsers implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(ConfiguredUsers.class);
    /** Checked when the name is unknown, so that an unknown name takes as long to refuse as a wrong password. */
    private static final String NOBODY;
    /** bcrypt cost of the hashes {@link #configLines} makes: 2^10 rounds. */
    public static final int COST = 10;
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    static {
        NOBODY = BcryptUtil.bcryptHash("no such user", COST);
    }

    /**
     * The two configuration lines that let {@code name} sign in with {@code password}: what
     * {@code lince user} prints, for {@code config/application.properties} (or, upper-cased, the
     * environment).
     */
    public static java.util.List<String> configLines(String name, String password, java.util.List<String> roles) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a user name is 1 to 64 of A-Z a-z 0-9 _ - (it becomes part of a setting's name): " + name);
        }
        if (password.length() < 8) {
            throw new IllegalArgumentException("a password needs 8 characters or more");
        }
        if (roles.isEmpty() || !DashboardResource.ROLES.containsAll(roles)) {
            throw new IllegalArgumentException("roles are viewer, labeller, admin; got " + roles);
        }
        return java.util.List.of("lince.web.users." + name + ".password-hash=" + BcryptUtil.bcryptHash(password, COST),
                "lince.web.users." + name + ".roles=" + String.join(",", roles));
    }

    private final Map<String, LinceConfig.User> users;
    private final SignInGuard guard;
    private final Counter failures;
    private final Counter refusedWhileLocked;

    @Inject
    public ConfiguredUsers(LinceConfig config, MeterRegistry registry) {
        this.users = new TreeMap<>(config.web().users());
        for (var e : users.entrySet()) {
            String hash = e.getValue().passwordHash();
            if (!hash.startsWith("$2")) {
                throw new IllegalArgumentException("lince.web.users." + e.getKey()
                        + ".password-hash is not a bcrypt hash ($2a$…): make one with `lince user " + e.getKey() + "`");
            }
            for (String role : e.getValue().roles()) {
                if (!DashboardResource.ROLES.contains(role)) {
                    throw new IllegalArgumentException("lince.web.users." + e.getKey() + ".roles: unknown role '" + role
                            + "' (roles: viewer, labeller, admin)");
                }
            }
        }
        var lockout = config.web().signIn();
        this.guard = new SignInGuard(new SignInGuard.Policy(lockout.freeFailures(), lockout.firstLock(), lockout.maxLock()));
        this.failures = Counter.builder("lince.web.sign_in.failures").description("wrong user or password").register(registry);
        this.refusedWhileLocked = Counter.builder("lince.web.sign_in.locked")
                .description("sign-ins refused unchecked because the user or address is locked out").register(registry);
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        String name = request.getUsername();
        String address = address(request);
        Optional<java.time.Duration> locked = guard.lockedFor(name, address, System.currentTimeMillis());
        if (locked.isPresent()) {
            refusedWhileLocked.increment();
            return Uni.createFrom().failure(new AuthenticationFailedException("sign-in locked for another "
                    + Math.max(1, locked.get().toSeconds()) + " s after repeated failures"));
        }
        return context.runBlocking(() -> {
            LinceConfig.User user = users.get(name);
            String password = new String(request.getPassword().getPassword());
            boolean right = BcryptUtil.matches(password, user == null ? NOBODY : user.passwordHash()) && user != null;
            if (!right) {
                failures.increment();
                guard.failed(name, address, System.currentTimeMillis()).ifPresent(d -> LOG.warnf(
                        "sign-in: repeated failures for user '%s' or from %s; locked for %d s", name, address, Math.max(1, d.toSeconds())));
                throw new AuthenticationFailedException("wrong user or password");
            }
            guard.succeeded(name, address);
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name))
                    .addRoles(new HashSet<>(user.roles())).addCredential(request.getPassword()).build();
        });
    }

    private static String address(UsernamePasswordAuthenticationRequest request) {
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (rc == null || rc.request().remoteAddress() == null) {
            return "unknown";
        }
        return rc.request().remoteAddress().hostAddress();
    }
}
