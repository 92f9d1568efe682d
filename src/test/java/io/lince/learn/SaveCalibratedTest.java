package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.lince.model.Checkpoint;
import io.lince.model.ModelInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code train}'s calibrated checkpoint when enough images are held out: the drift reference's
 * confidence comes from the valid images, its embeddings from every image seen (two sets of
 * different sizes; a real run with 1,000 valid photos once failed here).
 */
class SaveCalibratedTest {

    @Test
    void aCalibratedCheckpointTakesItsConfidenceFromHeldOutImagesAndItsEmbeddingsFromAll() throws Exception {
        Path data = LearnerFixture.data(6, 26); // 12 train, 52 valid: at least Learner.MINIMUM_HELD_OUT
        try (Learner learner = LearnerFixture.learner(data, Files.createTempDirectory("lince-work"), LearnerFixture.plainSgd())) {
            Path saved = learner.saveCalibrated("calibrated");
            ModelInfo info = Checkpoint.readInfo(saved);
            assertNotNull(info.reference(), "a drift reference");
            assertEquals(12 + 52, info.reference().images(), "embeddings of every image it saw");
        }
    }
}
