package io.lince.stream;

import java.time.Duration;

/**
 * Dynamic batching, as Triton's dynamic batcher: run when {@code maxBatch} images wait, or when
 * the oldest has waited {@code maxDelay}. With {@code ttaViews} &gt; 0 each image also runs in that
 * many augmented views (in the same forward pass), which costs that many times the compute.
 */
public record BatchSettings(int maxBatch, Duration maxDelay, int ttaViews) {

    public BatchSettings(int maxBatch, Duration maxDelay) {
        this(maxBatch, maxDelay, 0);
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
