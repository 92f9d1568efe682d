package io.lince.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.Set;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Loads torchvision-named weights (torchvision's or timm's {@code resnet34} state dict saved as
 * safetensors, e.g. {@code timm/resnet34.tv_in1k}) into a {@link ResNet34}. The head is taken
 * only when its shape fits; otherwise the fresh head stays, as in fine-tuning.
 */
public final class SafetensorsWeights {

    private static final Logger LOG = Logger.getLogger(SafetensorsWeights.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SUPPORTED = Set.of("F32", "F16", "F64", "I64", "I32", "I16", "I8", "U8");

    private SafetensorsWeights() {}

    /** @return how many tensors were copied */
    public static int load(Path file, ResNet34 net, NDManager target) throws IOException {
        checkDtypes(file);
        try (NDManager scratch = NDManager.newBaseManager(target.getDevice());
                InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            NDList tensors;
            try {
                tensors = NDList.decode(scratch, in);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " is not a safetensors file: " + e.getMessage(), e);
            }
            return copy(file, tensors, TorchvisionNames.of(net));
        }
    }

    /**
     * Writes {@code net}'s parameters under torchvision's names (BatchNorm statistics included) as
     * {@code .safetensors}, which torchvision's {@code resnet34().load_state_dict} takes.
     */
    public static void save(ResNet34 net, Path file) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDList list = new NDList();
            for (Map.Entry<String, Parameter> e : TorchvisionNames.of(net).entrySet()) {
                NDArray a = e.getValue().getArray().toDevice(ai.djl.Device.cpu(), true);
                a.attach(scratch);
                a.setName(e.getKey());
                list.add(a);
            }
            try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                list.encode(out, NDList.Encoding.SAFETENSORS);
            }
        }
    }

    /**
     * Reads the header alone: libtorch through DJL 0.36 aborts the JVM on bfloat16 arrays, so such
     * a file is refused with a clear error before any tensor is created.
     */
    static void checkDtypes(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) {
                throw new IOException(file + " is not a safetensors file: too short");
            }
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > 100_000_000) {
                throw new IOException(file + " is not a safetensors file: bad header length " + n);
            }
            JsonNode header = JSON.readTree(in.readNBytes((int) n));
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String dtype = e.getValue().path("dtype").asText("");
                if (!e.getKey().equals("__metadata__") && !SUPPORTED.contains(dtype)) {
                    throw new IOException(String.format("%s: tensor %s is %s; Lince reads F32, F16, F64 and"
                            + " integer tensors (convert bf16 weights to float32 first)", file, e.getKey(), dtype));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not a safetensors file: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Copies {@code tensors} into {@code params} by name: every parameter must be there with its
     * shape, except the head ({@code fc.*}), which is kept when its shape differs.
     *
     * @return how many tensors were copied
     */
    static int copy(Path file, NDList tensors, Map<String, Parameter> params)
            throws IOException {
        List<String> missing = new ArrayList<>();
        int copied = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray source = tensors.get(e.getKey());
            NDArray dest = e.getValue().getArray();
            if (source == null) {
                missing.add(e.getKey());
                continue;
            }
            if (!source.getShape().equals(dest.getShape())) {
                if (e.getKey().startsWith("fc.")) {
                    LOG.infof("%s: %s has shape %s, the new head %s: keeping the new head",
                            file.getFileName(), e.getKey(), source.getShape(), dest.getShape());
                    continue;
                }
                throw new IOException(String.format("%s: %s has shape %s, ResNet-34 needs %s",
                        file, e.getKey(), source.getShape(), dest.getShape()));
            }
            dest.set(source.toType(DataType.FLOAT32, false).toDevice(dest.getDevice(), false)
                    .toByteBuffer());
            copied++;
        }
        if (!missing.isEmpty()) {
            throw new IOException(String.format(
                    "%s is not a torchvision ResNet-34 state dict: %d tensors missing, e.g. %s",
                    file, missing.size(), missing.subList(0, Math.min(5, missing.size()))));
        }
        return copied;
    }
}
