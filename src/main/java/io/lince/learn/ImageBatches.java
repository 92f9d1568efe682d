package io.lince.learn;

import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Mini-batches decoded from image files. Training epochs draw a random augmentation per image
 * (when one is set); in-order passes always use the plain centre crop. A batch's images are
 * decoded in parallel: decoding is the step the accelerator would otherwise wait for.
 *
 * <p>With a decode pool ({@link #prefetching}) the next {@code depth} batches are decoded and
 * augmented on the pool while the current one trains, so the fit loop only waits when decoding
 * is slower than the step itself. Each image's augmentation comes from its own seed, drawn in
 * order before any work starts, so the batches are the same whichever thread makes them.
 */
public final class ImageBatches implements BatchSource {

    private final List<Entry> entries;
    private final int[] labels;
    private final ImageLoader loader;
    private final Augmentation augmentation;
    private final int batchSize;
    private final Executor pool;
    private final int depth;

    public ImageBatches(List<Entry> entries, List<String> classes, ImageLoader loader, Augmentation augmentation, int batchSize) {
        this(entries, labels(entries, classes), loader, augmentation, batchSize, null, 0);
    }

    private ImageBatches(List<Entry> entries, int[] labels, ImageLoader loader, Augmentation augmentation, int batchSize,
            Executor pool, int depth) {
        this.entries = List.copyOf(entries);
        this.labels = labels;
        this.loader = loader;
        this.augmentation = augmentation;
        this.batchSize = batchSize;
        this.pool = pool;
        this.depth = depth;
    }

    private static int[] labels(List<Entry> entries, List<String> classes) {
        return entries.stream().mapToInt(e -> e.label() == null ? -1 : classes.indexOf(e.label())).toArray();
    }

    /** The same batches, {@code depth} of them decoded ahead on {@code pool}. */
    public ImageBatches prefetching(Executor pool, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("prefetch depth must be at least 1, got " + depth);
        }
        return new ImageBatches(entries, labels, loader, augmentation, batchSize, pool, depth);
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
        IntFunction<Optional<float[]>> image = i -> loader.tensor(entries.get(order[i]).file(), aug, new Random(seeds[i]));
        if (pool == null) {
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
                    next = Math.min(order.length, from + batchSize);
                    return batch(order, from, IntStream.range(from, next).parallel().mapToObj(image).toList());
                }
            };
        }
        return () -> new Iterator<>() {
            private final Deque<CompletableFuture<MiniBatch>> ahead = new ArrayDeque<>();
            private int submitted;

            @Override
            public boolean hasNext() {
                return !ahead.isEmpty() || submitted < order.length;
            }

            @Override
            public MiniBatch next() {
                fill();
                if (ahead.isEmpty()) {
                    throw new NoSuchElementException();
                }
                CompletableFuture<MiniBatch> head = ahead.poll();
                fill();
                try {
                    return head.join();
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }

            /** Keeps {@code depth} batches in flight, each image a task of its own on the pool. */
            private void fill() {
                while (ahead.size() < depth && submitted < order.length) {
                    int from = submitted;
                    int to = Math.min(order.length, from + batchSize);
                    submitted = to;
                    List<CompletableFuture<Optional<float[]>>> images = IntStream.range(from, to)
                            .mapToObj(i -> CompletableFuture.supplyAsync(() -> image.apply(i), pool)).toList();
                    ahead.add(CompletableFuture.allOf(images.toArray(CompletableFuture[]::new))
                            .thenApply(done -> batch(order, from, images.stream().map(CompletableFuture::join).toList())));
                }
            }
        };
    }

    /** The batch of {@code order[from…]} from its decoded images (a file that could not be read drops out). */
    private MiniBatch batch(int[] order, int from, List<Optional<float[]>> decoded) {
        List<float[]> rows = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < decoded.size(); i++) {
            decoded.get(i).ifPresent(rows::add);
            if (decoded.get(i).isPresent()) {
                kept.add(order[from + i]);
            }
        }
        int[] idx = kept.stream().mapToInt(Integer::intValue).toArray();
        return new MiniBatch(MiniBatch.concat(rows), Arrays.stream(idx).map(r -> labels[r]).toArray(), idx);
    }
}
