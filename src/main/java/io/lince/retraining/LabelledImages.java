package io.lince.retraining;

import io.lince.contracts.LabelledExample;
import io.lince.images.ImageFolder.Entry;
import io.lince.stream.Selector;
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
 * The labelled set as image files a {@link io.lince.learn.Learner} reads, in three parts: the
 * exploration examples (a uniform random sample of the stream) form the stream slice and only
 * judge; of the others, those in the {@link EvaluationSlice} form the uncertain slice and judge
 * too; the rest train. The files are a local copy (Kafka stays the source of truth): each image is
 * written once, under a digest of its id, so ids need not be valid file names. Examples are
 * ordered by id, so the same labelled set always gives the same training.
 */
final class LabelledImages {

    /** Image files with their labels, and the image ids they came from, in the same order. */
    record Part(List<Entry> entries, List<String> ids) {
        Part() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void add(Entry e, String id) {
            entries.add(e);
            ids.add(id);
        }

        int size() {
            return ids.size();
        }
    }

    /** The labelled set's three parts, and how many examples were skipped. */
    record Split(Part train, Part uncertainSlice, Part streamSlice, int skipped) {
        /** Both slices' ids: what no candidate trains on. */
        List<String> evalIds() {
            List<String> all = new ArrayList<>(uncertainSlice.ids());
            all.addAll(streamSlice.ids());
            return all;
        }
    }

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
        Part train = new Part();
        Part uncertain = new Part();
        Part stream = new Part();
        int skipped = 0;
        for (LabelledExample e : sorted) {
            ByteBuffer bytes = e.getImage().getBytes();
            if (!classes.contains(e.getLabel()) || bytes == null) {
                skipped++;
                continue;
            }
            Entry entry = new Entry(store(e.getImageId(), Buffers.toArray(bytes)), e.getLabel());
            Part part = Selector.EXPLORATION.equals(e.getRoute()) ? stream
                    : slice.contains(e.getImageId()) ? uncertain : train;
            part.add(entry, e.getImageId());
        }
        sweep(sorted);
        return new Split(train, uncertain, stream, skipped);
    }

    /** Deletes the image file of {@code id} (an erased image), if there is one. */
    void erase(String id) {
        try {
            Files.deleteIfExists(dir.resolve(digest(id) + ".img"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete the image file of erased image " + id, e);
        }
    }

    /**
     * Deletes every image file that belongs to no current example: those of examples erased
     * while this trainer was not running (the compacted topic may have dropped their tombstones
     * by the time it reads them).
     */
    private void sweep(List<LabelledExample> current) throws IOException {
        java.util.Set<String> keep = new java.util.HashSet<>();
        current.forEach(e -> keep.add(digest(e.getImageId()) + ".img"));
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if ((name.endsWith(".img") && !keep.contains(name)) || name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        }
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
