package io.lince.web;

import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small JPEG data URLs of event images for the dashboard (the page never fetches an event's URI). */
final class Thumbnails {

    private final ImageDecoder decoder = ImageDecoder.defaults();
    private final int side;

    Thumbnails(int side) {
        this.side = side;
    }

    /** A data URL, or null when the event carries no bytes or they are not an image. */
    String of(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        try {
            BufferedImage img = decoder.decode(b);
            double scale = Math.min(1.0, side / (double) Math.max(img.getWidth(), img.getHeight()));
            int w = Math.max(1, (int) Math.round(img.getWidth() * scale));
            int h = Math.max(1, (int) Math.round(img.getHeight() * scale));
            BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = small.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, w, h, null);
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(small, "jpg", out);
            return "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (InvalidImageException | IOException | RuntimeException e) {
            return null;
        }
    }
}
