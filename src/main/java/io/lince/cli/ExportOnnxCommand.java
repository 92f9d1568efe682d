package io.lince.cli;

import ai.djl.Device;
import io.lince.config.LinceConfig;
import io.lince.contracts.ModelPublished;
import io.lince.images.ImageFolder;
import io.lince.model.Checkpoint;
import io.lince.model.LinceModel;
import io.lince.model.onnx.OnnxExport;
import io.lince.model.onnx.OnnxSession;
import io.lince.registry.ModelStore;
import io.lince.retraining.Int8Gate;
import io.lince.retraining.Int8Rule;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        description = {"Writes a Lince model as an ONNX graph (opset 13, dynamic batch, BatchNorm folded): input 'pixels',",
                "uint8 RGB crops NHWC (batch x size x size x 3); outputs 'logits' (divide by the metadata's",
                "lince.temperature, then softmax) and 'embedding'. With --int8, the static QDQ INT8 graph",
                "calibrated on --calibration's images; with --valid, fp32 and INT8 are scored on those photos."},
        footer = {"", "Examples:",
                "  lince export-onnx work/models/scratch128.lince scratch128.onnx",
                "  lince export-onnx 5 v5.int8.onnx --int8 --calibration data/train --valid data/valid --bootstrap-servers kafka:9092"})
class ExportOnnxCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Mixin
    ClusterOption cluster;

    @Parameters(index = "0", paramLabel = "VERSION|CHECKPOINT",
            description = "a version in the registry (3 or v3) or a checkpoint file")
    String source;

    @Parameters(index = "1", paramLabel = "OUT", description = "the .onnx file to write")
    Path out;

    @Option(names = "--int8", description = "write the INT8 (QDQ) graph")
    boolean int8;

    @Option(names = "--calibration", paramLabel = "DIR",
            description = "images to calibrate INT8 activations on (any folder, searched recursively)")
    Path calibration;

    @Option(names = "--calibration-images", defaultValue = "300", description = "at most this many of them (default: ${DEFAULT-VALUE})")
    int calibrationImages;

    @Option(names = "--valid", paramLabel = "DIR", description = "one subfolder per class: fp32 and INT8 scored on them")
    Path valid;

    @Override
    public Integer call() throws Exception {
        Path checkpoint = checkpoint();
        try (LinceModel model = LinceModel.loadForServing(checkpoint, Device.cpu(), true)) {
            byte[] graph;
            String how;
            if (int8) {
                if (calibration == null) {
                    System.err.println("--int8 needs --calibration DIR: the images its activations are calibrated on");
                    return 2;
                }
                List<ImageFolder.Entry> judged = valid == null ? List.of() : ImageFolder.scan(valid).entries();
                Int8Gate.Result r = new Int8Gate(new Int8Rule(true, Int8Rule.DEFAULT.epsilon(), Int8Rule.DEFAULT.logLossDelta(),
                        1, calibrationImages)).check(model, images(calibration), judged, 1);
                graph = r.graph();
                how = "INT8, calibrated on " + r.metrics().get("int8.calibrationImages").intValue() + " images"
                        + (judged.isEmpty() ? "" : "; " + r.reason());
            } else {
                graph = OnnxExport.fp32(model).toByteArray();
                how = "fp32; " + parity(model, graph);
            }
            Files.write(out, graph);
            System.out.printf(Locale.ROOT, "wrote %s (%.1f MB): v%d, classes %s, %d px, %s%n", out, graph.length / 1e6,
                    model.info().version(), model.info().classes(), model.info().inputSize(), how);
        }
        return 0;
    }

    /** The checkpoint file SOURCE names, verified against the registry's digest when it is a version. */
    private Path checkpoint() throws IOException {
        Path file = Path.of(source);
        if (Files.isRegularFile(file) && Checkpoint.looksLikeCheckpoint(file)) {
            return file;
        }
        int v;
        try {
            v = ModelsCommand.number(source);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + " is neither a checkpoint file nor a version number like 3 or v3");
        }
        ModelPublished m = ModelsCommand.registry(config, cluster, "export-onnx").versions().get(v);
        if (m == null) {
            throw new IOException("the registry has no v" + v);
        }
        return new ModelStore(config.modelStoreDir()).verified(m);
    }

    /** Every image file under {@code dir}. */
    private static List<ImageFolder.Entry> images(Path dir) throws IOException {
        List<ImageFolder.Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(jpe?g|png|bmp|gif|webp)")).sorted().forEach(p -> out.add(new ImageFolder.Entry(p, "")));
        }
        if (out.isEmpty()) {
            throw new IOException("no images under " + dir);
        }
        return out;
    }

    /** ONNX Runtime's logits against libtorch's on a batch of random crops. */
    private static String parity(LinceModel model, byte[] graph) throws Exception {
        int s = model.info().inputSize();
        int n = 4;
        ByteBuffer crops = ByteBuffer.allocateDirect(n * s * s * 3);
        java.util.Random r = new java.util.Random(1);
        while (crops.hasRemaining()) {
            crops.put((byte) r.nextInt(256));
        }
        crops.flip();
        try (OnnxSession session = new OnnxSession(graph, s, 0, -1)) {
            double d = OnnxExport.relativeDifference(session.run(crops.duplicate(), n).logits(), model.raw(crops.duplicate(), n).logits());
            return String.format(Locale.ROOT, "ONNX Runtime's logits within %.1e (relative) of libtorch's on %d random crops", d, n);
        }
    }
}
