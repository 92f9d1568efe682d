package io.lince.learn;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Inputs for one step, flattened row-major, with each row's label (-1 when unknown) and its index
 * in the source (so predictions can be traced back to files).
 */
public record MiniBatch(float[] inputs, int[] labels, int[] rows) {

    public int size() {
        return rows.length;
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
