package io.lince.cli;

import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.config.LinceConfig;
import io.lince.ops.RunningNode;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
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

    @Override
    public Integer call() throws Exception {
        NodeOptions options = Settings.node(config, Role.parse(role), device.orConfigured(config));
        try (LinceNode node = LinceNode.start(options, running.classifierMetrics())) {
            running.set(node);
            System.err.println("Lince " + role + " is running (health /q/health, metrics /q/metrics);"
                    + " stop with Ctrl-C or SIGTERM.");
            Quarkus.waitForExit();
        } finally {
            running.clear();
        }
        return 0;
    }
}
