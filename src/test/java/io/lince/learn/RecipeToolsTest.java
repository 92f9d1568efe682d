package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The lesson-1 recipe tools: the prefetching loader, mixup, label smoothing and progressive resizing. */
class RecipeToolsTest {

    @Test
    void prefetchedBatchesAreTheSameBatchesDecodedAhead() throws Exception {
        Dataset d = Dataset.load(LearnerFixture.data(10, 2), 0.2, 1);
        ImageLoader loader = new ImageLoader(32, LearnerFixture.QUIET);
        Augmentation aug = Augmentation.preset(Augmentation.SIDE_ON, 1.2).withMinScale(0.5).withJitter(0.2);
        ImageBatches plain = new ImageBatches(d.train(), d.classes(), loader, aug, 4);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            ImageBatches ahead = plain.prefetching(pool, 2);
            List<MiniBatch> a = new ArrayList<>();
            ahead.epoch(new Random(9)).forEach(a::add);
            List<MiniBatch> b = new ArrayList<>();
            plain.epoch(new Random(9)).forEach(b::add);
            assertEquals(5, a.size(), "20 images in batches of 4");
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(b.get(i).rows(), a.get(i).rows(), "same order");
                assertArrayEquals(b.get(i).labels(), a.get(i).labels());
                assertArrayEquals(b.get(i).inputs(), a.get(i).inputs(), "same augmentation, whichever thread drew it");
            }

