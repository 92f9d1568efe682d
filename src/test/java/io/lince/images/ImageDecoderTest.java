package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.testing.TestImages;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(1_000_000, 10_000_000);

    private String reason(byte[] bytes) {
        return assertThrows(InvalidImageException.class, () -> decoder.decode(bytes)).getMessage();
    }

    @Test
    void decodesJpegPngGifAndBmp() throws Exception {
        assertEquals(64, decoder.decode(TestImages.jpeg(0, 1)).getWidth());
        assertEquals(20, decoder.decode(TestImages.png(20, 10)).getWidth());
        BufferedImage img = new BufferedImage(12, 9, BufferedImage.TYPE_INT_RGB);
        assertEquals(9, decoder.decode(SyntheticImages.encode(img, "gif")).getHeight());
        assertEquals(9, decoder.decode(SyntheticImages.encode(img, "bmp")).getHeight());
    }

    @Test
    void refusesEachBadPayloadWithAPreciseReason() {
        assertEquals("empty payload", reason(new byte[0]));
        assertTrue(reason(TestImages.randomBytes(100)).startsWith("not an image"));
        assertTrue(reason(TestImages.truncatedJpeg()).startsWith("corrupt jpeg"), reason(TestImages.truncatedJpeg()));
        assertTrue(reason(TestImages.webp()).startsWith("unsupported format webp"));
        assertTrue(reason(new byte[2_000_000]).contains("exceeds the limit"));
    }

    @Test
    void decodesCmykJpegToRgb() throws Exception {
        BufferedImage cmyk = decoder.decode(TestImages.cmykJpeg());
        assertEquals(4, cmyk.getRaster().getNumBands());
        // the JDK converts through its CMYK colour space; the preprocessor gets plain RGB
        float[] x = new Preprocessor(32).toTensor(cmyk);
        assertEquals(3 * 32 * 32, x.length);
        for (float v : x) {
            assertTrue(Float.isFinite(v) && v >= -2.2f && v <= 2.7f, "normalised value " + v);
        }
    }

    @Test
    void checksDeclaredPixelsBeforeDecoding() {
        String r = reason(TestImages.pngClaiming(30_000, 30_000));
        assertTrue(r.contains("30000x30000"), r);
        assertTrue(r.contains("more than the limit"), r);
    }

    @Test
    void sniffsFormatsFromBytes() {
        assertEquals(ImageFormat.JPEG, ImageFormat.sniff(TestImages.jpeg(1, 2)));
        assertEquals(ImageFormat.PNG, ImageFormat.sniff(TestImages.png(2, 2)));
        assertEquals(ImageFormat.WEBP, ImageFormat.sniff(TestImages.webp()));
        assertEquals(ImageFormat.UNKNOWN, ImageFormat.sniff(new byte[] {1, 2, 3}));
    }
}
