package io.lince.learn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a model over a source in order and collects {@link Predictions}. */
final class Evaluator {

    private Evaluator() {}

    static Predictions predict(ModelRunner runner, BatchSource source, List<String> classes) {
        List<float[]> probs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Path> names = new ArrayList<>();
        for (MiniBatch b : source.epoch(null)) {
            if (b.size() == 0) {
                continue;
            }
            float[][] p = runner.probabilities(b, source.exampleShape(), source.precomputed());
            for (int i = 0; i < b.size(); i++) {
                probs.add(p[i]);
                labels.add(b.labels()[i]);
                names.add(Path.of("#" + b.rows()[i]));
            }
        }
        return new Predictions(classes, names, labels.stream().mapToInt(Integer::intValue).toArray(), probs.toArray(float[][]::new));
    }
}
