package io.lince.demo;

import io.lince.images.ImageFolder;
import io.lince.images.SyntheticImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The images the demo streams: a class-per-folder set (shuffled) or a generated one. */
interface DemoImages {

    /** One image with the truth the demo's labeller will tell, and its file (null when generated). */
    record Item(byte[] bytes, String label, Path file) {}

    List<String> classes();

    /** How many images there are (the generated set is unbounded). */
    int available();

    Item get(int i);

    boolean synthetic();

    static DemoImages folder(Path root, long seed) throws IOException {
        ImageFolder f = ImageFolder.scan(root);
        List<ImageFolder.Entry> entries = new ArrayList<>(f.entries());
        Collections.shuffle(entries, new Random(seed));
        return new DemoImages() {
            public List<String> classes() {
                return f.classes();
            }

            public int available() {
                return entries.size();
            }

            public Item get(int i) {
                try {
                    ImageFolder.Entry e = entries.get(i);
                    return new Item(Files.readAllBytes(e.file()), e.label(), e.file());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            public boolean synthetic() {
                return false;
            }
        };
    }

    static DemoImages synthetic(long seed) {
        SyntheticImages gen = new SyntheticImages(seed, 160, 120);
        Random labels = new Random(seed + 1);
        return new DemoImages() {
            public List<String> classes() {
                return SyntheticImages.CLASSES;
            }

            public int available() {
                return Integer.MAX_VALUE;
            }

            public synchronized Item get(int i) {
                int label = labels.nextInt(2);
                return new Item(gen.jpeg(label), SyntheticImages.CLASSES.get(label), null);
            }

            public boolean synthetic() {
                return true;
            }
        };
    }
}
