package io.lince.bench;

import io.lince.images.ImageDecoder;
import io.lince.images.InputCrop;
import io.lince.images.PerceptualHash;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * How far apart the perceptual hashes of real photos lie (run by hand:
 * {@code bench/near_duplicates.sh [DIR]}): for every photo the distance to its nearest other
 * photo (an unrelated image the near-duplicate rule would wrongly skip), and for "frames" made
 * from a photo (shifted by 3% and re-encoded as a JPEG of quality 0.7, then also brightened by
 * 8 levels) the distance to the original (what the rule should catch).
 */
public final class NearDuplicates {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/dogs-vs-cats/train");
        int size = Integer.parseInt(System.getProperty("size", "128"));
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(f -> f.toString().toLowerCase(Locale.ROOT).endsWith(".jpg")).sorted().toList();
        }
        InputCrop crops = new InputCrop(ImageDecoder.defaults(), true);
        long[] h = new long[files.size()];
        for (int i = 0; i < h.length; i++) {
            h[i] = PerceptualHash.of(crops.crop(Files.readAllBytes(files.get(i)), size), size);
        }
        int[] nearest = new int[65];
        for (int i = 0; i < h.length; i++) {
            int best = 64;
            for (int j = 0; j < h.length; j++) {
                if (j != i) {
                    best = Math.min(best, PerceptualHash.distance(h[i], h[j]));
                }
            }
            nearest[best]++;
        }
        int[] frame = new int[65];
        int[] brighter = new int[65];
        int n = Math.min(300, files.size());
        for (int i = 0; i < n; i++) {
            BufferedImage img = ImageIO.read(files.get(i).toFile());
            int dx = img.getWidth() * 3 / 100;
            int dy = img.getHeight() * 3 / 100;
            BufferedImage shifted = img.getSubimage(dx, dy, img.getWidth() - dx, img.getHeight() - dy);
            frame[PerceptualHash.distance(h[i], PerceptualHash.of(crops.crop(jpeg(copy(shifted, 0)), size), size))]++;
            brighter[PerceptualHash.distance(h[i], PerceptualHash.of(crops.crop(jpeg(copy(shifted, 8)), size), size))]++;
        }
        System.out.printf(Locale.ROOT, "%d photos from %s, %d px crops%n", h.length, dir, size);
        System.out.println("| within bits | photos with an unrelated photo that close | frames (3% shift, JPEG q0.7) | frames brightened by 8 |");
        System.out.println("|---|---|---|---|");
        for (int b : new int[] {2, 4, 6, 8, 10, 12}) {
            System.out.printf(Locale.ROOT, "| %d | %.1f%% | %.1f%% | %.1f%% |%n", b, 100.0 * upTo(nearest, b) / h.length,
                    100.0 * upTo(frame, b) / n, 100.0 * upTo(brighter, b) / n);
        }
    }

    private static int upTo(int[] hist, int b) {
        int s = 0;
        for (int i = 0; i <= b; i++) {
            s += hist[i];
        }
        return s;
    }

    private static BufferedImage copy(BufferedImage img, int brighten) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int r = Math.min(255, ((p >> 16) & 0xff) + brighten);
                int g = Math.min(255, ((p >> 8) & 0xff) + brighten);
                int b = Math.min(255, (p & 0xff) + brighten);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    private static byte[] jpeg(BufferedImage img) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var writer = ImageIO.getImageWritersByFormatName("jpg").next();
        var param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.7f);
        try (var ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new javax.imageio.IIOImage(img, null, null), param);
        }
        writer.dispose();
        return out.toByteArray();
    }
}
