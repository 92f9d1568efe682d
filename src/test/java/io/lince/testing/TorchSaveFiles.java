package io.lince.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes state dicts the way {@code torch.save} does (a zip holding {@code data.pkl}, a protocol-2
 * pickle of an OrderedDict of {@code _rebuild_tensor_v2} calls over persistent-id storages, and
 * the storages in {@code data/N}), so the {@code .pth} reader is tested where no Python runs.
 * bench/safetensors_check.sh checks the reader against files real torch wrote.
 */
public final class TorchSaveFiles {

    /** A tensor: float32 values laid out by {@code stride} (row-major when null), or int64 values. */
    public record Tensor(long[] shape, long[] stride, float[] floats, long[] longs) {
        public static Tensor of(float[] values, long... shape) {
            return new Tensor(shape, null, values, null);
        }
    }

    private TorchSaveFiles() {}

    public static void write(Path file, Map<String, Tensor> state) throws IOException {
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        global(pkl, "collections", "OrderedDict");
        pkl.write(')');
        pkl.write('R');
        int key = 0;
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor t = e.getValue();
                unicode(pkl, e.getKey());
                global(pkl, "torch._utils", "_rebuild_tensor_v2");
                pkl.write('(');
                pkl.write('(');
                unicode(pkl, "storage");
                global(pkl, "torch", t.longs() != null ? "LongStorage" : "FloatStorage");
                unicode(pkl, String.valueOf(key));
                unicode(pkl, "cpu");
                int numel = t.longs() != null ? t.longs().length : t.floats().length;
                binint(pkl, numel);
                pkl.write('t');
                pkl.write('Q'); // BINPERSID
                binint(pkl, 0);
                tuple(pkl, t.shape());
                tuple(pkl, t.stride() != null ? t.stride() : contiguous(t.shape()));
                pkl.write(0x89); // NEWFALSE: requires_grad
                global(pkl, "collections", "OrderedDict");
                pkl.write(')');
                pkl.write('R');
                pkl.write('t');
                pkl.write('R');
                pkl.write('s');
                ByteBuffer data = ByteBuffer.allocate(numel * (t.longs() != null ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                if (t.longs() != null) {
                    data.asLongBuffer().put(t.longs());
                } else {
                    data.asFloatBuffer().put(t.floats());
                }
                entry(zip, "archive/data/" + key, data.array());
                key++;
            }
            // torch sets the state dict's _metadata attribute
            pkl.write('}');
            unicode(pkl, "_metadata");
            global(pkl, "collections", "OrderedDict");
            pkl.write(')');
            pkl.write('R');
            pkl.write('s');
            pkl.write('b'); // BUILD
            pkl.write('.');
            entry(zip, "archive/data.pkl", pkl.toByteArray());
            entry(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            entry(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static long[] contiguous(long[] shape) {
        long[] s = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = step;
            step *= shape[d];
        }
        return s;
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static void global(OutputStream o, String module, String name) throws IOException {
        o.write('c');
        o.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(OutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write('X');
        o.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        o.write(b);
    }

    private static void binint(OutputStream o, long v) throws IOException {
        o.write('J');
        o.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(v)).array());
    }

    private static void tuple(OutputStream o, long[] values) throws IOException {
        o.write('(');
        for (long v : values) {
            binint(o, v);
        }
        o.write('t');
    }
}
