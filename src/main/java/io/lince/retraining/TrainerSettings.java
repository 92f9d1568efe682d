package io.lince.retraining;

import java.time.Duration;

/**
 * @param retrainEvery train a new version after this many new labelled examples
 * @param recipe how a candidate is trained from the champion
 * @param evaluationShare share of labelled images held out as the evaluation slice (never trained on)
 * @param epsilon the promotion gate's tolerance: a candidate may be this much less accurate if its
 *     log loss is lower
 * @param retrainInterval also train when this much time has passed with any new labels (zero = off)
 */
public record TrainerSettings(int retrainEvery, Recipe recipe, double evaluationShare, double epsilon,
        Duration retrainInterval) {

    public static TrainerSettings defaults() {
        return new TrainerSettings(50, Recipe.defaults(), 0.2, 0.01, Duration.ZERO);
    }

    public TrainerSettings withRetrainEvery(int n) {
        return new TrainerSettings(n, recipe, evaluationShare, epsilon, retrainInterval);
    }

    public TrainerSettings withRecipe(Recipe r) {
        return new TrainerSettings(retrainEvery, r, evaluationShare, epsilon, retrainInterval);
    }
}
