package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.lince.images.ImageDecoder;
import io.lince.images.ImageFolder.Entry;
import io.lince.images.Preprocessor;
import io.lince.learn.Dataset;
import io.lince.learn.Learner;
import io.lince.learn.Predictions;
import io.lince.model.LinceModel;
import io.lince.testing.TestDatasets;
import io.lince.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeTest {

    @TempDir
    Path dir;

    /** What a served copy of the candidate predicts for the validation images, in order. */
    private static List<float[]> served(Path checkpoint, boolean fold, List<Entry> images) throws Exception {
        Preprocessor pre = new Preprocessor(32);
        io.lince.images.InputCrop crops = new io.lince.images.InputCrop(ImageDecoder.defaults(), true); // the classifier's pixel path
        List<float[]> x = new ArrayList<>();
        for (Entry e : images) {
            x.add(pre.normalise(crops.crop(Files.readAllBytes(e.file()), 32)));
        }
        try (LinceModel m = LinceModel.loadForServing(checkpoint, Device.cpu(), fold);
                Predictor<float[], float[]> p = m.newPredictor()) {
            return p.batchPredict(x);
        }
    }

    @Test
    void headThenUnfrozenLearnsAndTheSavedCandidatePredictsWhatTheTrainerJudged() throws Exception {
        Dataset data = Dataset.load(TestDatasets.classFolders(dir.resolve("data"), 16, 8), 0.2, 1);
        Recipe recipe = new Recipe(10, 0.005f, 2, io.lince.learn.GroupRates.parse("1e-4"), "side-on", 1.1, 8, 1.0, true);
        Path saved = dir.resolve("candidate.lince");
        Predictions judged;
        try (Learner learner = new Learner(TestModels.random(1, 32), data,
                new Learner.Settings(32, 8, io.lince.images.Augmentation.preset("side-on", 1.1), Recipe.headOptimizer(), 3,
                        dir.resolve("work")), System.out)) {
            recipe.run(learner);
            judged = learner.predictValid(0, 1.0);
            assertEquals(2, learner.history().epochs().size() - 10, "then two unfrozen epochs");
            learner.model().save(saved);
        }
        assertTrue(judged.accuracy() >= 0.9, "accuracy " + judged.accuracy());
        double most = java.util.Arrays.stream(judged.probabilities()).mapToDouble(p -> Math.max(p[0], p[1])).max().orElseThrow();
        assertTrue(most < 0.999, "label smoothing keeps the model from certainty: " + most);
        for (boolean fold : new boolean[] {false, true}) {
            List<float[]> p = served(saved, fold, data.valid());
            for (int i = 0; i < p.size(); i++) {
                assertEquals(judged.probabilities()[i][1], p.get(i)[1], 1e-3, "image " + i + (fold ? " folded" : ""));
            }
        }
    }

    @Test
    void ratesAreCheckedAndNeverShared() {
        float[] rates = {1e-3f, 1e-3f, 1e-3f};
        Recipe r = new Recipe(0, 0.005f, 1, rates, "none", 1.0, 8, 1.0, false);
        rates[0] = 42;
        assertEquals(1e-3f, r.fineTuneRates()[0], "the recipe keeps its own copy");
        r.fineTuneRates()[1] = 42;
        assertEquals(1e-3f, r.fineTuneRates()[1], "and hands out copies");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Recipe(0, 0.005f, 1, new float[] {1e-3f, -1f, 1e-3f}, "none", 1.0, 8, 1.0, false));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Recipe(0, 0.005f, 1, new float[] {1e-3f}, "none", 1.0, 8, 1.0, false), "one rate per layer group");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Recipe(0, 0.005f, 0, rates, "none", 1.0, 8, 1.0, false), "no epochs at all");
    }
}
