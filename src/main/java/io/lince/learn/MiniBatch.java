package io.lince.learn;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Inputs for one step, flattened row-major, with each row's label (-1 when unknown), its index in
 * the source (so predictions can be traced back to files), and, after {@link Mixup}, which row each
 * was blended with and how much.
 */
public record MiniBatch(float[] inputs, int[] labels, int[] rows, Mix mix) {

    /**
     * Row {@code i} is {@code lambda}·itself + (1 − {@code lambda})·row {@code partner[i]} of the
     * batch as it was drawn, inputs and targets alike.
     */
    public record Mix(int[] partner, float lambda) {}

    public MiniBatch(float[] inputs, int[] labels, int[] rows) {
        this(inputs, labels, rows, null);
    }

    public int size() {
        return rows.length;
    }

    /**
     * The training targets over {@code classes} classes, row-major: one-hot, or with label smoothing
     * {@code epsilon} {@code 1-ε+ε/K} on the label and {@code ε/K} elsewhere, and after mixup the
     * blend of the two rows' targets. Each row sums to one.
     */
    public float[] targets(int classes, float epsilon) {
        float[] own = new float[size() * classes];
        for (int i = 0; i < size(); i++) {
            for (int k = 0; k < classes; k++) {
                own[i * classes + k] = (k == labels[i] ? 1 - epsilon : 0) + epsilon / classes;
            }
        }
        if (mix == null) {
            return own;
        }
        float[] out = new float[own.length];
        for (int i = 0; i < size(); i++) {
            int j = mix.partner()[i];
            for (int k = 0; k < classes; k++) {
                out[i * classes + k] = mix.lambda() * own[i * classes + k] + (1 - mix.lambda()) * own[j * classes + k];
            }
        }
        return out;
    }

    /** Unlabelled rows, in order. */
    public static MiniBatch of(List<float[]> rows) {
        return new MiniBatch(concat(rows), new int[rows.size()], IntStream.range(0, rows.size()).toArray());
    }

    /** Rows of equal length, one after the other. */
    public static float[] concat(List<float[]> rows) {
        int d = rows.isEmpty() ? 0 : rows.get(0).length;
        float[] out = new float[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, i * d, d);
        }
        return out;
    }
}
