package io.lince.model;

import ai.djl.MalformedModelException;
import ai.djl.nn.Block;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Lince's checkpoint: one file, so one sha256 covers everything a classifier needs.
 *
 * <pre>"LINCE1" | int length | JSON {@link ModelInfo} | DJL parameter stream</pre>
 */
public final class Checkpoint {

    private static final byte[] MAGIC = "LINCE1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    /** Writes atomically (temp file + rename), so a reader never sees half a checkpoint. */
    public static void write(Path file, ModelInfo info, Block block) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
                out.write(MAGIC);
                byte[] meta = JSON.writeValueAsBytes(info);
                out.writeInt(meta.length);
                out.write(meta);
                block.saveParameters(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp); // a disk that filled up is not kept full by the half-written file
            throw e;
        }
    }

    /** Reads only the metadata. */
    public static ModelInfo readInfo(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            return readHeader(in, file);
        } catch (java.io.EOFException e) {
            throw truncated(file, e);
        }
    }

    /** An EOFException has no message: a refusal must say what was wrong. */
    private static IOException truncated(Path file, java.io.EOFException e) {
        long size = -1;
        try {
            size = Files.size(file);
        } catch (IOException ignored) {
            // the size is only for the message
        }
        return new IOException(file + " is truncated: it ends (at " + size + " bytes) before the checkpoint does", e);
    }

    /** Reads the metadata, then the weights into {@code block} (built for the same classes). */
    public static ModelInfo readInto(Path file, Block block, NDManager manager) throws IOException {
        try (DataInputStream in = open(file)) {
            ModelInfo info = readHeader(in, file);
            block.loadParameters(manager, in);
            return info;
        } catch (java.io.EOFException e) {
            throw truncated(file, e);
        } catch (MalformedModelException e) {
            throw new IOException(file + ": weights do not match a ResNet-34: " + e.getMessage(), e);
        }
    }

    public static boolean looksLikeCheckpoint(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20));
    }

    private static ModelInfo readHeader(DataInputStream in, Path file) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a Lince checkpoint (bad magic)");
        }
        int length = in.readInt();
        if (length <= 0 || length > 1 << 20) {
            throw new IOException(file + ": corrupt checkpoint header");
        }
        return JSON.readValue(in.readNBytes(length), ModelInfo.class);
    }
}
