package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.lince.model.LinceModel;
import io.lince.testing.TestModels;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadTrainerTest {

    /** Two Gaussian clouds in 512-d, apart along 32 axes, on a large offset and scale. */
    private static float[][] clouds(int n, int[] labels, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][512];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < 512; j++) {
                x[i][j] = (float) (50 + 20 * r.nextGaussian());
            }
            for (int j = 0; j < 32; j++) {
                x[i][j] += labels[i] == 0 ? -40 : 40;
            }
        }
        return x;
    }

    @Test
    void learnsSeparableActivationsAndFoldsTheStandardisationIntoTheHead() {
        int[] y = new int[64];
        float[][] x = clouds(64, y, 1);
        HeadTrainer.Head head = new HeadTrainer(30, 0.05f, 16).fit(x, y, 2, Device.cpu());
        assertEquals(1.0, head.trainAccuracy(), 1e-9);
        assertTrue(head.trainLoss() < 0.2, "loss " + head.trainLoss());

        // the folded head works on raw activations, no standardisation step
        int[] yTest = new int[40];
        float[][] xTest = clouds(40, yTest, 2);
        int right = 0;
        for (int i = 0; i < 40; i++) {
            double z0 = head.bias()[0];
            double z1 = head.bias()[1];
            for (int j = 0; j < 512; j++) {
                z0 += head.weight()[j] * xTest[i][j];
                z1 += head.weight()[512 + j] * xTest[i][j];
            }
            right += (z1 > z0 ? 1 : 0) == yTest[i] ? 1 : 0;
        }
        assertTrue(right >= 38, right + "/40 held-out points right");
    }

    @Test
    void installSetsTheNetworksHead() throws Exception {
        try (LinceModel m = TestModels.random(1, 32);
                Predictor<float[], float[]> p = m.newPredictor()) {
            float[] before = p.predict(new float[3 * 32 * 32]);
            assertEquals(0.5f, before[0], 1e-6);
            HeadTrainer.install(new HeadTrainer.Head(new float[2 * 512], new float[] {0f, (float) Math.log(3)}, 2, 1, 0),
                    m.network());
            float[] after = p.predict(new float[3 * 32 * 32]);
            assertEquals(0.75f, after[1], 1e-5);
        }
    }
}
