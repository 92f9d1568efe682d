package io.lince.retraining;

import io.lince.learn.MiniBatch;
import io.lince.learn.ModelRunner;
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
        ModelRunner runner = new ModelRunner(model);
        long[] shape = {3, model.info().inputSize(), model.info().inputSize()};
        List<float[]> out = new ArrayList<>(chw.size());
        for (int from = 0; from < chw.size(); from += batchSize) {
            List<float[]> part = chw.subList(from, Math.min(chw.size(), from + batchSize));
            out.addAll(List.of(runner.features(MiniBatch.of(part), shape)));
        }
        return out;
    }
}
