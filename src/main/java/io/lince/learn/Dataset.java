package io.lince.learn;

import io.lince.images.ImageFolder;
import io.lince.images.ImageFolder.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A labelled data set on disk: {@code train/} and {@code valid/} with one folder per class, or
 * Kaggle's flat {@code train/cat.123.jpg} (label from the name, validation split off seeded and
 * stratified when there is no {@code valid/}), and an optional unlabelled {@code test/}. Classes
 * are sorted by name, so their order (the model's outputs) never depends on the file system.
 */
public record Dataset(Path root, Layout layout, List<String> classes, List<Entry> train, List<Entry> valid, List<Path> test) {

    public enum Layout { CLASS_FOLDERS, KAGGLE_FLAT }

    /** Kaggle's names: {@code label.id.ext}. */
    private static final Pattern KAGGLE_NAME = Pattern.compile("([A-Za-z][A-Za-z_-]*)\\.[^.]+\\.[A-Za-z]+");

    public Dataset {
        classes = List.copyOf(classes);
        train = List.copyOf(train);
        valid = List.copyOf(valid);
        test = List.copyOf(test);
    }

    public static Dataset load(Path root, double validShare, long seed) throws IOException {
        Path trainDir = root.resolve("train");
        if (!Files.isDirectory(trainDir)) {
            throw new IOException(root + " has no train/ folder (expected train/<class>/… or Kaggle's train/cat.1.jpg)");
        }
        Path validDir = root.resolve("valid");
        List<Path> test = Files.isDirectory(root.resolve("test")) ? files(root.resolve("test")) : List.of();
        boolean folders = !subfolders(trainDir).isEmpty();
        Layout layout = folders ? Layout.CLASS_FOLDERS : Layout.KAGGLE_FLAT;
        List<Entry> train = folders ? byFolder(trainDir) : byName(trainDir);
        List<Entry> valid;
        if (Files.isDirectory(validDir)) {
            valid = folders ? byFolder(validDir) : byName(validDir);
        } else {
            List<List<Entry>> split = stratifiedSplit(train, validShare, seed);
            train = split.get(0);
            valid = split.get(1);
        }
        List<String> classes = new ArrayList<>(new TreeSet<>(train.stream().map(Entry::label).toList()));
        if (classes.size() < 2) {
            throw new IOException(trainDir + " needs at least two classes, found " + classes);
        }
        for (Entry e : valid) {
            if (!classes.contains(e.label())) {
                throw new IOException("validation class '" + e.label() + "' (" + e.file() + ") has no training images");
            }
        }
        return new Dataset(root, layout, classes, train, valid, test);
    }

    /** Holds out {@code share} of each class, chosen with {@code seed}; both parts keep file order. */
    static List<List<Entry>> stratifiedSplit(List<Entry> all, double share, long seed) {
        if (share <= 0 || share >= 1) {
            throw new IllegalArgumentException("validation share must be between 0 and 1, got " + share);
        }
        Map<String, List<Entry>> byClass = new TreeMap<>();
        all.forEach(e -> byClass.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e));
        List<Entry> train = new ArrayList<>();
        List<Entry> valid = new ArrayList<>();
        Random rnd = new Random(seed);
        byClass.forEach((label, entries) -> {
            List<Entry> shuffled = new ArrayList<>(entries);
            Collections.shuffle(shuffled, rnd);
            int held = (int) Math.round(entries.size() * share);
            Set<Entry> v = new HashSet<>(shuffled.subList(0, held));
            entries.forEach(e -> (v.contains(e) ? valid : train).add(e));
        });
        return List.of(train, valid);
    }

    public int classIndex(String label) {
        return classes.indexOf(label);
    }

    /** "train 1,600 (cats 800, dogs 800) · valid 400 (…) · test 0". */
    public String counts() {
        return String.format("train %,d (%s) · valid %,d (%s) · test %,d",
                train.size(), perClass(train), valid.size(), perClass(valid), test.size());
    }

    private String perClass(List<Entry> entries) {
        Map<String, Integer> n = new TreeMap<>();
        entries.forEach(e -> n.merge(e.label(), 1, Integer::sum));
        return String.join(", ", classes.stream().map(c -> c + " " + n.getOrDefault(c, 0)).toList());
    }

    private static List<Path> subfolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !hidden(p)).sorted().toList();
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !hidden(p)).sorted().toList();
        }
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static List<Entry> byFolder(Path dir) throws IOException {
        return ImageFolder.scan(dir).entries();
    }

    private static List<Entry> byName(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Path f : files(dir)) {
            Matcher m = KAGGLE_NAME.matcher(f.getFileName().toString());
            if (!m.matches()) {
                throw new IOException("cannot tell the class of " + f + ": expected label.id.ext, like cat.123.jpg");
            }
            out.add(new Entry(f, m.group(1).toLowerCase()));
        }
        return out;
    }
}
