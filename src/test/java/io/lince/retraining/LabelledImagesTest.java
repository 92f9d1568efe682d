package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelledExample;
import io.lince.stream.Selector;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exploration examples only ever judge; of the others the evaluation slice judges and the rest train. */
class LabelledImagesTest {

    @TempDir
    Path dir;

    private static LabelledExample example(String id, String label, String route, byte[] bytes) {
        ImageEvent image = ImageEvent.newBuilder().setId(id).setEventTime(Instant.EPOCH).setSource("t")
                .setBytes(bytes == null ? null : ByteBuffer.wrap(bytes)).setUri(bytes == null ? "file:/x.jpg" : null).build();
        return LabelledExample.newBuilder().setImageId(id).setImage(image).setLabel(label).setLabeller("t")
                .setLabelledAt(Instant.EPOCH).setRoute(route).build();
    }

    @Test
    void explorationFormsTheStreamSliceAndNeverTrains() throws Exception {
        EvaluationSlice slice = new EvaluationSlice(0.2);
        List<LabelledExample> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String route = i % 10 == 0 ? Selector.EXPLORATION : i % 10 == 1 ? Selector.KNOWN : Selector.UNCERTAIN;
            all.add(example("img-" + i, i % 2 == 0 ? "cats" : "dogs", route, new byte[] {(byte) i, 1, 2}));
        }
        all.add(example("other-class", "birds", Selector.UNCERTAIN, new byte[] {9}));
        all.add(example("by-uri", "cats", Selector.UNCERTAIN, null));
        LabelledImages.Split split = new LabelledImages(dir).write(all, List.of("cats", "dogs"), slice);

        assertEquals(20, split.streamSlice().size(), "every exploration example, whatever its hash");
        assertTrue(split.streamSlice().ids().stream().allMatch(id -> Integer.parseInt(id.substring(4)) % 10 == 0));
        assertTrue(split.uncertainSlice().ids().stream().allMatch(slice::contains));
        assertTrue(split.train().ids().stream().noneMatch(slice::contains));
        assertTrue(split.train().ids().stream().noneMatch(split.streamSlice().ids()::contains));
        assertEquals(180, split.train().size() + split.uncertainSlice().size(), "uncertain and known examples train or judge");
        assertEquals(36, split.uncertainSlice().size(), 12, "about a fifth of the 180 judge");
        assertEquals(2, split.skipped(), "a class the model lacks, and an image given by URI");
        assertEquals(split.evalIds().size(), split.streamSlice().size() + split.uncertainSlice().size());
        Path first = split.train().entries().get(0).file();
        assertTrue(Files.isRegularFile(first) && first.startsWith(dir));
    }
}
