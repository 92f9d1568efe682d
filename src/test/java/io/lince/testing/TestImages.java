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
        return cmykJpeg(16, 16, new byte[4]);
    }

    /**
     * A four-channel JPEG of one colour, its samples stored as given (the JDK's writer adds no
     * Adobe marker; decoders treat such files as Adobe's inverted CMYK, as Photoshop writes them).
     */
    public static byte[] cmykJpeg(int w, int h, byte[] stored) {
        try {
            java.awt.image.WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(
                    java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
            byte[] data = ((java.awt.image.DataBufferByte) raster.getDataBuffer()).getData();
            for (int i = 0; i < data.length; i++) {
                data[i] = stored[i % 4];
            }
            javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var ios = javax.imageio.ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(null, new javax.imageio.IIOImage(raster, null, null), null);
            }
            writer.dispose();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A smooth, photo-like JPEG of {@code w}×{@code h}: gradients and soft discs, quality 0.9. */
    public static byte[] photo(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double cx = w * (0.3 + 0.4 * r.nextDouble());
        double cy = h * (0.3 + 0.4 * r.nextDouble());
        double rad = Math.min(w, h) * 0.3;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Math.hypot(x - cx, y - cy) / rad;
                double disc = 1 / (1 + Math.exp(8 * (d - 1)));
                int red = (int) (40 + 170 * x / (double) w + 40 * disc);
                int green = (int) (60 + 120 * y / (double) h * (1 - disc));
                int blue = (int) (200 * disc + 30);
                img.setRGB(x, y, (Math.min(255, red) << 16) | (Math.min(255, green) << 8) | Math.min(255, blue));
            }
        }
        return SyntheticImages.encode(img, "jpg");
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A noisy JPEG of {@code side}×{@code side}: hard to compress, about a byte per pixel. */
    public static byte[] noisyJpeg(int side, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return SyntheticImages.encode(img, "jpg");
    }

    /**
     * A valid JPEG of exactly {@code total} bytes: {@code jpeg} with comment (COM) segments after
     * its SOI marker, which every decoder skips.
     */
    public static byte[] paddedJpeg(byte[] jpeg, int total) {
        int pad = total - jpeg.length;
        if (pad < 4) {
            throw new IllegalArgumentException("the JPEG is already " + jpeg.length + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        out.write(jpeg, 0, 2); // SOI
        while (pad > 0) {
            int seg = Math.min(pad, 65_537); // marker (2) + length (2) + up to 65,533 bytes
            if (pad - seg > 0 && pad - seg < 4) {
                seg -= 4; // leave room for one more whole segment
            }
            int len = seg - 2;
            out.write(0xff);
            out.write(0xfe);
            out.write(len >> 8);
            out.write(len & 0xff);
            out.write(new byte[len - 2], 0, len - 2);
            pad -= seg;
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /**
     * {@code event} (an Avro record whose image is the single byte 42) with that image's length
     * field made to say 2,147,483,639: a record of a few dozen bytes that declares 2 GB.
     */
    public static byte[] lengthBomb(byte[] event) {
        int at = -1;
        for (int i = event.length - 2; i > 0; i--) {
            if (event[i] == 2 && event[i + 1] == 42) { // zigzag varint of 1, then the byte
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("no one-byte image of 42 in the event");
        }
        byte[] bomb = new byte[at + 5 + (event.length - at - 2)];
        System.arraycopy(event, 0, bomb, 0, at);
        long zigzag = 2L * 2_147_483_639L;
        for (int i = 0; i < 5; i++) {
            bomb[at + i] = (byte) ((zigzag & 0x7f) | (i < 4 ? 0x80 : 0));
            zigzag >>>= 7;
        }
        System.arraycopy(event, at + 2, bomb, at + 5, event.length - at - 2);
        return bomb;
    }
}
