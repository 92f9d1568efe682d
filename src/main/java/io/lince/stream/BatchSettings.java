package io.lince.stream;

import java.time.Duration;

/**
 * Dynamic batching, as Triton's dynamic batcher: run when {@code maxBatch} images wait, or when
 * the oldest has waited {@code maxDelay}. With {@code ttaViews} &gt; 0 each image also runs in that
 * many augmented views (in the same forward pass), which costs that many times the compute.
 * Images are decoded as they arrive on the process's decode threads: {@code prepareThreads} of
 * them, or one per core with 0 (see {@link ClassifierWorkers}).
 */
public record BatchSettings(int maxBatch, Duration maxDelay, int ttaViews, int prepareThreads) {

    public BatchSettings(int maxBatch, Duration maxDelay) {
        this(maxBatch, maxDelay, 0, 0);
    }

    public BatchSettings(int maxBatch, Duration maxDelay, int ttaViews) {
        this(maxBatch, maxDelay, ttaViews, 0);
    }


    /** {@code maxBatch} of "the device's default": 32 on a GPU, 8 on a CPU (see {@link #on}). */
    public static final int AUTO = 0;

    public BatchSettings {
        if (maxBatch < 0) {
            throw new IllegalArgumentException("max batch must be at least 1 (or unset for the device's default)");
        }
        if (ttaViews < 0 || ttaViews > 7) {
            throw new IllegalArgumentException("tta views must be between 0 and 7, got " + ttaViews);
        }
    }

    /**
     * These settings for a device: an {@link #AUTO} batch becomes 32 on a GPU (where the forward
     * pass of 32 costs about what one of 8 does) and 8 on a CPU (where it costs 4× and only adds
     * latency).
     */
    public BatchSettings on(boolean gpu) {
        return maxBatch != AUTO ? this : new BatchSettings(gpu ? 32 : 8, maxDelay, ttaViews, prepareThreads);
    }

    public static BatchSettings defaults() {
        return new BatchSettings(8, Duration.ofMillis(100));
    }

    /**
     * How often the wall-clock punctuator looks at the buffer and at the batch in flight: often
     * enough that a finished batch is published within a few ms when no new record arrives.
     */
    Duration tick() {
        long ms = Math.max(1, Math.min(5, maxDelay.toMillis() / 4));
        return Duration.ofMillis(ms);
    }
}
