package io.lince.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted image bytes. The size limits are checked before any pixel is decoded: the
 * payload length first, then the dimensions the header declares (a 30,000×30,000 "image" of a few
 * bytes must not allocate 3.6 GB).
 */
public final class ImageDecoder {

    private final int maxBytes;
    private final long maxPixels;

    public ImageDecoder(int maxBytes, long maxPixels) {
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    public static ImageDecoder defaults() {
        return new ImageDecoder(20 * 1024 * 1024, 40_000_000L);
    }

    public BufferedImage decode(byte[] bytes) throws InvalidImageException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidImageException("empty payload");
        }
        if (bytes.length > maxBytes) {
            throw new InvalidImageException(String.format(
                    "payload of %,d bytes exceeds the limit of %,d bytes", bytes.length, maxBytes));
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == ImageFormat.UNKNOWN) {
            throw new InvalidImageException("not an image: unrecognised leading bytes (" + hex(bytes) + ")");
        }
        if (!format.decodable()) {
            throw new InvalidImageException("unsupported format " + format.name().toLowerCase()
                    + ": send JPEG, PNG, GIF or BMP");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidImageException("no decoder for " + format.mimeType());
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new InvalidImageException("header declares an empty image " + w + "x" + h);
                }
                if (w * h > maxPixels) {
                    throw new InvalidImageException(String.format(
                            "header declares %dx%d = %,d pixels, more than the limit of %,d",
                            w, h, w * h, maxPixels));
                }
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener(warningsInto(warnings));
                BufferedImage image = reader.read(0);
                if (warnings.length() > 0) {
                    // libjpeg reports truncation as a warning and fills the rest with grey.
                    throw new InvalidImageException("corrupt " + format.name().toLowerCase() + ": " + warnings);
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(describe(format, e), e);
        }
    }

    private static IIOReadWarningListener warningsInto(StringBuilder sb) {
        return (source, warning) -> sb.append(sb.length() == 0 ? "" : "; ").append(warning);
    }

    private static String describe(ImageFormat format, Exception e) {
        String msg = String.valueOf(e.getMessage());
        if (format == ImageFormat.JPEG && msg.contains("Unsupported Image Type")) {
            return "unsupported JPEG colour space (CMYK/YCCK): convert to RGB";
        }
        return "corrupt " + format.name().toLowerCase() + ": " + msg;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
