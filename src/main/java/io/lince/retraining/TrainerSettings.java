package io.lince.retraining;

/**
 * @param retrainEvery train a new version after this many new labelled examples
 * @param epochs passes over the labelled set when training the head
 * @param learningRate SGD (momentum 0.9) learning rate for the head, on standardised activations
 * @param batchSize mini-batch size for the head and for computing activations
 * @param evaluationShare share of labelled images held out as the evaluation slice (never trained on)
 * @param epsilon the promotion gate's tolerance: a candidate may be this much less accurate if its
 *     log loss is lower
 * @param retrainInterval also train when this much time has passed with any new labels (zero = off)
 */
public record TrainerSettings(int retrainEvery, int epochs, float learningRate, int batchSize, double evaluationShare,
        double epsilon, java.time.Duration retrainInterval) {

    public static TrainerSettings defaults() {
        return new TrainerSettings(50, 30, 0.05f, 16, 0.2, 0.01, java.time.Duration.ZERO);
    }
}
