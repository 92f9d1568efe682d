package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lince.images.ImageFolder.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

class ActivationCacheTest {

    @Test
    void hitsForTheSameBodyAndDataAndMissesWhenEitherChanges() throws Exception {
        Path data = LearnerFixture.data(3, 2);
        try (Learner l = LearnerFixture.learner(data, Files.createTempDirectory("w"), OptimizerSettings.sgd())) {
            ActivationCache cache = l.cache();
            ImageBatches train = new ImageBatches(l.data().train(), l.data().classes(), l.loader(), null, 4);
            Activations first = cache.get(l.model(), train, "train");
            assertEquals(6, first.rows().length);
            assertEquals(512, first.dimension());

            Activations again = cache.get(l.model(), train, "train");
            assertEquals(1, cache.hits());
            assertArrayEquals(first.features()[5], again.features()[5]);

            // a new head does not change the body's activations: still a hit
            l.model().network().head().getParameters().get("bias").getArray().set(new float[] {3f, -3f});
            cache.get(l.model(), train, "train");
            assertEquals(2, cache.hits());

            // an image changes on disk: miss
            Entry e = l.data().train().get(0);
            Files.setLastModifiedTime(e.file(), FileTime.fromMillis(Files.getLastModifiedTime(e.file()).toMillis() + 5_000));
            cache.get(l.model(), train, "train");
            assertEquals(2, cache.misses());

            // the body changes: miss, and the activations differ
            var w = l.model().network().layerGroup(1).get(1).getParameters().valueAt(0).getArray();
            w.set(w.mul(2).toFloatArray());
            Activations changed = cache.get(l.model(), train, "train");
            assertEquals(3, cache.misses());
            assertEquals(false, java.util.Arrays.equals(first.features()[0], changed.features()[0]));
        }
    }
}
