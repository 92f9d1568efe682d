package io.lince.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Loads bench/safetensors_export.py's torchvision weights into Lince's ResNet-34, runs the same
 * inputs and compares the logits with torchvision's (run by bench/safetensors_check.sh).
 */
public final class SafetensorsCheck {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        float[] x = floats(dir.resolve("inputs.f32"));
        float[] expected = floats(dir.resolve("torch-logits.f32"));
        int n = x.length / (3 * 224 * 224);
        boolean ok = true;
        for (String file : new String[] {"resnet34-random.safetensors", "resnet34-random.pth"}) {
            ok &= check(dir.resolve(file), x, expected, n);
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean check(Path weights, float[] x, float[] expected, int n) throws Exception {
        ModelInfo info = new ModelInfo(1, null, IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList(), 224);
        try (LinceModel m = LinceModel.fromWeights(weights, info, Device.cpu(), 1);
                NDManager nd = m.djlModel().getNDManager().newSubManager()) {
            NDArray in = nd.create(x, m.inputShape(n));
            float[] actual = m.network().forward(new ParameterStore(nd, false), new NDList(in), false).head().toFloatArray();
            double maxAbs = 0;
            double maxRef = 0;
            double maxRel = 0;
            for (int i = 0; i < actual.length; i++) {
                double d = Math.abs(actual[i] - expected[i]);
                maxAbs = Math.max(maxAbs, d);
                maxRef = Math.max(maxRef, Math.abs(expected[i]));
                maxRel = Math.max(maxRel, d / Math.max(1e-3, Math.abs(expected[i])));
            }
            int agree = 0;
            for (int r = 0; r < n; r++) {
                agree += argMax(actual, r) == argMax(expected, r) ? 1 : 0;
            }
            System.out.printf("%s: %d images x 1000 logits: max |diff| %.3e, max |logit| %.3e, max |diff|/max |logit| %.3e,"
                    + " max elementwise relative diff (|logit| >= 1e-3) %.3e, top-1 agrees %d/%d%n",
                    weights.getFileName(), n, maxAbs, maxRef, maxAbs / maxRef, maxRel, agree, n);
            return maxAbs / maxRef <= 1e-4;
        }
    }

    private static int argMax(float[] logits, int row) {
        int best = 0;
        for (int k = 1; k < 1000; k++) {
            if (logits[row * 1000 + k] > logits[row * 1000 + best]) {
                best = k;
            }
        }
        return best;
    }

    private static float[] floats(Path file) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
