package io.lince.testing;

import io.lince.images.SyntheticImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/** Good and bad image payloads made on the spot. */
public final class TestImages {

    private TestImages() {}

    public static byte[] jpeg(int label, long seed) {
        return new SyntheticImages(seed, 64, 48).jpeg(label);
    }

    public static byte[] png(int w, int h) {
        return SyntheticImages.encode(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png");
    }

    public static byte[] truncatedJpeg() {
        byte[] full = jpeg(0, 3);
        return Arrays.copyOf(full, full.length / 2);
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        b[0] = 0x11; // not a known magic number
        return b;
    }

    public static byte[] webp() {
        byte[] b = new byte[40];
        System.arraycopy("RIFF".getBytes(), 0, b, 0, 4);
        System.arraycopy("WEBPVP8 ".getBytes(), 0, b, 8, 8);
        return b;
    }

    /** A tiny PNG whose header claims {@code w}×{@code h} pixels (IHDR patched, CRC fixed). */
    public static byte[] pngClaiming(int w, int h) {
        byte[] b = png(8, 8);
        // signature (8) + length (4) + "IHDR" (4): width at 16, height at 20, CRC after 13 data bytes
        putInt(b, 16, w);
        putInt(b, 20, h);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        putInt(b, 29, (int) crc.getValue());
        return b;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** A four-channel (CMYK-style) JPEG, which the JDK's decoder does not read. */
    public static byte[] cmykJpeg() {
        try {
            java.awt.image.WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(
                    java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
            javax.imageio.ImageWriter w = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var ios = javax.imageio.ImageIO.createImageOutputStream(out)) {
                w.setOutput(ios);
                w.write(null, new javax.imageio.IIOImage(raster, null, null), null);
            }
            w.dispose();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
