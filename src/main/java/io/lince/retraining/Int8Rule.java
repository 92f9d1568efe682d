package io.lince.retraining;

/**
 * When a version's INT8 graph may serve: the trainer quantizes every candidate (activations
 * calibrated on {@code calibrationImages} of its training images, never the evaluation slice) and
 * judges the INT8 graph against the same weights in fp32 on the evaluation slice. It may serve if
 * the slice has at least {@code minimumImages} images, its accuracy is at most {@code epsilon}
 * below fp32's and its log loss at most {@code logLossDelta} above.
 */
public record Int8Rule(boolean enabled, double epsilon, double logLossDelta, int minimumImages, int calibrationImages) {

    public static final Int8Rule DEFAULT = new Int8Rule(true, 0.005, 0.02, 50, 300);
    public static final Int8Rule OFF = new Int8Rule(false, 0.005, 0.02, 50, 300);

    public Int8Rule {
        if (epsilon < 0 || logLossDelta < 0 || minimumImages < 1 || calibrationImages < 1) {
            throw new IllegalArgumentException("INT8 rule: epsilon and the log loss bound are at least 0, the image counts at least 1");
        }
    }
}
