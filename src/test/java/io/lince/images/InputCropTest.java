package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import io.lince.model.LinceModel;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InputCropTest {

    private final ImageDecoder decoder = new ImageDecoder(5_000_000, 40_000_000);
    private final InputCrop fast = new InputCrop(decoder, true);
    private final InputCrop imageIo = new InputCrop(decoder, false);

    @Test
    void openCvLoadsHere() {
        // the jar carries natives for linux x86_64, where CI runs: the fast path must be the one tested
        assertTrue(fast.openCv());
        assertFalse(imageIo.openCv());
    }

    @Test
    void theImageIoCropIsThePreprocessorsPixels() throws Exception {
        byte[] jpeg = TestImages.photo(120, 90, 1);
        BufferedImage img = decoder.decode(jpeg);
        byte[] crop = imageIo.crop(jpeg, 64);
        float[] expected = new Preprocessor(64).toTensor(img);
        float[] mean = Preprocessor.mean();
        float[] std = Preprocessor.std();
        int plane = 64 * 64;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c * plane + i], ((crop[i * 3 + c] & 0xff) / 255f - mean[c]) / std[c], 0f);
            }
        }
    }

    @Test
    void openCvAgreesWithImageIoAtEveryScale() throws Exception {
        // 1×, 2×, 4× and 9× the input: no DCT scaling, then 1/2, 1/4 and 1/8 in the decoder
        int[][] sizes = {{80, 64}, {150, 128}, {300, 256}, {720, 576}};
        int[] factors = {1, 2, 4, 8};
        for (int k = 0; k < sizes.length; k++) {
            int w = sizes[k][0], h = sizes[k][1];
            assertEquals(factors[k], InputCrop.reduction(w, h, 64), w + "x" + h);
            byte[] jpeg = TestImages.photo(w, h, k);
            double d = meanAbsDiff(fast.crop(jpeg, 64), imageIo.crop(jpeg, 64));
            // two resamplers of one smooth picture: a few levels of 255 apart, not a different image
            assertTrue(d < 4.0, w + "x" + h + ": mean |Δ| " + d);
        }
    }

    @Test
    void keepsTheDecodersChecksAndReasons() {
        assertEquals("empty payload", reason(new byte[0]));
        assertTrue(reason(TestImages.randomBytes(100)).startsWith("not an image"));
        assertTrue(reason(TestImages.webp()).startsWith("unsupported format webp"));
        assertTrue(reason(TestImages.pngClaiming(30_000, 30_000)).contains("more than the limit"));
        // libjpeg would fill a truncated scan with grey; the crop names the truncation instead
        assertFalse(InputCrop.endsWithEoi(TestImages.truncatedJpeg()));
        assertTrue(reason(TestImages.truncatedJpeg()).startsWith("corrupt jpeg"), reason(TestImages.truncatedJpeg()));
    }

    @Test
    void decodesPngGifAndBmp() throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, 0x204080 + x * 3);
            }
        }
        for (String format : new String[] {"png", "gif", "bmp"}) {
            byte[] crop = fast.crop(SyntheticImages.encode(img, format), 24);
            assertEquals(24 * 24 * 3, crop.length, format);
            assertEquals(0x20, crop[0] & 0xf0, format);
        }
    }

    @Test
    void decodesCmykJpegToTheColoursItShows() throws Exception {
        // stored (0, 255, 255, 255) in Adobe's inverted CMYK is full cyan and nothing else: a cyan
        // picture, as Photoshop and Pillow show it (the JDK's own conversion gives a pale grey)
        byte[] crop = fast.crop(TestImages.cmykJpeg(32, 32, new byte[] {0, (byte) 255, (byte) 255, (byte) 255}), 16);
        int[] rgb = {crop[0] & 0xff, crop[1] & 0xff, crop[2] & 0xff};
        assertTrue(rgb[0] < 60 && rgb[1] > 180 && rgb[2] > 180, Arrays.toString(rgb));
    }

    @Test
    void aBatchOfCropsGivesWhatThePredictorGivesForTheSameFloats() throws Exception {
        try (LinceModel m = TestModels.random(1, 32); Predictor<float[], float[]> p = m.newPredictor()) {
            ByteBuffer batch = ByteBuffer.allocateDirect(3 * 32 * 32 * 3);
            float[][] expected = new float[3][];
            for (int i = 0; i < 3; i++) {
                byte[] jpeg = TestImages.photo(70 + 10 * i, 50, 10 + i);
                batch.put(fast.crop(jpeg, 32));
                expected[i] = p.predict(new Preprocessor(32).toTensor(decodeCrop(fast.crop(jpeg, 32), 32)));
            }
            float[][] got = m.probabilities(batch.flip(), 3);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected[i], got[i], 1e-5f);
            }
        }
    }

    private static BufferedImage decodeCrop(byte[] rgb, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < size * size; i++) {
            img.setRGB(i % size, i / size, ((rgb[3 * i] & 0xff) << 16) | ((rgb[3 * i + 1] & 0xff) << 8) | (rgb[3 * i + 2] & 0xff));
        }
        return img;
    }

    private String reason(byte[] bytes) {
        return assertThrows(InvalidImageException.class, () -> fast.crop(bytes, 32)).getMessage();
    }

    private static double meanAbsDiff(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return (double) sum / a.length;
    }
}
