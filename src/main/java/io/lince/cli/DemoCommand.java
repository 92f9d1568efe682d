package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.demo.DemoRunner;
import io.lince.ops.RunningNode;
import io.lince.learn.GroupRates;
import io.lince.retraining.Recipe;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.RoutingPolicy;
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
                "  lince demo ../shared/data/dogs-vs-cats/train --limit 500 --input-size 128",
                "  lince demo stream/ --weights start.lince --input-size 128 --base-data start/train \\",
                "      --fine-tune-epochs 10 --lrs 1e-3,1e-3,1e-3 --retrain-every 300 --keep target/loop",
                "      (a real model getting better: README, \"The demo on real photos\")"})
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

    @Option(names = "--threshold", description = {"route to retraining when the measure says unsure (confidence below it;",
            "with --measure random, the share sent) (default: lince.classifier.threshold)"})
    Double threshold;

    @Option(names = "--measure", defaultValue = "confidence",
            description = "confidence, margin, entropy, or random (the baseline) (default: ${DEFAULT-VALUE})")
    String measure;

    @Option(names = "--exploration", defaultValue = "0.05", description = {
            "share of all images also sent at random, whatever their confidence: labelled, they are the",
            "stream slice the gate judges candidates on (default: ${DEFAULT-VALUE})"})
    double exploration;

    @Option(names = "--base-data", paramLabel = "DIR", description = {
            "the first model's training set (a folder per class), replayed in every training",
            "(default: lince.trainer.base-data, if set)"})
    Path baseData;

    @Option(names = "--head-epochs", description = "epochs of the head on precomputed activations (default: 10 heads-only, else lince.trainer.epochs)")
    Integer headEpochs;

    @Option(names = "--lrs", paramLabel = "R0,R1,R2", description = "peak rates of the unfrozen epochs (default: lince.trainer.fine-tune-learning-rate)")
    String lrs;

    @Option(names = "--replay-ratio", description = "base images replayed per labelled example (default: lince.trainer.replay-ratio)")
    Double replayRatio;

    @Option(names = "--keep", paramLabel = "DIR", description = "keep the model store and labelled.tsv (id, label, route, file) in DIR")
    Path keep;

    @Option(names = "--training-wait", defaultValue = "1800", description = {
            "seconds to wait after the last image for the training it set off (default: ${DEFAULT-VALUE})"})
    long trainingWait;

    @Option(names = "--retrain-every", description = "train a new version after this many new labels (default 40)")
    Integer retrainEvery;

    @Option(names = "--fine-tune-epochs", defaultValue = "0", description = {
            "unfrozen epochs of the whole network in each training (default ${DEFAULT-VALUE}: heads only, so",
            "that the loop turns within a minute on a CPU; serve uses lince.trainer.fine-tune-epochs)"})
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
        TrainerSettings t = FromConfig.trainer(config);
        // heads only by default; with --fine-tune-epochs the configured recipe; flags override either
        Recipe base = fineTuneEpochs == 0 ? Recipe.headOnly() : t.recipe();
        Recipe recipe = new Recipe(headEpochs != null ? headEpochs : base.headEpochs(), base.headLearningRate(),
                fineTuneEpochs, lrs != null ? GroupRates.parse(lrs) : base.fineTuneRates(), base.augmentation(),
                base.maxZoom(), base.batchSize(), replayRatio != null ? replayRatio : base.replayRatio(),
                base.freezeBatchNorm());
        RoutingPolicy routing = RoutingPolicy.of(measure, threshold != null ? threshold : config.classifier().threshold(),
                FromConfig.selection(config.classifier().selection()).withExploration(exploration));
        DemoRunner.Options options = new DemoRunner.Options(Optional.ofNullable(folder), limit, rate,
                inputSize != null ? inputSize : config.model().inputSize(), routing,
                t.withRetrainEvery(retrainEvery != null ? retrainEvery : 40).withRecipe(recipe)
                        .withBaseData(Optional.ofNullable(baseData).or(() -> config.trainer().baseData())),
                config.workDir(), device.orConfigured(config),
                Optional.ofNullable(weights).or(() -> config.model().weights()), config.model().seed(),
                Duration.ofMinutes(3), Optional.ofNullable(keep), Duration.ofSeconds(trainingWait), FromConfig.watching(config.classifier()));
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
