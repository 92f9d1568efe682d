package io.lince.images;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Random;

/**
 * Random training transforms in the manner of fastai's {@code transforms_side_on} and
 * {@code transforms_top_down}. One affine map takes the source to the output square (zoom,
 * rotation, crop position and flips in one bilinear resampling), then brightness and contrast are
 * jittered. The zoom always covers the rotated crop, so no border ever shows.
 *
 * <p>Two recipe tools change the draw: {@code minScale} draws the crop's <em>area</em> uniformly in
 * [minScale, 1] of the image's central square, torchvision's {@code RandomResizedCrop} at a square
 * aspect (fastai's later lessons use 0.35 from scratch), instead of a linear zoom in [1, maxZoom];
 * {@code jitter} is torchvision's {@code ColorJitter(j, j, j)}: brightness, contrast (about the
 * image's mean grey) and saturation each scaled by a factor uniform in [1 - j, 1 + j], in place of
 * the presets' ±{@code maxLighting}.
 *
 * @param name preset name, for reports
 * @param flipHorizontal mirror with probability 1/2
 * @param flipVertical flip upside down with probability 1/2 (top-down only)
 * @param quarterTurns rotate by a random multiple of 90° (top-down only)
 * @param maxRotation degrees, uniform in ±maxRotation
 * @param maxZoom zoom uniform in [1, maxZoom]
 * @param maxLighting brightness and contrast each change by up to this fraction
 * @param minScale smallest crop area as a share of the central square (0: zoom in [1, maxZoom] instead)
 * @param jitter colour jitter of brightness, contrast and saturation (0: none; replaces maxLighting)
 */
