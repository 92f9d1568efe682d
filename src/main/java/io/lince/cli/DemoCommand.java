package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.demo.DemoRunner;
import io.lince.ops.RunningNode;
import io.lince.retraining.TrainerSettings;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole loop on an in-process Kafka broker: streams images, classifies them,",
                "labels the uncertain ones (playing the upstream app), retrains and hot-swaps each new model.",
                "Without FOLDER it streams generated images of two synthetic classes."},
        footer = {"", "Examples:", "  lince demo --limit 300 --summary-json target/demo.json",
                "  lince demo ../shared/data/dogs-vs-cats/train --limit 500 --input-size 128"})
class DemoCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Inject
    RunningNode running;

    @Parameters(arity = "0..1", paramLabel = "FOLDER", description = "class-per-subfolder images (train/cats, train/dogs, …)")
    Path folder;

    @Option(names = "--limit", defaultValue = "300", description = "stop after this many images (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--rate", defaultValue = "0", description = "images per second to publish; 0 = as fast as possible")
    double rate;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "write the final figures as JSON")
    Path summaryJson;

    @Option(names = "--input-size", description = "model input side in pixels (default: lince.model.input-size)")
    Integer inputSize;

    @Option(names = "--threshold", description = "route to retraining when confidence is below this (default: lince.classifier.threshold)")
    Double threshold;

    @Option(names = "--retrain-every", description = "train a new version after this many new labels (default 40)")
    Integer retrainEvery;

    @Option(names = "--fine-tune-epochs", defaultValue = "0", description = {
            "unfrozen epochs after the head in each training (default ${DEFAULT-VALUE}: heads only, so that",
            "the loop turns within a minute on a CPU; serve uses lince.trainer.fine-tune-epochs)"})
    int fineTuneEpochs;

    @Mixin
    DeviceOption device;

    @Option(names = "--weights", paramLabel = "FILE", description = "first model: a Lince checkpoint or torchvision .safetensors")
    Path weights;

    @Option(names = "--verbose", description = "show Lince's log lines between the live lines")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!verbose) {
            // the live line and the demo's own messages say what matters; warnings still show
            java.util.logging.Logger.getLogger("io.lince").setLevel(java.util.logging.Level.WARNING);
        }
        TrainerSettings t = Settings.trainer(config);
        DemoRunner.Options options = new DemoRunner.Options(Optional.ofNullable(folder), limit, rate,
                inputSize != null ? inputSize : config.model().inputSize(),
                threshold != null ? threshold : config.classifier().threshold(),
                t.withRetrainEvery(retrainEvery != null ? retrainEvery : 40).withRecipe(t.recipe().withFineTuneEpochs(fineTuneEpochs)),
                config.workDir(), device.orConfigured(config),
                Optional.ofNullable(weights).or(() -> config.model().weights()), config.model().seed(),
                Duration.ofMinutes(3));
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(30, TimeUnit.SECONDS); // let the summary be written
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Map<String, Object> summary = new DemoRunner(options, System.out, running.classifierMetrics(), running::set)
                    .run(stop);
            System.out.println("summary: " + summary);
            if (summaryJson != null) {
                DemoRunner.writeSummary(summary, summaryJson);
                System.out.println("wrote " + summaryJson);
            }
            return 0;
        } finally {
            running.clear();
            finished.countDown();
            if (!stop.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
    }
}
