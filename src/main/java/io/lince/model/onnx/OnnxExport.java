package io.lince.model.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.lince.images.Preprocessor;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.model.ResNet34;
import io.lince.model.TorchvisionNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Lince model as an ONNX graph (opset {@value OnnxGraph#OPSET}, dynamic batch), in one of three
 * forms:
 *
 * <ul>
 *   <li>{@link #fp32}: the served network, BatchNorm folded into the convolutions;
 *   <li>{@link #int8}: the same with static QDQ quantization (per-output-channel symmetric int8
 *       weights, per-tensor asymmetric uint8 activations with {@link Int8Ranges ranges}
 *       calibrated on images, int32 biases), the form ONNX Runtime rewrites into QLinearConv and
 *       QLinearAdd;
 *   <li>{@link #probed}: fp32 with every tensor the int8 form quantizes also exposed as an
 *       output, which is what calibration reads.
 * </ul>
 *
 * <p>Every form takes what Lince's classifiers hand the network: {@code pixels}, the batch's
 * crops as uint8 RGB, NHWC ({@code batch × size × size × 3}); it converts, transposes and
 * normalises them with ImageNet's statistics inside the graph (the same float operations as
 * {@link LinceModel#outputs}), so a client sends image bytes and nothing else. Outputs:
 * {@code logits} (batch × classes, before the temperature) and {@code embedding} (batch × 512,
 * the pooled activations the head reads). The model's classes, input size, temperature and
 * version are in the metadata.
 */
public final class OnnxExport {

    /** Graph input and outputs. */
    public static final String PIXELS = "pixels";
    public static final String LOGITS = "logits";
    public static final String EMBEDDING = "embedding";
    /** What {@link #probed} calls the output that shows a quantized tensor: this, then its key. */
    public static final String PROBE = "probe.";

    private OnnxExport() {}

    public static OnnxMl.ModelProto fp32(LinceModel model) {
        return build(model, Form.FP32, null);
    }

    /**
     * The served network in float16 for a GPU (ONNX Runtime's CUDA provider): weights in fp16, the
     * input normalised in fp32 and cast at the network, logits and embeddings cast back to fp32.
     */
    public static OnnxMl.ModelProto fp16(LinceModel model) {
        return build(model, Form.FP16, null);
    }

    public static OnnxMl.ModelProto probed(LinceModel model) {
        return build(model, Form.PROBED, null);
    }

    public static OnnxMl.ModelProto int8(LinceModel model, Int8Ranges ranges) {
        return build(model, Form.INT8, ranges);
    }

    /** The names of the tensors {@link #probed} exposes, in graph order. */
    public static List<String> probes() {
        List<String> out = new ArrayList<>();
        out.add("input");
        out.add("stem");
        for (int layer = 0; layer < 4; layer++) {
            for (int b = 0; b < ResNet34.blocks(layer); b++) {
                String p = "layer" + (layer + 1) + "." + b + ".";
                out.add(p + "relu1");
                out.add(p + "conv2");
                if (layer > 0 && b == 0) {
                    out.add(p + "downsample");
                }
                out.add(p + "out");
            }
        }
        return out;
    }

    /**
     * The largest difference between {@code a} and {@code reference} over the largest magnitude
     * in {@code reference}: how parity with libtorch is stated (for export checks and the bench).
     */
    public static double relativeDifference(float[] a, float[] reference) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return scale > 0 ? diff / scale : diff;
    }

    enum Form { FP32, FP16, PROBED, INT8 }

    private static OnnxMl.ModelProto build(LinceModel model, Form form, Int8Ranges ranges) {
        ModelInfo info = model.info();
        Map<String, float[]> w = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if (model.network().folded()) {
            weights(model, w, shapes);
        } else {
            try (LinceModel folded = model.folded()) {
                weights(folded, w, shapes);
            }
        }
        Writer g = new Writer(new OnnxGraph("lince_resnet34_v" + info.version()), form, ranges, w, shapes);
        long s = info.inputSize();
        g.graph.input(PIXELS, DataType.UINT8, null, s, s, 3L);

        String x = g.graph.node("Cast", "as_float", Map.of("to", DataType.FLOAT.getNumber()), PIXELS);
        x = g.graph.node("Transpose", "nchw", Map.of("perm", new long[] {0, 3, 1, 2}), x);
        x = g.graph.node("Div", "unit", x, g.graph.floats("byte_max", new float[] {255f}));
        x = g.graph.node("Sub", "centred", x, g.graph.floats("mean", Preprocessor.mean(), 1, 3, 1, 1));
        x = g.graph.node("Div", "normalised", x, g.graph.floats("std", Preprocessor.std(), 1, 3, 1, 1));
        x = g.activation("input", x, false);
        if (form == Form.FP16) {
            x = g.graph.node("Cast", "as_half", Map.of("to", DataType.FLOAT16.getNumber()), x);
        }

        x = g.conv("conv1", x, "input", 2, 3);
        x = g.activation("stem", g.graph.node("Relu", "stem_relu", x), true);
        x = g.graph.node("MaxPool", "maxpool", Map.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
                "pads", new long[] {1, 1, 1, 1}), x);
        // a max pool keeps its input's quantization: the same scale and zero point on both sides,
        // which is what lets ONNX Runtime run it on uint8
        x = g.requantize("stem", x);
        String key = "stem";
        for (int layer = 0; layer < 4; layer++) {
            for (int b = 0; b < ResNet34.blocks(layer); b++) {
                String p = "layer" + (layer + 1) + "." + b + ".";
                int stride = layer > 0 && b == 0 ? 2 : 1;
                String y = g.conv(p + "conv1", x, key, stride, 1);
                y = g.activation(p + "relu1", g.graph.node("Relu", g.graph.name(p + "relu1"), y), true);
                y = g.activation(p + "conv2", g.conv(p + "conv2", y, p + "relu1", 1, 1), false);
                String identity = x;
                if (layer > 0 && b == 0) {
                    identity = g.activation(p + "downsample", g.conv(p + "downsample.0", x, key, 2, 0), false);
                }
                String sum = g.graph.node("Add", g.graph.name(p + "add"), y, identity);
                x = g.activation(p + "out", g.graph.node("Relu", g.graph.name(p + "out"), sum), true);
                key = p + "out";
            }
        }
        String pooled = g.graph.node("GlobalAveragePool", "pooled", x);
        boolean half = form == Form.FP16;
        String embedding = g.graph.node("Flatten", half ? "embedding_half" : EMBEDDING, Map.of("axis", 1), pooled);
        String logits = g.graph.node("Gemm", half ? "logits_half" : LOGITS, Map.of("transB", 1), embedding,
                g.weights("fc.weight", w.get("fc.weight"), shapes.get("fc.weight")),
                g.weights("fc.bias", w.get("fc.bias"), shapes.get("fc.bias")));
        if (half) {
            g.graph.node("Cast", EMBEDDING, Map.of("to", DataType.FLOAT.getNumber()), embedding);
            g.graph.node("Cast", LOGITS, Map.of("to", DataType.FLOAT.getNumber()), logits);
        }
        long k = info.classes().size();
        g.graph.output(LOGITS, DataType.FLOAT, null, k);
        g.graph.output(EMBEDDING, DataType.FLOAT, null, (long) ResNet34.FEATURES);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("lince.version", String.valueOf(info.version()));
        meta.put("lince.classes", String.join(",", info.classes()));
        meta.put("lince.inputSize", String.valueOf(info.inputSize()));
        meta.put("lince.temperature", String.valueOf(info.temperature()));
        meta.put("lince.precision", form == Form.INT8 ? "int8" : form == Form.FP16 ? "fp16" : "fp32");
        return g.graph.model("Lince ResNet-34 v" + info.version() + " (" + meta.get("lince.precision")
                + "): pixels uint8 NHWC RGB in; logits (divide by lince.temperature, then softmax) and embedding out",
                meta);
    }

    private static void weights(LinceModel folded, Map<String, float[]> w, Map<String, long[]> shapes) {
        for (Map.Entry<String, Parameter> e : TorchvisionNames.of(folded.network()).entrySet()) {
            NDArray a = e.getValue().getArray();
            w.put(e.getKey(), a.toFloatArray());
            shapes.put(e.getKey(), a.getShape().getShape());
        }
    }

    /** Writes the layers of one form. */
    private static final class Writer {
        final OnnxGraph graph;
        final Form form;
        final Int8Ranges ranges;
        final Map<String, float[]> w;
        final Map<String, long[]> shapes;

        Writer(OnnxGraph graph, Form form, Int8Ranges ranges, Map<String, float[]> w, Map<String, long[]> shapes) {
            this.graph = graph;
            this.form = form;
            this.ranges = ranges;
            this.w = w;
            this.shapes = shapes;
        }

        /**
         * A tensor the int8 form quantizes: exposed as an output when probing, passed through
         * QuantizeLinear and DequantizeLinear in the int8 form ({@code nonNegative}: it follows a
         * ReLU, so its zero point is 0, which lets ONNX Runtime drop the ReLU into the
         * quantization).
         */
        String activation(String key, String tensor, boolean nonNegative) {
            return switch (form) {
                case FP32, FP16 -> tensor;
                case PROBED -> {
                    graph.output(graph.node("Identity", PROBE + key, tensor), DataType.FLOAT);
                    yield tensor;
                }
                case INT8 -> requantize(key, tensor);
            };
        }

        /** Q then DQ with {@code key}'s calibrated parameters (int8 form only). */
        String requantize(String key, String tensor) {
            if (form != Form.INT8) {
                return tensor;
            }
            Int8Ranges.Affine q = ranges.affine(key);
            String scale = graph.floats(graph.name(key + "_scale"), new float[] {q.scale()});
            String zero = graph.uint8s(graph.name(key + "_zero"), new byte[] {(byte) q.zeroPoint()});
            String quantized = graph.node("QuantizeLinear", graph.name(key + "_q"), tensor, scale, zero);
            return graph.node("DequantizeLinear", graph.name(key + "_dq"), quantized, scale, zero);
        }

        /** Weights in the form's float type. */
        String weights(String name, float[] values, long... dims) {
            return form == Form.FP16 ? graph.halves(name, values, dims) : graph.floats(name, values, dims);
        }

        /** A folded convolution (weights with bias), quantized per output channel in the int8 form. */
        String conv(String name, String input, String inputKey, int stride, int pad) {
            float[] weight = w.get(name + ".weight");
            long[] shape = shapes.get(name + ".weight");
            float[] bias = w.get(name + ".bias");
            long k = shape[2];
            Map<String, Object> attrs = Map.of("kernel_shape", new long[] {k, k}, "strides", new long[] {stride, stride},
                    "pads", new long[] {pad, pad, pad, pad});
            String out = graph.name(name);
            if (form != Form.INT8) {
                return graph.node("Conv", out, attrs, input, weights(name + ".weight", weight, shape),
                        weights(name + ".bias", bias, shape[0]));
            }
            int channels = (int) shape[0];
            int per = weight.length / channels;
            float[] scales = new float[channels];
            byte[] q = new byte[weight.length];
            for (int c = 0; c < channels; c++) {
                float max = 0;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    max = Math.max(max, Math.abs(weight[i]));
                }
                // symmetric, [-127, 127]: a zero point of 0 for every channel, as ONNX Runtime's
                // int8 kernels require of weights
                scales[c] = max > 0 ? max / 127f : 1e-8f;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    q[i] = (byte) Math.max(-127, Math.min(127, Math.round(weight[i] / scales[c])));
                }
            }
            float inputScale = ranges.affine(inputKey).scale();
            float[] biasScales = new float[channels];
            int[] qb = new int[channels];
            for (int c = 0; c < channels; c++) {
                biasScales[c] = inputScale * scales[c];
                qb[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round((double) bias[c] / biasScales[c])));
            }
            Map<String, Object> axis0 = Map.of("axis", 0);
            String wq = graph.node("DequantizeLinear", graph.name(name + ".weight_dq"), axis0,
                    graph.int8s(name + ".weight_quantized", q, shape), graph.floats(name + ".weight_scale", scales, channels),
                    graph.int8s(name + ".weight_zero", new byte[channels], channels));
            String bq = graph.node("DequantizeLinear", graph.name(name + ".bias_dq"), axis0,
                    graph.int32s(name + ".bias_quantized", qb, channels), graph.floats(name + ".bias_scale", biasScales, channels),
                    graph.int32s(name + ".bias_zero", new int[channels], channels));
            return graph.node("Conv", out, attrs, input, wq, bq);
        }
    }
}
