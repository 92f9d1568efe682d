package io.lince.retraining;

/**
 * @param retrainEvery train a new version after this many new labelled examples
 * @param epochs passes over the labelled set when training the head
 * @param learningRate Adam's learning rate for the head
 * @param batchSize mini-batch size for the head and for computing activations
 */
public record TrainerSettings(int retrainEvery, int epochs, float learningRate, int batchSize) {

    public static TrainerSettings defaults() {
        return new TrainerSettings(50, 30, 0.01f, 16);
    }
}
