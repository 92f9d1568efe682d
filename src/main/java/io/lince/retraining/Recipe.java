package io.lince.retraining;

import io.lince.images.Augmentation;
import io.lince.learn.GroupRates;
import io.lince.learn.Learner;
import io.lince.learn.OptimizerSettings;
import io.lince.learn.Sgdr;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the trainer turns the champion into a candidate. It always starts from the champion's whole
 * network, its head included (never a fresh head: the champion's knowledge is the starting point,
 * not something to rebuild from a few hundred labels), and trains on the labelled examples plus
 * replayed earlier data (see {@link ReplayMix}), so that the small, hard, biased sample of images
 * the model was unsure of does not pull it away from what it knew.
 *
 * <ol>
 *   <li>optionally ({@code headEpochs > 0}) the head alone on precomputed activations of the frozen
 *       body (SGD with momentum on standardised activations, one cosine cycle): the cheap step,
 *       enough when the body is an ImageNet body and only the head is new;</li>
 *   <li>then ({@code fineTuneEpochs > 0}) every layer group, with augmentation, AdamW and a
 *       one-cycle schedule (a warm-up from 1/25 of the peak, so the fresh optimizer state does not
 *       jolt a trained network) at the rates {@code fineTuneRates} (one per layer group).
 *       BatchNorm's running statistics either keep learning ({@code freezeBatchNorm = false}: the
 *       replayed data keeps each batch representative) or stay as the champion had them.</li>
 * </ol>
 *
 * @param headEpochs epochs of the head on precomputed activations (0 = none)
 * @param headLearningRate peak SGD rate for the head, on standardised activations
 * @param fineTuneEpochs epochs with every layer group training (0 = head only)
 * @param fineTuneRates peak AdamW rates of the three layer groups (stem..layer2, layer3..4, head)
 * @param augmentation preset for the unfrozen epochs ({@code none}, {@code side-on}, {@code top-down})
 * @param maxZoom largest random zoom of that augmentation
 * @param batchSize mini-batch size for training and for computing activations
 * @param replayRatio replayed base images per labelled example in each training (see {@link ReplayMix})
 * @param freezeBatchNorm keep BatchNorm's running statistics fixed while the body trains
 */
public record Recipe(int headEpochs, float headLearningRate, int fineTuneEpochs, float[] fineTuneRates,
        String augmentation, double maxZoom, int batchSize, double replayRatio, boolean freezeBatchNorm) {

    /**
     * The defaults measured in {@code bench/loop.sh} (README, "Continuous retraining"): no head
     * step, ten unfrozen epochs at 1e-3 for every group, side-on augmentation with zoom up to
     * 1.3, batches of 32, one replayed base image per labelled one, BatchNorm learning. (Three
     * epochs at 5e-4 or 1.5e-3 moved the benchmark's from-scratch model by less than a point.)
     */
    public static Recipe defaults() {
        return new Recipe(0, 0.005f, 10, GroupRates.parse("1e-3,1e-3,1e-3"), Augmentation.SIDE_ON, 1.3, 32, 1.0, false);
    }

    /** The heads-only recipe the synthetic demo runs, so its loop turns within a minute on a CPU. */
    public static Recipe headOnly() {
        return new Recipe(10, 0.005f, 0, GroupRates.parse("1e-4"), Augmentation.SIDE_ON, 1.1, 16, 1.0, true);
    }

    public Recipe {
        if (headEpochs < 0 || fineTuneEpochs < 0 || headEpochs + fineTuneEpochs == 0 || batchSize < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "a recipe needs head or fine-tune epochs (neither below 0) and a batch size of at least 1; got %d, %d, %d",
                    headEpochs, fineTuneEpochs, batchSize));
        }
        if (!(replayRatio >= 0) || !(maxZoom >= 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the replay ratio must be at least 0 and the zoom at least 1; got %s and %s", replayRatio, maxZoom));
        }
        fineTuneRates = GroupRates.checked(fineTuneRates); // a copy: the record never shares its array
        Augmentation.preset(augmentation, maxZoom); // an unknown preset fails here, not mid-training
    }

    @Override
    public float[] fineTuneRates() {
        return fineTuneRates.clone();
    }

    Augmentation augmentationPreset() {
        return Augmentation.preset(augmentation, maxZoom);
    }

    /** The weight decay of both phases: keeps the head's logits moderate on a few hundred examples. */
    static final float WEIGHT_DECAY = 1e-2f;

    /**
     * Label smoothing in both phases: on a few dozen separable examples plain cross-entropy drives
     * the logits up until a wrong answer on a new image costs a log loss of 10 or more, and the
     * promotion gate rightly refuses such a model. With 0.1 the head's confidence stays near 95%.
     */
    static final float LABEL_SMOOTHING = 0.1f;

    static OptimizerSettings headOptimizer() {
        return new OptimizerSettings(OptimizerSettings.Kind.SGD, 0.9f, WEIGHT_DECAY);
    }

    static OptimizerSettings fineTuneOptimizer() {
        return new OptimizerSettings(OptimizerSettings.Kind.ADAMW, 0.9f, WEIGHT_DECAY);
    }

    /** Runs the recipe on a learner whose model is the champion; the learner's model is the candidate after. */
    void run(Learner learner) throws IOException {
        learner.labelSmoothing(LABEL_SMOOTHING);
        if (headEpochs > 0) {
            learner.freeze();
            learner.precompute(true);
            learner.optimizer(headOptimizer());
            learner.fit(GroupRates.spread(headLearningRate), new Sgdr.Spec(1, headEpochs, 1), null, false);
        }
        if (fineTuneEpochs > 0) {
            learner.unfreeze();
            learner.bnFreeze(freezeBatchNorm);
            learner.optimizer(fineTuneOptimizer());
            try {
                learner.fitOneCycle(fineTuneRates, fineTuneEpochs, null, false);
            } finally {
                learner.bnFreeze(false);
            }
        }
    }

    @Override
    public String toString() {
        String head = headEpochs == 0 ? "no head step"
                : String.format(Locale.ROOT, "head %d epochs at %.3g on precomputed activations", headEpochs, headLearningRate);
        String body = fineTuneEpochs == 0 ? "no fine-tuning"
                : String.format(Locale.ROOT, "%d unfrozen epoch(s), one-cycle AdamW at %s, BatchNorm statistics %s, %s augmentation (zoom %.2f)",
                        fineTuneEpochs, Arrays.toString(fineTuneRates), freezeBatchNorm ? "frozen" : "learning", augmentation, maxZoom);
        return String.format(Locale.ROOT, "%s, then %s; batch %d; %.2f replayed base image(s) per labelled one",
                head, body, batchSize, replayRatio);
    }
}
