package io.lince.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

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

    /** What the checks found: the sniffed format and the size its header declares. */
    public record Header(ImageFormat format, int width, int height) {}

    /**
     * Every check that comes before decoding: the payload's length, its format from its first
     * bytes, and the pixels its header declares. Reads the header only.
     *
     * @throws InvalidImageException with the precise reason a dead letter carries
     */
    public Header inspect(byte[] bytes) throws InvalidImageException {
        ImageFormat format = checkedFormat(bytes);
        try (ImageInputStream in = stream(bytes)) {
            ImageReader reader = reader(in, format);
            try {
                return checkedHeader(reader, format);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(describe(format, e), e);
        }
    }

    public BufferedImage decode(byte[] bytes) throws InvalidImageException {
        ImageFormat format = checkedFormat(bytes);
        try (ImageInputStream in = stream(bytes)) {
            ImageReader reader = reader(in, format);
            try {
                checkedHeader(reader, format);
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

    private ImageFormat checkedFormat(byte[] bytes) throws InvalidImageException {
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
        return format;
    }

    /** In memory: ImageIO's default stream for an InputStream caches it in a temporary file. */
    private static ImageInputStream stream(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    private static ImageReader reader(ImageInputStream in, ImageFormat format) throws InvalidImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new InvalidImageException("no decoder for " + format.mimeType());
        }
        ImageReader reader = readers.next();
        reader.setInput(in, true, true);
        return reader;
    }

    private Header checkedHeader(ImageReader reader, ImageFormat format) throws IOException, InvalidImageException {
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
            throw new InvalidImageException("header declares an empty image " + w + "x" + h);
        }
        if (w * h > maxPixels) {
            throw new InvalidImageException(String.format(
                    "header declares %dx%d = %,d pixels, more than the limit of %,d", w, h, w * h, maxPixels));
        }
        return new Header(format, (int) w, (int) h);
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
