package io.lince.app;

import java.time.Duration;

/**
 * How long a failed stream thread waits before its replacement starts: nothing for a first
 * failure, then 1 s doubling to a minute while failures keep coming (an accelerator out of
 * memory, a device lost), back to nothing after five quiet minutes. Without it, a machine fault
 * that fails every batch replaces the thread in a tight loop; with it the thread also stops
 * polling long enough for the group to hand its partitions to healthier instances.
 */
final class ThreadFailures {

    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(1);
    static final Duration QUIET = Duration.ofMinutes(5);

    private int streak;
    private long lastAt = Long.MIN_VALUE;

    /** Records a failure at {@code now} and says how long to wait before replacing the thread. */
    synchronized Duration failed(long now) {
        streak = lastAt != Long.MIN_VALUE && now - lastAt < QUIET.toMillis() ? streak + 1 : 0;
        lastAt = now;
        if (streak == 0) {
            return Duration.ZERO;
        }
        long ms = FIRST.toMillis() << Math.min(streak - 1, 20);
        return Duration.ofMillis(Math.min(ms, MAX.toMillis()));
    }
}
