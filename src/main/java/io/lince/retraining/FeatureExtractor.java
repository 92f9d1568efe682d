package io.lince.retraining;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.lince.model.LinceModel;
import java.util.ArrayList;
import java.util.List;

/** Runs a model's frozen body over preprocessed images, in batches, in inference mode. */
public final class FeatureExtractor {

    private final int batchSize;

    public FeatureExtractor(int batchSize) {
        this.batchSize = batchSize;
    }

    public List<float[]> features(LinceModel model, List<float[]> chw) {
        List<float[]> out = new ArrayList<>(chw.size());
        for (int from = 0; from < chw.size(); from += batchSize) {
            List<float[]> part = chw.subList(from, Math.min(chw.size(), from + batchSize));
            try (NDManager nd = model.djlModel().getNDManager().newSubManager()) {
                NDArray batch = nd.create(concat(part), model.inputShape(part.size()));
                NDArray f = model.network().features(new ParameterStore(nd, false), batch, false);
                float[] flat = f.toFloatArray();
                int d = (int) f.getShape().get(1);
                for (int i = 0; i < part.size(); i++) {
                    float[] row = new float[d];
                    System.arraycopy(flat, i * d, row, 0, d);
                    out.add(row);
                }
            }
        }
        return out;
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.get(0).length;
        float[] out = new float[parts.size() * n];
        for (int i = 0; i < parts.size(); i++) {
            System.arraycopy(parts.get(i), 0, out, i * n, n);
        }
        return out;
    }
}
