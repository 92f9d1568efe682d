package io.lince.model;

import java.util.Arrays;

/**
 * How the images a version was built on looked to it, kept in its checkpoint so that every
 * classifier serving it can tell when the stream stops looking like them: the distribution of its
 * (calibrated) confidence in {@link #CONFIDENCE_BINS} equal bins from 1/K to 1, and the mean and
 * standard deviation of each of the 512 pooled body activations (the embedding).
 *
 * @param images how many images it was measured on
 * @param confidence share of those images in each confidence bin (sums to 1)
 * @param embeddingMean per-dimension mean of the embedding
 * @param embeddingSd per-dimension standard deviation of the embedding
 */
public record DriftReference(int images, double[] confidence, float[] embeddingMean, float[] embeddingSd) {

    public static final int CONFIDENCE_BINS = 10;

    public DriftReference {
        if (confidence.length != CONFIDENCE_BINS || embeddingMean.length != embeddingSd.length) {
            throw new IllegalArgumentException("a drift reference needs " + CONFIDENCE_BINS
                    + " confidence bins and as many standard deviations as means");
        }
        confidence = confidence.clone();
        embeddingMean = embeddingMean.clone();
        embeddingSd = embeddingSd.clone();
    }

    /** The bin of a top-1 probability among {@code classes} classes: [1/K, 1] cut in equal parts. */
    public static int bin(float confidence, int classes) {
        double lo = 1.0 / classes;
        int b = (int) Math.floor((confidence - lo) / (1 - lo) * CONFIDENCE_BINS);
        return Math.max(0, Math.min(CONFIDENCE_BINS - 1, b));
    }

    /**
     * The reference of the images a version was built on: the calibrated confidences of images it
     * was not trained on where there are enough of them (on its own training images a model is
     * surer than on the stream), so the two arrays may come from different sets of images, and the
     * embeddings of every image it saw ({@link #images} counts those).
     */
    public static DriftReference of(float[] confidences, float[][] embeddings, int classes) {
        if (confidences.length == 0 || embeddings.length == 0) {
            throw new IllegalArgumentException("a drift reference needs at least one confidence and one embedding");
        }
        double[] hist = new double[CONFIDENCE_BINS];
        for (float c : confidences) {
            hist[bin(c, classes)] += 1.0 / confidences.length;
        }
        int d = embeddings[0].length;
        double[] sum = new double[d];
        double[] sq = new double[d];
        for (float[] e : embeddings) {
            for (int j = 0; j < d; j++) {
                sum[j] += e[j];
                sq[j] += (double) e[j] * e[j];
            }
        }
        float[] mean = new float[d];
        float[] sd = new float[d];
        int n = embeddings.length;
        for (int j = 0; j < d; j++) {
            double m = sum[j] / n;
            mean[j] = (float) m;
            sd[j] = (float) Math.sqrt(Math.max(0, sq[j] / n - m * m));
        }
        return new DriftReference(n, hist, mean, sd);
    }

    @Override
    public double[] confidence() {
        return confidence.clone();
    }

    @Override
    public float[] embeddingMean() {
        return embeddingMean.clone();
    }

    @Override
    public float[] embeddingSd() {
        return embeddingSd.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriftReference r && r.images == images && Arrays.equals(r.confidence, confidence)
                && Arrays.equals(r.embeddingMean, embeddingMean) && Arrays.equals(r.embeddingSd, embeddingSd);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(embeddingMean) * 31 + images;
    }

    @Override
    public String toString() {
        return "DriftReference[" + images + " images]";
    }
}
