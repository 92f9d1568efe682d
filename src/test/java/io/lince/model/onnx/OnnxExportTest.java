package io.lince.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import io.lince.images.InputCrop;
import io.lince.images.SyntheticImages;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.testing.TestModels;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ONNX graphs of a real (random-bodied) ResNet-34 against libtorch's forward pass. */
class OnnxExportTest {

    static final int SIZE = 64;
    static LinceModel model;

    @BeforeAll
    static void model() {
        model = TestModels.random(3, SIZE);
        Random r = new Random(5);
        float[] w = new float[2 * 512];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        model.network().setHead(w, new float[] {0.1f, -0.1f});
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** {@code n} crops of generated images of both classes, one buffer. */
    static ByteBuffer crops(int n, long seed) {
        SyntheticImages images = new SyntheticImages(seed, 96, 80);
        ByteBuffer b = ByteBuffer.allocateDirect(n * SIZE * SIZE * 3);
        for (int i = 0; i < n; i++) {
            b.put(InputCrop.crop(images.image(i % 2), SIZE));
        }
        return b.flip();
    }

    @Test
    void fp32GraphComputesWhatLibtorchComputesAtAnyBatchSize() throws Exception {
        OnnxMl.ModelProto graph = OnnxExport.fp32(model);
        assertEquals(OnnxGraph.OPSET, graph.getOpsetImport(0).getVersion());
        assertTrue(graph.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("BatchNormalization")),
                "BatchNorm is folded");
        Map<String, String> meta = graph.getMetadataPropsList().stream()
                .collect(Collectors.toMap(OnnxMl.StringStringEntryProto::getKey, OnnxMl.StringStringEntryProto::getValue));
        assertEquals("discs,stripes", meta.get("lince.classes"));
        assertEquals("64", meta.get("lince.inputSize"));
        try (OnnxSession ort = new OnnxSession(graph.toByteArray(), SIZE, 2, -1)) {
            for (int n : new int[] {1, 5}) {
                ByteBuffer batch = crops(n, 11 + n);
                OnnxSession.Raw torch = model.raw(batch.duplicate(), n);
                OnnxSession.Raw onnx = ort.run(batch.duplicate(), n);
                assertEquals(torch.logits().length, onnx.logits().length);
                assertTrue(OnnxExport.relativeDifference(onnx.logits(), torch.logits()) <= 1e-4,
                        "logits within 1e-4 relative at batch " + n + ": " + OnnxExport.relativeDifference(onnx.logits(), torch.logits()));
                assertTrue(OnnxExport.relativeDifference(onnx.embeddings(), torch.embeddings()) <= 1e-4,
                        "embeddings at batch " + n + ": " + OnnxExport.relativeDifference(onnx.embeddings(), torch.embeddings()));
            }
        }
    }

    @Test
    void servedThroughOnnxRuntimeTheModelGivesTheSameCalibratedProbabilities() throws Exception {
        ByteBuffer batch = crops(4, 3);
        LinceModel.Outputs torch = model.outputs(batch.duplicate(), 4);
        try (LinceModel served = LinceModel.random(new ModelInfo(3, null, TestModels.CLASSES, SIZE), ai.djl.Device.cpu(), 42)) {
            served.network().setHead(headOf(model), new float[] {0.1f, -0.1f});
            served.servedBy(new OnnxSession(OnnxExport.fp32(served).toByteArray(), SIZE, 1, -1), "fp32");
            assertEquals("onnxruntime fp32", served.runtime());
            LinceModel.Outputs onnx = served.outputs(batch.duplicate(), 4);
            for (int i = 0; i < 4; i++) {
                assertEquals(torch.probabilities()[i][0], onnx.probabilities()[i][0], 1e-4);
            }
        }
    }

    @Test
    void fp16GraphHoldsHalfWeightsAndComputesCloseToFp32() throws Exception {
        OnnxMl.ModelProto half = OnnxExport.fp16(model);
        long halves = half.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT16.getNumber()).count();
        assertEquals(36 * 2 + 2, halves, "every convolution's weight and bias, and the head, in fp16");
        assertEquals((short) 0x3c00, OnnxGraph.half(1f));
        assertEquals((short) 0xc000, OnnxGraph.half(-2f));
        assertEquals((short) 0x3555, OnnxGraph.half(1f / 3), "rounded to nearest");
        assertEquals((short) 0x0001, OnnxGraph.half(0x1p-24f), "the smallest subnormal");
        assertEquals((short) 0x7c00, OnnxGraph.half(70000f), "overflow is infinity");
        ByteBuffer batch = crops(2, 77);
        try (OnnxSession s = new OnnxSession(half.toByteArray(), SIZE, 2, -1)) {
            OnnxSession.Raw h = s.run(batch.duplicate(), 2);
            OnnxSession.Raw f = model.raw(batch.duplicate(), 2);
            double d = OnnxExport.relativeDifference(h.embeddings(), f.embeddings());
            assertTrue(d < 2e-2, "fp16 embeddings within 2% of fp32's scale: " + d);
        }
    }

    static float[] headOf(LinceModel m) {
        return m.network().head().getParameters().get("weight").getArray().toFloatArray();
    }

    @Test
    void int8GraphIsQuantizedCalibratedAndStaysCloseToFp32() throws Exception {
        List<ByteBuffer> calibration = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            calibration.add(crops(16, 100 + b));
        }
        Int8Ranges ranges = Int8Calibration.ranges(model, calibration, 2);
        assertEquals(64, ranges.images());
        assertEquals(OnnxExport.probes().size(), ranges.ranges().size(), "every quantized tensor has a range");
        assertEquals(0, ranges.affine("stem").zeroPoint(), "a ReLU's output is quantized from zero");
        OnnxMl.ModelProto int8 = OnnxExport.int8(model, ranges);
        long convs = int8.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).count();
        long weightDq = int8.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("DequantizeLinear") && n.getInput(0).endsWith(".weight_quantized")).count();
        assertEquals(36, convs, "ResNet-34 has 36 convolutions");
        assertEquals(convs, weightDq, "every convolution reads int8 weights");
        ByteBuffer held = crops(16, 999);
        try (OnnxSession fp = new OnnxSession(OnnxExport.fp32(model).toByteArray(), SIZE, 2, -1);
                OnnxSession q = new OnnxSession(int8.toByteArray(), SIZE, 2, -1)) {
            OnnxSession.Raw a = fp.run(held.duplicate(), 16);
            OnnxSession.Raw b = q.run(held.duplicate(), 16);
            double emb = OnnxExport.relativeDifference(b.embeddings(), a.embeddings());
            System.out.printf("[int8] embeddings: largest difference %.4f of the largest value; logits %.4f%n",
                    emb, OnnxExport.relativeDifference(b.logits(), a.logits()));
            assertTrue(emb < 0.1, "int8 embeddings within 10% of fp32's scale: " + emb);
            assertTrue(emb > 0, "the int8 graph computes in int8, not fp32");
        }
    }
}
