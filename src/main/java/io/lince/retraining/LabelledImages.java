package io.lince.retraining;

import io.lince.contracts.LabelledExample;
import io.lince.images.ImageFolder.Entry;
import io.lince.learn.Dataset;
import io.lince.wire.Buffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The labelled set as image files a {@link io.lince.learn.Learner} reads, split by the evaluation
 * slice: examples outside it train, those inside judge. The files are a local copy (Kafka stays the
 * source of truth): each image is written once, under a digest of its id, so ids need not be valid
 * file names. Examples are ordered by id, so the same labelled set always gives the same training.
 */
final class LabelledImages {

    /** The data set and which image ids it holds in each part, in order. */
    record Split(Dataset dataset, List<String> trainIds, List<String> evalIds, int skipped) {}

    private final Path dir;

    LabelledImages(Path dir) {
        this.dir = dir;
    }

    /**
     * Examples labelled with a class outside {@code classes}, or carrying a URI instead of bytes
     * (claim-check images are not copied to the trainer), are skipped and counted.
     */
    Split write(List<LabelledExample> examples, List<String> classes, EvaluationSlice slice) throws IOException {
        Files.createDirectories(dir);
        List<LabelledExample> sorted = new ArrayList<>(examples);
        sorted.sort(Comparator.comparing(LabelledExample::getImageId));
        List<Entry> train = new ArrayList<>();
        List<Entry> eval = new ArrayList<>();
        List<String> trainIds = new ArrayList<>();
        List<String> evalIds = new ArrayList<>();
        int skipped = 0;
        for (LabelledExample e : sorted) {
            ByteBuffer bytes = e.getImage().getBytes();
            if (!classes.contains(e.getLabel()) || bytes == null) {
                skipped++;
                continue;
            }
            Entry entry = new Entry(store(e.getImageId(), Buffers.toArray(bytes)), e.getLabel());
            boolean judged = slice.contains(e.getImageId());
            (judged ? eval : train).add(entry);
            (judged ? evalIds : trainIds).add(e.getImageId());
        }
        return new Split(new Dataset(dir, Dataset.Layout.CLASS_FOLDERS, classes, train, eval, List.of()),
                trainIds, evalIds, skipped);
    }

    private Path store(String id, byte[] bytes) throws IOException {
        Path file = dir.resolve(digest(id) + ".img");
        if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
            Path tmp = Files.createTempFile(dir, "image", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    private static String digest(String id) {
        return HexFormat.of().formatHex(EvaluationSlice.sha256(id), 0, 16);
    }
}
