package io.lince.stream;

import java.time.Duration;

/**
 * Dynamic batching, as Triton's dynamic batcher: run when {@code maxBatch} images wait, or when
 * the oldest has waited {@code maxDelay}. With {@code ttaViews} &gt; 0 each image also runs in that
 * many augmented views (in the same forward pass), which costs that many times the compute.
 * With {@code prepareThreads} &gt; 0, images are fetched, decoded and preprocessed on that many
 * threads as they arrive; 0 prepares them on the stream thread when the batch runs (on a CPU
 * where libtorch already uses every core, extra threads compete with the forward pass).
 */
public record BatchSettings(int maxBatch, Duration maxDelay, int ttaViews, int prepareThreads) {

    public BatchSettings(int maxBatch, Duration maxDelay) {
        this(maxBatch, maxDelay, 0, 0);
    }

    public BatchSettings(int maxBatch, Duration maxDelay, int ttaViews) {
        this(maxBatch, maxDelay, ttaViews, 0);
    }


    public BatchSettings {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1");
        }
        if (ttaViews < 0 || ttaViews > 7) {
            throw new IllegalArgumentException("tta views must be between 0 and 7, got " + ttaViews);
        }
    }

    public static BatchSettings defaults() {
        return new BatchSettings(8, Duration.ofMillis(100));
    }

    /** How often the wall-clock punctuator looks at the buffer. */
    Duration tick() {
        long ms = Math.max(1, maxDelay.toMillis() / 4);
        return Duration.ofMillis(ms);
    }
}
