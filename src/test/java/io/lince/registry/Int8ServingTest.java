package io.lince.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lince.contracts.ModelPublished;
import io.lince.images.ImageFolder;
import io.lince.images.SyntheticImages;
import io.lince.model.CpuFeatures;
import io.lince.model.LinceModel;
import io.lince.model.Serving;
import io.lince.retraining.Int8Gate;
import io.lince.retraining.Int8Rule;
import io.lince.testing.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version's INT8 graph: judged by the trainer's gate, stored beside the checkpoint, verified
 * like it, and served only where the gate allowed it.
 */
class Int8ServingTest {

    static final int SIZE = 48;

    @TempDir
    Path dir;

    /** {@code n} generated photos of both classes, on disk, as the trainer sees labelled images. */
    List<ImageFolder.Entry> images(String name, int n) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        SyntheticImages gen = new SyntheticImages(name.hashCode(), 80, 64);
        List<ImageFolder.Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = d.resolve(i + ".jpg");
            Files.write(f, gen.jpeg(i % 2));
            out.add(new ImageFolder.Entry(f, TestModels.CLASSES.get(i % 2)));
        }
        return out;
    }

    @Test
    void theGateJudgesTheInt8GraphAgainstFp32OnTheSlice() throws Exception {
        try (LinceModel m = TestModels.constant(2, SIZE, 0.3f, -0.2f); LinceModel folded = m.folded()) {
            List<ImageFolder.Entry> train = images("train", 24);
            List<ImageFolder.Entry> slice = images("slice", 12);
            Int8Gate.Result few = new Int8Gate(new Int8Rule(true, 0.005, 0.02, 50, 16)).check(folded, train, slice, 1);
            assertFalse(few.allowed());
            assertTrue(few.reason().startsWith("INT8 not judged: 12 evaluation images, 50 needed"), few.reason());
            assertEquals(16.0, few.metrics().get("int8.calibrationImages"));

            Int8Gate.Result judged = new Int8Gate(new Int8Rule(true, 0.005, 0.02, 10, 16)).check(folded, train, slice, 1);
            // the head ignores the image: INT8 and fp32 give the same answer on every image
            assertEquals(0.5, judged.metrics().get("int8.accuracy"), 1e-9);
            assertEquals(judged.metrics().get("int8.fp32Accuracy"), judged.metrics().get("int8.accuracy"));
            assertEquals(judged.metrics().get("int8.fp32LogLoss"), judged.metrics().get("int8.logLoss"), 1e-3);
            assertTrue(judged.allowed(), judged.reason());
            assertTrue(judged.reason().startsWith("INT8 allowed: on 12 images"), judged.reason());
        }
    }

    @Test
    void classifiersServeTheInt8GraphOnlyWhereItsGateAllowedIt() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("store"));
        ModelPublished.Builder record;
        try (LinceModel m = TestModels.constant(1, SIZE, 0.3f, -0.2f)) {
            ModelStore.Stored checkpoint = store.put(m);
            Int8Gate.Result r;
            try (LinceModel folded = m.folded()) {
                r = new Int8Gate(new Int8Rule(true, 0.005, 0.02, 10, 16)).check(folded, images("train", 16), images("slice", 10), 1);
            }
            ModelStore.Stored graph = store.putInt8(1, r.graph());
            assertTrue(graph.file().getFileName().toString().equals("resnet34-v0001.int8.onnx"));
            record = ModelPublished.newBuilder(ModelRegistry.candidate(checkpoint, m.info(), Map.of(), 0))
                    .setInt8ArtifactUri(graph.uri()).setInt8Sha256(graph.sha256()).setInt8Allowed(r.allowed())
                    .setInt8Decision(r.reason());
        }
        Serving int8 = new Serving("cpu", true, Serving.Runtime.ONNXRUNTIME, Serving.Precision.INT8);
        try (LinceModel served = store.load(record.build(), Device.cpu(), int8)) {
            assertEquals("onnxruntime int8", served.runtime());
            ByteBuffer crops = ByteBuffer.allocateDirect(2 * SIZE * SIZE * 3);
            float[][] p = served.outputs(crops, 2).probabilities();
            assertTrue(p[0][0] > p[0][1], "the INT8 graph computes the model's answer");
        }
        ModelPublished refused = ModelPublished.newBuilder(record.build()).setInt8Allowed(false)
                .setInt8Decision("INT8 not judged: 10 evaluation images, 50 needed").build();
        try (LinceModel served = store.load(refused, Device.cpu(), int8)) {
            assertEquals("onnxruntime fp32", served.runtime(), "a refused INT8 graph serves fp32");
        }
        try (LinceModel served = store.load(refused, Device.cpu(), Serving.fp32("cpu"))) {
            assertEquals("pytorch fp32", served.runtime());
        }
        Serving auto = new Serving("cpu", true, Serving.Runtime.PYTORCH, Serving.Precision.AUTO);
        try (LinceModel served = store.load(record.build(), Device.cpu(), auto)) {
            assertEquals(CpuFeatures.here().int8DotProduct() ? "onnxruntime int8" : "pytorch fp32", served.runtime(),
                    "auto: INT8 where this CPU has int8 dot products (" + CpuFeatures.here().describe() + ")");
        }

        Path file = Path.of(java.net.URI.create(record.getInt8ArtifactUri()));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        IOException tampered = assertThrows(IOException.class, () -> store.load(record.build(), Device.cpu(), int8));
        assertTrue(tampered.getMessage().contains("int8.onnx has sha256"), tampered.getMessage());
    }

    @Test
    void precisionsThatCannotServeSaySoAtStart() {
        IllegalArgumentException pytorchInt8 = assertThrows(IllegalArgumentException.class,
                () -> new Serving("cpu", true, Serving.Runtime.PYTORCH, Serving.Precision.INT8));
        assertTrue(pytorchInt8.getMessage().contains("lince.model.runtime=onnxruntime"), pytorchInt8.getMessage());
        IllegalArgumentException bf16 = assertThrows(IllegalArgumentException.class,
                () -> new Serving("cpu", true, Serving.Runtime.ONNXRUNTIME, Serving.Precision.BF16));
        assertTrue(bf16.getMessage().contains("no bf16 convolution"), bf16.getMessage());
        assertTrue(CpuFeatures.parse("flags\t\t: fpu avx2 avx512f avx512_vnni\n").int8DotProduct());
        assertFalse(CpuFeatures.parse("flags\t\t: fpu avx2\n").int8DotProduct());
    }
}
