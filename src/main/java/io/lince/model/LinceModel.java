package io.lince.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.lince.images.Preprocessor;
import io.lince.model.onnx.OnnxSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.nio.file.Path;

/** A ResNet-34 classifier with the metadata that travels with it. */
public final class LinceModel implements AutoCloseable {

    private final ModelInfo info;
    private final Model model;
    private final ResNet34 net;
    /** What the network's parameters, and so its inputs, are: float32, or float16 when halved. */
    private final DataType dtype;
    /**
     * The graph that serves this model's batches through ONNX Runtime (fp32 or INT8), or null for
     * libtorch. The DJL network stays loaded beside it for what needs its layers (Grad-CAM).
     */
    private OnnxSession onnx;
    /** What serves the batches, in words: "pytorch fp32", "onnxruntime int8", … */
    private String runtime = "pytorch fp32";

    private LinceModel(ModelInfo info, Device device) {
        DjlEnvironment.init();
        this.info = info;
        this.net = new ResNet34(info.classes().size());
        this.model = Model.newInstance("lince-resnet34-v" + info.version(), device, "PyTorch");
        this.dtype = DataType.FLOAT32;
        model.setBlock(net);
    }

    /**
     * Serving and feature extraction never need gradients: frozen parameters keep libtorch from
     * recording an autograd graph on threads where grad mode is on (libtorch's default).
     */
    private LinceModel frozen() {
        net.freezeTo(ResNet34.GROUPS);
        return this;
    }

    private LinceModel(ModelInfo info, Model model, ResNet34 net, DataType dtype) {
        this.info = info;
        this.model = model;
        this.net = net;
        this.dtype = dtype;
    }

    /**
     * A checkpoint ready to serve: loaded, and with {@code foldBatchNorm} its BatchNorm folded
     * into the convolutions (same outputs, less work per image).
     */
    public static LinceModel loadForServing(Path checkpoint, Device device, boolean foldBatchNorm) throws IOException {
        LinceModel m = load(checkpoint, device);
        if (!foldBatchNorm) {
            return m;
        }
        try (m) {
            return m.folded();
        }
    }

    /** A checkpoint ready to serve as {@code serving} says: folded or not, in its precision. */
    public static LinceModel loadForServing(Path checkpoint, Device device, Serving serving) throws IOException {
        LinceModel m = loadForServing(checkpoint, device, serving.foldBatchNorm());
        if (serving.precision() != Serving.Precision.FP16 || serving.runtime() != Serving.Runtime.PYTORCH) {
            return m; // ONNX Runtime's graphs (fp32, fp16, INT8) are put on the fp32 model by ModelStore#load
        }
        try (m) {
            return m.halved();
        }
    }

