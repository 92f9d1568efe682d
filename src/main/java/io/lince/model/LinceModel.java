package io.lince.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;

/** A ResNet-34 classifier with the metadata that travels with it. */
public final class LinceModel implements AutoCloseable {

    private final ModelInfo info;
    private final Model model;
    private final ResNet34 net;

    private LinceModel(ModelInfo info, Device device) {
        DjlEnvironment.init();
        this.info = info;
        this.net = new ResNet34(info.classes().size());
        this.model = Model.newInstance("lince-resnet34-v" + info.version(), device, "PyTorch");
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

    private LinceModel(ModelInfo info, Model model, ResNet34 net) {
        this.info = info;
        this.model = model;
        this.net = net;
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

    /** A serving copy with BatchNorm folded into the convolutions; this model stays as it is. */
    public LinceModel folded() {
        Model m = Model.newInstance("lince-resnet34-v" + info.version() + "-folded", device(), "PyTorch");
        try {
            ResNet34 f = BatchNormFolding.fold(net, inputShape(1), m.getNDManager());
            m.setBlock(f);
            return new LinceModel(info, m, f);
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
     * A torchvision/timm ResNet-34 from a {@code .safetensors} file, with a new zero head when the
     * file's {@code fc} does not match {@code info}'s classes.
     */
    public static LinceModel fromSafetensors(Path file, ModelInfo info, Device device, long seed)
            throws IOException {
        LinceModel m = random(info, device, seed);
        try {
            SafetensorsWeights.load(file, m.net, m.model.getNDManager());
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
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** A predictor for this thread; predictors are not thread-safe. */
    public Predictor<float[], float[]> newPredictor() {
        return model.newPredictor(new ProbabilityTranslator(info.inputSize()));
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
        model.close();
    }
}
