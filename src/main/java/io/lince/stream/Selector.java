package io.lince.stream;

import io.lince.contracts.Prediction;
import java.util.Locale;
import java.util.Random;

/**
 * Chooses which classifications go to the labellers: the uncertain ones (by a fixed threshold, or
 * adaptively k standard deviations above the moving mean), plus a share of confident ones for
 * exploration, never an image already sent, and no more than the rate budget allows. One per
 * stream task: its moving statistics and budget are the task's own (after a restart they warm up
 * again; which ids were sent is kept in a changelogged store, so that survives).
 */
public final class Selector {

    /** Why an image was not sent, for metrics. */
    public enum Skip { CONFIDENT, ALREADY_SENT, OVER_BUDGET }

    /** The outcome: a reason to send, or why not. */
    public record Decision(String reason, Skip skip) {
        public boolean send() {
            return reason != null;
        }
    }

    private final RoutingPolicy policy;
    private final SelectionSettings s;
    private final Random random;
    private long seen;
    private double mean;
    private double variance;
    private double tokens;
    private long refilledAt = Long.MIN_VALUE;

    public Selector(RoutingPolicy policy, long seed) {
        this.policy = policy;
        this.s = policy.selection();
        this.random = new Random(seed);
        this.tokens = s.maxPerMinute();
    }

    /** Higher is less sure, whatever the measure: 1 - confidence, 1 - margin, entropy, variance. */
    public double uncertainty(Prediction p) {
        float v = policy.value(p);
        return switch (policy.measure()) {
            case CONFIDENCE, MARGIN -> 1 - v;
            case ENTROPY, VARIANCE -> v;
        };
    }

    public Decision decide(Prediction p, boolean alreadySent, long nowMillis) {
        double u = uncertainty(p);
        String why = unsure(p, u);
        update(u);
        if (why == null && s.exploration() > 0 && random.nextDouble() < s.exploration()) {
            why = String.format(Locale.ROOT, "exploration (%.0f%% of confident results)", 100 * s.exploration());
        }
        if (why == null) {
            return new Decision(null, Skip.CONFIDENT);
        }
        if (alreadySent) {
            return new Decision(null, Skip.ALREADY_SENT);
        }
        if (!takeToken(nowMillis)) {
            return new Decision(null, Skip.OVER_BUDGET);
        }
        return new Decision(why, null);
    }

    private String unsure(Prediction p, double u) {
        if (!s.adaptive() || seen < s.warmup()) {
            return policy.reasonToRetrain(p).orElse(null);
        }
        double std = Math.sqrt(variance);
        double bar = mean + s.k() * std;
        return u > bar ? String.format(Locale.ROOT, "uncertainty %.3f > mean %.3f + %.1f sd %.3f (adaptive)", u, mean, s.k(), std) : null;
    }

    /** Exponentially weighted mean and variance (West's incremental form). */
    private void update(double u) {
        if (seen++ == 0) {
            mean = u;
            variance = 0;
            return;
        }
        double a = s.emaAlpha();
        double d = u - mean;
        mean += a * d;
        variance = (1 - a) * (variance + a * d * d);
    }

    /** A token bucket holding a minute's budget, refilled continuously. */
    private boolean takeToken(long now) {
        if (s.maxPerMinute() == 0) {
            return true;
        }
        if (refilledAt != Long.MIN_VALUE) {
            tokens = Math.min(s.maxPerMinute(), tokens + (now - refilledAt) * s.maxPerMinute() / 60_000.0);
        }
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    public double mean() {
        return mean;
    }

    public double standardDeviation() {
        return Math.sqrt(variance);
    }
}
