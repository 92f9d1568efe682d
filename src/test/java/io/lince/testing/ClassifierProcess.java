package io.lince.testing;

import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A classifier in a process of its own, for tests that kill it:
 * {@code bootstrap workDir partitions [modelStore]} (the store defaults to workDir/models). It
 * runs until killed.
 */
public final class ClassifierProcess {

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]);
        NodeOptions options = TestNodes.options(Role.CLASSIFIER, Optional.of(args[0]),
                Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "500"), work,
                Topics.defaults(Integer.parseInt(args[2])), new BatchSettings(8, Duration.ofMillis(50)),
                TrainerSettings.defaults(), "eos-test");
        if (args.length > 3) {
            options = options.withModelStore(Path.of(args[3]));
        }
        String host = System.getProperty("lince.test.allowedHost");
        if (host != null) { // the soak's image host
            options = options.withFetch(new io.lince.images.FetchPolicy(Optional.empty(), java.util.Set.of(host), java.util.List.of("/"),
                    Duration.ofSeconds(5), 5_000_000, 3, Duration.ofMillis(200)));
        }
        LinceNode node = LinceNode.start(options);
        System.out.println("READY");
        long healthEvery = Long.getLong("lince.test.healthMillis", 0);
        if (healthEvery > 0) {
            // readiness as LinceReadiness decides it, sampled for the soak: streams RUNNING, a model, no problems
            Duration stallLimit = Duration.ofSeconds(Long.getLong("lince.test.stallLimitSeconds", 120));
            while (true) {
                var problems = node.problems(stallLimit);
                boolean running = node.streams().values().stream()
                        .allMatch(s -> s.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
                boolean up = running && problems.isEmpty() && node.slot().isPresent();
                System.out.println("HEALTH " + System.currentTimeMillis() + " " + (up ? "UP" : "DOWN") + " "
                        + (running ? "" : "streams " + node.streams().values().iterator().next().state() + "; ")
                        + String.join("; ", problems));
                Thread.sleep(healthEvery);
            }
        }
        Thread.currentThread().join();
        node.close();
    }

    /** Starts one, logging to {@code log}. */
    public static Process start(String bootstrap, Path work, int partitions, Path log) throws Exception {
        return start(bootstrap, work, partitions, work.resolve("models"), log);
    }

    /** Starts one that serves from {@code store}, logging to {@code log}. */
    public static Process start(String bootstrap, Path work, int partitions, Path store, Path log) throws Exception {
        return start(bootstrap, work, partitions, store, log, java.util.List.of());
    }

    /** The same, with more JVM options (the soak's {@code -Dlince.test.*} settings). */
    public static Process start(String bootstrap, Path work, int partitions, Path store, Path log, java.util.List<String> jvm)
            throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(javaBin, "-Xmx1g", "-Dai.djl.offline=true"));
        command.addAll(jvm);
        command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), ClassifierProcess.class.getName(),
                bootstrap, work.toString(), String.valueOf(partitions), store.toString()));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }
}
