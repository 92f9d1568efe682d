package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.images.Augmentation;
import io.lince.learn.Dataset;
import io.lince.learn.Learner;
import io.lince.learn.OptimizerSettings;
import io.lince.model.Devices;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every lesson-1 command shares: data, model, input size, batches and optimizer. */
class LearnOptions {

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "data set: train/<class>/… and valid/<class>/…, or Kaggle's flat train/cat.1.jpg")
    Path data;

    @Option(names = "--work", paramLabel = "DIR", description = "where models/, cache/ and runs/ go (default: {lince.work-dir}/learn)")
    Path work;

    @Option(names = "--arch", defaultValue = "resnet34", description = "network (only resnet34)")
    String arch;

    @Option(names = "--size", defaultValue = "224", description = "input side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = {"--bs", "--batch-size"}, defaultValue = "32", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--valid-share", defaultValue = "0.2", description = "held out when there is no valid/ (default: ${DEFAULT-VALUE})")
    double validShare;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "start from torchvision/timm ResNet-34 weights (.safetensors) or a Lince checkpoint")
    Path weights;

    @Option(names = "--load", paramLabel = "NAME", description = "start from a named checkpoint in {work}/models")
    String load;

    @Option(names = "--augment", defaultValue = "none", description = "none, side-on or top-down (default: ${DEFAULT-VALUE})")
    String augment;

    @Option(names = "--max-zoom", defaultValue = "1.1", description = "largest random zoom (default: ${DEFAULT-VALUE})")
    double maxZoom;

    @Option(names = "--min-scale", paramLabel = "SHARE",
            description = "random-resized crops: each crop's area uniform in [SHARE, 1] of the photo (e.g. 0.35; replaces --max-zoom in training)")
    Double minScale;

    @Option(names = "--jitter", paramLabel = "J",
            description = "colour jitter: brightness, contrast and saturation each by a factor in [1-J, 1+J] (e.g. 0.2)")
    double jitter;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd (momentum) or adamw (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "momentum, or AdamW's beta1 (default: ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--wd", defaultValue = "1e-4", description = "weight decay (default: ${DEFAULT-VALUE})")
    float weightDecay;

    @Option(names = "--seed", defaultValue = "42", description = "shuffling, augmentation and split (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    DeviceOption device;

    Path workDir(LinceConfig config) {
        return work != null ? work : config.workDir().resolve("learn");
    }

    Path runsDir(LinceConfig config) {
        return workDir(config).resolve("runs");
    }

    Learner open(LinceConfig config, PrintStream out) throws IOException {
        if (!"resnet34".equals(arch)) {
            throw new IllegalArgumentException("--arch " + arch + " is not available: Lince trains resnet34");
        }
        OptimizerSettings.Kind kind = switch (optimizer.toLowerCase()) {
            case "sgd" -> OptimizerSettings.Kind.SGD;
            case "adamw" -> OptimizerSettings.Kind.ADAMW;
            default -> throw new IllegalArgumentException("--optimizer must be sgd or adamw, got " + optimizer);
        };
        Dataset ds = Dataset.load(data, validShare, seed);
        out.println(data + " (" + ds.layout().name().toLowerCase().replace('_', ' ') + "): classes " + ds.classes());
        out.println(ds.counts());
        Augmentation augmentation = Augmentation.preset(augment, maxZoom).withJitter(jitter);
        if (minScale != null) {
            augmentation = augmentation.withMinScale(minScale);
        }
        Learner.Settings settings = new Learner.Settings(size, batchSize, augmentation,
                new OptimizerSettings(kind, momentum, weightDecay), seed, workDir(config));
        Learner learner = Learner.create(ds, settings, Optional.ofNullable(weights), Devices.select(device.orConfigured(config)), out);
        if (load != null) {
            try {
                learner.load(load);
            } catch (IOException | RuntimeException e) {
                learner.close();
                throw e;
            }
            out.println("loaded " + learner.checkpointPath(load));
        }
        return learner;
    }
}
