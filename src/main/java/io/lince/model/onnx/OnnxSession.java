package io.lince.model.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/**
 * A Lince ONNX graph ({@link OnnxExport}) in an ONNX Runtime session. {@link #run} takes the
 * batch's crops in the same direct buffer the PyTorch path reads: ONNX Runtime wraps a direct
 * buffer without copying it, so the batch still crosses into native memory once. Safe on any
 * thread (ONNX Runtime's {@code run} is).
 */
public final class OnnxSession implements AutoCloseable {

    /** Raw network outputs: logits (before the temperature) and the pooled embeddings, both row-major. */
    public record Raw(float[] logits, float[] embeddings) {}

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int inputSize;

    /**
     * @param intraOpThreads threads for one batch (0: ONNX Runtime's default, one per physical core)
     * @param cudaDevice the CUDA device to run on, or -1 for the CPU (CUDA needs the
     *     {@code onnxruntime_gpu} artifact on the class path in place of {@code onnxruntime})
     */
    public OnnxSession(byte[] model, int inputSize, int intraOpThreads, int cudaDevice) throws OrtException {
        this.inputSize = inputSize;
        try (SessionOptions options = new SessionOptions()) {
            options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            options.setInterOpNumThreads(1);
            // ONNX Runtime's workers spin between parallel regions by default: in a classifier the
            // decode pool, Kafka's threads and the broker need those cores between batches
            options.addConfigEntry("session.intra_op.allow_spinning", System.getProperty("lince.onnxruntime.spinning", "0"));
            if (cudaDevice >= 0) {
                options.addCUDA(cudaDevice);
            }
            this.session = env.createSession(model, options);
        }
    }

    /** Runs the graph's {@code outputs} on {@code n} crops (uint8 NHWC RGB, {@code n × size × size × 3}). */
    public Map<String, float[]> run(ByteBuffer rgb, int n, Set<String> outputs) {
        if (rgb.remaining() != n * inputSize * inputSize * 3) {
            throw new IllegalArgumentException("expected " + n + " crops of " + inputSize + "x" + inputSize
                    + "x3 bytes, got " + rgb.remaining() + " bytes");
        }
        try (OnnxTensor pixels = OnnxTensor.createTensor(env, rgb, new long[] {n, inputSize, inputSize, 3}, OnnxJavaType.UINT8);
                OrtSession.Result result = session.run(Map.of(OnnxExport.PIXELS, pixels), outputs)) {
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            for (String name : outputs) {
                FloatBuffer f = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
                float[] a = new float[f.remaining()];
                f.get(a);
                out.put(name, a);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + ": " + e.getMessage(), e);
        }
    }

    /** Logits and embeddings for {@code n} crops. */
    public Raw run(ByteBuffer rgb, int n) {
        Map<String, float[]> out = run(rgb, n, Set.of(OnnxExport.LOGITS, OnnxExport.EMBEDDING));
        return new Raw(out.get(OnnxExport.LOGITS), out.get(OnnxExport.EMBEDDING));
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
