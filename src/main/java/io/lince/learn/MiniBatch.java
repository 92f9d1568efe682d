package io.lince.learn;

/**
 * Inputs for one step, flattened row-major, with each row's label (-1 when unknown) and its index
 * in the source (so predictions can be traced back to files).
 */
public record MiniBatch(float[] inputs, int[] labels, int[] rows) {

    public int size() {
        return rows.length;
    }
}
