package io.lince.bench;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lince.images.ImageDecoder;
import io.lince.images.ImageFolder;
import io.lince.images.InputCrop;
import io.lince.learn.Calibration;
import io.lince.model.Checkpoint;
import io.lince.model.CpuFeatures;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.model.SafetensorsWeights;
import io.lince.model.onnx.Int8Calibration;
import io.lince.model.onnx.OnnxExport;
import io.lince.model.onnx.OnnxSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * bench/forward.sh's Java side: every forward path of Lince and of the PyTorch peer
 * (bench/pytorch_paths.py, driven over a pipe) on one machine in one run. For a checkpoint trained
 * with {@code train}: accuracy and log loss of each path on the valid photos at the model's input
 * size, ONNX Runtime's fp32 logits against libtorch's, and images/s at batch 8 and 32 at each
 * size in {@code SIZES}, the paths taking turns round after round.
 * Args: CHECKPOINT TRAIN_DIR VALID_DIR OUT_DIR [PYTHON]. System properties: sizes (model size and
 * 224), rounds (5), threads (2), calibration (300).
 */
public final class ForwardBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args[0]);
        List<ImageFolder.Entry> train = new ArrayList<>(ImageFolder.scan(Path.of(args[1])).entries());
        List<ImageFolder.Entry> valid = ImageFolder.scan(Path.of(args[2])).entries();
        Path out = Files.createDirectories(Path.of(args[3]));
        String python = args.length > 4 ? args[4] : null;
        int threads = Integer.getInteger("threads", 2);
        int rounds = Integer.getInteger("rounds", 5);
        int calibrationImages = Integer.getInteger("calibration", 300);
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        Collections.shuffle(train, new Random(1));
        List<ImageFolder.Entry> calibration = train.subList(0, Math.min(calibrationImages, train.size()));
        ModelInfo info = Checkpoint.readInfo(checkpoint);
        List<Integer> sizes = new ArrayList<>(List.of(info.inputSize()));
        for (String s : System.getProperty("sizes", "224").split(",")) {
            if (!sizes.contains(Integer.parseInt(s.trim()))) {
                sizes.add(Integer.parseInt(s.trim()));
            }
        }
        StringBuilder md = new StringBuilder("# Forward paths: Lince and the PyTorch peer\n\n");
        md.append(String.format(Locale.ROOT, "Checkpoint %s (v%d, %d px, T %.3f); %d threads; CPU flags: %s; %d rounds in turns; %s%n%n",
                checkpoint.getFileName(), info.version(), info.inputSize(), info.temperature(), threads,
                CpuFeatures.here().describe(), rounds, java.time.Instant.now()));
        Peer peer = null;
        try (LinceModel loaded = LinceModel.load(checkpoint, Device.cpu())) {
            Path weights = out.resolve("weights.safetensors");
            SafetensorsWeights.save(loaded.network(), weights);
            if (python != null) {
                peer = new Peer(python, weights, info.classes().size(), threads);
            }
            md.append("bf16 from Java: ").append(bf16Evidence()).append("\n\n");
            Map<String, double[]> accuracy = new LinkedHashMap<>();
            Map<String, Map<String, List<Double>>> speed = new LinkedHashMap<>();
            for (int size : sizes) {
                Path sized = out.resolve("model-" + size + ".lince");
                Checkpoint.write(sized, new ModelInfo(info.version(), info.parentVersion(), info.classes(), size,
                        info.temperature(), null), loaded.network());
                try (LinceModel m = LinceModel.loadForServing(sized, Device.cpu(), true)) {
                    ByteBuffer calib = crops(calibration, size);
                    Files.write(out.resolve("calib-" + size + ".u8"), bytes(calib));
                    List<ByteBuffer> calibBatches = split(calib, size, 32);
                    long q0 = System.nanoTime();
                    byte[] int8 = Int8Calibration.quantize(m, calibBatches, threads);
                    double quantizeSeconds = (System.nanoTime() - q0) / 1e9;
                    byte[] fp32 = OnnxExport.fp32(m).toByteArray();
                    Files.write(out.resolve("lince-" + size + "-fp32.onnx"), fp32);
                    Files.write(out.resolve("lince-" + size + "-int8.onnx"), int8);
                    try (OnnxSession ortFp32 = new OnnxSession(fp32, size, threads, -1);
                            OnnxSession ortInt8 = new OnnxSession(int8, size, threads, -1)) {
                        Map<String, BiFunction<ByteBuffer, Integer, float[]>> lince = new LinkedHashMap<>();
                        lince.put("lince-pytorch-fp32", (b, n) -> m.raw(b, n).logits());
                        lince.put("lince-onnxruntime-fp32", (b, n) -> ortFp32.run(b, n).logits());
                        lince.put("lince-onnxruntime-int8", (b, n) -> ortInt8.run(b, n).logits());
                        List<String> peerPaths = peer == null ? List.of()
                                : peer.build(size, out.resolve("calib-" + size + ".u8"));
                        if (size == info.inputSize()) {
                            md.append(String.format(Locale.ROOT, "INT8 calibration on %d training images took %.1f s.%n%n",
                                    calibration.size(), quantizeSeconds));
                            ByteBuffer v = crops(valid, size);
                            Path validFile = out.resolve("valid-" + size + ".u8");
                            Files.write(validFile, bytes(v));
                            int[] labels = valid.stream().mapToInt(e -> info.classIndex(e.label())).toArray();
                            Map<String, float[]> logits = new LinkedHashMap<>();
                            for (Map.Entry<String, BiFunction<ByteBuffer, Integer, float[]>> p : lince.entrySet()) {
                                logits.put(p.getKey(), logitsOf(p.getValue(), v, size, valid.size()));
                            }
                            for (String p : peerPaths) {
                                logits.put(p, peer.eval(p, validFile, out.resolve(p + ".f32"), valid.size() * info.classes().size()));
                            }
                            for (Map.Entry<String, float[]> e : logits.entrySet()) {
                                float[][] prob = Calibration.softmaxRows(e.getValue(), e.getValue().length / info.classes().size(), info.temperature());
                                accuracy.put(e.getKey(), new double[] {Calibration.accuracy(prob, labels), Calibration.logLoss(prob, labels)});
                            }
                            md.append(String.format(Locale.ROOT, "ONNX Runtime fp32 logits vs libtorch's on the %d valid photos: largest difference %.2e of the largest logit.%n%n",
                                    valid.size(), OnnxExport.relativeDifference(logits.get("lince-onnxruntime-fp32"), logits.get("lince-pytorch-fp32"))));
                        }
                        for (int batch : new int[] {8, 32}) {
                            ByteBuffer x = randomCrops(batch, size);
                            int iters = Math.max(2, (size <= 128 ? 96 : 32) / batch * 2);
                            for (int r = 0; r < rounds; r++) {
                                for (Map.Entry<String, BiFunction<ByteBuffer, Integer, float[]>> p : lince.entrySet()) {
                                    record(speed, p.getKey(), size, batch, rate(p.getValue(), x, batch, iters));
                                }
                                for (String p : peerPaths) {
                                    record(speed, p, size, batch, peer.speed(p, batch, iters));
                                }
                            }
                        }
                    }
                }
            }
            table(md, sizes, accuracy, speed, info);
        } finally {
            if (peer != null) {
                peer.close();
            }
        }
        Files.writeString(out.resolve("forward.md"), md);
        System.out.println(md);
        System.exit(0);
    }

    private static void record(Map<String, Map<String, List<Double>>> speed, String path, int size, int batch, double rate) {
        speed.computeIfAbsent(path, k -> new LinkedHashMap<>()).computeIfAbsent(size + "/" + batch, k -> new ArrayList<>()).add(rate);
        System.out.printf(Locale.ROOT, "[speed] %-24s %3d px batch %2d: %.1f images/s%n", path, size, batch, rate);
    }

    private static void table(StringBuilder md, List<Integer> sizes, Map<String, double[]> accuracy,
            Map<String, Map<String, List<Double>>> speed, ModelInfo info) {
        List<String> cols = new ArrayList<>();
        for (int s : sizes) {
            cols.add(s + "/8");
            cols.add(s + "/32");
        }
        md.append("Images/s (median of the rounds) at SIZE px / BATCH, and × PyTorch eager fp32 in the same rounds; accuracy and log loss on the valid photos at ")
                .append(info.inputSize()).append(" px (temperature applied to every path alike):\n\n| path |");
        cols.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append(" accuracy | log loss |\n|---|");
        cols.forEach(c -> md.append("---|"));
        md.append("---|---|\n");
        Map<String, List<Double>> base = speed.get("pytorch-fp32");
        for (String path : speed.keySet()) {
            md.append("| ").append(path).append(" |");
            for (String c : cols) {
                double v = median(speed.get(path).get(c));
                md.append(String.format(Locale.ROOT, " %.1f", v));
                if (base != null) {
                    md.append(String.format(Locale.ROOT, " (%.2f×)", ratioInTurns(speed.get(path).get(c), base.get(c))));
                }
                md.append(" |");
            }
            double[] a = accuracy.get(path);
            md.append(a == null ? " - | - |" : String.format(Locale.ROOT, " %.4f | %.4f |", a[0], a[1])).append('\n');
        }
    }

    /** The median over rounds of this path's rate over the baseline's in the same round. */
    private static double ratioInTurns(List<Double> path, List<Double> base) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(path.size(), base.size()); i++) {
            r.add(path.get(i) / base.get(i));
        }
        return median(r);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static double rate(BiFunction<ByteBuffer, Integer, float[]> path, ByteBuffer x, int batch, int iters) {
        path.apply(x.duplicate(), batch);
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            path.apply(x.duplicate(), batch);
        }
        return batch * (double) iters / ((System.nanoTime() - t0) / 1e9);
    }

    private static float[] logitsOf(BiFunction<ByteBuffer, Integer, float[]> path, ByteBuffer all, int size, int n) {
        int per = size * size * 3;
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < n; i += 32) {
            int k = Math.min(32, n - i);
            ByteBuffer b = ByteBuffer.allocateDirect(k * per);
            b.put(all.duplicate().position(i * per).limit((i + k) * per)).flip();
            float[] l = path.apply(b, k);
            parts.add(l);
            total += l.length;
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static ByteBuffer crops(List<ImageFolder.Entry> entries, int size) throws Exception {
        InputCrop crop = new InputCrop(ImageDecoder.defaults(), true);
        ByteBuffer b = ByteBuffer.allocateDirect(entries.size() * size * size * 3);
        for (ImageFolder.Entry e : entries) {
            b.put(crop.crop(Files.readAllBytes(e.file()), size));
        }
        return b.flip();
    }

    private static List<ByteBuffer> split(ByteBuffer all, int size, int batch) {
        int per = size * size * 3;
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < all.remaining() / per; i += batch) {
            out.add(all.duplicate().position(i * per).limit(Math.min(all.remaining(), (i + batch) * per)).slice());
        }
        return out;
    }

    private static ByteBuffer randomCrops(int n, int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(n * size * size * 3);
        Random r = new Random(1);
        while (b.hasRemaining()) {
            b.put((byte) r.nextInt(256));
        }
        return b.flip();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /**
     * Whether ONNX Runtime (the one runtime Lince drives from Java that could) runs a bf16
     * convolution on this CPU: a one-convolution bf16 graph, and what loading or running it says.
     */
    static String bf16Evidence() {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("bf16_conv");
        int bf16 = OnnxMl.TensorProto.DataType.BFLOAT16.getNumber();
        g.addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder().setElemType(bf16).setShape(OnnxMl.TensorShapeProto.newBuilder()
                        .addDim(dim(1)).addDim(dim(8)).addDim(dim(16)).addDim(dim(16))))));
        g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y").setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder().setElemType(bf16))));
        ByteBuffer w = ByteBuffer.allocate(8 * 8 * 9 * 2).order(ByteOrder.LITTLE_ENDIAN);
        g.addInitializer(OnnxMl.TensorProto.newBuilder().setName("w").setDataType(bf16).addDims(8).addDims(8).addDims(3).addDims(3)
                .setRawData(com.google.protobuf.ByteString.copyFrom(w.array())));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Conv").addInput("x").addInput("w").addOutput("y"));
        byte[] model = OnnxMl.ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray();
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model, new OrtSession.SessionOptions())) {
            return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " loaded a bf16 convolution (not expected: measure it)";
        } catch (Exception e) {
            return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " refuses a bf16 convolution on the CPU: "
                    + e.getMessage().replace('\n', ' ');
        }
    }

    private static OnnxMl.TensorShapeProto.Dimension dim(long v) {
        return OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(v).build();
    }

    /** bench/pytorch_paths.py, one command a line. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final PrintWriter in;
        final BufferedReader out;

        Peer(String python, Path weights, int classes, int threads) throws Exception {
            process = new ProcessBuilder(python, "bench/pytorch_paths.py", weights.toString(), String.valueOf(classes),
                    String.valueOf(threads)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            System.out.println("[peer] " + read());
        }

        JsonNode ask(String line) throws Exception {
            in.println(line);
            return read();
        }

        JsonNode read() throws Exception {
            String l = out.readLine();
            if (l == null) {
                throw new IllegalStateException("bench/pytorch_paths.py ended");
            }
            return JSON.readTree(l);
        }

        List<String> build(int size, Path calibration) throws Exception {
            JsonNode r = ask("build " + size + " " + calibration);
            System.out.println("[peer] " + r);
            List<String> paths = new ArrayList<>();
            r.get("paths").forEach(p -> paths.add(p.asText()));
            return paths;
        }

        float[] eval(String path, Path crops, Path logits, int values) throws Exception {
            ask("eval " + path + " " + crops + " " + logits);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(logits)).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[values];
            b.asFloatBuffer().get(f);
            return f;
        }

        double speed(String path, int batch, int iters) throws Exception {
            return ask("speed " + path + " " + batch + " " + iters).get("rate").asDouble();
        }

        @Override
        public void close() {
            in.close();
            process.destroy();
        }
    }
}
