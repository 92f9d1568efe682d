package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

    @Test
    void normalisesWithImageNetStatistics() {
        BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(255, 0, 128));
        g.fillRect(0, 0, 50, 40);
        g.dispose();
        float[] x = new Preprocessor(32).toTensor(img);
        assertEquals(3 * 32 * 32, x.length);
        int plane = 32 * 32;
        assertEquals((1f - 0.485f) / 0.229f, x[0], 1e-4);
        assertEquals((0f - 0.456f) / 0.224f, x[plane + 100], 1e-4);
        assertEquals((128 / 255f - 0.406f) / 0.225f, x[2 * plane + 500], 1e-4);
    }

    @Test
    void resizesTheShorterSideAndCropsTheCentre() {
        // 300x100: red | green | blue thirds. Shorter side 100 -> 32, width 96, centre crop = green.
        BufferedImage img = verticalBands(300, 100, Color.RED, Color.GREEN, Color.BLUE);
        BufferedImage resized = Preprocessor.resizeShorterSide(img, 32);
        assertEquals(32, resized.getHeight());
        assertEquals(96, resized.getWidth());
        BufferedImage crop = Preprocessor.centreCrop(resized, 32);
        for (int x = 2; x < 30; x++) {
            assertEquals(Color.GREEN.getRGB(), crop.getRGB(x, 16), "pixel " + x);
        }
    }

    @Test
    void testTimeViewsAreFixedMirroredAndZoomed() {
        BufferedImage img = verticalBands(64, 48, Color.RED, Color.BLUE);
        Preprocessor pre = new Preprocessor(32);
        float[] centre = pre.toTensor(img);
        java.util.List<float[]> views = pre.views(img, 7);
        assertEquals(7, views.size());
        views.forEach(v -> assertEquals(3 * 32 * 32, v.length));
        // view 0 is the mirror: the red channel of the left-most pixel becomes that of the right-most
        assertEquals(centre[31], views.get(0)[0], 1e-4);
        assertEquals(centre[0], views.get(0)[31], 1e-4);
        // reproducible
        assertEquals(java.util.Arrays.toString(views.get(5)), java.util.Arrays.toString(pre.views(img, 7).get(5)));
    }

    /** Equal-width vertical bands of the given colours, left to right. */
    private static BufferedImage verticalBands(int w, int h, Color... colours) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        int band = w / colours.length;
        for (int i = 0; i < colours.length; i++) {
            g.setColor(colours[i]);
            g.fillRect(i * band, 0, band, h);
        }
        g.dispose();
        return img;
    }

    @Test
    void readsPixelsOfSubImagesStraightFromTheRaster() {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        java.util.Random rnd = new java.util.Random(3);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        BufferedImage sub = img.getSubimage(7, 5, 20, 20);
        int[] expected = sub.getRGB(0, 0, 16, 16, null, 0, 16);
        int[] actual = Preprocessor.pixels(sub, 16);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] & 0xffffff, actual[i] & 0xffffff, "pixel " + i);
        }
    }

    @Test
    void acceptsGreyAndTinyImages() {
        BufferedImage grey = new BufferedImage(7, 5, BufferedImage.TYPE_BYTE_GRAY);
        assertEquals(3 * 224 * 224, new Preprocessor(224).toTensor(grey).length);
    }
}