            // decoded ahead: once the first batch is taken, the next two are being made; deleting their
            // files afterwards loses nothing, where an on-demand loader would skip them
            Path copy = Files.createTempDirectory("ahead");
            List<Entry> entries = new ArrayList<>();
            for (Entry e : d.train()) {
                entries.add(new Entry(Files.copy(e.file(), copy.resolve(entries.size() + "-" + e.file().getFileName())), e.label()));
            }
            ImageLoader fresh = new ImageLoader(32, LearnerFixture.QUIET);
            Iterator<MiniBatch> it = new ImageBatches(entries, d.classes(), fresh, null, 4).prefetching(pool, 2).epoch(null).iterator();
            assertEquals(4, it.next().size());
            Thread.sleep(1500); // two batches of four small files: milliseconds of work
            for (Entry e : entries.subList(4, 16)) {
                Files.delete(e.file());
            }
            assertEquals(4, it.next().size(), "batch 2 was decoded before its files went");
            assertEquals(4, it.next().size(), "batch 3 too");
            assertEquals(0, it.next().size(), "batch 4 was not: a bounded depth of 2");
            assertTrue(fresh.skipped().keySet().containsAll(entries.subList(12, 16).stream().map(Entry::file).toList()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mixupBlendsEachRowWithThePartnerItNamesAndTargetsSumToOne() {
        int n = 6;
        int d = 5;
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        int[] labels = {0, 1, 2, 0, 1, 2};
        MiniBatch batch = new MiniBatch(x, labels, IntStream.range(0, n).toArray());
        MiniBatch mixed = new Mixup(0.4).apply(batch, new Random(11));
        MiniBatch.Mix mix = mixed.mix();
        assertTrue(mix.lambda() >= 0.5f && mix.lambda() <= 1f, "λ = max(λ, 1-λ): " + mix.lambda());
        assertNotEquals(List.of(0, 1, 2, 3, 4, 5), IntStream.of(mix.partner()).boxed().toList(), "a shuffle, not the identity");
        assertArrayEquals(IntStream.range(0, n).toArray(), IntStream.of(mix.partner()).sorted().toArray(), "a permutation");
        float lam = mix.lambda();
        for (int i = 0; i < n; i++) {
            int j = mix.partner()[i];
            for (int k = 0; k < d; k++) {
                assertEquals(lam * x[i * d + k] + (1 - lam) * x[j * d + k], mixed.inputs()[i * d + k], 1e-4f);
            }
        }
        float eps = 0.1f;
        float[] t = mixed.targets(3, eps);
        for (int i = 0; i < n; i++) {
            int j = mix.partner()[i];
            float sum = 0;
            for (int k = 0; k < 3; k++) {
                float own = (k == labels[i] ? 1 - eps : 0) + eps / 3;
                float other = (k == labels[j] ? 1 - eps : 0) + eps / 3;
                assertEquals(lam * own + (1 - lam) * other, t[i * 3 + k], 1e-6f, "row " + i + " class " + k);
                sum += t[i * 3 + k];
            }
            assertEquals(1f, sum, 1e-6f, "row " + i + " sums to one");
        }
        assertEquals(mixed.mix().lambda(), new Mixup(0.4).apply(batch, new Random(11)).mix().lambda(), "seeded");
        assertTrue(new Mixup(0).apply(batch, new Random(1)) == batch, "alpha 0 is off");
        assertThrows(IllegalArgumentException.class, () -> new Mixup(-1));
    }

    @Test
    void labelSmoothingTargetsAndTheLossTheyGive() throws Exception {
        MiniBatch b = new MiniBatch(new float[2], new int[] {1, 0}, new int[] {0, 1});
        assertArrayEquals(new float[] {0, 1, 1, 0}, b.targets(2, 0), "one-hot without smoothing");
        assertArrayEquals(new float[] {0.05f, 0.95f, 0.95f, 0.05f}, b.targets(2, 0.1f), 1e-6f);
        // a fit with smoothing trains (the loss is the smoothed cross-entropy, bounded below by its entropy)
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(8, 2), Files.createTempDirectory("w"), OptimizerSettings.sgd())) {
            l.precompute(true);
            l.labelSmoothing(0.2f);
            FitHistory h = l.fit(GroupRates.parse("1e-2"), new Sgdr.Spec(1, 2, 1), null, false);
            double entropy = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1));
            assertTrue(h.losses().stream().allMatch(v -> v >= entropy - 1e-3), "smoothed CE ≥ H(target) = " + entropy + ": " + h.losses());
        }
    }

    @Test
    void resizingPlansSplitTheEpochs() {
        Resizing even = Resizing.parse("64,96,128");
        assertEquals(List.of(4, 3, 3), even.split(10), "the remainder goes to the earlier, cheaper sizes");
        assertEquals(List.of(64, 64, 64, 64, 96, 96, 96, 128, 128, 128),
                IntStream.range(0, 10).mapToObj(e -> even.sizeAt(e, 10)).toList());
        Resizing given = Resizing.parse("64:12, 128:8");
        assertEquals(128, given.last());
        assertEquals(64, given.sizeAt(11, 20));
        assertEquals(128, given.sizeAt(12, 20));
        assertThrows(IllegalArgumentException.class, () -> given.split(19), "12 + 8 epochs in a fit of 19");
        assertThrows(IllegalArgumentException.class, () -> Resizing.parse("64:3,128"));
        assertThrows(IllegalArgumentException.class, () -> Resizing.parse("64,big"));
        assertThrows(IllegalArgumentException.class, () -> even.split(2));
    }

    @Test
    void progressiveResizingSwitchesSizeAtTheStatedEpochAndEndsAtTheModelsSize() throws Exception {
        Path data = LearnerFixture.data(8, 2);
        Path work = Files.createTempDirectory("w");
        try (Learner l = LearnerFixture.learner(data, work, new OptimizerSettings(OptimizerSettings.Kind.ADAMW, 0.9f, 0.01f))) {
            assertThrows(IllegalArgumentException.class, () -> l.resizing(Resizing.parse("32,48")), "must end at 32");
            l.unfreeze();
            l.resizing(Resizing.parse("24:2,32:1"));
            l.mixup(0.4);
            FitHistory h = l.fitOneCycle(GroupRates.parse("1e-3"), 3, "progressive", false);
            assertEquals(List.of(24, 24, 32), h.epochs().stream().map(EpochResult::size).toList());
            for (EpochResult r : h.epochs()) {
                assertTrue(r.dataSeconds() >= 0 && r.dataSeconds() <= r.trainSeconds(), r.toString());
                assertTrue(Double.isFinite(r.validLoss()), r.toString());
            }
            assertEquals(6, h.rates().size(), "one schedule over the whole fit: 3 epochs of 2 batches");
        }
        try (var served = io.lince.model.LinceModel.load(work.resolve("models/progressive.lince"), ai.djl.Device.cpu())) {
            assertEquals(32, served.info().inputSize(), "saved for the last size");
        }
    }

    @Test
    void precomputedActivationsAreCachedPerSizeNeverShared() throws Exception {
        Path data = LearnerFixture.data(8, 2);
        Path work = Files.createTempDirectory("w");
        try (Learner l = LearnerFixture.learner(data, work, OptimizerSettings.sgd())) {
            l.precompute(true);
            l.resizing(Resizing.parse("24,32"));
            FitHistory h = l.fit(GroupRates.parse("1e-2"), new Sgdr.Spec(1, 2, 1), null, false);
            assertEquals(List.of(24, 32), h.epochs().stream().map(EpochResult::size).toList());
            assertEquals(4, l.cache().misses(), "train and valid at 24, then both again at 32");
            assertEquals(0, l.cache().hits());
            try (var files = Files.list(work.resolve("cache"))) {
                assertEquals(4, files.filter(f -> f.getFileName().toString().startsWith("activations-")).count());
            }
            // the head was folded back out of each size's standardised space: it predicts as saved
            Predictions p = l.predictValid(0, 1);
            assertEquals(h.epochs().get(1).accuracy(), p.accuracy(), 1e-9);
        }
    }
}