public record Augmentation(
        String name,
        boolean flipHorizontal,
        boolean flipVertical,
        boolean quarterTurns,
        double maxRotation,
        double maxZoom,
        double maxLighting,
        double minScale,
        double jitter) {

    public static final String NONE = "none";
    public static final String SIDE_ON = "side-on";
    public static final String TOP_DOWN = "top-down";

    public Augmentation {
        if (maxZoom < 1) {
            throw new IllegalArgumentException("max zoom must be at least 1, got " + maxZoom);
        }
        if (minScale < 0 || minScale > 1) {
            throw new IllegalArgumentException("min scale is a share of the image, in (0, 1], got " + minScale);
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("colour jitter must be in [0, 1), got " + jitter);
        }
    }

    /** {@code none}, {@code side-on} (photos of things seen from the side) or {@code top-down}. */
    public static Augmentation preset(String name, double maxZoom) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case NONE -> new Augmentation(NONE, false, false, false, 0, 1, 0, 0, 0);
            case SIDE_ON -> new Augmentation(SIDE_ON, true, false, false, 10, maxZoom, 0.05, 0, 0);
            case TOP_DOWN -> new Augmentation(TOP_DOWN, true, true, true, 10, maxZoom, 0.05, 0, 0);
            default -> throw new IllegalArgumentException(
                    "unknown augmentation '" + name + "': use none, side-on or top-down");
        };
    }

    public boolean isNone() {
        return !flipHorizontal && !flipVertical && !quarterTurns && maxRotation == 0 && maxZoom == 1 && maxLighting == 0
                && minScale == 0 && jitter == 0;
    }

    /** The same transforms with crops drawn by area, the smallest {@code share} of the central square. */
    public Augmentation withMinScale(double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("--min-scale is the smallest share of the photo a crop covers, in (0, 1], got " + share);
        }
        return new Augmentation(name, flipHorizontal, flipVertical, quarterTurns, maxRotation, maxZoom, maxLighting, share, jitter);
    }

    /** The same transforms with colour jitter {@code j} (brightness, contrast, saturation). */
    public Augmentation withJitter(double j) {
        return new Augmentation(name, flipHorizontal, flipVertical, quarterTurns, maxRotation, maxZoom, maxLighting, minScale, j);
    }

    /**
     * The views test-time augmentation averages: the same flips, rotation and zoom, but never the
     * training-only tools (a crop of a third of the photo, or washed-out colours, would be a worse
     * guess to average in, not another look at the same photo).
     */
    public Augmentation forTta() {
        return new Augmentation(name, flipHorizontal, flipVertical, quarterTurns, maxRotation, maxZoom, maxLighting, 0, 0);
    }

    /** The largest zoom a draw can make: the source is resized once to cover it. */
    private double topZoom() {
        return minScale > 0 ? 1 / Math.sqrt(minScale) : maxZoom;
    }

    /** The shorter side the source is brought to for a {@code size} output (a decoder need not make more). */
    public int sourceSide(int size) {
        return (int) Math.ceil(size * topZoom() * 1.2);
    }

    /**
     * One random draw's geometry over a {@code width}×{@code height} source: rotation (radians),
     * zoom (1 = the crop spans the shorter side), crop centre in source pixels, quarter turns and flips.
     */
    public record View(double angle, double zoom, double cx, double cy, int turns, boolean mirror, boolean upsideDown) {
        /** The crop's area as a share of the source's central square (before rotation). */
        public double areaShare() {
            return 1 / (zoom * zoom);
        }
    }

    /** Draws a view of a {@code width}×{@code height} source for a {@code size} output. */
    public View draw(int width, int height, int size, Random rnd) {
        double angle = Math.toRadians((rnd.nextDouble() * 2 - 1) * maxRotation);
        double zoom = minScale > 0
                ? 1 / Math.sqrt(minScale + rnd.nextDouble() * (1 - minScale))
                : 1 + rnd.nextDouble() * (maxZoom - 1);
        // A square of side s rotated by a needs s(|cos a| + |sin a|) of the source to stay inside it.
        double cover = Math.abs(Math.cos(angle)) + Math.abs(Math.sin(angle));
        double scale = size * zoom * cover / Math.min(width, height);
        // Where the crop's centre may go, in source pixels, with the rotated crop still inside.
        double halfSpan = size * cover / (2 * scale);
        double cx = width / 2.0 + (rnd.nextDouble() * 2 - 1) * Math.max(0, width / 2.0 - halfSpan);
        double cy = height / 2.0 + (rnd.nextDouble() * 2 - 1) * Math.max(0, height / 2.0 - halfSpan);
        int turns = quarterTurns ? rnd.nextInt(4) : 0;
        boolean mirror = flipHorizontal && rnd.nextBoolean();
        boolean upsideDown = flipVertical && rnd.nextBoolean();
        return new View(angle, zoom, cx, cy, turns, mirror, upsideDown);
    }

    /** A random {@code size}×{@code size} view of {@code src}. */
    public BufferedImage apply(BufferedImage src, int size, Random rnd) {
        BufferedImage img = Preprocessor.resizeShorterSide(src, sourceSide(size));
        View v = draw(img.getWidth(), img.getHeight(), size, rnd);
        double cover = Math.abs(Math.cos(v.angle())) + Math.abs(Math.sin(v.angle()));
        double scale = size * v.zoom() * cover / Math.min(img.getWidth(), img.getHeight());

        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0, size / 2.0);
        t.scale(v.mirror() ? -1 : 1, v.upsideDown() ? -1 : 1);
        t.rotate(v.angle() + v.turns() * Math.PI / 2);
        t.scale(scale, scale);
        t.translate(-v.cx(), -v.cy());

        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, t, null);
        } finally {
            g.dispose();
        }
        if (jitter > 0) {
            colour(out, 1 + (rnd.nextDouble() * 2 - 1) * jitter, 1 + (rnd.nextDouble() * 2 - 1) * jitter,
                    1 + (rnd.nextDouble() * 2 - 1) * jitter);
        } else if (maxLighting > 0) {
            light(out, 1 + (rnd.nextDouble() * 2 - 1) * maxLighting, (rnd.nextDouble() * 2 - 1) * maxLighting);
        }
        return out;
    }

    /**
     * torchvision's {@code ColorJitter} factors, in its order: brightness scales every channel,
     * contrast blends with the image's mean grey, saturation blends each pixel with its own grey
     * (ITU-R 601 luma, as {@code rgb_to_grayscale}).
     */
    static void colour(BufferedImage img, double brightness, double contrast, double saturation) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        double sum = 0;
        for (int p : rgb) {
            sum += luma(clamp(((p >> 16) & 0xff) * brightness), clamp(((p >> 8) & 0xff) * brightness), clamp((p & 0xff) * brightness));
        }
        double mean = sum / rgb.length;
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            double r = clamp(clamp(((p >> 16) & 0xff) * brightness) * contrast + mean * (1 - contrast));
            double g = clamp(clamp(((p >> 8) & 0xff) * brightness) * contrast + mean * (1 - contrast));
            double b = clamp(clamp((p & 0xff) * brightness) * contrast + mean * (1 - contrast));
            double grey = luma(r, g, b);
            rgb[i] = ((int) Math.round(clamp(r * saturation + grey * (1 - saturation))) << 16)
                    | ((int) Math.round(clamp(g * saturation + grey * (1 - saturation))) << 8)
                    | (int) Math.round(clamp(b * saturation + grey * (1 - saturation)));
        }
        img.setRGB(0, 0, w, h, rgb, 0, w);
    }

    private static double luma(double r, double g, double b) {
        return 0.299 * r + 0.587 * g + 0.114 * b;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(255, v));
    }

    /** Contrast about mid-grey, then brightness as a fraction of full scale. */
    private static void light(BufferedImage img, double contrast, double brightness) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        int[] lut = new int[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = (int) Math.max(0, Math.min(255, Math.round((v - 127.5) * contrast + 127.5 + brightness * 255)));
        }
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            rgb[i] = (lut[(p >> 16) & 0xff] << 16) | (lut[(p >> 8) & 0xff] << 8) | lut[p & 0xff];
        }
        img.setRGB(0, 0, w, h, rgb, 0, w);
    }
}
