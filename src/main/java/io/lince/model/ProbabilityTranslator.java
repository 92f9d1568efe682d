package io.lince.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/**
 * Preprocessed CHW pixels in, class probabilities (at the model's temperature) out. The tensor is created by the predictor's
 * manager, so on a GPU the batch lives on the device from here to the softmax.
 */
final class ProbabilityTranslator implements Translator<float[], float[]> {

    private final Shape shape;
    private final float temperature;

    ProbabilityTranslator(int inputSize, double temperature) {
        this.shape = new Shape(3, inputSize, inputSize);
        this.temperature = (float) temperature;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, float[] chw) {
        if (chw.length != shape.size()) {
            throw new IllegalArgumentException(
                    "expected " + shape + " pixels, got " + chw.length + " values");
        }
        return new NDList(ctx.getNDManager().create(chw, shape));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.singletonOrThrow();
        return (temperature == 1 ? logits : logits.div(temperature)).softmax(-1).toFloatArray();
    }

    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }
}
