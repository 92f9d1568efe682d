package io.lince.registry;

import ai.djl.nn.Block;
import io.lince.contracts.ModelPublished;
import io.lince.model.Checkpoint;
import io.lince.model.LinceModel;
import io.lince.model.CpuFeatures;
import io.lince.model.ModelInfo;
import io.lince.model.Serving;
import io.lince.model.onnx.OnnxExport;
import io.lince.model.onnx.OnnxSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Model artifacts in a directory (a shared volume in a cluster). Each version is one checkpoint
 * file, addressed by a {@code file:} URI and checked by its sha256 before anything loads it.
 */
public final class ModelStore {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ModelStore.class);

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

    /**
     * {@code version}'s INT8 ONNX graph, beside its checkpoint ({@code resnet34-v0005.int8.onnx});
     * written once, like the checkpoint.
     */
    public Stored putInt8(int version, byte[] graph) throws IOException {
        Path file = root.resolve(String.format(Locale.ROOT, "resnet34-v%04d.int8.onnx", version));
        Files.write(file, graph, java.nio.file.StandardOpenOption.CREATE_NEW);
        applyMode(file);
        return new Stored(file.toUri().toString(), sha256(file), file);
    }

    /**
     * Loads version {@code m} to serve as {@code serving} says: its checkpoint verified and
     * loaded; then, through ONNX Runtime, its fp32 graph (exported from the checkpoint here) or
     * its INT8 graph (verified like the checkpoint; only where its gate allowed it, otherwise fp32
     * and the reason). The choice and its reason are logged.
     */
    public LinceModel load(ModelPublished m, ai.djl.Device device, Serving serving) throws IOException {
        LinceModel model = LinceModel.loadForServing(verified(m), device, serving);
        try {
            String refusal = m.getInt8ArtifactUri() == null ? "v" + m.getVersion() + " has no INT8 graph"
                    : !m.getInt8Allowed() ? m.getInt8Decision() : null;
            Serving.Choice choice = serving.choose(device, refusal, CpuFeatures.here());
            if (choice.runtime() == Serving.Runtime.ONNXRUNTIME) {
                byte[] graph = switch (choice.precision()) {
                    case INT8 -> verifiedBytes(m.getInt8ArtifactUri(), m.getInt8Sha256());
                    case FP16 -> OnnxExport.fp16(model).toByteArray();
                    default -> OnnxExport.fp32(model).toByteArray();
                };
                model.servedBy(new OnnxSession(graph, model.info().inputSize(), Serving.intraOpThreads(),
                        device.isGpu() ? device.getDeviceId() : -1), choice.precision().name().toLowerCase(Locale.ROOT));
            }
            LOG.infof("v%d serves through %s (%s)", m.getVersion(), model.runtime(), choice.reason());
            return model;
        } catch (ai.onnxruntime.OrtException | IOException | RuntimeException e) {
            model.close();
            throw e instanceof IOException io ? io : new IOException("v" + m.getVersion() + " does not load into ONNX Runtime: "
                    + e.getMessage(), e);
        }
    }

    /** The bytes of an artifact, checked as {@link #verified(String, String)} checks it, read once. */
    public byte[] verifiedBytes(String uri, String expectedSha256) throws IOException {
        byte[] bytes = Files.readAllBytes(located(uri));
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new IOException("model artifact " + uri + " has sha256 " + actual + ", expected " + expectedSha256);
        }
        return bytes;
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
        Path file = located(uri);
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new IOException("model artifact " + uri + " has sha256 " + actual + ", expected " + expectedSha256);
        }
        return file;
    }

    /** The file {@code uri} names, after checking it lies inside this store. */
    private Path located(String uri) throws IOException {
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
        return file;
    }

    public static String sha256(byte[] bytes) {
        return org.apache.commons.codec.digest.DigestUtils.sha256Hex(bytes);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return org.apache.commons.codec.digest.DigestUtils.sha256Hex(in);
        }
    }
}
