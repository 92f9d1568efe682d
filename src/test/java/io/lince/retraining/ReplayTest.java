package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import io.lince.learn.Dataset;
import io.lince.learn.GroupRates;
import io.lince.learn.Learner;
import io.lince.model.LinceModel;
import io.lince.testing.TestDatasets;
import io.lince.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retraining keeps what the model knew: a champion that tells discs from stripes is fine-tuned on
 * labels of one class only (the biased sample an uncertain stream can give). Without replay it
 * forgets the other class; with the base data replayed (two base images per label here, so the
 * one-class labels are a third of what it sees) it keeps both. The rate is high on purpose, so
 * that forgetting shows within a few steps.
 */
class ReplayTest {

    @TempDir
    Path dir;

    private static final Recipe FINE_TUNE = new Recipe(0, 0.005f, 8, GroupRates.parse("5e-3,5e-3,5e-3"),
            Augmentation.NONE, 1.0, 8, 2.0, true);

    @Test
    void replayedBaseDataKeepsTheClassTheNewLabelsLack() throws Exception {
        Dataset base = Dataset.load(TestDatasets.classFolders(dir.resolve("base"), 16, 12), 0.2, 1);
        Path champion = dir.resolve("champion.lince");
        try (Learner learner = learner(TestModels.random(1, 32), base, "champion")) {
            Recipe.headOnly().run(learner);
            assertTrue(learner.predictValid(0, 1.0).accuracy() >= 0.9, "the champion knows both classes");
            learner.model().save(champion);
        }
        // the new labels: stripes only
        List<Entry> stripes = Dataset.load(TestDatasets.classFolders(dir.resolve("new"), 16, 1), 0.2, 7).train()
                .stream().filter(e -> e.label().equals("stripes")).toList();
        ReplayMix replay = ReplayMix.load(Optional.of(dir.resolve("base")), base.classes());
        assertEquals(32, replay.base().size(), "the base set's train/ folder");

        double without = discsRecall(champion, base, stripes, "forgets");
        List<Entry> mixed = new ArrayList<>(stripes);
        mixed.addAll(replay.draw(stripes.size(), FINE_TUNE.replayRatio(), 2));
        double with = discsRecall(champion, base, mixed, "keeps");
        assertTrue(without < 0.5, "fine-tuned on stripes alone it calls discs stripes: discs recall " + without);
        assertTrue(with >= 0.8, "with replay it still knows discs: discs recall " + with + " (without: " + without + ")");
    }

    /** Fine-tunes a copy of the champion on {@code train}; returns its recall of discs on the base's valid images. */
    private double discsRecall(Path champion, Dataset base, List<Entry> train, String name) throws IOException {
        Dataset data = new Dataset(dir, Dataset.Layout.CLASS_FOLDERS, base.classes(), train, base.valid(), List.of());
        try (Learner learner = learner(LinceModel.load(champion, ai.djl.Device.cpu()), data, name)) {
            FINE_TUNE.run(learner);
            List<Entry> discs = base.valid().stream().filter(e -> e.label().equals("discs")).toList();
            return learner.predict(discs, 0, 1.0).accuracy();
        }
    }

    private Learner learner(LinceModel model, Dataset data, String name) {
        return new Learner(model, data, new Learner.Settings(32, 8, Augmentation.preset("none", 1.0),
                Recipe.headOptimizer(), 3, dir.resolve("work-" + name)), System.out);
    }

    @Test
    void theMixTakesOneBaseImagePerLabelUpToTheWholeBaseSet() throws Exception {
        TestDatasets.classFolders(dir.resolve("set"), 10, 1);
        ReplayMix mix = ReplayMix.load(Optional.of(dir.resolve("set")), List.of("discs", "stripes"));
        assertEquals(20, mix.base().size());
        assertEquals(7, mix.draw(7, 1.0, 1).size());
        assertEquals(14, mix.draw(7, 2.0, 1).size());
        assertEquals(20, mix.draw(500, 1.0, 1).size(), "never more than the base set");
        assertEquals(mix.draw(7, 1.0, 1), mix.draw(7, 1.0, 1), "the same draw for the same version");
        assertTrue(!mix.draw(7, 1.0, 1).equals(mix.draw(7, 1.0, 2)), "another version draws others");
        assertEquals(0, ReplayMix.NONE.draw(100, 1.0, 1).size());

        ReplayMix oneClass = ReplayMix.load(Optional.of(dir.resolve("set/train")), List.of("discs", "cats"));
        assertEquals(10, oneClass.base().size());
        assertEquals(10, oneClass.skipped(), "stripes are not a class of the model");
        IOException none = assertThrows(IOException.class,
                () -> ReplayMix.load(Optional.of(dir.resolve("set")), List.of("cats", "dogs")));
        assertTrue(none.getMessage().startsWith("lince.trainer.base-data: "), none.getMessage());
        assertTrue(Files.isDirectory(dir.resolve("set/train")));
    }
}
