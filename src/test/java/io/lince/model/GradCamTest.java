package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.Augmentation;
import io.lince.learn.Dataset;
import io.lince.learn.Learner;
import io.lince.learn.OptimizerSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import io.lince.testing.TestModels;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated images whose class is decided by one region: "square" has a red square filling one
 * quadrant (64 px in: the last block's 2×2 grid of 32 px cells), "plain" only grey noise. A
 * ResNet-34 trained from scratch for 8 epochs (flips and rotations, so that no position is
 * special) to tell them apart: the heat map for "square" must peak on the square's quadrant,
 * wherever it lies. (With the random body of an untrained network the map is dominated by where
 * the zero padding reaches, not by the image, so training comes first. At 96 px, a 3×3 grid, the
 * same training put 6 of 9 peaks on the square and the other 3 one cell towards the centre.)
 */
class GradCamTest {

    static final int SIZE = 64;
    static final int GRID = 2;
    static final int CELL = 32;

    @Test
    void theHeatMapsPeakLiesOnTheRegionThatDecidesTheClass() throws Exception {
        Path root = Files.createTempDirectory("lince-gradcam");
        Random rnd = new Random(5);
        for (String split : List.of("train", "valid")) {
            for (int c = 0; c < 2; c++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(c == 0 ? "plain" : "square"));
                for (int i = 0; i < (split.equals("train") ? 48 : 8); i++) {
                    Files.write(dir.resolve(i + ".png"), png(image(c, rnd.nextInt(GRID), rnd.nextInt(GRID), rnd)));
                }
            }
        }
        Learner.Settings ls = new Learner.Settings(SIZE, 16, Augmentation.preset(Augmentation.TOP_DOWN, 1.0),
                new OptimizerSettings(OptimizerSettings.Kind.ADAMW, 0.9f, 0.01f), 3, root.resolve("work"));
        try (Learner l = Learner.create(Dataset.load(root, 0.2, 1), ls, Optional.empty(), ai.djl.Device.cpu(),
                new PrintStream(PrintStream.nullOutputStream()))) {
            l.unfreeze();
            l.fitOneCycle(new float[] {3e-3f, 3e-3f, 3e-3f}, 8, null, false);
            LinceModel m = l.model();
            int right = 0;
            int onSquare = 0;
            int tried = 0;
            for (int row = 0; row < GRID; row++) {
                for (int col = 0; col < GRID; col++) {
                    byte[] img = image(1, row, col, rnd);
                    right += m.outputs(buffer(img), 1).probabilities()[0][1] > 0.5 ? 1 : 0;
                    GradCam.HeatMap h = GradCam.of(m, img, 1);
                    assertEquals(GRID, h.rows());
                    assertEquals(1f, max(h), 1e-6f);
                    onSquare += java.util.Arrays.equals(h.peak(), new int[] {row, col}) ? 1 : 0;
                    tried++;
                }
            }
            assertTrue(right >= tried - 1, right + " of " + tried + " squares classified as squares: the model must work first");
            assertEquals(tried, onSquare, "heat-map peaks on the square's cell");
            BufferedImage overlay = GradCam.overlay(image(1, 1, 0, rnd), SIZE, GradCam.of(m, image(1, 1, 0, rnd), 1));
            assertEquals(SIZE, overlay.getWidth());
        }
    }

    private static float max(GradCam.HeatMap h) {
        float mx = 0;
        for (float[] r : h.cells()) {
            for (float v : r) {
                mx = Math.max(mx, v);
            }
        }
        return mx;
    }

    private static byte[] png(byte[] rgb) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int i = (y * SIZE + x) * 3;
                img.setRGB(x, y, ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff));
            }
        }
        return io.lince.images.SyntheticImages.encode(img, "png");
    }

    private static ByteBuffer buffer(byte[] rgb) {
        return ByteBuffer.allocateDirect(rgb.length).put(rgb).flip();
    }

    /** Grey noise; with {@code label} 1 a red square filling grid cell (row, col). */
    static byte[] image(int label, int row, int col, Random rnd) {
        byte[] rgb = new byte[SIZE * SIZE * 3];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int i = (y * SIZE + x) * 3;
                boolean square = label == 1 && y / CELL == row && x / CELL == col;
                int g = 110 + rnd.nextInt(40);
                rgb[i] = (byte) (square ? 230 : g);
                rgb[i + 1] = (byte) (square ? 30 : g);
                rgb[i + 2] = (byte) (square ? 30 : g);
            }
        }
        return rgb;
    }

}
