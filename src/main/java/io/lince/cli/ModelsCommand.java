package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.contracts.ModelPublished;
import io.lince.registry.ModelRegistry;
import io.lince.wire.WireFormat;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry: every version with its status, metrics and lineage; promote (or roll back to) one.",
        subcommands = {ModelsCommand.List.class, ModelsCommand.Promote.class, ModelsCommand.Shadow.class},
        footer = {"", "Examples:", "  lince models list --bootstrap-servers kafka:9092",
                "  lince models promote 3 --reason \"v5 mislabels night photos\" --bootstrap-servers kafka:9092",
                "  lince models shadow 6 --reason \"try it on live traffic\" --bootstrap-servers kafka:9092"})
class ModelsCommand {

    static ModelRegistry registry(LinceConfig config, ClusterOption cluster, String command) {
        return new ModelRegistry(cluster.clients(config, command), config.topicsRecord(), WireFormat.defaults());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every version, the serving one marked *.",
            footer = {"", "Example:", "  lince models list --bootstrap-servers kafka:9092"})
    static class List implements Callable<Integer> {
        @Inject
        LinceConfig config;

        @Mixin
        ClusterOption cluster;

        @Override
        public Integer call() {
            ModelRegistry registry = registry(config, cluster, "models list");
            Map<Integer, ModelPublished> versions = registry.versions();
            int serving = registry.champion().map(ModelPublished::getVersion).orElse(-1);
            System.out.printf("%-3s %-7s %-6s %-9s %-8s %-9s %-9s %s%n", "", "version", "parent", "status", "trained", "accuracy", "log loss", "decision");
            for (ModelPublished m : versions.values()) {
                System.out.printf(Locale.ROOT, "%-3s v%-6d %-6s %-9s %-8d %-9s %-9s %s%n", m.getVersion() == serving ? "*" : "",
                        m.getVersion(), m.getParentVersion() == null ? "-" : "v" + m.getParentVersion(), m.getStatus(),
                        m.getTrainedOn(), metric(m, "eval.accuracy"), metric(m, "eval.logLoss"), m.getDecision());
            }
            return 0;
        }

        private static String metric(ModelPublished m, String name) {
            Double v = m.getMetrics().get(name);
            return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Makes VERSION the serving model (a rollback when it is older); classifiers switch within seconds.",
            footer = {"", "Example:", "  lince models promote 3 --reason \"rollback\" --bootstrap-servers kafka:9092"})
    static class Promote implements Callable<Integer> {
        @Inject
        LinceConfig config;

        @Mixin
        ClusterOption cluster;

        @Parameters(paramLabel = "VERSION", description = "version number, e.g. 3 or v3")
        String version;

        @Option(names = "--reason", defaultValue = "promoted by hand", description = "recorded with the promotion")
        String reason;

        @Override
        public Integer call() {
            ModelPublished m = registry(config, cluster, "models promote").promote(number(version), reason);
            System.out.printf("v%d is now the serving model (%s)%n", m.getVersion(), m.getDecision());
            return 0;
        }
    }

    static int number(String version) {
        try {
            return Integer.parseInt(version.startsWith("v") ? version.substring(1) : version);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("VERSION must be a number like 3 or v3, got '" + version + "'");
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = {"Mirrors VERSION on live traffic without serving it: classifiers also run it on a share of their batches"
                    + " (lince.classifier.shadow.share) and publish both answers to lince.shadow; a trainer records its agreement"
                    + " with the champion, confidence shift, share it would send for labelling and forward time in the registry"
                    + " once it has seen lince.trainer.shadow.images images. Promote it, or shadow another, to end it."},
            footer = {"", "Example:", "  lince models shadow 6 --bootstrap-servers kafka:9092"})
    static class Shadow implements Callable<Integer> {
        @Inject
        LinceConfig config;

        @Mixin
        ClusterOption cluster;

        @Parameters(paramLabel = "VERSION", description = "version number, e.g. 6 or v6")
        String version;

        @Option(names = "--reason", defaultValue = "shadowed by hand", description = "recorded with it")
        String reason;

        @Override
        public Integer call() {
            ModelPublished m = registry(config, cluster, "models shadow").shadow(number(version), reason);
            System.out.printf("v%d is shadowed: classifiers mirror it on live traffic from now on%n", m.getVersion());
            return 0;
        }
    }
}
