package io.lince.images;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's evaluation transform: resize the shorter side to the input size, centre-crop a
 * square, scale to [0,1] and normalise with ImageNet's mean and standard deviation. Output is
 * CHW, float32.
 */
public final class Preprocessor {

    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    /** ImageNet's per-channel mean (RGB), what inputs are normalised with. */
    public static float[] mean() {
        return MEAN.clone();
    }

    /** ImageNet's per-channel standard deviation (RGB). */
    public static float[] std() {
        return STD.clone();
    }

    private final int size;

    public Preprocessor(int size) {
        this.size = size;
    }

    public int size() {
        return size;
    }

    public float[] toTensor(BufferedImage image) {
        return normalise(centreCrop(resizeShorterSide(image, size), size));
    }

    /**
     * Deterministic test-time views: {@code n} alternatives to the centre crop, in a fixed order
     * (mirror, zoom 1.15 centre, zoom 1.15 mirrored, then zoomed corner crops), so a result is
     * reproducible.
     */
    public List<float[]> views(BufferedImage image, int n) {
        List<float[]> out = new ArrayList<>(n);
        for (BufferedImage v : viewImages(image, n)) {
            out.add(normalise(v));
        }
        return out;
    }

    /** The views of {@link #views}, as {@code size × size} images. */
    public List<BufferedImage> viewImages(BufferedImage image, int n) {
        List<BufferedImage> out = new ArrayList<>(n);
        BufferedImage base = resizeShorterSide(image, size);
        BufferedImage zoomed = resizeShorterSide(image, (int) Math.round(size * 1.15));
        int slack = Math.min(zoomed.getWidth(), zoomed.getHeight()) - size; // what zooming added
        int[][] corners = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
        for (int i = 0; i < n; i++) {
            BufferedImage v = switch (i) {
                case 0 -> mirror(centreCrop(base, size));
                case 1 -> centreCrop(zoomed, size);
                case 2 -> mirror(centreCrop(zoomed, size));
                default -> {
                    int[] c = corners[(i - 3) % 4];
                    int x = (zoomed.getWidth() - size) / 2 + (c[0] == 0 ? -slack / 2 : slack / 2);
                    int y = (zoomed.getHeight() - size) / 2 + (c[1] == 0 ? -slack / 2 : slack / 2);
                    yield zoomed.getSubimage(Math.max(0, x), Math.max(0, y), size, size);
                }
            };
            out.add(v);
        }
        return out;
    }

    private static BufferedImage mirror(BufferedImage img) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(img, img.getWidth(), 0, -img.getWidth(), img.getHeight(), null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Bilinear, halving first while the image is over twice the target, which avoids aliasing.
     * The first scaling also converts to INT_RGB, so a decoded JPEG is not copied once more.
     */
    static BufferedImage resizeShorterSide(BufferedImage src, int target) {
        BufferedImage img = src;
        int w = img.getWidth();
        int h = img.getHeight();
        while (Math.min(w, h) >= 2 * target) {
            w /= 2;
            h /= 2;
            img = scale(img, w, h);
        }
        double s = (double) target / Math.min(w, h);
        int nw = Math.max(target, (int) Math.round(w * s));
        int nh = Math.max(target, (int) Math.round(h * s));
        return nw == img.getWidth() && nh == img.getHeight() ? toRgb(img) : scale(img, nw, nh);
    }

    static BufferedImage centreCrop(BufferedImage img, int side) {
        int x = (img.getWidth() - side) / 2;
        int y = (img.getHeight() - side) / 2;
        return img.getSubimage(x, y, side, side);
    }

    /** A random augmented view, normalised like {@link #toTensor}. */
    public float[] augmented(BufferedImage image, Augmentation augmentation, java.util.Random rnd) {
        return normalise(augmentation.apply(image, size, rnd));
    }

    /** Each channel's normalised value for each byte value. */
    private static final float[][] LEVELS = new float[3][256];

    static {
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                LEVELS[c][v] = (v / 255f - MEAN[c]) / STD[c];
            }
        }
    }

    /** {@code size × size} RGB bytes (HWC, as {@link InputCrop} makes them), normalised to CHW floats. */
    public float[] normalise(byte[] rgb) {
        int plane = size * size;
        if (rgb.length != 3 * plane) {
            throw new IllegalArgumentException("expected " + 3 * plane + " RGB bytes, got " + rgb.length);
        }
        float[] out = new float[3 * plane];
        for (int i = 0, o = 0; i < plane; i++, o += 3) {
            out[i] = LEVELS[0][rgb[o] & 0xff];
            out[plane + i] = LEVELS[1][rgb[o + 1] & 0xff];
            out[2 * plane + i] = LEVELS[2][rgb[o + 2] & 0xff];
        }
        return out;
    }

    private float[] normalise(BufferedImage img) {
        int plane = size * size;
        float[] out = new float[3 * plane];
        int[] rgb = pixels(img, size);
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[i] = LEVELS[0][(p >> 16) & 0xff];
            out[plane + i] = LEVELS[1][(p >> 8) & 0xff];
            out[2 * plane + i] = LEVELS[2][p & 0xff];
        }
        return out;
    }

    /**
     * The top-left side×side pixels as packed RGB. An INT_RGB image (what resizing makes) is read
     * row by row from its raster; {@code getRGB} would convert each pixel through the colour model.
     */
    static int[] pixels(BufferedImage img, int side) {
        WritableRaster raster = img.getRaster();
        if (img.getType() == BufferedImage.TYPE_INT_RGB && raster.getDataBuffer() instanceof DataBufferInt buffer
                && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model) {
            int[] data = buffer.getData();
            int stride = model.getScanlineStride();
            int origin = buffer.getOffset() - raster.getSampleModelTranslateY() * stride - raster.getSampleModelTranslateX();
            int[] out = new int[side * side];
            for (int y = 0; y < side; y++) {
                System.arraycopy(data, origin + y * stride, out, y * side, side);
            }
            return out;
        }
        return img.getRGB(0, 0, side, side, null, 0, side);
    }

    static BufferedImage toRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        return scale(src, src.getWidth(), src.getHeight());
    }

    private static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return dst;
    }
}
