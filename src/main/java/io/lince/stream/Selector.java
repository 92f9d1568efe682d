package io.lince.stream;

import io.lince.contracts.Prediction;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Chooses which classifications go to the labellers: a uniform random share of all images for
 * exploration (drawn first, whatever the model says, so that once labelled they are an unbiased
 * sample of the stream: the trainer judges candidates on them), then the uncertain ones (by a
 * fixed threshold, or adaptively k standard deviations above the moving mean, or at random for
 * the {@code random} baseline), never an image already sent, and no more than the rate budget
 * allows. One per
 * stream task. The budget is the application's, shared out evenly over its tasks (one per input
 * partition), so a scale-out or a rebalance does not multiply it. The moving statistics and the
 * budget's bucket are saved as {@link SelectorState} in a changelogged store, so a restart or a
 * task move goes on from where the task was instead of warming up (and refilling) again; which
 * ids were sent is kept in a changelogged store too.
 */
public final class Selector {

    /** Why an image was not sent, for metrics. */
    public enum Skip { CONFIDENT, ALREADY_SENT, NEAR_DUPLICATE, OVER_BUDGET }

    /** {@code RetrainingSample.route}: the model was unsure (or random routing chose it). */
    public static final String UNCERTAIN = "uncertain";
    /** {@code RetrainingSample.route}: the uniform exploration sample. */
    public static final String EXPLORATION = "exploration";
    /** {@code RetrainingSample.route}: its publisher labelled it. */
    public static final String KNOWN = "known";

    /** The outcome: a reason to send and its route, or why not. */
    public record Decision(String reason, String route, Skip skip) {
        public boolean send() {
            return reason != null;
        }
    }

    private final RoutingPolicy policy;
    private final SelectionSettings s;
    private final Random random;
    /** This task's share of the application's per-minute budget. */
    private final double perMinute;
    /** The bucket's size: a minute of this task's share, and room for one image at least. */
    private final double capacity;
    private long seen;
    private double mean;
    private double variance;
    private double tokens;
    private long refilledAt = Long.MIN_VALUE;
    /** Perceptual hashes of the images sent last, oldest first (at most {@code nearDuplicateMemory}). */
    private final java.util.ArrayDeque<Long> recent = new java.util.ArrayDeque<>();
    /** The budget's multiplier now: above 1 while the drift watch says the stream has drifted. */
    private java.util.function.DoubleSupplier budgetFactor = () -> 1;

    /** A selector that has the whole budget to itself (one task). */
    public Selector(RoutingPolicy policy, long seed) {
        this(policy, seed, 1);
    }

    /** A selector for one of {@code tasks} tasks, which share the budget evenly. */
    public Selector(RoutingPolicy policy, long seed, int tasks) {
        this.policy = policy;
        this.s = policy.selection();
        this.random = new Random(seed);
        this.perMinute = (double) s.maxPerMinute() / Math.max(1, tasks);
        this.capacity = Math.max(1, perMinute);
        this.tokens = capacity;
    }

    /** Where the budget's multiplier comes from (the drift watch raises it while drift lasts). */
    public Selector withBudgetFactor(java.util.function.DoubleSupplier factor) {
        this.budgetFactor = factor;
        return this;
    }

    /** What to save so that another instance of this task goes on from here. */
    public io.lince.contracts.SelectorState state() {
        return new io.lince.contracts.SelectorState(seen, mean, variance, tokens, refilledAt, new java.util.ArrayList<>(recent));
    }

    /** Goes on from {@code saved} (a restart, or a task moved here from another instance). */
    public void restore(io.lince.contracts.SelectorState saved) {
        seen = saved.getSeen();
        mean = saved.getMean();
        variance = saved.getVariance();
        tokens = Math.min(capacity, saved.getTokens());
        refilledAt = saved.getRefilledAt();
        recent.clear();
        List<Long> r = saved.getRecentFingerprints();
        r.subList(Math.max(0, r.size() - s.nearDuplicateMemory()), r.size()).forEach(recent::addLast);
    }

    /** Higher is less sure, whatever the measure: 1 - confidence, 1 - margin, entropy, variance. */
    public double uncertainty(Prediction p) {
        float v = policy.value(p);
        return switch (policy.measure()) {
            case CONFIDENCE, MARGIN, RANDOM -> 1 - v;
            case ENTROPY, VARIANCE -> v;
        };
    }

    public Decision decide(Prediction p, boolean alreadySent, long nowMillis) {
        return decide(p, alreadySent, nowMillis, null);
    }

    /**
     * @param fingerprint the image's {@link io.lince.images.PerceptualHash}, or null when unknown:
     *     an uncertain image within {@code nearDuplicateBits} of a recently sent one is skipped
     *     (exploration images are not: they must stay a uniform sample of the stream)
     */
    public Decision decide(Prediction p, boolean alreadySent, long nowMillis, Long fingerprint) {
        double u = uncertainty(p);
        // the exploration draw comes first and ignores the model: a random sample of all images
        boolean explore = s.exploration() > 0 && random.nextDouble() < s.exploration();
        String why = explore ? String.format(Locale.ROOT, "exploration (%.1f%% of all images, at random)", 100 * s.exploration())
                : unsure(p, u);
        update(u);
        if (why == null) {
            return new Decision(null, null, Skip.CONFIDENT);
        }
        if (alreadySent) {
            return new Decision(null, null, Skip.ALREADY_SENT);
        }
        if (!explore && fingerprint != null && nearDuplicate(fingerprint)) {
            return new Decision(null, null, Skip.NEAR_DUPLICATE);
        }
        if (!takeToken(nowMillis)) {
            return new Decision(null, null, Skip.OVER_BUDGET);
        }
        if (fingerprint != null && s.nearDuplicateMemory() > 0) {
            recent.addLast(fingerprint);
            while (recent.size() > s.nearDuplicateMemory()) {
                recent.removeFirst();
            }
        }
        return new Decision(why, explore ? EXPLORATION : UNCERTAIN, null);
    }

    private boolean nearDuplicate(long fingerprint) {
        if (s.nearDuplicateBits() < 0) {
            return false;
        }
        for (long r : recent) {
            if (io.lince.images.PerceptualHash.distance(r, fingerprint) <= s.nearDuplicateBits()) {
                return true;
            }
        }
        return false;
    }

    private String unsure(Prediction p, double u) {
        if (policy.measure() == RoutingPolicy.Measure.RANDOM) {
            return random.nextDouble() < policy.threshold()
                    ? String.format(Locale.ROOT, "random (%.1f%% of images)", 100 * policy.threshold()) : null;
        }
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
        double factor = Math.max(1, budgetFactor.getAsDouble());
        if (refilledAt != Long.MIN_VALUE) {
            tokens = Math.min(capacity * factor, tokens + Math.max(0, now - refilledAt) * perMinute * factor / 60_000.0);
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
