package io.lince.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.lince.model.LinceModel;
import io.lince.model.ResNet34;

/**
 * Inference passes over mini-batches, each in its own NDManager scope on the model's device: the
 * batch is created there and only the small result comes back to the host.
 */
public final class ModelRunner {

    private final LinceModel model;

    public ModelRunner(LinceModel model) {
        this.model = model;
    }

    /** Pooled body activations, one row per image. */
    public float[][] features(MiniBatch batch, long[] exampleShape) {
        try (NDManager nd = model.djlModel().getNDManager().newSubManager()) {
            NDArray x = nd.create(batch.inputs(), shape(batch.size(), exampleShape));
            return rows(model.network().features(new ParameterStore(nd, false), x, false), batch.size());
        }
    }

    /** Class probabilities (temperature 1) and embeddings (the pooled body activations) of a batch of images. */
    public record Embedded(float[][] probabilities, float[][] embeddings) {}

    public Embedded embedded(MiniBatch batch, long[] exampleShape) {
        try (NDManager nd = model.djlModel().getNDManager().newSubManager()) {
            NDArray x = nd.create(batch.inputs(), shape(batch.size(), exampleShape));
            ParameterStore ps = new ParameterStore(nd, false);
            NDArray pooled = model.network().features(ps, x, false);
            NDArray logits = model.network().head().forward(ps, new NDList(pooled), false).head();
            return new Embedded(rows(logits.softmax(1), batch.size()), rows(pooled, batch.size()));
        }
    }

    /** Class probabilities; {@code precomputed} inputs are activations and go through the head only. */
    public float[][] probabilities(MiniBatch batch, long[] exampleShape, boolean precomputed) {
        try (NDManager nd = model.djlModel().getNDManager().newSubManager()) {
            NDArray x = nd.create(batch.inputs(), shape(batch.size(), exampleShape));
            return rows(logits(model.network(), new ParameterStore(nd, false), x, precomputed, false).softmax(1), batch.size());
        }
    }

    static NDArray logits(ResNet34 net, ParameterStore ps, NDArray x, boolean precomputed, boolean training) {
        NDList in = new NDList(x);
        return precomputed
                ? net.head().forward(ps, in, training && !net.frozen(2)).head()
                : net.forward(ps, in, training).head();
    }

    static Shape shape(int n, long[] example) {
        long[] dims = new long[example.length + 1];
        dims[0] = n;
        System.arraycopy(example, 0, dims, 1, example.length);
        return new Shape(dims);
    }

    static float[][] rows(NDArray a, int n) {
        float[] flat = a.toFloatArray();
        int d = flat.length / Math.max(1, n);
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }
}
