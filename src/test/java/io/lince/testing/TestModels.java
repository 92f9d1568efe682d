package io.lince.testing;

import ai.djl.Device;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import java.util.List;

/** Small real ResNet-34s for tests: 32–64 px inputs keep a forward pass in milliseconds. */
public final class TestModels {

    public static final List<String> CLASSES = List.of("discs", "stripes");

    private TestModels() {}

    public static LinceModel random(int version, int inputSize) {
        return LinceModel.random(new ModelInfo(version, null, CLASSES, inputSize), Device.cpu(), 42);
    }

    /** A model whose head ignores the image and always says {@code logits} (before softmax). */
    public static LinceModel constant(int version, int inputSize, float... logits) {
        LinceModel m = random(version, inputSize);
        m.network().setHead(new float[logits.length * 512], logits);
        return m;
    }
}
