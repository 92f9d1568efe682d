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
        LinceNode node = LinceNode.start(options);
        System.out.println("READY");
        Thread.currentThread().join();
        node.close();
    }

    /** Starts one, logging to {@code log}. */
    public static Process start(String bootstrap, Path work, int partitions, Path log) throws Exception {
        return start(bootstrap, work, partitions, work.resolve("models"), log);
    }

    /** Starts one that serves from {@code store}, logging to {@code log}. */
    public static Process start(String bootstrap, Path work, int partitions, Path store, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx1g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                ClassifierProcess.class.getName(), bootstrap, work.toString(), String.valueOf(partitions), store.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }
}
