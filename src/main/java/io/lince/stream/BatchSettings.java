package io.lince.stream;

import java.time.Duration;

/**
 * Dynamic batching, as Triton's dynamic batcher: run when {@code maxBatch} images wait, or when
 * the oldest has waited {@code maxDelay}.
 */
public record BatchSettings(int maxBatch, Duration maxDelay) {

    public BatchSettings {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1");
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
