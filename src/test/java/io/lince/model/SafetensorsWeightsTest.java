package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes a torchvision-style ResNet-34 state dict (1000 classes) as safetensors and imports it. */
class SafetensorsWeightsTest {

    @TempDir
    Path dir;

    private static ModelInfo twoClasses() {
        return new ModelInfo(1, null, List.of("cats", "dogs"), 64);
    }

    /** A state dict with torchvision's names and shapes, random values, num_batches_tracked included. */
    private Path writeStateDict(NDManager nd, String skip, boolean half) throws IOException {
        NDList dict = new NDList();
        try (LinceModel imagenet = LinceModel.random(new ModelInfo(1, null,
                java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList(), 64), Device.cpu(), 3)) {
            for (Map.Entry<String, Parameter> e : TorchvisionNames.of(imagenet.network()).entrySet()) {
                if (e.getKey().equals(skip)) {
                    continue;
                }
                NDArray a = nd.randomNormal(e.getValue().getArray().getShape());
                if (half) {
                    a = a.toType(DataType.FLOAT16, false);
                }
                a.setName(e.getKey());
                dict.add(a);
                if (e.getKey().endsWith("running_var")) {
                    NDArray n = nd.create(100L);
                    n.setName(e.getKey().replace("running_var", "num_batches_tracked"));
                    dict.add(n);
                }
            }
        }
        Path file = dir.resolve("resnet34.safetensors");
        try (OutputStream out = Files.newOutputStream(file)) {
            dict.encode(out, NDList.Encoding.SAFETENSORS);
        }
        return file;
    }

    @Test
    void importsTorchvisionNamesAndKeepsANewHead() throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            Path file = writeStateDict(nd, null, false);
            NDList written = NDList.decode(nd, Files.readAllBytes(file));
            try (LinceModel m = LinceModel.fromWeights(file, twoClasses(), Device.cpu(), 1)) {
                Map<String, Parameter> p = TorchvisionNames.of(m.network());
                for (String name : List.of("conv1.weight", "bn1.running_mean", "layer3.5.conv2.weight",
                        "layer2.0.downsample.1.weight")) {
                    assertArrayEquals(written.get(name).toFloatArray(), p.get(name).getArray().toFloatArray(), name);
                }
                // the 1000-class fc did not fit two classes: the new head stays zero
                assertEquals(new Shape(2, 512), p.get("fc.weight").getArray().getShape());
                assertEquals(0f, p.get("fc.weight").getArray().abs().sum().getFloat());
            }
        }
    }

    @Test
    void convertsHalfPrecisionWeights() throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            Path file = writeStateDict(nd, null, true);
            NDArray expected = NDList.decode(nd, Files.readAllBytes(file)).get("layer1.0.bn1.bias")
                    .toType(DataType.FLOAT32, false);
            try (LinceModel m = LinceModel.fromWeights(file, twoClasses(), Device.cpu(), 1)) {
                assertArrayEquals(expected.toFloatArray(),
                        TorchvisionNames.of(m.network()).get("layer1.0.bn1.bias").getArray().toFloatArray());
            }
        }
    }

    @Test
    void namesTheMissingTensors() throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            Path file = writeStateDict(nd, "layer4.2.bn2.weight", false);
            IOException e = assertThrows(IOException.class,
                    () -> LinceModel.fromWeights(file, twoClasses(), Device.cpu(), 1));
            assertTrue(e.getMessage().contains("layer4.2.bn2.weight"), e.getMessage());
        }
    }

    @Test
    void refusesBfloat16WithAClearErrorInsteadOfCrashing() throws Exception {
        String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length() + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes()).putInt(0);
        Path file = Files.write(dir.resolve("bf16.safetensors"), b.array());
        IOException e = assertThrows(IOException.class, () -> ModelBootstrapHelper.load(file));
        assertTrue(e.getMessage().contains("BF16"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNotSafetensors() throws Exception {
        Path junk = Files.write(dir.resolve("junk.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertThrows(IOException.class, () -> ModelBootstrapHelper.load(junk));
    }

    /** Keeps the test in this package without widening ModelBootstrap's API. */
    static final class ModelBootstrapHelper {
        static LinceModel load(Path p) throws IOException {
            return io.lince.app.ModelBootstrap.firstModel(twoClasses(), Optional.of(p), Device.cpu(), 1);
        }
    }
}
