package io.lince.learn;

import java.util.Random;

/** Where mini-batches come from: images decoded afresh, or precomputed body activations. */
public interface BatchSource {

    /** Examples per epoch, before any are skipped. */
    int size();

    int batchSize();

    /** Shape of one example: (3, H, W) for images, (512) for activations. */
    long[] exampleShape();

    /** True when rows are body activations and only the head runs. */
    boolean precomputed();

    /** One pass; with {@code shuffle} in random order (and random augmentation), else in order. */
    Iterable<MiniBatch> epoch(Random shuffle);

    default int batches() {
        return (size() + batchSize() - 1) / batchSize();
    }

    static int[] order(int n, Random shuffle) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }
}
