package io.lince.model;

import java.util.List;

/**
 * What a checkpoint says about itself.
 *
 * @param version model version (1 = first published)
 * @param parentVersion the version it was fine-tuned from, or null
 * @param classes class names, in output order
 * @param inputSize side of the square input in pixels
 */
public record ModelInfo(int version, Integer parentVersion, List<String> classes, int inputSize) {

    public ModelInfo {
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least two classes, got " + classes);
        }
        if (inputSize < 32) {
            throw new IllegalArgumentException("input size must be at least 32 px, got " + inputSize);
        }
    }

    public ModelInfo next(int newVersion) {
        return new ModelInfo(newVersion, version, classes, inputSize);
    }

    public int classIndex(String label) {
        return classes.indexOf(label);
    }
}
