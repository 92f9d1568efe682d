package io.lince.bench;

import ai.djl.Device;
import io.lince.images.ImageDecoder;
import io.lince.images.ImageFolder;
import io.lince.images.InputCrop;
import io.lince.images.Preprocessor;
import io.lince.images.SyntheticImages;
import io.lince.model.LinceModel;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The pixel path behind bench/pixels.sh: milliseconds per image for today's path (ImageIO decode
 * plus the Java preprocessing into floats) against the new one (OpenCV with DCT-domain
 * downscaling, to RGB bytes), taken in turns on one thread; the crops of both written for
 * bench/pixels_compare.py (PIL + torchvision's evaluation transform); and, with a checkpoint, how
 * often the two paths give the same top-1 answer, on the photos and on the photos upscaled 3×.
 * Args: IMAGES_DIR OUT_DIR SIZE [CHECKPOINT].
 */
public final class PixelPathBenchmark {

    private static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        int size = Integer.parseInt(args[2]);
        Path checkpoint = args.length > 3 ? Path.of(args[3]) : null;
        List<ImageFolder.Entry> entries = ImageFolder.scan(images).entries();
        List<byte[]> jpegs = new ArrayList<>();
        StringBuilder files = new StringBuilder();
        for (ImageFolder.Entry e : entries) {
            jpegs.add(Files.readAllBytes(e.file()));
            files.append(e.file().toAbsolutePath()).append('\t').append(e.label()).append('\n');
        }
        Files.writeString(out.resolve("files.tsv"), files);
        ImageDecoder decoder = new ImageDecoder(64 * 1024 * 1024, 100_000_000L);
        InputCrop fast = new InputCrop(decoder, true);
        InputCrop imageIo = new InputCrop(decoder, false);
        if (!fast.openCv()) {
            throw new IllegalStateException("OpenCV did not load");
        }
        List<byte[]> large = upscaled(jpegs.subList(0, Math.min(200, jpegs.size())), decoder, 3);
        StringBuilder md = new StringBuilder("# Pixel path\n\n");
        md.append(String.format(Locale.ROOT, "%d photos from %s, input %d px, one thread, %d rounds in turns; %s%n%n",
                jpegs.size(), images, size, ROUNDS, cpuFlags()));
        md.append("| photos | today: ImageIO + Java floats | ImageIO crop to bytes | OpenCV crop (DCT scaling) | today / OpenCV |\n|---|---|---|---|---|\n");
        timings(md, "valid (first 300, ~500×375)", jpegs.subList(0, Math.min(300, jpegs.size())), decoder, fast, imageIo, size);
        timings(md, "valid upscaled 3× (200, ~1500×1125)", large, decoder, fast, imageIo, size);

        try (OutputStream o = Files.newOutputStream(out.resolve("opencv.u8")); OutputStream i = Files.newOutputStream(out.resolve("imageio.u8"))) {
            for (byte[] j : jpegs) {
                o.write(fast.crop(j, size));
                i.write(imageIo.crop(j, size));
            }
        }
        if (checkpoint != null) {
            try (LinceModel m = LinceModel.loadForServing(checkpoint, Device.cpu(), true)) {
                int s = m.info().inputSize();
                md.append(String.format(Locale.ROOT, "%nTop-1 agreement, model %s (input %d px):%n%n", checkpoint.getFileName(), s));
                agreement(md, "valid", jpegs, entries, m, fast, imageIo);
                agreement(md, "valid upscaled 3×", large, entries, m, fast, imageIo);
            }
        }
        Files.writeString(out.resolve("pixels.md"), md);
        System.out.println(md);
        System.exit(0);
    }

    private static void timings(StringBuilder md, String name, List<byte[]> jpegs, ImageDecoder decoder, InputCrop fast,
            InputCrop imageIo, int size) throws Exception {
        Preprocessor pre = new Preprocessor(size);
        double[] today = new double[ROUNDS], bytes = new double[ROUNDS], cv = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
            long t0 = System.nanoTime();
            for (byte[] j : jpegs) {
                pre.toTensor(decoder.decode(j));
            }
            long t1 = System.nanoTime();
            for (byte[] j : jpegs) {
                imageIo.crop(j, size);
            }
            long t2 = System.nanoTime();
            for (byte[] j : jpegs) {
                fast.crop(j, size);
            }
            long t3 = System.nanoTime();
            if (r >= 0) {
                today[r] = (t1 - t0) / 1e6 / jpegs.size();
                bytes[r] = (t2 - t1) / 1e6 / jpegs.size();
                cv[r] = (t3 - t2) / 1e6 / jpegs.size();
            }
        }
        double[] ratio = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            ratio[r] = today[r] / cv[r];
        }
        md.append(String.format(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f× (rounds %s) |%n", name, median(today),
                median(bytes), median(cv), median(ratio), fmt(ratio)));
    }

    private static void agreement(StringBuilder md, String name, List<byte[]> jpegs, List<ImageFolder.Entry> entries,
            LinceModel m, InputCrop fast, InputCrop imageIo) throws Exception {
        int s = m.info().inputSize();
        int agree = 0, rightFast = 0, rightToday = 0;
        int batch = 32;
        for (int from = 0; from < jpegs.size(); from += batch) {
            int n = Math.min(jpegs.size(), from + batch) - from;
            ByteBuffer a = ByteBuffer.allocateDirect(n * s * s * 3);
            ByteBuffer b = ByteBuffer.allocateDirect(n * s * s * 3);
            for (int i = from; i < from + n; i++) {
                a.put(fast.crop(jpegs.get(i), s));
                b.put(imageIo.crop(jpegs.get(i), s));
            }
            float[][] pa = m.probabilities(a.flip(), n);
            float[][] pb = m.probabilities(b.flip(), n);
            for (int i = 0; i < n; i++) {
                int la = argmax(pa[i]), lb = argmax(pb[i]);
                int truth = m.info().classIndex(entries.get(from + i).label());
                agree += la == lb ? 1 : 0;
                rightFast += la == truth ? 1 : 0;
                rightToday += lb == truth ? 1 : 0;
            }
        }
        int n = jpegs.size();
        md.append(String.format(Locale.ROOT, "- %s: same top-1 on %d/%d = %.1f%%; accuracy %.1f%% OpenCV path, %.1f%% today's path%n",
                name, agree, n, 100.0 * agree / n, 100.0 * rightFast / n, 100.0 * rightToday / n));
    }

    private static List<byte[]> upscaled(List<byte[]> jpegs, ImageDecoder decoder, int factor) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] j : jpegs) {
            BufferedImage src = decoder.decode(j);
            BufferedImage big = new BufferedImage(src.getWidth() * factor, src.getHeight() * factor, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = big.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, big.getWidth(), big.getHeight(), null);
            g.dispose();
            out.add(SyntheticImages.encode(big, "jpg"));
        }
        return out;
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }

    static String cpuFlags() throws Exception {
        String info = Files.readString(Path.of("/proc/cpuinfo"));
        java.util.TreeSet<String> flags = new java.util.TreeSet<>();
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("avx512[a-z_0-9]*|amx[a-z_]*|\\bavx2\\b").matcher(info);
        while (mt.find()) {
            flags.add(mt.group());
        }
        return Runtime.getRuntime().availableProcessors() + " cores, CPU flags " + String.join(" ", flags);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", d));
        }
        return sb.toString();
    }
}
