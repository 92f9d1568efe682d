package io.lince.model.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * A small writer of ONNX graphs over ONNX's own protobuf messages ({@code OnnxMl}, generated from
 * {@code onnx-ml.proto} and shipped by Tribuo's {@code tribuo-util-onnx}). Names are made unique
 * per graph; initializers are stored as raw little-endian bytes, as ONNX's checker expects.
 * Tribuo's own operator helpers cover the operators its models need, not convolutions or the
 * quantization operators, hence this layer.
 */
final class OnnxGraph {

    /** ONNX opset 13: per-axis QuantizeLinear/DequantizeLinear, what ONNX Runtime fuses into QLinearConv. */
    static final int OPSET = 13;
    /** The IR version that goes with opset 13. */
    static final int IR_VERSION = 7;

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private int next;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A fresh tensor name starting with {@code stem}. */
    String name(String stem) {
        return stem + "_" + (next++);
    }

    /** Adds a node; returns its (first) output. */
    String node(String op, String output, Map<String, Object> attributes, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        attributes.forEach((k, v) -> n.addAttribute(attribute(k, v)));
        graph.addNode(n);
        return output;
    }

    String node(String op, String output, String... inputs) {
        return node(op, output, Map.of(), inputs);
    }

    private static AttributeProto attribute(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof long[] ints) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long i : ints) {
                a.addInts(i);
            }
        } else if (v instanceof Integer || v instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
        } else if (v instanceof Float || v instanceof Double) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
        } else {
            throw new IllegalArgumentException("attribute type " + v.getClass());
        }
        return a.build();
    }

    String floats(String name, float[] values, long... dims) {
        ByteBuffer b = little(values.length * 4L);
        b.asFloatBuffer().put(values);
        return initializer(name, TensorProto.DataType.FLOAT, b, dims);
    }

    /** float16 values (rounded to nearest even), for the GPU's fp16 graph. */
    String halves(String name, float[] values, long... dims) {
        ByteBuffer b = little(values.length * 2L);
        for (float v : values) {
            b.putShort(half(v));
        }
        return initializer(name, TensorProto.DataType.FLOAT16, b, dims);
    }

    /** IEEE 754 binary16 of {@code f}, rounded to nearest even (Java 17 has no Float.floatToFloat16). */
    static short half(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (((bits >>> 23) & 0xff) == 0xff) { // inf, NaN
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        if (exp >= 31) {
            return (short) (sign | 0x7c00); // overflow: infinity
        }
        if (exp < -10) {
            return (short) sign; // below half the smallest subnormal
        }
        // normal: exponent and the mantissa's top 10 bits; subnormal: the mantissa with its
        // implicit 1, shifted further. Either way the dropped bits round to nearest even, and a
        // carry into the exponent is right.
        int shift = exp > 0 ? 13 : 14 - exp;
        int kept = exp > 0 ? (exp << 10) | (mant >> 13) : (mant | 0x800000) >> shift;
        int rest = (exp > 0 ? mant : mant | 0x800000) & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (kept & 1) == 1)) {
            kept++;
        }
        return (short) (sign | kept);
    }

    String int8s(String name, byte[] values, long... dims) {
        return initializer(name, TensorProto.DataType.INT8, ByteBuffer.wrap(values), dims);
    }

    String uint8s(String name, byte[] values, long... dims) {
        return initializer(name, TensorProto.DataType.UINT8, ByteBuffer.wrap(values), dims);
    }

    String int32s(String name, int[] values, long... dims) {
        ByteBuffer b = little(values.length * 4L);
        b.asIntBuffer().put(values);
        return initializer(name, TensorProto.DataType.INT32, b, dims);
    }

    String int64s(String name, long[] values, long... dims) {
        ByteBuffer b = little(values.length * 8L);
        b.asLongBuffer().put(values);
        return initializer(name, TensorProto.DataType.INT64, b, dims);
    }

    private static ByteBuffer little(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private String initializer(String name, TensorProto.DataType type, ByteBuffer bytes, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(bytes.rewind()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A graph input or output: element type and shape, where a {@code null} dimension is the symbolic batch. */
    private static OnnxMl.ValueInfoProto value(String name, TensorProto.DataType type, Long... dims) {
        OnnxMl.TypeProto.Tensor.Builder tensor = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber());
        if (dims.length == 0) { // shape unknown (left to inference)
            return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                    .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tensor)).build();
        }
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Long d : dims) {
            shape.addDim(d == null
                    ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tensor.setShape(shape)))
                .build();
    }

    void input(String name, TensorProto.DataType type, Long... dims) {
        graph.addInput(value(name, type, dims));
    }

    void output(String name, TensorProto.DataType type, Long... dims) {
        graph.addOutput(value(name, type, dims));
    }

    private static String version() {
        String v = OnnxGraph.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The finished model, with {@code metadata} as its metadata_props. */
    OnnxMl.ModelProto model(String docString, Map<String, String> metadata) {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("lince")
                .setProducerVersion(version())
                .setDocString(docString)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }
}
