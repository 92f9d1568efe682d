package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import io.lince.images.ImageDecoder;
import io.lince.images.InputCrop;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** fp16 serving: its numerics on a tiny model (libtorch runs half convolutions on a CPU too), and where it is allowed. */
class PrecisionTest {

    @Test
    void aHalvedModelAnswersAsTheFloat32OneDoes() throws Exception {
        try (LinceModel base = TestModels.random(1, 32)) {
            float[] w = new float[2 * 512];
            Random r = new Random(3);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian() * 0.5f;
            }
            base.network().setHead(w, new float[] {0.1f, -0.1f});
            try (LinceModel folded = base.folded(); LinceModel half = folded.halved()) {
                assertEquals(DataType.FLOAT16, half.dataType());
                InputCrop crops = new InputCrop(ImageDecoder.defaults(), true);
                int n = 6;
                ByteBuffer batch = ByteBuffer.allocateDirect(n * 32 * 32 * 3);
                for (int i = 0; i < n; i++) {
                    batch.put(crops.crop(TestImages.photo(60 + 7 * i, 48, i), 32));
                }
                float[][] p32 = folded.probabilities(batch.flip(), n);
                float[][] p16 = half.probabilities(batch.rewind(), n);
                double worst = 0;
                for (int i = 0; i < n; i++) {
                    worst = Math.max(worst, Math.abs(p32[i][0] - p16[i][0]));
                    assertEquals(p32[i][0] > p32[i][1], p16[i][0] > p16[i][1], "same label for image " + i);
                }
                assertTrue(worst > 0, "the half model really computed in fp16");
                assertTrue(worst < 5e-3, "fp16 probabilities within 5e-3 of fp32: " + worst);
            }
        }
    }

    @Test
    void fp16IsRefusedOnACpuWithOneLine() {
        String why = assertThrows(IllegalStateException.class,
                () -> new Serving("cpu", true, Serving.Precision.FP16).select()).getMessage();
        assertTrue(why.contains("fp16 serves on a CUDA device only"), why);
        assertEquals(Serving.Precision.FP16, Serving.Precision.parse("FP16"));
        assertThrows(IllegalArgumentException.class, () -> Serving.Precision.parse("int4"));
    }

    @Test
    void anUnsetBatchSizeIs32OnAGpuAnd8OnACpu() {
        BatchSettings auto = new BatchSettings(BatchSettings.AUTO, Duration.ofMillis(50));
        assertEquals(32, auto.on(true).maxBatch());
        assertEquals(8, auto.on(false).maxBatch());
        assertEquals(4, new BatchSettings(4, Duration.ofMillis(50)).on(true).maxBatch(), "a set size stays");
    }
}
