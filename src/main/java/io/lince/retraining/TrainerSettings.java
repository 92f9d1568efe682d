package io.lince.retraining;

/**
 * @param retrainEvery train a new version after this many new labelled examples
 * @param epochs passes over the labelled set when training the head
 * @param learningRate SGD (momentum 0.9) learning rate for the head, on standardised activations
 * @param batchSize mini-batch size for the head and for computing activations
 */
public record TrainerSettings(int retrainEvery, int epochs, float learningRate, int batchSize) {

    public static TrainerSettings defaults() {
        return new TrainerSettings(50, 30, 0.05f, 16);
    }
}
