package io.lince.model;

import java.util.List;

/**
 * What a checkpoint says about itself. It travels inside the checkpoint, so the one sha256 a
 * classifier checks covers the temperature and the drift reference it serves with, too.
 *
 * @param version model version (1 = first published)
 * @param parentVersion the version it was fine-tuned from, or null
 * @param classes class names, in output order
 * @param inputSize side of the square input in pixels
 * @param temperature the logits are divided by it before the softmax, so that the served
 *     probabilities are calibrated (fitted by the trainer; 1 = as the network says; absent in
 *     checkpoints older than calibration, read as 1)
 * @param reference what the images it was built on looked like to it, for the drift watch; null
 *     when unknown (a first model, an older checkpoint)
 */
public record ModelInfo(int version, Integer parentVersion, List<String> classes, int inputSize, double temperature,
        DriftReference reference) {

    public ModelInfo {
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least two classes, got " + classes);
        }
        if (inputSize < 32) {
            throw new IllegalArgumentException("input size must be at least 32 px, got " + inputSize);
        }
        if (temperature == 0) {
            temperature = 1; // a checkpoint written before calibration existed
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("the temperature must be a positive number, got " + temperature);
        }
    }

    /** Uncalibrated (temperature 1), no drift reference. */
    public ModelInfo(int version, Integer parentVersion, List<String> classes, int inputSize) {
        this(version, parentVersion, classes, inputSize, 1, null);
    }

    public ModelInfo next(int newVersion) {
        return new ModelInfo(newVersion, version, classes, inputSize);
    }

    /** The same model with a fitted temperature and the reference the drift watch compares against. */
    public ModelInfo calibrated(double t, DriftReference r) {
        return new ModelInfo(version, parentVersion, classes, inputSize, t, r);
    }

    public int classIndex(String label) {
        return classes.indexOf(label);
    }
}
