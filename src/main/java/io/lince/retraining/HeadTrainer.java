package io.lince.retraining;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import io.lince.learn.MiniBatch;
import io.lince.learn.Predictions;
import io.lince.learn.Standardization;
import io.lince.model.ResNet34;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Trains a new linear head on precomputed body activations (the body stays frozen). Training runs
 * on standardised activations, which makes one learning rate work whatever the body's scale; the
 * standardisation is then folded into the head's weights (see {@link Standardization}), so serving
 * needs no extra step.
 */
public final class HeadTrainer {

    /** The trained head and how it did on its own training data. */
    public record Head(float[] weight, float[] bias, int classes, double trainAccuracy, double trainLoss) {}

    private final int epochs;
    private final float learningRate;
    private final int batchSize;

    public HeadTrainer(int epochs, float learningRate, int batchSize) {
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
    }

    /**
     * @param features n × {@value ResNet34#FEATURES} pooled activations
     * @param labels class index per row
     */
    public Head fit(float[][] features, int[] labels, int classes, Device device) {
        int n = features.length;
        int d = ResNet34.FEATURES;
        Standardization standardization = Standardization.of(features);
        try (Model model = Model.newInstance("head", device, "PyTorch")) {
            NDManager nd = model.getNDManager();
            NDArray z = nd.create(MiniBatch.concat(List.of(standardization.apply(features))), new Shape(n, d));
            NDArray y = nd.create(labels).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);

            Block linear = Linear.builder().setUnits(classes).build();
            model.setBlock(linear);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optDevices(new Device[] {device})
                    // SGD, not Adam: with few examples in 512 dimensions Adam's per-coordinate steps give
                    // noise dimensions as much weight as informative ones, and the head overfits.
                    // Weight decay keeps the logits moderate, so the head is not confidently wrong.
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(learningRate))
                            .optMomentum(0.9f)
                            .optWeightDecays(1e-2f)
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, d));
                ArrayDataset data = new ArrayDataset.Builder()
                        .setData(z).optLabels(y)
                        .setSampling(Math.min(batchSize, n), true)
                        .build();
                for (int e = 0; e < epochs; e++) {
                    for (Batch batch : trainer.iterateDataset(data)) {
                        try (batch) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                    }
                }
            } catch (IOException | TranslateException e) {
                throw new IllegalStateException("training the head failed: " + e.getMessage(), e);
            }
            standardization.fold(linear);
            float[] w = linear.getParameters().get("weight").getArray().toFloatArray();
            float[] b = linear.getParameters().get("bias").getArray().toFloatArray();
            Predictions p = new Predictions(names(classes), java.util.Collections.nCopies(n, java.nio.file.Path.of("")),
                    labels, probabilities(w, b, features));
            return new Head(w, b, classes, p.accuracy(), p.logLoss());
        }
    }

    private static List<String> names(int classes) {
        return java.util.stream.IntStream.range(0, classes).mapToObj(String::valueOf).toList();
    }

    /** Copies a trained head into the network's {@code fc}. */
    public static void install(Head head, ResNet34 net) {
        Map<String, Parameter> fc = Map.of(
                "weight", net.head().getParameters().get("weight"),
                "bias", net.head().getParameters().get("bias"));
        NDArray w = fc.get("weight").getArray();
        NDArray b = fc.get("bias").getArray();
        if (w.getShape().get(0) != head.classes()) {
            throw new IllegalArgumentException("head has " + head.classes() + " classes, the network " + w.getShape().get(0));
        }
        w.set(head.weight());
        b.set(head.bias());
    }

    /** Softmax probabilities of a linear head ({@code weight} is classes × d, row-major) on features. */
    public static float[][] probabilities(float[] weight, float[] bias, float[][] features) {
        int k = bias.length;
        float[][] out = new float[features.length][k];
        for (int i = 0; i < features.length; i++) {
            float[] f = features[i];
            double[] z = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double v = bias[c];
                for (int j = 0; j < f.length; j++) {
                    v += weight[c * f.length + j] * f[j];
                }
                z[c] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                z[c] = Math.exp(z[c] - max);
                sum += z[c];
            }
            for (int c = 0; c < k; c++) {
                out[i][c] = (float) (z[c] / sum);
            }
        }
        return out;
    }

    /** The network's current head as a {@link Head} (training figures unknown). */
    public static Head of(ResNet34 net) {
        float[] w = net.head().getParameters().get("weight").getArray().toFloatArray();
        float[] b = net.head().getParameters().get("bias").getArray().toFloatArray();
        return new Head(w, b, b.length, Double.NaN, Double.NaN);
    }
}
