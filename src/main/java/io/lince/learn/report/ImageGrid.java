package io.lince.learn.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The notebook's {@code plots(ims, rows, titles)}: square tiles in a grid, a caption under each. */
public final class ImageGrid {

    /** One tile: an image and its caption. */
    public record Tile(BufferedImage image, String caption) {}

    private static final int CAPTION = 22;
    private static final int GAP = 6;

    private ImageGrid() {}

    public static BufferedImage draw(List<Tile> tiles, int rows, int tile) {
        int cols = (int) Math.ceil(tiles.size() / (double) Math.max(1, rows));
        int w = Math.max(1, cols) * (tile + GAP) + GAP;
        int h = Math.max(1, rows) * (tile + CAPTION + GAP) + GAP;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int i = 0; i < tiles.size(); i++) {
                int x = GAP + (i % cols) * (tile + GAP);
                int y = GAP + (i / cols) * (tile + CAPTION + GAP);
                BufferedImage img = tiles.get(i).image();
                double s = (double) tile / Math.max(img.getWidth(), img.getHeight());
                int iw = (int) Math.round(img.getWidth() * s);
                int ih = (int) Math.round(img.getHeight() * s);
                g.drawImage(img, x + (tile - iw) / 2, y + (tile - ih) / 2, iw, ih, null);
                g.setColor(Color.DARK_GRAY);
                g.drawString(tiles.get(i).caption(), x, y + tile + CAPTION - 6);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    public static Path write(List<Tile> tiles, int rows, int tile, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(draw(tiles, rows, tile), "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }
}
