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

    TrainingStep(LinceModel model, Optimizer optimizer) {
        this.model = model;
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
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = ModelRunner.logits(model.network(), new ParameterStore(nd, false), x, precomputed, true);
                NDArray l = LOSS.evaluate(new NDList(y), new NDList(logits));
                gc.backward(l);
                loss = l.getFloat();
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
}
