package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.ImageFolder.Entry;
import io.lince.testing.TestDatasets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

    @Test
    void classFoldersGiveSortedClassesAndBothSplits() throws Exception {
        Path root = TestDatasets.classFolders(Files.createTempDirectory("ds"), 3, 2);
        Files.createDirectories(root.resolve("test"));
        Files.write(root.resolve("test/1.jpg"), new byte[] {1});
        Dataset d = Dataset.load(root, 0.2, 1);
        assertEquals(Dataset.Layout.CLASS_FOLDERS, d.layout());
        assertEquals(List.of("discs", "stripes"), d.classes());
        assertEquals(6, d.train().size());
        assertEquals(4, d.valid().size());
        assertEquals(1, d.test().size());
        assertEquals("train 6 (discs 3, stripes 3) · valid 4 (discs 2, stripes 2) · test 1", d.counts());
    }

    @Test
    void kaggleFlatLayoutTakesLabelsFromNamesAndSplitsStratifiedAndSeeded() throws Exception {
        Path root = TestDatasets.kaggleFlat(Files.createTempDirectory("ds"), 10);
        Dataset d = Dataset.load(root, 0.2, 5);
        assertEquals(Dataset.Layout.KAGGLE_FLAT, d.layout());
        assertEquals(List.of("discs", "stripes"), d.classes());
        assertEquals(16, d.train().size());
        assertEquals(2, d.valid().stream().filter(e -> e.label().equals("discs")).count());
        assertEquals(2, d.valid().stream().filter(e -> e.label().equals("stripes")).count());
        Set<Entry> all = new HashSet<>(d.train());
        d.valid().forEach(e -> assertTrue(all.add(e), "no image in both splits"));
        assertEquals(20, all.size());
        assertEquals(d.valid(), Dataset.load(root, 0.2, 5).valid(), "same seed, same split");
        assertTrue(!d.valid().equals(Dataset.load(root, 0.2, 6).valid()), "another seed, another split");
    }

    @Test
    void badLayoutsAreClearErrors() throws Exception {
        Path empty = Files.createTempDirectory("ds");
        assertTrue(assertThrows(IOException.class, () -> Dataset.load(empty, 0.2, 1)).getMessage().contains("no train/ folder"));
        Files.createDirectories(empty.resolve("train"));
        Files.write(empty.resolve("train/photo.jpg"), new byte[] {1});
        assertTrue(assertThrows(IOException.class, () -> Dataset.load(empty, 0.2, 1)).getMessage().contains("cannot tell the class"));
    }

    @Test
    void aCorruptFileIsReportedByNameOnceAndSkipped() throws Exception {
        Path root = TestDatasets.classFolders(Files.createTempDirectory("ds"), 3, 1);
        Path bad = Files.write(root.resolve("train/discs/broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0});
        Dataset d = Dataset.load(root, 0.2, 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ImageLoader loader = new ImageLoader(32, new PrintStream(log, true));
        ImageBatches batches = new ImageBatches(d.train(), d.classes(), loader, null, 4);
        int rows = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (MiniBatch b : batches.epoch(null)) {
                rows += b.size();
                assertEquals(b.size() * 3 * 32 * 32, b.inputs().length);
            }
        }
        assertEquals(2 * 6, rows, "6 good images per epoch");
        assertEquals(1, log.toString().lines().count(), log.toString());
        assertTrue(log.toString().startsWith("skipping " + bad + ": "), log.toString());
        assertEquals(Set.of(bad), loader.skipped().keySet());
    }
}
