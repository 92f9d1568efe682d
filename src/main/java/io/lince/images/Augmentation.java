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
 * @param name preset name, for reports
 * @param flipHorizontal mirror with probability 1/2
 * @param flipVertical flip upside down with probability 1/2 (top-down only)
 * @param quarterTurns rotate by a random multiple of 90° (top-down only)
 * @param maxRotation degrees, uniform in ±maxRotation
 * @param maxZoom zoom uniform in [1, maxZoom]
 * @param maxLighting brightness and contrast each change by up to this fraction
 */
public record Augmentation(
        String name,
        boolean flipHorizontal,
        boolean flipVertical,
        boolean quarterTurns,
        double maxRotation,
        double maxZoom,
        double maxLighting) {

    public static final String NONE = "none";
    public static final String SIDE_ON = "side-on";
    public static final String TOP_DOWN = "top-down";

    public Augmentation {
        if (maxZoom < 1) {
            throw new IllegalArgumentException("max zoom must be at least 1, got " + maxZoom);
        }
    }

    /** {@code none}, {@code side-on} (photos of things seen from the side) or {@code top-down}. */
    public static Augmentation preset(String name, double maxZoom) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case NONE -> new Augmentation(NONE, false, false, false, 0, 1, 0);
            case SIDE_ON -> new Augmentation(SIDE_ON, true, false, false, 10, maxZoom, 0.05);
            case TOP_DOWN -> new Augmentation(TOP_DOWN, true, true, true, 10, maxZoom, 0.05);
            default -> throw new IllegalArgumentException(
                    "unknown augmentation '" + name + "': use none, side-on or top-down");
        };
    }

    public boolean isNone() {
        return !flipHorizontal && !flipVertical && !quarterTurns && maxRotation == 0 && maxZoom == 1 && maxLighting == 0;
    }

    /** A random {@code size}×{@code size} view of {@code src}. */
    public BufferedImage apply(BufferedImage src, int size, Random rnd) {
        BufferedImage img = Preprocessor.resizeShorterSide(src, (int) Math.ceil(size * maxZoom * 1.2));
        double angle = Math.toRadians((rnd.nextDouble() * 2 - 1) * maxRotation);
        double zoom = 1 + rnd.nextDouble() * (maxZoom - 1);
        // A square of side s rotated by a needs s(|cos a| + |sin a|) of the source to stay inside it.
        double cover = Math.abs(Math.cos(angle)) + Math.abs(Math.sin(angle));
        double scale = size * zoom * cover / Math.min(img.getWidth(), img.getHeight());
        // Where the crop's centre may go, in source pixels, with the rotated crop still inside.
        double halfSpan = size * cover / (2 * scale);
        double cx = img.getWidth() / 2.0 + (rnd.nextDouble() * 2 - 1) * Math.max(0, img.getWidth() / 2.0 - halfSpan);
        double cy = img.getHeight() / 2.0 + (rnd.nextDouble() * 2 - 1) * Math.max(0, img.getHeight() / 2.0 - halfSpan);
        int turns = quarterTurns ? rnd.nextInt(4) : 0;
        boolean mirror = flipHorizontal && rnd.nextBoolean();
        boolean upsideDown = flipVertical && rnd.nextBoolean();

        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0, size / 2.0);
        t.scale(mirror ? -1 : 1, upsideDown ? -1 : 1);
        t.rotate(angle + turns * Math.PI / 2);
        t.scale(scale, scale);
        t.translate(-cx, -cy);

        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, t, null);
        } finally {
            g.dispose();
        }
        if (maxLighting > 0) {
            light(out, 1 + (rnd.nextDouble() * 2 - 1) * maxLighting, (rnd.nextDouble() * 2 - 1) * maxLighting);
        }
        return out;
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
