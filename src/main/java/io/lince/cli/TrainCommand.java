package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.learn.FitHistory;
import io.lince.learn.GroupRates;
import io.lince.learn.Learner;
import io.lince.learn.Predictions;
import io.lince.learn.Resizing;
import io.lince.learn.Sgdr;
import io.lince.learn.report.Charts;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tunes ResNet-34 on a data set, one fit of the lesson-1 notebook per run:",
                "head on precomputed activations, head with augmentation, then everything unfrozen."},
        footer = {"", "Example (the notebook's three fits, each starting from the last):",
                "  lince train --data dogscats --precompute --lr 1e-2 --cycles 3 --save 224_lastlayer",
                "  lince train --data dogscats --load 224_lastlayer --augment side-on --max-zoom 1.1 --lr 1e-2 --cycles 3 --save 224_aug",
                "  lince train --data dogscats --load 224_aug --augment side-on --unfreeze --lrs 1e-4,1e-3,1e-2 \\",
                "      --cycles 3 --cycle-len 1 --cycle-mult 2 --tta --save 224_all"})
class TrainCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Mixin
    LearnOptions learn;

    @Option(names = "--precompute", description = "train the head on cached body activations (body frozen)")
    boolean precompute;

    @Option(names = "--unfreeze", description = "train every layer group, at the rates of --lrs")
    boolean unfreeze;

    @Option(names = "--lr", defaultValue = "1e-2", description = "head learning rate when --lrs is not given (default: ${DEFAULT-VALUE})")
    String lr;

    @Option(names = "--lrs", paramLabel = "R0,R1,R2",
            description = "rates of the three layer groups (stem..layer2, layer3..4, head), or one value L for L/100,L/10,L")
    String lrs;

    @Option(names = "--cycles", defaultValue = "1", description = "SGDR cycles (default: ${DEFAULT-VALUE})")
    int cycles;

    @Option(names = "--cycle-len", defaultValue = "1", description = "epochs in the first cycle (default: ${DEFAULT-VALUE})")
    int cycleLen;

    @Option(names = "--cycle-mult", defaultValue = "1", description = "each cycle this many times longer (default: ${DEFAULT-VALUE})")
    int cycleMult;

    @Option(names = "--one-cycle", description = "one-cycle policy over cycles x cycle-len epochs instead of SGDR")
    boolean oneCycle;

    @Option(names = "--sizes", paramLabel = "S1,S2[:EPOCHS,…]",
            description = {"progressive resizing: the epochs split between these input sides in order (64,128), or",
                    "as many epochs at each as given (64:12,128:8); the last is the model's size, in place of --size"})
    String sizes;

    @Option(names = "--mixup", paramLabel = "ALPHA", defaultValue = "0",
            description = "mixup: blend each batch with a shuffled copy, λ ~ Beta(ALPHA, ALPHA) (0.2-0.4; default: off)")
    double mixup;

    @Option(names = "--label-smoothing", paramLabel = "EPS", defaultValue = "0",
            description = "train towards 1-EPS on the label and EPS spread over the classes (e.g. 0.1; default: ${DEFAULT-VALUE})")
    float labelSmoothing;

    @Option(names = "--prefetch", paramLabel = "BATCHES", defaultValue = "" + io.lince.learn.Learner.PREFETCH_DEPTH,
            description = "batches decoded ahead of the training step on the decode pool; 0 decodes each when needed (default: ${DEFAULT-VALUE})")
    int prefetch;

    @Option(names = "--precision", defaultValue = "auto", paramLabel = "auto|fp32|fp16",
            description = "auto: fp16 with loss scaling on a GPU, fp32 on a CPU (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--save", defaultValue = "final", description = "checkpoint name, saved after every epoch (default: ${DEFAULT-VALUE})")
    String save;

    @Option(names = "--resume", description = "continue an interrupted run of the same plan from its last saved epoch")
    boolean resume;

    @Mixin
    TtaOptions tta;

    private io.lince.learn.MixedPrecision.Mode precisionMode() {
        try {
            return io.lince.learn.MixedPrecision.Mode.valueOf(precision.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--precision must be auto, fp32 or fp16, got " + precision);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Resizing plan = sizes == null ? null : Resizing.parse(sizes);
        if (plan != null) {
            learn.size = plan.last();
        }
        if (labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new IllegalArgumentException("--label-smoothing must be in [0, 1), got " + labelSmoothing);
        }
        try (Learner learner = learn.open(config, out)) {
            float[] rates = GroupRates.parse(lrs != null ? lrs : lr);
            learner.resizing(plan);
            learner.mixup(mixup);
            learner.labelSmoothing(labelSmoothing);
            learner.precision(precisionMode());
            learner.prefetch(prefetch);
            if (learner.mixedPrecision()) {
                out.println("training in mixed precision (fp16 with loss scaling)");
            }
            if (unfreeze) {
                learner.unfreeze();
            }
            learner.precompute(precompute);
            Sgdr.Spec spec = new Sgdr.Spec(cycles, cycleLen, cycleMult);
            FitHistory h = oneCycle
                    ? learner.fitOneCycle(rates, spec.epochs(), save, resume)
                    : learner.fit(rates, spec, save, resume);
            out.println("saved " + learner.saveCalibrated(save));
            Path runs = learn.runsDir(config).resolve(save);
            if (!h.isEmpty()) {
                out.println("plots: " + Charts.learningRate(h, runs.resolve("learning-rate.png")) + ", "
                        + Charts.losses(h, runs.resolve("losses.png")));
                Path json = runs.resolve("history.json");
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(),
                        Map.of("epochs", h.epochs(), "rates", h.rates(), "losses", h.losses(), "restarts", h.restarts()));
                out.println("history: " + json);
            }
            if (tta.on) {
                Predictions plain = learner.predictValid(0, 1);
                Predictions aug = learner.predictValid(tta.views, tta.weight());
                out.printf(Locale.ROOT, "valid accuracy %.4f, log loss %.4f; with TTA (x%d) accuracy %.4f, log loss %.4f%n",
                        plain.accuracy(), plain.logLoss(), tta.views + 1, aug.accuracy(), aug.logLoss());
            }
        }
        return 0;
    }
}
