package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResNet34Test {

    private static ModelInfo info(int classes, int size) {
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> "c" + i).toList();
        return new ModelInfo(1, null, names, size);
    }

    @Test
    void hasTorchvisionParameterCountAndNames() {
        try (LinceModel m = LinceModel.random(info(1000, 64), Device.cpu(), 1)) {
            Map<String, Parameter> params = TorchvisionNames.of(m.network());
            long trainable = params.entrySet().stream()
                    .filter(e -> !e.getKey().endsWith("running_mean") && !e.getKey().endsWith("running_var"))
                    .mapToLong(e -> e.getValue().getArray().size())
                    .sum();
            assertEquals(21_797_672L, trainable);
            // 1 + 1 stem convs/bns ... : torchvision's state dict without num_batches_tracked
            assertEquals(218 - 36, params.size());
            assertTrue(params.containsKey("conv1.weight"));
            assertTrue(params.containsKey("bn1.running_var"));
            assertTrue(params.containsKey("layer1.0.conv1.weight"));
            assertTrue(params.containsKey("layer2.0.downsample.0.weight"));
            assertTrue(params.containsKey("layer2.0.downsample.1.running_mean"));
            assertTrue(params.containsKey("layer3.5.bn2.bias"));
            assertTrue(params.containsKey("layer4.2.conv2.weight"));
            assertEquals(List.of(1000L, 512L), List.of(
                    params.get("fc.weight").getArray().getShape().get(0),
                    params.get("fc.weight").getArray().getShape().get(1)));
            assertEquals(List.of(64L, 3L, 7L, 7L), toList(params.get("conv1.weight").getArray()));
            assertEquals(List.of(512L, 256L, 3L, 3L), toList(params.get("layer4.0.conv1.weight").getArray()));
        }
    }

    private static List<Long> toList(NDArray a) {
        return java.util.Arrays.stream(a.getShape().getShape()).boxed().toList();
    }

    @Test
    void newHeadIsUniformAndFeaturesAreFinite() throws Exception {
        try (LinceModel m = LinceModel.random(info(2, 64), Device.cpu(), 7);
                Predictor<float[], float[]> p = m.newPredictor();
                NDManager nd = NDManager.newBaseManager()) {
            float[] x = new float[3 * 64 * 64];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.01);
            }
            float[] probs = p.predict(x);
            assertEquals(0.5f, probs[0], 1e-6);
            NDArray f = m.network().features(new ParameterStore(nd, false), nd.create(x, m.inputShape(1)), false);
            System.out.println("feature abs mean " + f.abs().mean().getFloat() + " max " + f.max().getFloat());
            assertEquals(512, f.getShape().get(1));
        }
    }
}
