package io.lince.retraining;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * @param retrainEvery train a new version after this many new labelled examples
 * @param recipe how a candidate is trained from the champion
 * @param evaluationShare share of labelled images (outside exploration) held out as the uncertain
 *     slice (never trained on)
 * @param epsilon the promotion gate's tolerance: a candidate may be this much less accurate if its
 *     log loss is lower
 * @param retrainInterval also train when this much time has passed with any new labels (zero = off)
 * @param baseData the champion's original training set, replayed in every training (see {@link ReplayMix})
 * @param minimumStreamSlice exploration images needed before the gate judges on the stream slice
 * @param eceDelta how much worse a candidate's expected calibration error may be than the champion's
 * @param shadow whether candidates must pass a shadow run on live traffic first, and its bounds
 * @param int8 whether each candidate gets an INT8 graph, and when it may serve
 */
public record TrainerSettings(int retrainEvery, Recipe recipe, double evaluationShare, double epsilon,
        Duration retrainInterval, Optional<Path> baseData, int minimumStreamSlice, double eceDelta, ShadowRule shadow,
        Int8Rule int8) {

    public static TrainerSettings defaults() {
        return new TrainerSettings(50, Recipe.defaults(), 0.2, 0.01, Duration.ZERO, Optional.empty(), 20,
                PromotionGate.DEFAULT_ECE_DELTA, ShadowRule.OFF, Int8Rule.DEFAULT);
    }

    public TrainerSettings withRetrainEvery(int n) {
        return new TrainerSettings(n, recipe, evaluationShare, epsilon, retrainInterval, baseData, minimumStreamSlice, eceDelta, shadow, int8);
    }

    public TrainerSettings withRecipe(Recipe r) {
        return new TrainerSettings(retrainEvery, r, evaluationShare, epsilon, retrainInterval, baseData, minimumStreamSlice, eceDelta, shadow, int8);
    }

    public TrainerSettings withBaseData(Optional<Path> dir) {
        return new TrainerSettings(retrainEvery, recipe, evaluationShare, epsilon, retrainInterval, dir, minimumStreamSlice, eceDelta, shadow, int8);
    }

    public TrainerSettings withInt8(Int8Rule rule) {
        return new TrainerSettings(retrainEvery, recipe, evaluationShare, epsilon, retrainInterval, baseData, minimumStreamSlice, eceDelta, shadow, rule);
    }

    public TrainerSettings withShadow(ShadowRule rule) {
        return new TrainerSettings(retrainEvery, recipe, evaluationShare, epsilon, retrainInterval, baseData, minimumStreamSlice, eceDelta, rule, int8);
    }
}
