package io.lince.learn;

import io.lince.images.ImageFolder.Entry;
import io.lince.model.LinceModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code precompute=True}: the frozen body's activations for a list of images, computed
 * once and kept on disk. The file name is a digest of everything they depend on (the body's
 * weights, the input size, and each file's path, label, size and modification time), so a change
 * to any of them misses the cache instead of reading stale activations.
 */
public final class ActivationCache {

    private static final int MAGIC = 0x4C414331; // "LAC1"

    private final Path dir;
    private final PrintStream log;
    private int hits;
    private int misses;

    public ActivationCache(Path dir, PrintStream log) {
        this.dir = dir;
        this.log = log;
    }

    public Activations get(LinceModel model, ImageBatches images, String split) throws IOException {
        Path file = dir.resolve("activations-" + split + "-" + key(model, images).substring(0, 24) + ".bin");
        if (Files.isRegularFile(file)) {
            hits++;
            return read(file);
        }
        misses++;
        Activations a = compute(model, images, split);
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "activations", ".tmp");
        write(tmp, a);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log.println("precomputed " + split + " activations: " + file);
        return a;
    }

    public int hits() {
        return hits;
    }

    public int misses() {
        return misses;
    }

    static String key(LinceModel model, ImageBatches images) throws IOException {
        StringBuilder s = new StringBuilder(model.bodyDigest()).append('\n').append(images.exampleShape()[1]).append('\n');
        for (Entry e : images.entries()) {
            s.append(e.file().toAbsolutePath()).append('\t').append(e.label()).append('\t')
                    .append(Files.size(e.file())).append('\t').append(Files.getLastModifiedTime(e.file()).toMillis()).append('\n');
        }
        return org.apache.commons.codec.digest.DigestUtils.sha256Hex(s.toString());
    }

    private Activations compute(LinceModel model, ImageBatches images, String split) {
        ModelRunner runner = new ModelRunner(model);
        List<float[]> features = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        Progress bar = Progress.start(log, "precompute " + split, images.size());
        for (MiniBatch b : images.epoch(null)) {
            if (b.size() > 0) {
                float[][] f = runner.features(b, images.exampleShape());
                for (int i = 0; i < b.size(); i++) {
                    features.add(f[i]);
                    labels.add(b.labels()[i]);
                    rows.add(b.rows()[i]);
                }
            }
            bar.step(images.batchSize(), "");
        }
        bar.finish();
        return new Activations(features.toArray(float[][]::new),
                labels.stream().mapToInt(Integer::intValue).toArray(), rows.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void write(Path file, Activations a) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(a.rows().length);
            out.writeInt(a.dimension());
            for (int i = 0; i < a.rows().length; i++) {
                out.writeInt(a.rows()[i]);
                out.writeInt(a.labels()[i]);
                for (float v : a.features()[i]) {
                    out.writeFloat(v);
                }
            }
        }
    }

    private static Activations read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not an activation cache");
            }
            int n = in.readInt();
            int d = in.readInt();
            float[][] f = new float[n][d];
            int[] labels = new int[n];
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = in.readInt();
                labels[i] = in.readInt();
                for (int j = 0; j < d; j++) {
                    f[i][j] = in.readFloat();
                }
            }
            return new Activations(f, labels, rows);
        }
    }
}
