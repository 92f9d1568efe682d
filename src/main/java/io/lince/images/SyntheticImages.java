package io.lince.images;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A generated two-class image set for demos and tests: warm "discs" on dark backgrounds and cool
 * "stripes" on light ones, with random sizes, positions, angles and noise. Distinct enough for a
 * CNN to learn from a few dozen labels, varied enough that a model has something to be unsure of.
 */
public final class SyntheticImages {

    public static final List<String> CLASSES = List.of("discs", "stripes");

    private final Random random;
    private final int width;
    private final int height;

    public SyntheticImages(long seed, int width, int height) {
        this.random = new Random(seed);
        this.width = width;
        this.height = height;
    }

    /** One image of class {@code CLASSES.get(label)}. */
    public BufferedImage image(int label) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            if (label == 0) {
                discs(g);
            } else {
                stripes(g);
            }
        } finally {
            g.dispose();
        }
        addNoise(img, 18);
        return img;
    }

    public byte[] jpeg(int label) {
        return encode(image(label), "jpg");
    }

    public static byte[] encode(BufferedImage img, String format) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void discs(Graphics2D g) {
        g.setColor(Color.getHSBColor(0.55f + 0.15f * random.nextFloat(), 0.6f, 0.15f + 0.3f * random.nextFloat()));
        g.fillRect(0, 0, width, height);
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            int r = (int) (Math.min(width, height) * (0.12 + 0.2 * random.nextDouble()));
            int x = random.nextInt(width);
            int y = random.nextInt(height);
            g.setColor(Color.getHSBColor(0.13f * random.nextFloat(), 0.7f + 0.3f * random.nextFloat(), 0.8f + 0.2f * random.nextFloat()));
            g.fillOval(x - r, y - r, 2 * r, 2 * r);
        }
    }

    private void stripes(Graphics2D g) {
        g.setColor(Color.getHSBColor(random.nextFloat(), 0.15f, 0.75f + 0.25f * random.nextFloat()));
        g.fillRect(0, 0, width, height);
        int gap = 8 + random.nextInt(Math.max(1, Math.min(width, height) / 6));
        g.setColor(Color.getHSBColor(0.3f + 0.25f * random.nextFloat(), 0.6f + 0.4f * random.nextFloat(), 0.3f + 0.4f * random.nextFloat()));
        g.setStroke(new BasicStroke(gap / 2f));
        AffineTransform t = g.getTransform();
        g.rotate(random.nextDouble() * Math.PI, width / 2.0, height / 2.0);
        int d = width + height;
        for (int x = -d; x < d; x += gap) {
            g.drawLine(x, -d, x, d);
        }
        g.setTransform(t);
    }

    private void addNoise(BufferedImage img, int amplitude) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int r = clamp(((p >> 16) & 0xff) + random.nextInt(2 * amplitude + 1) - amplitude);
                int gr = clamp(((p >> 8) & 0xff) + random.nextInt(2 * amplitude + 1) - amplitude);
                int b = clamp((p & 0xff) + random.nextInt(2 * amplitude + 1) - amplitude);
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
