package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.lince.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsWeightsAndMetadataExactly() throws Exception {
        float[] x = new float[3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(i * 0.37);
        }
        Path file = dir.resolve("m.lince");
        float[] before;
        try (LinceModel m = TestModels.constant(4, 32, 0.3f, -0.2f);
                Predictor<float[], float[]> p = m.newPredictor()) {
            before = p.predict(x);
            m.save(file);
        }
        try (LinceModel m = LinceModel.load(file, Device.cpu());
                Predictor<float[], float[]> p = m.newPredictor()) {
            assertEquals(4, m.info().version());
            assertEquals(TestModels.CLASSES, m.info().classes());
            assertEquals(32, m.info().inputSize());
            assertArrayEquals(before, p.predict(x));
        }
    }

    @Test
    void refusesOtherFiles() throws Exception {
        Path junk = Files.write(dir.resolve("junk"), "not a model".getBytes());
        IOException e = assertThrows(IOException.class, () -> LinceModel.load(junk, Device.cpu()));
        assertEquals(junk + " is not a Lince checkpoint (bad magic)", e.getMessage());
    }
}
