package io.lince.learn;

import java.nio.file.Path;
import java.util.List;

/**
 * Class probabilities for a list of images, with their true labels ({@code -1} when unknown), and
 * the measures fastai prints: accuracy, log loss and the confusion matrix.
 */
public record Predictions(List<String> classes, List<Path> files, int[] labels, float[][] probabilities) {

    public Predictions {
        classes = List.copyOf(classes);
        files = List.copyOf(files);
        if (files.size() != labels.length || labels.length != probabilities.length) {
            throw new IllegalArgumentException("files, labels and probabilities must be the same length");
        }
    }

    public int size() {
        return labels.length;
    }

    public int predicted(int i) {
        return Calibration.top(probabilities[i]);
    }

    /**
     * The true class has the highest probability, strictly: a model that says 1/K for everything
     * knows nothing, and a tie broken towards the first class must not count as right.
     */
    public boolean correct(int i) {
        if (labels[i] < 0) {
            return false;
        }
        float[] p = probabilities[i];
        for (int k = 0; k < p.length; k++) {
            if (k != labels[i] && p[k] >= p[labels[i]]) {
                return false;
            }
        }
        return true;
    }

    /** The probability given to the true class. */
    public float trueClassProbability(int i) {
        return probabilities[i][labels[i]];
    }

    public double accuracy() {
        int n = 0;
        int ok = 0;
        for (int i = 0; i < size(); i++) {
            if (labels[i] >= 0) {
                n++;
                ok += correct(i) ? 1 : 0;
            }
        }
        return n == 0 ? Double.NaN : ok / (double) n;
    }

    /** Mean negative log probability of the true class, clipped at 1e-7 like Kaggle's metric. */
    public double logLoss() {
        return Calibration.logLoss(probabilities, labels);
    }

    /** {@code [actual][predicted]} counts. */
    public int[][] confusion() {
        int[][] m = new int[classes.size()][classes.size()];
        for (int i = 0; i < size(); i++) {
            if (labels[i] >= 0) {
                m[labels[i]][predicted(i)]++;
            }
        }
        return m;
    }
}
