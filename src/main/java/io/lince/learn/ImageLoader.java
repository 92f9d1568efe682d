package io.lince.learn;

import io.lince.images.Augmentation;
import io.lince.images.ImageDecoder;
import io.lince.images.InputCrop;
import io.lince.images.InvalidImageException;
import io.lince.images.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Reads training images from disk into normalised tensors, centre-cropped or augmented. A file
 * that cannot be read or decoded is reported once, by name, and skipped from then on: one corrupt
 * photo must not end a training run.
 *
 * <p>Tensors take the classifier's pixel path ({@link InputCrop}: libjpeg-turbo through OpenCV,
 * decoding at 1/2, 1/4 or 1/8 scale in the DCT domain when the photo is that much larger than
 * needed), so a model is trained and validated on the pixels it will serve on, and a 64-pixel
 * epoch does not pay for decoding every photo at full size.
 */
public final class ImageLoader {

    private final Preprocessor preprocessor;
    private final ImageDecoder decoder = ImageDecoder.defaults();
    private final InputCrop crops = new InputCrop(decoder, true);
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
        return read(file, decoder::decode);
    }

    /** The centre crop, or with {@code augmentation} (and its random source) a random view. */
    public Optional<float[]> tensor(Path file, Augmentation augmentation, Random rnd) {
        if (augmentation == null || augmentation.isNone()) {
            return read(file, bytes -> preprocessor.normalise(crops.crop(bytes, size())));
        }
        return read(file, bytes -> preprocessor.augmented(crops.decoded(bytes, augmentation.sourceSide(size())), augmentation, rnd));
    }

    /**
     * The centre crop followed by {@code n} random views from {@code augmentation}, from one read
     * of the file (test-time augmentation); empty when the file cannot be read.
     */
    public Optional<List<float[]>> views(Path file, Augmentation augmentation, Random rnd, int n) {
        return read(file, bytes -> {
            List<float[]> out = new ArrayList<>(n + 1);
            out.add(preprocessor.normalise(crops.crop(bytes, size())));
            if (n > 0) {
                BufferedImage img = crops.decoded(bytes, augmentation.sourceSide(size()));
                for (int v = 0; v < n; v++) {
                    out.add(preprocessor.augmented(img, augmentation, rnd));
                }
            }
            return out;
        });
    }

    private interface FromBytes<T> {
        T apply(byte[] bytes) throws InvalidImageException;
    }

    /** {@code make} applied to the file's bytes; a file that cannot be read or decoded is reported once and skipped. */
    private <T> Optional<T> read(Path file, FromBytes<T> make) {
        if (skipped.containsKey(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(make.apply(Files.readAllBytes(file)));
        } catch (InvalidImageException | IOException e) {
            if (skipped.putIfAbsent(file, e.getMessage()) == null) {
                report.println("skipping " + file + ": " + e.getMessage());
            }
            return Optional.empty();
        }
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Files skipped so far, with the reason. */
    public Map<Path, String> skipped() {
        return Map.copyOf(skipped);
    }
}