    /**
     * A float16 copy for serving (on a GPU: half the memory traffic, tensor cores); this model
     * stays as it is. Inputs are normalised in float32 and cast just before the network;
     * probabilities come out in float32.
     */
    public LinceModel halved() {
        Model m = Model.newInstance("lince-resnet34-v" + info.version() + "-fp16", device(), "PyTorch");
        try {
            ResNet34 h = new ResNet34(info.classes().size(), net.folded());
            h.initialize(m.getNDManager(), DataType.FLOAT16, inputShape(1));
            Map<String, Parameter> from = TorchvisionNames.of(net);
            try (NDManager scope = model.getNDManager().newSubManager()) {
                for (Map.Entry<String, Parameter> e : TorchvisionNames.of(h).entrySet()) {
                    NDArray source = from.get(e.getKey()).getArray();
                    NDArray half = source.toType(DataType.FLOAT16, true);
                    half.attach(scope);
                    e.getValue().getArray().set(new NDIndex("..."), half);
                }
            }
            h.freezeParameters(true);
            m.setBlock(h);
            LinceModel half = new LinceModel(info, m, h, DataType.FLOAT16);
            half.runtime = "pytorch fp16";
            return half;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Serves this model's batches through ONNX Runtime with {@code graph} (an {@link OnnxExport}
     * of this very model: fp32, or INT8), from now on; {@code precision} names it in logs.
     */
    public LinceModel servedBy(OnnxSession graph, String precision) {
        if (onnx != null) {
            onnx.close();
        }
        this.onnx = graph;
        this.runtime = "onnxruntime " + precision;
        return this;
    }

    /** What serves the batches: {@code pytorch fp32}, {@code pytorch fp16}, {@code onnxruntime int8}, … */
    public String runtime() {
        return runtime;
    }

    public DataType dataType() {
        return dtype;
    }

    /** A serving copy with BatchNorm folded into the convolutions; this model stays as it is. */
    public LinceModel folded() {
        Model m = Model.newInstance("lince-resnet34-v" + info.version() + "-folded", device(), "PyTorch");
        try {
            ResNet34 f = BatchNormFolding.fold(net, inputShape(1), m.getNDManager());
            m.setBlock(f);
            return new LinceModel(info, m, f, dtype);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Random body (torchvision's initialisation) and a zero head. */
    public static LinceModel random(ModelInfo info, Device device, long seed) {
        DjlEnvironment.init();
        Engine.getInstance().setRandomSeed((int) seed);
        LinceModel m = new LinceModel(info, device);
        m.net.initialize(m.model.getNDManager(), DataType.FLOAT32, m.inputShape(1));
        return m.frozen();
    }

    /** Loads a Lince checkpoint. */
    public static LinceModel load(Path checkpoint, Device device) throws IOException {
        ModelInfo info = Checkpoint.readInfo(checkpoint);
        LinceModel m = new LinceModel(info, device);
        try {
            Checkpoint.readInto(checkpoint, m.net, m.model.getNDManager());
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m.frozen();
    }

    /**
     * A torchvision/timm ResNet-34 from a {@code .safetensors} file or a {@code torch.save} state
     * dict ({@code .pth}, as torchvision caches it), with a new zero head when the file's {@code fc}
     * does not match {@code info}'s classes.
     */
    public static LinceModel fromWeights(Path file, ModelInfo info, Device device, long seed)
            throws IOException {
        LinceModel m = random(info, device, seed);
        try {
            if (TorchPickleWeights.isTorchZip(file)) {
                TorchPickleWeights.load(file, m.net, m.model.getNDManager());
            } else {
                SafetensorsWeights.load(file, m.net, m.model.getNDManager());
            }
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * SHA-256 of the body's weights and BatchNorm statistics (layer groups 0 and 1): equal digests
     * mean equal activations, whatever happened to the head.
     */
    public String bodyDigest() {
        java.security.MessageDigest sha = org.apache.commons.codec.digest.DigestUtils.getSha256Digest();
        for (int g = 0; g < 2; g++) {
            for (ai.djl.nn.Block b : net.layerGroup(g)) {
                b.getParameters().forEach(p -> {
                    sha.update(p.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    sha.update(p.getValue().getArray().toByteBuffer());
                });
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    public void save(Path file) throws IOException {
        if (net.folded()) {
            throw new IllegalStateException("a folded (serving) model cannot be saved; save the original");
        }
        Checkpoint.write(file, info, net);
    }

    /**
     * What the network says about a batch: each image's class probabilities (calibrated: the
     * logits divided by the model's temperature before the softmax) and its embedding, the 512
     * pooled body activations the head reads (what the drift watch and near-duplicate checks
     * compare).
     */
    public record Outputs(float[][] probabilities, float[][] embeddings) {}

    /**
     * Class probabilities for a batch of {@code n} RGB crops laid out one after another (HWC
     * bytes, {@code n × size × size × 3}); see {@link #outputs}.
     */
    public float[][] probabilities(ByteBuffer rgb, int n) {
        return outputs(rgb, n).probabilities();
    }

    /**
     * Probabilities and embeddings for a batch of {@code n} RGB crops laid out one after another
     * (HWC bytes, {@code n × size × size × 3}). The buffer becomes one tensor in one copy (to the
     * model's device, on a GPU); the conversion to floats, the layout change to NCHW and
     * ImageNet's normalisation run there, on the whole batch, in the same float32 operations as
     * {@link io.lince.images.Preprocessor#toTensor}. No predictor is made: the block is called
     * directly under one scope that frees every intermediate tensor. Safe on any thread.
     */
    public Outputs outputs(ByteBuffer rgb, int n) {
        OnnxSession.Raw raw = raw(rgb, n);
        return new Outputs(io.lince.learn.Calibration.softmaxRows(raw.logits(), n, info.temperature()), rows(raw.embeddings(), n));
    }

    /**
     * The network's logits (before the temperature) and embeddings for {@code n} crops, row-major,
     * from whichever runtime serves this model.
     */
    public OnnxSession.Raw raw(ByteBuffer rgb, int n) {
        int s = info.inputSize();
        if (rgb.remaining() != n * s * s * 3) {
            throw new IllegalArgumentException("expected " + n + " crops of " + s + "x" + s + "x3 bytes, got "
                    + rgb.remaining() + " bytes");
        }
        if (onnx != null) {
            return onnx.run(rgb, n);
        }
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = input(scope, rgb, n);
            ParameterStore ps = new ParameterStore(scope, false);
            NDArray pooled = net.features(ps, x, false);
            NDArray logits = net.head().forward(ps, new NDList(pooled), false).singletonOrThrow();
            return new OnnxSession.Raw(logits.toType(DataType.FLOAT32, false).toFloatArray(),
                    pooled.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }


    /** The batch's crops as the network's input: one tensor, NCHW, normalised, in the model's precision. */
    NDArray input(NDManager scope, ByteBuffer rgb, int n) {
        int s = info.inputSize();
        NDArray pixels = scope.create(rgb, new Shape(n, s, s, 3), DataType.UINT8);
        NDArray mean = scope.create(Preprocessor.mean(), new Shape(1, 3, 1, 1));
        NDArray std = scope.create(Preprocessor.std(), new Shape(1, 3, 1, 1));
        NDArray x = pixels.toType(DataType.FLOAT32, false).transpose(0, 3, 1, 2).div(255f).sub(mean).div(std);
        return dtype == DataType.FLOAT32 ? x : x.toType(dtype, false);
    }

    private static float[][] rows(float[] flat, int n) {
        int k = flat.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
        }
        return out;
    }

    /**
     * A predictor of already-normalised CHW floats, for tools and tests; predictors are not
     * thread-safe. Serving uses {@link #probabilities}.
     */
    public Predictor<float[], float[]> newPredictor() {
        return model.newPredictor(new ProbabilityTranslator(info.inputSize(), info.temperature()));
    }

    public Shape inputShape(int batch) {
        return new Shape(batch, 3, info.inputSize(), info.inputSize());
    }

    public ModelInfo info() {
        return info;
    }

    public ResNet34 network() {
        return net;
    }

    public Model djlModel() {
        return model;
    }

    public Device device() {
        return model.getNDManager().getDevice();
    }

    @Override
    public void close() {
        if (onnx != null) {
            onnx.close();
        }
        model.close();
    }
}
