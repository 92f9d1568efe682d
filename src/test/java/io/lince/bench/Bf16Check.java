package io.lince.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.lince.model.DjlEnvironment;
import java.nio.file.Path;
import java.util.Locale;

/**
 * bench/bf16.sh: the TorchScript ResNet-34s of bench/bf16_export.py, timed through DJL's libtorch
 * on one fixed input batch. Args: DIR BATCH.
 */
public final class Bf16Check {

    public static void main(String[] args) throws Exception {
        DjlEnvironment.init();
        Path dir = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        float[] reference = null;
        double fp32Rate = 0;
        for (String name : new String[] {"fp32", "bf16", "bf16-channels-last"}) {
            try (Model m = Model.newInstance(name, Device.cpu(), "PyTorch")) {
                m.load(dir, name);
                NDManager nd = m.getNDManager();
                nd.getEngine().setRandomSeed(1);
                NDArray x = nd.randomNormal(new Shape(batch, 3, 224, 224));
                ParameterStore ps = new ParameterStore(nd, false);
                float[] logits = forward(m, ps, x); // warm-up, and the outputs to compare
                int iters = name.equals("fp32") ? Math.max(2, 48 / batch) : 1;
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    forward(m, ps, x);
                }
                double rate = batch * iters / ((System.nanoTime() - t0) / 1e9);
                if (reference == null) {
                    reference = logits;
                    fp32Rate = rate;
                }
                double maxDiff = 0;
                double maxAbs = 0;
                for (int i = 0; i < logits.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits[i] - reference[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(reference[i]));
                }
                System.out.printf(Locale.ROOT, "[bf16] %-18s %6.2f images/s = %.2f× fp32; max |Δlogit| %.3f of %.2f%n",
                        name, rate, rate / fp32Rate, maxDiff, maxAbs);
            }
        }
    }

    private static float[] forward(Model m, ParameterStore ps, NDArray x) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDList out = m.getBlock().forward(ps, new NDList(x), false);
            out.attach(scope);
            return out.head().toFloatArray();
        }
    }
}
