package io.lince.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A class-per-subfolder data set ({@code train/cats/…}, {@code train/dogs/…}). */
public record ImageFolder(Path root, List<String> classes, List<Entry> entries) {

    /** One file and the class its folder names. */
    public record Entry(Path file, String label) {}

    public static ImageFolder scan(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a directory");
        }
        List<String> classes;
        try (Stream<Path> dirs = Files.list(root)) {
            classes = dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList();
        }
        if (classes.size() < 2) {
            throw new IOException(root + " needs one subfolder per class (at least two), found " + classes);
        }
        List<Entry> entries = new ArrayList<>();
        for (String c : classes) {
            try (Stream<Path> files = Files.list(root.resolve(c))) {
                files.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted()
                        .forEach(p -> entries.add(new Entry(p, c)));
            }
        }
        return new ImageFolder(root, classes, List.copyOf(entries));
    }
}
