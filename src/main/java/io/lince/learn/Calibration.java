package io.lince.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a model's probabilities mean what they say, and the one-parameter fix: temperature
 * scaling (Guo et al., 2017). Dividing the logits by a temperature T changes no prediction (the
 * order of the classes stays), only how sure the model claims to be. Logits are the log
 * probabilities up to a constant per image, so everything here works from probabilities: at
 * temperature T, {@code p'_k ∝ p_k^(1/T)}.
 */
public final class Calibration {

    /** Bins of the expected calibration error and the reliability diagram, as in Guo et al. */
    public static final int ECE_BINS = 15;
    /** Temperatures considered: from much sharper to much flatter than the network says. */
    static final double MIN_T = 0.05;
    static final double MAX_T = 50;
    private static final double EPS = 1e-7;

    private Calibration() {}

    /** One bin of a reliability diagram: images whose confidence fell in [lo, hi), their mean confidence and accuracy. */
    public record Bin(double lo, double hi, int count, double confidence, double accuracy) {}

    /**
     * A model's calibration on labelled images: its expected calibration error, Brier score and
     * log loss at a temperature.
     */
    public record Report(double temperature, double ece, double brier, double logLoss, int images) {}

    /** Probabilities as they are at temperature {@code t}: {@code p_k^(1/t)}, normalised. */
    public static float[] rescale(float[] p, double t) {
        if (t == 1) {
            return p.clone();
        }
        double[] l = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < p.length; k++) {
            l[k] = Math.log(Math.max(1e-30, p[k])) / t;
            max = Math.max(max, l[k]);
        }
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            l[k] = Math.exp(l[k] - max);
            sum += l[k];
        }
        float[] out = new float[p.length];
        for (int k = 0; k < p.length; k++) {
            out[k] = (float) (l[k] / sum);
        }
        return out;
    }

    public static float[][] rescale(float[][] p, double t) {
        float[][] out = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            out[i] = rescale(p[i], t);
        }
        return out;
    }

    /** Mean negative log probability of the true class, clipped at 1e-7 like Kaggle's metric; images with label -1 are left out. */
    public static double logLoss(float[][] p, int[] labels) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < p.length; i++) {
            if (labels[i] >= 0) {
                sum -= Math.log(Math.max(EPS, Math.min(1 - EPS, p[i][labels[i]])));
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Labelled images needed to fit a temperature at all; with fewer it stays 1. */
    public static final int MINIMUM_TO_FIT = 20;

    /**
     * The temperature that minimises the log loss on these labelled images, under a weak prior
     * that T is near 1: the objective is the summed log loss plus {@code (ln T)² / 2}, worth about
     * one image. Without it, a few images the model gets all right (the usual case on a small
     * evaluation slice) would send T towards 0 and make the served model sure of everything; with
     * thousands of images the prior does not matter. The log loss is convex in 1/T and so has one
     * minimum along ln T, as the prior does; a golden-section search over ln T in [0.05, 50] finds it. 1 when fewer than {@link #MINIMUM_TO_FIT} images are labelled.
     */
    public static double fitTemperature(float[][] p, int[] labels) {
        if (labelled(labels) < MINIMUM_TO_FIT) {
            return 1;
        }
        double a = Math.log(MIN_T);
        double b = Math.log(MAX_T);
        double g = (Math.sqrt(5) - 1) / 2;
        double c = b - g * (b - a);
        double d = a + g * (b - a);
        double fc = logLossAt(p, labels, Math.exp(c));
        double fd = logLossAt(p, labels, Math.exp(d));
        for (int i = 0; i < 60; i++) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = logLossAt(p, labels, Math.exp(c));
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = logLossAt(p, labels, Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    private static double logLossAt(float[][] p, int[] labels, double t) {
        double sum = Math.log(t) * Math.log(t) / 2; // the prior: see fitTemperature
        for (int i = 0; i < p.length; i++) {
            if (labels[i] >= 0) {
                sum -= Math.log(Math.max(1e-12, rescale(p[i], t)[labels[i]]));
            }
        }
        return sum;
    }

    /** softmax(logits / t) of the {@code k} values from {@code from}, in double precision. */
    /** Each row of {@code n} row-major logit rows as {@code softmax(logits / t)}. */
    public static float[][] softmaxRows(float[] logits, int n, double t) {
        int k = logits.length / n;
        float[][] p = new float[n][];
        for (int i = 0; i < n; i++) {
            p[i] = softmax(logits, i * k, k, t);
        }
        return p;
    }

    public static float[] softmax(float[] logits, int from, int k, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, logits[from + c] / t);
        }
        double sum = 0;
        double[] e = new double[k];
        for (int c = 0; c < k; c++) {
            e[c] = Math.exp(logits[from + c] / t - max);
            sum += e[c];
        }
        float[] p = new float[k];
        for (int c = 0; c < k; c++) {
            p[c] = (float) (e[c] / sum);
        }
        return p;
    }

    /** Share of images whose top class is their label. */
    public static double accuracy(float[][] p, int[] labels) {
        int ok = 0;
        for (int i = 0; i < p.length; i++) {
            ok += top(p[i]) == labels[i] ? 1 : 0;
        }
        return p.length == 0 ? Double.NaN : ok / (double) p.length;
    }

    /**
     * The reliability diagram's bins: the images cut by their top-1 probability into {@code bins}
     * equal parts of [0, 1], each with its mean confidence and the share of its images whose top
     * class is right.
     */
    public static List<Bin> reliability(float[][] p, int[] labels, int bins) {
        int[] count = new int[bins];
        double[] conf = new double[bins];
        double[] right = new double[bins];
        for (int i = 0; i < p.length; i++) {
            if (labels[i] < 0) {
                continue;
            }
            int top = top(p[i]);
            int b = Math.min(bins - 1, (int) (p[i][top] * bins));
            count[b]++;
            conf[b] += p[i][top];
            right[b] += top == labels[i] ? 1 : 0;
        }
        List<Bin> out = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b],
                    count[b] == 0 ? Double.NaN : conf[b] / count[b], count[b] == 0 ? Double.NaN : right[b] / count[b]));
        }
        return out;
    }

    /** Expected calibration error: the count-weighted mean gap between confidence and accuracy over the bins. */
    public static double ece(float[][] p, int[] labels, int bins) {
        double sum = 0;
        int n = 0;
        for (Bin b : reliability(p, labels, bins)) {
            if (b.count() > 0) {
                sum += b.count() * Math.abs(b.confidence() - b.accuracy());
                n += b.count();
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Multi-class Brier score: the mean over images of {@code Σ_k (p_k - y_k)^2}. */
    public static double brier(float[][] p, int[] labels) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < p.length; i++) {
            if (labels[i] < 0) {
                continue;
            }
            for (int k = 0; k < p[i].length; k++) {
                double y = k == labels[i] ? 1 : 0;
                sum += (p[i][k] - y) * (p[i][k] - y);
            }
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** ECE, Brier score and log loss of {@code p} at temperature {@code t}. */
    public static Report report(float[][] p, int[] labels, double t) {
        float[][] q = rescale(p, t);
        return new Report(t, ece(q, labels, ECE_BINS), brier(q, labels), logLoss(q, labels), labelled(labels));
    }

    /**
     * A temperature fitted on these images, and the calibration it gives on images it was not
     * fitted on: the images are split in two halves by {@code fold} (true: the first half), the
     * temperature fitted on each half is judged on the other, and the two halves' results pooled
     * (two-fold cross-fitting). Judging a temperature on the images it was fitted on would
     * flatter it, and the promotion gate compares this with a champion whose temperature was
     * fitted elsewhere. The temperature returned is the one fitted on all the images.
     */
    public static Report crossFitted(float[][] p, int[] labels, boolean[] fold) {
        double t = fitTemperature(p, labels);
        float[][] held = new float[p.length][];
        for (boolean side : new boolean[] {true, false}) {
            int[] fitOn = labels.clone();
            for (int i = 0; i < p.length; i++) {
                if (fold[i] != side) {
                    fitOn[i] = -1;
                }
            }
            double tSide = fitTemperature(p, fitOn);
            for (int i = 0; i < p.length; i++) {
                if (fold[i] != side) {
                    held[i] = rescale(p[i], tSide);
                }
            }
        }
        return new Report(t, ece(held, labels, ECE_BINS), brier(held, labels), logLoss(held, labels), labelled(labels));
    }

    private static int labelled(int[] labels) {
        return (int) java.util.Arrays.stream(labels).filter(l -> l >= 0).count();
    }

    /** The index of the highest probability (the first, on a tie). */
    static int top(float[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }
}
