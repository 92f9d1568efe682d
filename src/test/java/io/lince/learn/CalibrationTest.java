package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.model.Checkpoint;
import io.lince.model.LinceModel;
import io.lince.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /**
     * Labels drawn from calibrated probabilities sigmoid(z); the model reports sigmoid(5z), the
     * same ranking five times over-confident. Temperature scaling must find about 5 and remove most
     * of the calibration error.
     */
    @Test
    void anOverConfidentModelGetsATemperatureNearItsScaleAndItsEceDrops() {
        Random rnd = new Random(7);
        int n = 4000;
        float[][] p = new float[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double z = 1.5 * rnd.nextGaussian();
            labels[i] = rnd.nextDouble() < sigmoid(z) ? 1 : 0;
            double q = sigmoid(5 * z);
            p[i] = new float[] {(float) (1 - q), (float) q};
        }
        double t = Calibration.fitTemperature(p, labels);
        assertEquals(5, t, 0.5, "fitted temperature");
        double before = Calibration.ece(p, labels, Calibration.ECE_BINS);
        double after = Calibration.ece(Calibration.rescale(p, t), labels, Calibration.ECE_BINS);
        assertTrue(before > 0.1, "over-confident: ECE " + before);
        assertTrue(after < 0.03 && after < before / 4, "ECE " + before + " -> " + after);
        assertTrue(Calibration.brier(Calibration.rescale(p, t), labels) < Calibration.brier(p, labels), "Brier improves");
        Calibration.Report held = Calibration.crossFitted(p, labels, folds(n));
        assertEquals(t, held.temperature(), 1e-9);
        assertTrue(held.ece() < 0.04, "cross-fitted ECE " + held.ece());
        // a calibrated model is left about as it is
        float[][] honest = Calibration.rescale(p, 5);
        assertEquals(1, Calibration.fitTemperature(honest, labels), 0.1);
    }

    @Test
    void rescalingKeepsTheRankingAndSumsToOne() {
        float[] p = {0.7f, 0.2f, 0.1f};
        float[] sharper = Calibration.rescale(p, 0.5);
        float[] flatter = Calibration.rescale(p, 3);
        assertEquals(1, sharper[0] + sharper[1] + sharper[2], 1e-6);
        assertTrue(sharper[0] > 0.7f && flatter[0] < 0.7f && flatter[0] > flatter[1] && flatter[1] > flatter[2]);
        assertArrayEquals(p, Calibration.rescale(p, 1), 0f);
    }

    @Test
    void theReliabilityBinsHoldEachImageOnce() {
        float[][] p = {{0.05f, 0.95f}, {0.9f, 0.1f}, {0.4f, 0.6f}, {0.45f, 0.55f}};
        int[] labels = {1, 1, 1, 0};
        var bins = Calibration.reliability(p, labels, 10);
        assertEquals(4, bins.stream().mapToInt(Calibration.Bin::count).sum());
        Calibration.Bin top = bins.get(9);
        assertEquals(2, top.count());
        assertEquals(0.5, top.accuracy(), 1e-9, "0.95 right, 0.9 wrong");
        // ECE: bin 6 holds 0.6 (right): |0.6 - 1|; bin 5 0.55 (wrong): |0.55 - 0|; bin 9: |0.925 - 0.5| twice
        assertEquals((0.4 + 0.55 + 2 * 0.425) / 4, Calibration.ece(p, labels, 10), 1e-6);
    }

    /** The temperature travels in the checkpoint, and the served probabilities are softmax(logits / T). */
    @Test
    void aCheckpointsTemperatureIsWhatTheClassifierServesWith() throws Exception {
        Path file = Files.createTempDirectory("lince-cal").resolve("m.lince");
        try (LinceModel m = TestModels.constant(3, 32, 6f, -6f)) {
            Checkpoint.write(file, m.info().calibrated(3, null), m.network());
        }
        try (LinceModel served = LinceModel.load(file, ai.djl.Device.cpu())) {
            assertEquals(3, served.info().temperature(), 0);
            float[] p = served.probabilities(ByteBuffer.allocateDirect(32 * 32 * 3), 1)[0];
            assertEquals(1 / (1 + Math.exp(-4)), p[0], 1e-5, "softmax([6, -6] / 3)");
        }
    }

    private static boolean[] folds(int n) {
        boolean[] f = new boolean[n];
        for (int i = 0; i < n; i++) {
            f[i] = i % 2 == 0;
        }
        return f;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
