package io.lince.retraining;

import io.lince.images.Augmentation;
import io.lince.learn.GroupRates;
import io.lince.learn.Learner;
import io.lince.learn.OptimizerSettings;
import io.lince.learn.Sgdr;
import java.io.IOException;
import java.util.Locale;

/**
 * The lesson-1 recipe, as the trainer runs it on the champion: train the head on precomputed
 * activations of the frozen body (SGD with momentum on standardised activations, one cosine
 * cycle), then, when {@code fineTuneEpochs > 0}, unfreeze and train every layer group with
 * augmentation and differential learning rates {@code L/100, L/10, L} (AdamW: its per-coordinate
 * steps do not mind that a raw linear head on pooled activations is badly conditioned), with
 * BatchNorm's statistics frozen: a few hundred labels in batches of 16 are too few to re-estimate
 * them, and switching to batch statistics would move every activation the head was fitted to.
 *
 * @param headEpochs epochs of the head on precomputed activations
 * @param headLearningRate peak SGD rate for the head, on standardised activations
 * @param fineTuneEpochs epochs with every layer group training (0 = head only)
 * @param fineTuneLearningRate {@code L}: the head's peak rate while unfrozen
 * @param augmentation preset for the unfrozen epochs ({@code none}, {@code side-on}, {@code top-down})
 * @param batchSize mini-batch size for training and for computing activations
 */
public record Recipe(int headEpochs, float headLearningRate, int fineTuneEpochs, float fineTuneLearningRate,
        String augmentation, int batchSize) {

    public static Recipe defaults() {
        return new Recipe(10, 0.005f, 1, 1e-4f, Augmentation.SIDE_ON, 16);
    }

    public Recipe {
        if (headEpochs < 1 || fineTuneEpochs < 0 || batchSize < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "head epochs and batch size must be at least 1, fine-tune epochs at least 0; got %d, %d, %d",
                    headEpochs, batchSize, fineTuneEpochs));
        }
        Augmentation.preset(augmentation, 1.1); // an unknown preset fails here, not mid-training
    }

    public Recipe withFineTuneEpochs(int epochs) {
        return new Recipe(headEpochs, headLearningRate, epochs, fineTuneLearningRate, augmentation, batchSize);
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
        learner.freeze();
        learner.precompute(true);
        learner.optimizer(headOptimizer());
        learner.fit(GroupRates.spread(headLearningRate), new Sgdr.Spec(1, headEpochs, 1), null, false);
        if (fineTuneEpochs > 0) {
            learner.unfreeze();
            learner.bnFreeze(true);
            learner.optimizer(fineTuneOptimizer());
            try {
                learner.fit(GroupRates.spread(fineTuneLearningRate), new Sgdr.Spec(1, fineTuneEpochs, 1), null, false);
            } finally {
                learner.bnFreeze(false);
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "head %d epochs at %.3g on precomputed activations, then %s", headEpochs,
                headLearningRate, fineTuneEpochs == 0 ? "no fine-tuning"
                        : String.format(Locale.ROOT, "%d unfrozen epoch(s), BatchNorm statistics frozen, AdamW at %.3g/100, /10, x1 with %s augmentation",
                                fineTuneEpochs, fineTuneLearningRate, augmentation));
    }
}
