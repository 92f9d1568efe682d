package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.testing.TestImages;
import org.junit.jupiter.api.Test;

class PerceptualHashTest {

    private static long hash(byte[] jpeg) throws InvalidImageException {
        return PerceptualHash.of(new InputCrop(ImageDecoder.defaults(), false).crop(jpeg, 64), 64);
    }

    /** Frames of one smooth scene (re-encoded, brightened) land within the default 8 bits; other scenes beyond. */
    @Test
    void framesOfOneSceneAreNearAndOtherScenesFar() throws Exception {
        byte[] scene = TestImages.photo(160, 120, 3);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(scene));
        long a = hash(scene);
        long png = hash(SyntheticImages.encode(img, "png"));
        java.awt.image.RescaleOp brighter = new java.awt.image.RescaleOp(1f, 8f, null);
        long bright = hash(SyntheticImages.encode(brighter.filter(img, null), "jpg"));
        assertTrue(PerceptualHash.distance(a, png) <= 8, "another encoding: " + PerceptualHash.distance(a, png));
        assertTrue(PerceptualHash.distance(a, bright) <= 8, "brighter: " + PerceptualHash.distance(a, bright));
        int far = 0;
        for (int i = 0; i < 20; i++) {
            far += PerceptualHash.distance(a, hash(TestImages.jpeg(i % 2, 100 + i))) > 8 ? 1 : 0;
        }
        assertTrue(far >= 19, far + " of 20 other scenes more than 8 bits away");
    }
}
