package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.nn.Parameter;
import io.lince.testing.TestModels;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchNormFoldingTest {

    @TempDir
    Path dir;

    @Test
    void pairsConvolutionsWithTheirBatchNorms() {
        assertEquals("bn1", BatchNormFolding.batchNormOf("conv1"));
        assertEquals("layer1.0.bn2", BatchNormFolding.batchNormOf("layer1.0.conv2"));
        assertEquals("layer3.0.downsample.1", BatchNormFolding.batchNormOf("layer3.0.downsample.0"));
    }

    @Test
    void theFoldedNetworkComputesTheSameFunctionWithoutBatchNorm() throws Exception {
        Random r = new Random(5);
        try (LinceModel m = TestModels.random(1, 64)) {
            // trained-looking statistics, so folding has something to do
            for (Map.Entry<String, Parameter> e : TorchvisionNames.of(m.network()).entrySet()) {
                String n = e.getKey();
                if (n.contains("bn") || n.contains("downsample.1") || n.startsWith("fc.")) {
                    float[] v = new float[(int) e.getValue().getArray().size()];
                    for (int i = 0; i < v.length; i++) {
                        double g = r.nextGaussian();
                        v[i] = (float) (n.endsWith("running_var") ? 0.5 + Math.abs(g)
                                : n.startsWith("fc.") ? 0.01 * g : n.endsWith("weight") ? 1 + 0.2 * g : 0.1 * g);
                    }
                    e.getValue().getArray().set(v);
                }
            }
            float[] x = new float[3 * 64 * 64];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            try (LinceModel folded = m.folded();
                    Predictor<float[], float[]> a = m.newPredictor();
                    Predictor<float[], float[]> b = folded.newPredictor()) {
                float[] pa = a.predict(x);
                float[] pb = b.predict(x);
                assertEquals(pa[0], pb[0], 1e-4);
                assertEquals(pa[1], pb[1], 1e-4);
                // the body's activations agree to float rounding
                try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
                    float[] fa = m.network().features(new ai.djl.training.ParameterStore(nd, false),
                            nd.create(x, m.inputShape(1)), false).toFloatArray();
                    float[] fb = folded.network().features(new ai.djl.training.ParameterStore(nd, false),
                            nd.create(x, m.inputShape(1)), false).toFloatArray();
                    double scale = 0;
                    double worst = 0;
                    for (int i = 0; i < fa.length; i++) {
                        scale = Math.max(scale, Math.abs(fa[i]));
                        worst = Math.max(worst, Math.abs(fa[i] - fb[i]));
                    }
                    assertTrue(scale > 0.1, "activations are not trivial: " + scale);
                    assertTrue(worst / scale < 1e-4, "relative difference " + worst / scale);
                }
                Map<String, Parameter> names = TorchvisionNames.of(folded.network());
                assertFalse(names.keySet().stream().anyMatch(k -> k.contains("bn") || k.contains("running")), names.keySet().toString());
                assertTrue(names.containsKey("layer2.0.downsample.0.bias"));
                assertEquals(m.info(), folded.info());
                assertThrows(IllegalStateException.class, () -> folded.save(dir.resolve("x.lince")));
            }
        }
    }
}
