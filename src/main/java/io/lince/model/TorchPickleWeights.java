package io.lince.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Reads a PyTorch state dict saved by {@code torch.save} (the zip format of PyTorch 1.6 and later,
 * what torchvision caches, e.g. {@code resnet34-b627a593.pth}): {@code data.pkl} is a pickle
 * whose tensors point, through persistent ids, at raw little-endian storages in {@code data/N}.
 * The pickle is read by Pyrolite (a pickle reader for the JVM) with constructors for the few
 * torch globals a state dict uses; nothing in it is executed. Float32, float16, float64, bfloat16
 * (widened to float32, since DJL's libtorch bindings abort on bf16) and int64 storages are read.
 */
public final class TorchPickleWeights {

    private TorchPickleWeights() {}

    /** Whether {@code file} is a zip archive (a {@code torch.save} file, not safetensors). */
    public static boolean isTorchZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        }
    }

    /** Loads {@code file}'s tensors into {@code net} by torchvision's names; see {@link SafetensorsWeights#copy}. */
    public static int load(Path file, ResNet34 net, NDManager target) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(target.getDevice())) {
            return SafetensorsWeights.copy(file, read(file, scratch), TorchvisionNames.of(net));
        }
    }

    /** Every tensor of the state dict, named. */
    public static NDList read(Path file, NDManager manager) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (var e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith("data.pkl")) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) {
                throw new IOException(file + " is a zip archive without data.pkl: not a torch.save file");
            }
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null && !new String(zip.getInputStream(order).readAllBytes()).trim().equals("little")) {
                throw new IOException(file + ": big-endian storages are not supported");
            }
            Object root;
            try (InputStream pkl = zip.getInputStream(zip.getEntry(prefix + "data.pkl"))) {
                root = new StateDictUnpickler().load(pkl);
            } catch (PickleException e) {
                throw new IOException(file + ": not a state dict Lince can read: " + e.getMessage(), e);
            }
            if (!(root instanceof Map<?, ?> dict)) {
                throw new IOException(file + " holds a " + root.getClass().getSimpleName()
                        + ", not a state dict (save model.state_dict(), not the model)");
            }
            Map<String, ByteBuffer> storages = new HashMap<>();
            NDList out = new NDList();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getValue() instanceof Tensor t)) {
                    continue;
                }
                ByteBuffer data = storages.get(t.storage.key);
                if (data == null) {
                    ZipEntry entry = zip.getEntry(prefix + "data/" + t.storage.key);
                    if (entry == null) {
                        throw new IOException(file + ": storage " + t.storage.key + " of " + e.getKey() + " is missing");
                    }
                    data = ByteBuffer.wrap(zip.getInputStream(entry).readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
                    storages.put(t.storage.key, data);
                }
                NDArray a = t.toArray(manager, data);
                a.setName(String.valueOf(e.getKey()));
                out.add(a);
            }
            return out;
        }
    }

    /** A persistent id's storage: its element type and its file in the archive. */
    record Storage(String type, String key) {
        int bytes() {
            return switch (type) {
                case "FloatStorage" -> 4;
                case "HalfStorage", "BFloat16Storage" -> 2;
                case "DoubleStorage", "LongStorage" -> 8;
                default -> throw new PickleException("storage type " + type + " is not supported (float32, float16,"
                        + " bfloat16, float64 and int64 are)");
            };
        }
    }

    /** {@code torch._utils._rebuild_tensor_v2}'s arguments: a view of a storage. */
    record Tensor(Storage storage, long offset, long[] shape, long[] stride) {

        NDArray toArray(NDManager manager, ByteBuffer data) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            int size = storage.bytes();
            long[] index = new long[shape.length];
            boolean isLong = storage.type().equals("LongStorage");
            float[] f = isLong ? null : new float[Math.toIntExact(n)];
            long[] l = isLong ? new long[Math.toIntExact(n)] : null;
            for (int i = 0; i < n; i++) {
                long at = offset;
                for (int d = 0; d < shape.length; d++) {
                    at += index[d] * stride[d];
                }
                int pos = Math.toIntExact(at * size);
                switch (storage.type()) {
                    case "FloatStorage" -> f[i] = data.getFloat(pos);
                    case "DoubleStorage" -> f[i] = (float) data.getDouble(pos);
                    case "HalfStorage" -> f[i] = half(data.getShort(pos));
                    case "BFloat16Storage" -> f[i] = Float.intBitsToFloat((data.getShort(pos) & 0xffff) << 16);
                    default -> l[i] = data.getLong(pos);
                }
                for (int d = shape.length - 1; d >= 0; d--) { // next index, row-major
                    if (++index[d] < shape[d]) {
                        break;
                    }
                    index[d] = 0;
                }
            }
            Shape s = new Shape(shape);
            return isLong ? manager.create(l, s) : manager.create(f, s);
        }

        /** IEEE 754 half to float (Java 17 has no Float.float16ToFloat). */
        static float half(short h) {
            int bits = h & 0xffff;
            int sign = (bits & 0x8000) << 16;
            int exp = (bits >> 10) & 0x1f;
            int mant = bits & 0x3ff;
            if (exp == 0) {
                return (sign == 0 ? 1 : -1) * mant * 0x1p-24f;
            }
            if (exp == 31) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
            }
            return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        }
    }

    /** An OrderedDict that takes the {@code _metadata} attribute torch sets on state dicts, and ignores it. */
    public static final class StateDict extends LinkedHashMap<Object, Object> {
        public void __setstate__(HashMap<?, ?> state) {}
    }

    private static final class StateDictUnpickler extends Unpickler {
        static {
            registerConstructor("collections", "OrderedDict", args -> new StateDict());
            registerConstructor("torch._utils", "_rebuild_tensor_v2", args -> new Tensor((Storage) args[0],
                    ((Number) args[1]).longValue(), longs(args[2]), longs(args[3])));
            registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
            for (String t : new String[] {"FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage", "LongStorage",
                    "IntStorage", "ByteStorage", "CharStorage", "ShortStorage", "BoolStorage"}) {
                registerConstructor("torch", t, new StorageType(t));
            }
        }

        private static long[] longs(Object tuple) {
            Object[] t = (Object[]) tuple;
            long[] out = new long[t.length];
            for (int i = 0; i < t.length; i++) {
                out[i] = ((Number) t[i]).longValue();
            }
            return out;
        }

        /** {@code ('storage', torch.FloatStorage, '0', 'cpu', numel)} */
        @Override
        protected Object persistentLoad(Object pid) {
            Object[] t = (Object[]) pid;
            if (t.length < 3 || !"storage".equals(t[0])) {
                throw new PickleException("unexpected persistent id " + java.util.Arrays.toString(t));
            }
            if (!(t[1] instanceof StorageType type)) {
                throw new PickleException("unexpected storage type " + t[1]);
            }
            return new Storage(type.name(), String.valueOf(t[2]));
        }
    }

    /** The global {@code torch.FloatStorage} (and its kin) as a persistent id names it. */
    private record StorageType(String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + name + " is never called in a state dict");
        }
    }
}
