package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.learn.report.Charts;
import io.lince.model.LinceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnerTest {

    @Test
    void learnsTheToyTaskOnActivationsSavesAndLoadsByName() throws Exception {
        Path data = LearnerFixture.data(40, 10);
        Path work = Files.createTempDirectory("w");
        float[] probs;
        try (Learner l = LearnerFixture.learner(data, work, OptimizerSettings.sgd())) {
            l.precompute(true);
            FitHistory h = l.fit(GroupRates.parse("3e-3"), new Sgdr.Spec(2, 1, 2), "head", false);
            assertEquals(3, h.epochs().size(), "cycles 2, cycle_len 1, cycle_mult 2: 1 + 2 epochs");
            assertEquals(List.of(0L, 10L), h.restarts(), "80 images in batches of 8: restart after epoch 1");
            Predictions p = l.predictValid(0, 1);
            assertTrue(p.accuracy() >= 0.9, "discs vs stripes accuracy " + p.accuracy());
            assertEquals(h.epochs().get(2).accuracy(), p.accuracy(), 1e-9, "the table's accuracy is the model's");
            probs = p.probabilities()[0];
            assertTrue(Files.isRegularFile(work.resolve("models/head.lince")));
            assertTrue(Files.isRegularFile(work.resolve("models/head.progress.json")));
            for (Path png : List.of(Charts.learningRate(h, work.resolve("lr.png")), Charts.losses(h, work.resolve("loss.png")))) {
                assertEquals(800, javax.imageio.ImageIO.read(png.toFile()).getWidth(), png + " is a PNG");
            }
            assertEquals(30, h.rates().size(), "one rate per iteration");
            assertEquals(h.rates().get(0), h.rates().get(10), 1e-12, "the rate restarts");
        }
        try (Learner fresh = LearnerFixture.learner(data, work, OptimizerSettings.sgd())) {
            fresh.load("head");
            assertArrayEquals(probs, fresh.predictValid(0, 1).probabilities()[0], 1e-6f);
            assertThrows(java.io.IOException.class, () -> fresh.load("missing"));
        }
        // the saved checkpoint is what serve runs
        try (LinceModel served = LinceModel.load(work.resolve("models/head.lince"), ai.djl.Device.cpu())) {
            assertEquals(32, served.info().inputSize());
            assertEquals(List.of("discs", "stripes"), served.info().classes());
        }
    }

    @Test
    void resumeContinuesAfterTheLastSavedEpoch() throws Exception {
        Path data = LearnerFixture.data(4, 2);
        Path work = Files.createTempDirectory("w");
        try (Learner l = LearnerFixture.learner(data, work, OptimizerSettings.sgd())) {
            l.precompute(true);
            l.fit(GroupRates.parse("0.01"), new Sgdr.Spec(1, 1, 1), "run", false);
        }
        // Pretend the run was planned as 3 epochs and stopped after the first.
        Files.writeString(work.resolve("models/run.progress.json"), Files.readString(work.resolve("models/run.progress.json"))
                .replace("\"sgdr 1x1*1\"", "\"sgdr 1x3*1\""));
        try (Learner l = LearnerFixture.learner(data, work, OptimizerSettings.sgd())) {
            l.precompute(true);
            FitHistory h = l.fit(GroupRates.parse("0.01"), new Sgdr.Spec(1, 3, 1), "run", true);
            assertEquals(List.of(1, 2), h.epochs().stream().map(EpochResult::epoch).toList());
        }
    }

    @Test
    void ttaWithNoViewsIsThePlainPredictionAndViewsChangeIt() throws Exception {
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(2, 3), Files.createTempDirectory("w"), OptimizerSettings.sgd())) {
            // a zero head answers 1/2 whatever the view: give it weights
            var w = l.model().network().head().getParameters().get("weight").getArray();
            w.set(l.model().djlModel().getNDManager().randomNormal(w.getShape()).mul(0.01f).toFloatArray());
            Predictions plain = l.predictValid(0, 1);
            Predictions evaluated = new FitLoop(l.model(), OptimizerSettings.sgd(), 1, LearnerFixture.QUIET)
                    .evaluate(l.validSource());
            for (int i = 0; i < plain.size(); i++) {
                assertArrayEquals(evaluated.probabilities()[i], plain.probabilities()[i], 1e-5f);
            }
            Predictions tta = l.predictValid(4, Tta.equalWeight(4));
            assertEquals(plain.size(), tta.size());
            assertTrue(!java.util.Arrays.equals(plain.probabilities()[0], tta.probabilities()[0]), "views change the average");
        }
    }

    @Test
    void combineWeighsTheOriginalAgainstTheMeanOfTheViews() {
        float[] original = {0.8f, 0.2f};
        List<float[]> views = List.of(new float[] {0.4f, 0.6f}, new float[] {0.6f, 0.4f});
        assertArrayEquals(new float[] {0.5f, 0.5f}, Tta.combine(original, views, 0), 1e-6f);
        assertArrayEquals(new float[] {0.8f, 0.2f}, Tta.combine(original, views, 1), 1e-6f);
        // equal weights: (0.8 + 0.4 + 0.6) / 3
        assertArrayEquals(new float[] {0.6f, 0.4f}, Tta.combine(original, views, Tta.equalWeight(2)), 1e-6f);
        assertArrayEquals(new float[] {0.65f, 0.35f}, Tta.combine(original, views, 0.5), 1e-6f);
    }
}
