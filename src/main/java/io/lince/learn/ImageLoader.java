package io.lince.learn;

import io.lince.images.Augmentation;
import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import io.lince.images.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Reads training images from disk into normalised tensors, centre-cropped or augmented. A file
 * that cannot be read or decoded is reported once, by name, and skipped from then on: one corrupt
 * photo must not end a training run.
 */
public final class ImageLoader {

    private final Preprocessor preprocessor;
    private final ImageDecoder decoder = ImageDecoder.defaults();
    private final Map<Path, String> skipped = new ConcurrentSkipListMap<>();
    private final PrintStream report;

    public ImageLoader(int size, PrintStream report) {
        this.preprocessor = new Preprocessor(size);
        this.report = report;
    }

    public int size() {
        return preprocessor.size();
    }

    public Optional<BufferedImage> decode(Path file) {
        if (skipped.containsKey(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(decoder.decode(Files.readAllBytes(file)));
        } catch (InvalidImageException | IOException e) {
            if (skipped.putIfAbsent(file, e.getMessage()) == null) {
                report.println("skipping " + file + ": " + e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** The centre crop, or with {@code augmentation} (and its random source) a random view. */
    public Optional<float[]> tensor(Path file, Augmentation augmentation, Random rnd) {
        return decode(file).map(img -> augmentation == null || augmentation.isNone()
                ? preprocessor.toTensor(img)
                : preprocessor.augmented(img, augmentation, rnd));
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Files skipped so far, with the reason. */
    public Map<Path, String> skipped() {
        return Map.copyOf(skipped);
    }
}
