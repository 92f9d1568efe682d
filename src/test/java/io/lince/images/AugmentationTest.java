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
}
