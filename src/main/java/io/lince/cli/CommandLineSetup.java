package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.model.DjlEnvironment;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** One clear line and a non-zero exit for a failure; a stack trace only with --verbose logging. */
@ApplicationScoped
class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory, LinceConfig config) {
        DjlEnvironment.threads(config.model().threads());
        return factory.create().setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("lince " + cmd.getCommandName() + ": " + message(e));
            if (Boolean.getBoolean("lince.stacktraces")) {
                e.printStackTrace(cmd.getErr());
            }
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
