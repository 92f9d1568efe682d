package io.lince.learn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import io.lince.model.LinceModel;
import java.util.List;
import java.util.Map;

/**
 * One optimisation step: forward in training mode, cross-entropy, backward, and an optimizer update
 * of every parameter that is not frozen. The batch lives in its own NDManager scope on the model's
 * device; DJL's optimizers zero each gradient as they apply it.
 */
final class TrainingStep {

    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    private final LinceModel model;
    private final Optimizer optimizer;
    private final List<Parameter> trainable;
    private final float labelSmoothing;
    private final MixedPrecision mixed;

    TrainingStep(LinceModel model, Optimizer optimizer) {
        this(model, optimizer, 0, null);
    }

    /**
     * @param labelSmoothing {@code ε}: the target is {@code 1-ε} on the true class and {@code ε/K}
     *     spread over all K; it keeps logits finite on a few hundred separable examples, so a model
     *     is never confidently wrong on new ones (0 = plain cross-entropy)
     * @param mixed fp16 forward and backward with loss scaling, or null for fp32
     */
    TrainingStep(LinceModel model, Optimizer optimizer, float labelSmoothing, MixedPrecision mixed) {
        this.model = model;
        this.labelSmoothing = labelSmoothing;
        this.mixed = mixed;
        this.optimizer = optimizer;
        this.trainable = model.network().getParameters().values().stream().filter(Parameter::requiresGradient).toList();
        if (trainable.isEmpty()) {
            throw new IllegalStateException("every layer group is frozen: nothing to train");
        }
    }

    /** Returns the batch's mean loss. */
    float run(MiniBatch batch, long[] exampleShape, boolean precomputed) {
        float loss;
        try (NDManager nd = model.djlModel().getNDManager().newSubManager()) {
            NDArray x = nd.create(batch.inputs(), ModelRunner.shape(batch.size(), exampleShape));
            NDArray y = nd.create(batch.labels()).toType(DataType.FLOAT32, false);
            MixedPrecision.Pass half = mixed == null ? null : mixed.begin(nd);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = half == null
                        ? ModelRunner.logits(model.network(), new ParameterStore(nd, false), x, precomputed, true)
                        : half.fp32(ModelRunner.logits(model.network(), half.parameters(), half.input(x), precomputed, true));
                NDArray l = labelSmoothing == 0 && batch.mix() == null
                        ? LOSS.evaluate(new NDList(y), new NDList(logits))
                        : softTargets(logits, batch, nd);
                gc.backward(half == null ? l : half.scaled(l));
                loss = l.getFloat();
            }
            if (half != null) {
                Map<Parameter, NDArray> grads = half.gradients(trainable);
                if (grads != null) { // else an overflow: no update this step, a smaller scale the next
                    for (Parameter p : trainable) {
                        optimizer.update(p.getId(), p.getArray(), grads.get(p));
                    }
                }
                return loss;
            }
            for (Parameter p : trainable) {
                NDArray w = p.getArray();
                try (NDArray g = w.getGradient()) {
                    optimizer.update(p.getId(), w, g);
                }
            }
        }
        return loss;
    }

    /** Cross-entropy against the batch's soft targets (label smoothing, mixup, or both). */
    private NDArray softTargets(NDArray logits, MiniBatch batch, NDManager nd) {
        int k = (int) logits.getShape().get(1);
        float[] target = batch.targets(k, labelSmoothing);
        NDArray t = nd.create(target, new ai.djl.ndarray.types.Shape(batch.size(), k)).toDevice(logits.getDevice(), false);
        return logits.logSoftmax(1).mul(t).sum(new int[] {1}).mean().neg();
    }
}
