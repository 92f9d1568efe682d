package io.lince.registry;

import ai.djl.nn.Block;
import io.lince.contracts.ModelPublished;
import io.lince.model.Checkpoint;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Model artifacts in a directory (a shared volume in a cluster). Each version is one checkpoint
 * file, addressed by a {@code file:} URI and checked by its sha256 before anything loads it.
 */
public final class ModelStore {

    /** Where a stored version lives and its digest. */
    public record Stored(String uri, String sha256, Path file) {}

    /**
     * A store's directory and the POSIX mode its artifacts and lineage files get.
     *
     * @param artifactMode as {@code ls -l} writes it, e.g. {@code rw-------} (the default: only the
     *     user Lince runs as) or {@code rw-r-----} for a shared volume that others read by group
     */
    public record Location(Path dir, String artifactMode) {
        public static final String DEFAULT_MODE = "rw-------";

        public Location {
            try {
                java.nio.file.attribute.PosixFilePermissions.fromString(artifactMode);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lince.model.artifact-mode: '" + artifactMode
                        + "' is not a file mode like rw------- or rw-r-----", e);
            }
        }

        public static Location of(Path dir) {
            return new Location(dir, DEFAULT_MODE);
        }
    }

    private final Path root;
    private final java.util.Set<java.nio.file.attribute.PosixFilePermission> mode;

    public ModelStore(Path root) throws IOException {
        this(Location.of(root));
    }

    public ModelStore(Location location) throws IOException {
        this.mode = java.nio.file.attribute.PosixFilePermissions.fromString(location.artifactMode());
        Path root = location.dir();
        try {
            this.root = Files.createDirectories(root).toRealPath();
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException("the model store " + root + " is not a directory (lince.model-store)", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("the model store " + root + " cannot be created or read: permission denied (lince.model-store)", e);
        } catch (IOException e) {
            throw new IOException("the model store " + root + " cannot be used (lince.model-store): " + e, e);
        }
    }

    public Path root() {
        return root;
    }

    public Stored put(LinceModel model) throws IOException {
        return put(model.info(), model.network());
    }

    /**
     * The first version from {@code from} on with no artifact in this store: a training that
     * wrote its candidate and died before publishing it leaves a number taken.
     */
    public int firstFreeVersion(int from) {
        int v = Math.max(1, from);
        while (Files.exists(root.resolve(String.format(Locale.ROOT, "resnet34-v%04d.lince", v)))) {
            if (v == Integer.MAX_VALUE) {
                throw new IllegalStateException("model versions are exhausted in " + root);
            }
            v++;
        }
        return v;
    }

    /** Stores {@code weights} as version {@code info.version()}. */
    public Stored put(ModelInfo info, Block weights) throws IOException {
        if (info.version() <= 0) {
            throw new IOException("model version " + info.version() + " is not a version: versions start at 1");
        }
        Path file = root.resolve(String.format(Locale.ROOT, "resnet34-v%04d.lince", info.version()));
        if (Files.exists(file)) {
            // an artifact is never overwritten: a record elsewhere may name it by its digest
            throw new IOException("model artifact " + file + " already exists: a version is written once");
        }
        Checkpoint.write(file, info, weights);
        applyMode(file);
        return new Stored(file.toUri().toString(), sha256(file), file);
    }

    /**
     * Lineage: the ids a version was trained and judged on, one per line, beside its artifact
     * ({@code resnet34-v0005.data.txt}), so a version leads back to its data.
     */
    public Path putLineage(int version, java.util.Collection<String> trainIds, java.util.Collection<String> evalIds,
            String how) throws IOException {
        Path file = root.resolve(String.format(Locale.ROOT, "resnet34-v%04d.data.txt", version));
        StringBuilder s = new StringBuilder("# model v" + version + ": train ids, then evaluation ids\n# trained: " + how + "\n");
        new java.util.TreeSet<>(trainIds).forEach(id -> s.append("train\t").append(id).append('\n'));
        new java.util.TreeSet<>(evalIds).forEach(id -> s.append("eval\t").append(id).append('\n'));
        Files.writeString(file, s);
        applyMode(file);
        return file;
    }

    /** Something that writes a file. */
    @FunctionalInterface
    public interface FileWriter {
        Path write(Path file) throws IOException;
    }

    /** The reliability diagram of {@code version}'s calibration, beside its artifact ({@code resnet34-v0005.reliability.png}). */
    public Path putReliabilityDiagram(int version, FileWriter chart) throws IOException {
        Path file = reliabilityDiagram(version);
        chart.write(file);
        applyMode(file);
        return file;
    }

    public Path reliabilityDiagram(int version) {
        return root.resolve(String.format(Locale.ROOT, "resnet34-v%04d.reliability.png", version));
    }

    private void applyMode(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(file, mode);
        }
    }

    /** Where the training of {@code version} writes its log (the fit tables), beside its artifact. */
    public Path trainingLog(int version) {
        return root.resolve(String.format(Locale.ROOT, "resnet34-v%04d.train.log", version));
    }

    /**
     * {@code m}'s artifact, after checking it lies inside this store, has its digest, and holds
     * version {@code m}'s version (what the registry record claims, the file must bear out).
     *
     * @throws IOException with the reason when it does not
     */
    public Path verified(ModelPublished m) throws IOException {
        Path file = verified(m.getArtifactUri(), m.getSha256());
        int held = Checkpoint.readInfo(file).version();
        if (held != m.getVersion()) {
            throw new IOException("model artifact " + m.getArtifactUri() + " holds v" + held + ", not v" + m.getVersion());
        }
        return file;
    }

    /**
     * @return the artifact's file, after checking it lies inside this store and has the digest
     * @throws IOException with the reason when it does not
     */
    public Path verified(String uri, String expectedSha256) throws IOException {
        URI u = URI.create(uri);
        if (!"file".equals(u.getScheme())) {
            throw new IOException("model artifact " + uri + ": only file: URIs are served by this store");
        }
        Path file = Path.of(u).normalize();
        if (!file.startsWith(root)) {
            throw new IOException("model artifact " + uri + " lies outside the model store " + root);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("model artifact " + uri + " does not exist");
        }
        // symlinks resolved: a link inside the store to a file outside it is outside
        Path real = file.toRealPath();
        if (!real.startsWith(root.toRealPath())) {
            throw new IOException("model artifact " + uri + " resolves to " + real + ", outside the model store " + root.toRealPath());
        }
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new IOException("model artifact " + uri + " has sha256 " + actual + ", expected " + expectedSha256);
        }
        return file;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
