package io.lince.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Mini-batches of precomputed body activations: training the head costs milliseconds a batch. */
public final class ActivationBatches implements BatchSource {

    private final Activations activations;
    private final int batchSize;

    public ActivationBatches(Activations activations, int batchSize) {
        this.activations = activations;
        this.batchSize = batchSize;
    }

    @Override
    public int size() {
        return activations.rows().length;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public long[] exampleShape() {
        return new long[] {activations.dimension()};
    }

    @Override
    public boolean precomputed() {
        return true;
    }

    @Override
    public Iterable<MiniBatch> epoch(Random shuffle) {
        int[] order = BatchSource.order(size(), shuffle);
        List<MiniBatch> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int n = Math.min(batchSize, order.length - from);
            List<float[]> rows = new ArrayList<>(n);
            int[] labels = new int[n];
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                int r = order[from + i];
                rows.add(activations.features()[r]);
                labels[i] = activations.labels()[r];
                idx[i] = activations.rows()[r];
            }
            out.add(new MiniBatch(MiniBatch.concat(rows), labels, idx));
        }
        return out;
    }
}
