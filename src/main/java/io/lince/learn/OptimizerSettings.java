package io.lince.learn;

import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;

/** SGD with momentum (the notebook's) or AdamW, both with decoupled-style weight decay. */
public record OptimizerSettings(Kind kind, float momentum, float weightDecay) {

    public enum Kind { SGD, ADAMW }

    public static OptimizerSettings sgd() {
        return new OptimizerSettings(Kind.SGD, 0.9f, 1e-4f);
    }

    public Optimizer build(ParameterTracker rates) {
        return switch (kind) {
            case SGD -> Optimizer.sgd().setLearningRateTracker(rates).optMomentum(momentum).optWeightDecays(weightDecay).build();
            case ADAMW -> AdamW.builder().optLearningRateTracker(rates).optBeta1(momentum).optWeightDecays(weightDecay).build();
        };
    }
}
