package io.lince.cli;

import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Set;

/**
 * Entry point. Only the long-running commands open the HTTP port (health, metrics); a
 * one-shot command such as {@code predict} must not fail because a service already holds it.
 */
@QuarkusMain
public final class LinceMain {

    private static final Set<String> SERVING = Set.of("serve", "demo");

    private LinceMain() {}

    public static void main(String... args) {
        boolean serving = args.length > 0 && SERVING.contains(args[0]);
        if (!serving && System.getProperty("quarkus.http.host-enabled") == null) {
            System.setProperty("quarkus.http.host-enabled", "false");
        }
        Quarkus.run(PicocliRunner.class, args);
    }
}
