package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.contracts.DeadLetter;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.stream.DeadLetterArchive;
import io.lince.wire.WireFormat;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "The dead-letter topic: list what failed and why; send chosen records back to be processed again.",
        subcommands = {DeadLettersCommand.List.class, DeadLettersCommand.Replay.class},
        footer = {"", "Examples:", "  lince dead-letters list --stage fetch --bootstrap-servers kafka:9092",
                "  lince dead-letters replay --stage fetch --reason 'does not exist' --bootstrap-servers kafka:9092"})
class DeadLettersCommand {

    /** Which dead letters: the options list and replay share. */
    static class Filter {
        @Option(names = "--stage", split = ",", description = "stages to take, e.g. fetch,decode (default: all)")
        java.util.List<String> stages = java.util.List.of();

        @Option(names = "--reason", description = "a regular expression found in the reason")
        String reason;

        @Option(names = "--id", split = ",", description = "image ids to take")
        java.util.List<String> ids = java.util.List.of();

        @Option(names = "--max", defaultValue = "1000", description = "at most this many (default: ${DEFAULT-VALUE})")
        int max;

        DeadLetterArchive.Selection selection() {
            return new DeadLetterArchive.Selection(Set.copyOf(stages), reason == null ? null : Pattern.compile(reason),
                    Set.copyOf(ids));
        }
    }

    /** What list and replay both need: the configuration, the cluster, the selection. */
    abstract static class OnArchive {
        @Inject
        LinceConfig config;

        @Mixin
        ClusterOption cluster;

        @Mixin
        Filter filter;

        java.util.List<DeadLetterArchive.Entry> find(DeadLetterArchive archive) {
            return archive.find(filter.selection(), filter.max);
        }

        DeadLetterArchive archive(String command) {
            KafkaClients clients = cluster.clients(config, command);
            return new DeadLetterArchive(clients.reader(), clients.producer(), config.topicsRecord().deadLetter(),
                    WireFormat.defaults().serde(DeadLetter.class).deserializer());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the dead letters that match, oldest first.",
            footer = {"", "Example:", "  lince dead-letters list --stage decode --bootstrap-servers kafka:9092"})
    static class List extends OnArchive implements Callable<Integer> {
        @Override
        public Integer call() {
            var found = find(archive("dead-letters list"));
            System.out.printf("%-24s %-11s %-24s %-24s %s%n", "dead letter", "stage", "image id", "failed at", "reason");
            for (var e : found) {
                DeadLetter d = e.letter();
                System.out.printf(Locale.ROOT, "%-24s %-11s %-24s %-24s %s%n", e.where(config.topicsRecord().deadLetter()),
                        d.getStage(), d.getImageId() == null ? "-" : d.getImageId(), d.getFailedAt(), d.getReason());
            }
            System.err.println(found.size() + " dead letter" + (found.size() == 1 ? "" : "s"));
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Sends the matching dead letters' records back to the topic they came from (lince.images or",
                    "lince.labels), key, headers and value as they were, plus a lince-replayed-from header. A record",
                    "replayed twice is processed twice: choose with --stage, --reason and --id, and check with --dry-run."},
            footer = {"", "Example:", "  lince dead-letters replay --id photo-7,photo-9 --bootstrap-servers kafka:9092"})
    static class Replay extends OnArchive implements Callable<Integer> {
        @Option(names = "--dry-run", description = "only say what would be sent")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            DeadLetterArchive archive = archive("dead-letters replay");
            var found = find(archive);
            Topics topics = config.topicsRecord();
            if (dryRun) {
                found.forEach(e -> System.out.println("would replay " + e.where(topics.deadLetter()) + " to " + e.letter().getTopic()
                        + " (" + e.letter().getStage() + ": " + e.letter().getReason() + ")"));
                return 0;
            }
            int sent = archive.replay(found, Set.of(topics.images(), topics.labels()));
            System.out.println("replayed " + sent + " of " + found.size() + " matching dead letters");
            return 0;
        }
    }
}
