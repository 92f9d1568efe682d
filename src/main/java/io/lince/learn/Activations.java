package io.lince.learn;

/**
 * Body activations of a data set's images: {@code features[i]} belongs to entry {@code rows[i]}
 * of the source list (skipped files have no row) and has label {@code labels[i]}.
 */
public record Activations(float[][] features, int[] labels, int[] rows) {

    public int dimension() {
        return features.length == 0 ? 0 : features[0].length;
    }
}
