package io.lince.learn;

import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Mini-batches decoded from image files. Training epochs draw a random augmentation per image
 * (when one is set); in-order passes always use the plain centre crop. A batch's images are
 * decoded in parallel: decoding is the step the accelerator would otherwise wait for.
 */
public final class ImageBatches implements BatchSource {

    private final List<Entry> entries;
    private final int[] labels;
    private final ImageLoader loader;
    private final Augmentation augmentation;
    private final int batchSize;

    public ImageBatches(List<Entry> entries, List<String> classes, ImageLoader loader, Augmentation augmentation, int batchSize) {
        this.entries = List.copyOf(entries);
        this.labels = entries.stream().mapToInt(e -> e.label() == null ? -1 : classes.indexOf(e.label())).toArray();
        this.loader = loader;
        this.augmentation = augmentation;
        this.batchSize = batchSize;
    }

    public List<Entry> entries() {
        return entries;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public long[] exampleShape() {
        return new long[] {3, loader.size(), loader.size()};
    }

    @Override
    public boolean precomputed() {
        return false;
    }

    @Override
    public Iterable<MiniBatch> epoch(Random shuffle) {
        int[] order = BatchSource.order(entries.size(), shuffle);
        long[] seeds = shuffle == null ? new long[order.length] : shuffle.longs(order.length).toArray();
        Augmentation aug = shuffle == null ? null : augmentation;
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public MiniBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = next;
                int to = Math.min(order.length, from + batchSize);
                next = to;
                List<Optional<float[]>> decoded = IntStream.range(from, to).parallel()
                        .mapToObj(i -> loader.tensor(entries.get(order[i]).file(), aug, new Random(seeds[i])))
                        .toList();
                List<float[]> rows = new ArrayList<>();
                List<Integer> kept = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    decoded.get(i - from).ifPresent(rows::add);
                    if (decoded.get(i - from).isPresent()) {
                        kept.add(order[i]);
                    }
                }
                int[] idx = kept.stream().mapToInt(Integer::intValue).toArray();
                return new MiniBatch(MiniBatch.concat(rows), Arrays.stream(idx).map(r -> labels[r]).toArray(), idx);
            }
        };
    }
}
