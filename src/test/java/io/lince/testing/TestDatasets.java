package io.lince.testing;

import io.lince.images.SyntheticImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small data sets of generated images (discs vs stripes) in the layouts Lince reads. */
public final class TestDatasets {

    private TestDatasets() {}

    /** {@code train/<class>/} and {@code valid/<class>/}, {@code train} and {@code valid} images per class. */
    public static Path classFolders(Path root, int train, int valid) throws IOException {
        write(root.resolve("train"), train, 1, true);
        write(root.resolve("valid"), valid, 1_000, true);
        return root;
    }

    /** Kaggle's flat {@code train/discs.7.jpg}, {@code n} images per class, and no {@code valid/}. */
    public static Path kaggleFlat(Path root, int n) throws IOException {
        write(root.resolve("train"), n, 1, false);
        return root;
    }

    private static void write(Path dir, int perClass, long seed, boolean folders) throws IOException {
        for (int label = 0; label < SyntheticImages.CLASSES.size(); label++) {
            String name = SyntheticImages.CLASSES.get(label);
            Path d = folders ? dir.resolve(name) : dir;
            Files.createDirectories(d);
            for (int i = 0; i < perClass; i++) {
                byte[] jpeg = new SyntheticImages(seed + i * 31L + label, 48, 40).jpeg(label);
                Files.write(d.resolve(name + "." + (seed + i) + ".jpg"), jpeg);
            }
        }
    }
}
