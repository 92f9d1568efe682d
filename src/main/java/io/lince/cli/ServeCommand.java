package io.lince.cli;

import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.config.LinceConfig;
import io.lince.ops.RunningNode;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs Lince against a Kafka cluster (lince.kafka.bootstrap-servers) until stopped.",
                "Without a cluster configured it starts an in-process broker under lince.work-dir."},
        footer = {"", "Example:",
                "  LINCE_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 lince serve --role classifier"})
class ServeCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Inject
    RunningNode running;

    @Option(names = "--role", defaultValue = "all", description = "classifier, trainer or all (default ${DEFAULT-VALUE})")
    String role;

    @Mixin
    DeviceOption device;

    /**
     * SIGTERM is how Kubernetes and systemd stop a service: an orderly stop, not a failure. The
     * JVM's own handler (and Quarkus's) would exit with 143 while the node is still closing; this
     * one asks Quarkus to exit with 0, so {@link #call} returns through its normal path and the
     * node closes in order (trainer, streams with their last commit, clients, broker).
     */
    private static void stopOnSigterm() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> Quarkus.asyncExit(0));
        } catch (IllegalArgumentException e) {
            // a platform without SIGTERM: the default handling stays
        }
    }

    @Override
    public Integer call() throws Exception {
        NodeOptions options = FromConfig.node(config, Role.parse(role), device.orConfigured(config));
        try (LinceNode node = LinceNode.start(options, running.classifierMetrics())) {
            running.set(node);
            stopOnSigterm();
            System.err.println("Lince " + role + " is running (dashboard and API on port "
                    + ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080)
                    + "; health /q/health and metrics /q/metrics on port "
                    + ConfigProvider.getConfig().getOptionalValue("quarkus.management.port", Integer.class).orElse(9000)
                    + "); stop with Ctrl-C or SIGTERM.");
            Quarkus.waitForExit();
            System.err.println("Lince " + role + " stopping: closing the trainer, the streams (committing what they hold)"
                    + " and the Kafka clients");
        } finally {
            running.clear();
        }
        System.err.println("Lince " + role + " stopped");
        return 0;
    }
}
