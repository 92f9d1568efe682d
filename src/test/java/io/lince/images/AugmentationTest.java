package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    /** Top half red, bottom half blue, 120×90. */
    private static BufferedImage redOverBlue() {
        BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 120, 45);
        g.setColor(Color.BLUE);
        g.fillRect(0, 45, 120, 45);
        g.dispose();
        return img;
    }

    private static boolean redOnTop(BufferedImage img) {
        Color top = new Color(img.getRGB(img.getWidth() / 2, 2));
        return top.getRed() > top.getBlue();
    }

    @Test
    void seededAndSizedAndNeverShowsABorder() {
        Augmentation a = Augmentation.preset("side-on", 1.1);
        BufferedImage src = redOverBlue();
        for (int seed = 0; seed < 30; seed++) {
            BufferedImage out = a.apply(src, 64, new Random(seed));
            assertEquals(64, out.getWidth());
            assertEquals(64, out.getHeight());
            assertArrayEquals(out.getRGB(0, 0, 64, 64, null, 0, 64), a.apply(src, 64, new Random(seed)).getRGB(0, 0, 64, 64, null, 0, 64));
            for (int[] c : new int[][] {{0, 0}, {63, 0}, {0, 63}, {63, 63}}) {
                Color px = new Color(out.getRGB(c[0], c[1]));
                assertTrue(px.getRed() + px.getBlue() > 150, "corner " + c[0] + "," + c[1] + " is image, not border (seed " + seed + ")");
            }
        }
    }

    @Test
    void sideOnKeepsUpUpAndTopDownTurnsItOver() {
        BufferedImage src = redOverBlue();
        Augmentation side = Augmentation.preset("side-on", 1.1);
        Augmentation top = Augmentation.preset("top-down", 1.1);
        int sideUp = 0;
        int topUp = 0;
        for (int seed = 0; seed < 40; seed++) {
            sideUp += redOnTop(side.apply(src, 64, new Random(seed))) ? 1 : 0;
            topUp += redOnTop(top.apply(src, 64, new Random(seed))) ? 1 : 0;
        }
        assertEquals(40, sideUp, "side-on never flips vertically");
        assertTrue(topUp < 35, "top-down turns images over (" + topUp + "/40 upright)");
    }

    @Test
    void unknownPresetsAndZoomsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Augmentation.preset("sideways", 1.1));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.preset("side-on", 0.9));
        assertTrue(Augmentation.preset("none", 1.5).isNone());
    }

    @Test
    void minScaleDrawsTheCropAreaUniformlyBetweenItAndTheWholeSquare() {
        Augmentation a = Augmentation.preset("side-on", 1.1).withMinScale(0.35);
        double sum = 0;
        double min = 1;
        double max = 0;
        Random rnd = new Random(3);
        int n = 4000;
        for (int i = 0; i < n; i++) {
            double area = a.draw(400, 300, 64, rnd).areaShare();
            assertTrue(area >= 0.35 - 1e-9 && area <= 1 + 1e-9, "area share " + area);
            sum += area;
            min = Math.min(min, area);
            max = Math.max(max, area);
        }
        assertEquals(0.675, sum / n, 0.01, "uniform in [0.35, 1]: mean 0.675");
        assertTrue(min < 0.37 && max > 0.98, "the whole range is drawn: " + min + " .. " + max);
        // the plain zoom never goes below 1/1.1² of the square
        Random r2 = new Random(3);
        for (int i = 0; i < 500; i++) {
            assertTrue(Augmentation.preset("side-on", 1.1).draw(400, 300, 64, r2).areaShare() >= 1 / (1.1 * 1.1) - 1e-9);
        }
        assertEquals((int) Math.ceil(64 / Math.sqrt(0.35) * 1.2), a.sourceSide(64), "decoded large enough for the deepest zoom");
        // a crop of a third of the photo shows a third: the stripes of a small source get wider
        BufferedImage out = a.apply(redOverBlue(), 64, new Random(1));
        assertEquals(64, out.getWidth());
    }

    @Test
    void jitterIsTorchvisionsColourJitterAndOffWhenZero() {
        BufferedImage src = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        int[] px = {0xC83C14, 0x3C78B4, 0x808080, 0xFFFFFF};
        src.setRGB(0, 0, 4, 1, px, 0, 4);
        BufferedImage same = copy(src);
        Augmentation.colour(same, 1, 1, 1);
        assertArrayEquals(px, java.util.Arrays.stream(same.getRGB(0, 0, 4, 1, null, 0, 4)).map(p -> p & 0xffffff).toArray(),
                "factors of 1 change nothing");

        BufferedImage grey = copy(src);
        Augmentation.colour(grey, 1, 1, 0);
        for (int p : grey.getRGB(0, 0, 4, 1, null, 0, 4)) {
            Color c = new Color(p);
            assertTrue(Math.abs(c.getRed() - c.getGreen()) <= 1 && Math.abs(c.getGreen() - c.getBlue()) <= 1, "saturation 0 is grey: " + c);
        }
        BufferedImage darker = copy(src);
        Augmentation.colour(darker, 0.5, 1, 1);
        assertEquals(new Color(0x64, 0x1E, 0x0A).getRGB(), darker.getRGB(0, 0), "brightness scales every channel");
        BufferedImage flat = copy(src);
        Augmentation.colour(flat, 1, 0, 1);
        int[] f = flat.getRGB(0, 0, 4, 1, null, 0, 4);
        assertTrue(f[0] == f[1] && f[1] == f[2], "contrast 0 is the image's mean grey everywhere");

        // through apply: jitter changes colours, seeded; without it the preset's lighting only
        Augmentation jittered = Augmentation.preset("side-on", 1.0).withJitter(0.4);
        BufferedImage a = jittered.apply(redOverBlue(), 32, new Random(5));
        assertArrayEquals(a.getRGB(0, 0, 32, 32, null, 0, 32), jittered.apply(redOverBlue(), 32, new Random(5)).getRGB(0, 0, 32, 32, null, 0, 32));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.preset("side-on", 1.1).withJitter(1.5));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.preset("side-on", 1.1).withMinScale(0));
    }

    @Test
    void ttaViewsKeepTheGeometryButNotTheTrainingOnlyTools() {
        Augmentation train = Augmentation.preset("side-on", 1.3).withMinScale(0.35).withJitter(0.2);
        Augmentation tta = train.forTta();
        assertEquals(0, tta.minScale());
        assertEquals(0, tta.jitter());
        assertEquals(1.3, tta.maxZoom());
        assertTrue(tta.flipHorizontal());
    }

    private static BufferedImage copy(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, src.getWidth(), src.getHeight(), src.getRGB(0, 0, src.getWidth(), src.getHeight(), null, 0, src.getWidth()), 0, src.getWidth());
        return out;
    }
}
