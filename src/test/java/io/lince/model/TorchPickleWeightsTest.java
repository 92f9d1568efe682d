package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.lince.testing.TestModels;
import io.lince.testing.TorchSaveFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save state dicts ({@code .pth}): read by name, shape and stride into a ResNet-34. */
class TorchPickleWeightsTest {

    @TempDir
    Path dir;

    /** {@code m}'s state dict as torch.save writes it, the head stored transposed (a strided view). */
    static Map<String, TorchSaveFiles.Tensor> stateDict(LinceModel m) {
        Map<String, TorchSaveFiles.Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : TorchvisionNames.of(m.network()).entrySet()) {
            float[] v = e.getValue().getArray().toFloatArray();
            long[] shape = e.getValue().getArray().getShape().getShape();
            if (e.getKey().equals("fc.weight")) {
                int rows = (int) shape[0];
                int cols = (int) shape[1];
                float[] columnMajor = new float[v.length];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        columnMajor[c * rows + r] = v[r * cols + c];
                    }
                }
                state.put(e.getKey(), new TorchSaveFiles.Tensor(shape, new long[] {1, rows}, columnMajor, null));
            } else {
                state.put(e.getKey(), TorchSaveFiles.Tensor.of(v, shape));
            }
            if (e.getKey().endsWith("running_var")) {
                state.put(e.getKey().replace("running_var", "num_batches_tracked"),
                        new TorchSaveFiles.Tensor(new long[0], null, null, new long[] {100}));
            }
        }
        return state;
    }

    @Test
    void aTorchSaveStateDictLoadsAsTheSameNetwork() throws Exception {
        Path file = dir.resolve("resnet34-test.pth");
        try (LinceModel source = TestModels.random(1, 32)) {
            java.util.Random r = new java.util.Random(3);
            float[] head = new float[2 * 512];
            for (int i = 0; i < head.length; i++) {
                head[i] = (float) r.nextGaussian();
            }
            source.network().setHead(head, new float[] {0.5f, -0.5f});
            TorchSaveFiles.write(file, stateDict(source));
            assertTrue(TorchPickleWeights.isTorchZip(file));
            try (LinceModel loaded = LinceModel.fromWeights(file, source.info(), Device.cpu(), 99)) {
                Map<String, Parameter> a = TorchvisionNames.of(source.network());
                Map<String, Parameter> b = TorchvisionNames.of(loaded.network());
                for (String name : a.keySet()) {
                    assertArrayEquals(a.get(name).getArray().toFloatArray(), b.get(name).getArray().toFloatArray(), name);
                }
                ByteBuffer crops = ByteBuffer.allocateDirect(2 * 32 * 32 * 3);
                for (int i = 0; i < crops.capacity(); i++) {
                    crops.put(i, (byte) (i * 7));
                }
                assertArrayEquals(source.raw(crops.duplicate(), 2).logits(), loaded.raw(crops.duplicate(), 2).logits(), 1e-6f);
            }
        }
    }

    @Test
    void aFileThatIsNotAStateDictSaysWhat() throws Exception {
        Path file = dir.resolve("partial.pth");
        try (LinceModel source = TestModels.random(1, 32)) {
            Map<String, TorchSaveFiles.Tensor> state = stateDict(source);
            state.remove("layer1.0.conv1.weight");
            TorchSaveFiles.write(file, state);
            IOException e = assertThrows(IOException.class,
                    () -> LinceModel.fromWeights(file, source.info(), Device.cpu(), 1).close());
            assertTrue(e.getMessage().contains("not a torchvision ResNet-34 state dict: 1 tensors missing"), e.getMessage());
        }
        assertEquals(0.5f, TorchPickleWeights.Tensor.half((short) 0x3800));
        assertEquals(-2f, TorchPickleWeights.Tensor.half((short) 0xc000));
    }
}
