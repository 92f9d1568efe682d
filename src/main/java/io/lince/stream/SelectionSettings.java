package io.lince.stream;

/**
 * How uncertain images are chosen for labelling, on top of the measure and threshold of
 * {@link RoutingPolicy}.
 *
 * @param adaptive send what lies {@code k} standard deviations above the running (exponential
 *     moving) mean of the uncertainty, instead of a fixed threshold, once {@code warmup} results
 *     have been seen: a drift in the model's calibration then cannot flood the labellers
 * @param k standard deviations above the mean
 * @param emaAlpha weight of each new result in the moving mean and variance
 * @param warmup results seen before the adaptive rule takes over from the fixed threshold
 * @param maxPerMinute at most this many images sent per minute by the whole classifier application,
 *     shared out evenly over its stream tasks (0 = no limit)
 * @param exploration share of confident images sent anyway, to estimate live accuracy and keep
 *     the labelled set unbiased
 * @param sentRetention how long the classifier remembers that an image was sent, so as not to send
 *     it again: the state it keeps (and restores on every rebalance) grows with the images routed
 *     within this window, not with every image ever routed
 */
public record SelectionSettings(boolean adaptive, double k, double emaAlpha, int warmup, int maxPerMinute, double exploration,
        java.time.Duration sentRetention) {

    /** How long a sent image is remembered unless configured: a week. */
    public static final java.time.Duration SENT_RETENTION = java.time.Duration.ofDays(7);

    /** The fixed threshold alone, no budget, no exploration. */
    public static final SelectionSettings FIXED = new SelectionSettings(false, 2, 0.01, 100, 0, 0);

    public SelectionSettings(boolean adaptive, double k, double emaAlpha, int warmup, int maxPerMinute, double exploration) {
        this(adaptive, k, emaAlpha, warmup, maxPerMinute, exploration, SENT_RETENTION);
    }

    public SelectionSettings withExploration(double share) {
        return new SelectionSettings(adaptive, k, emaAlpha, warmup, maxPerMinute, share, sentRetention);
    }

    public SelectionSettings {
        if (sentRetention.isNegative() || sentRetention.isZero()) {
            throw new IllegalArgumentException("sent-retention must be positive, got " + sentRetention);
        }
        if (k < 0 || emaAlpha <= 0 || emaAlpha > 1 || warmup < 0 || maxPerMinute < 0 || exploration < 0 || exploration > 1) {
            throw new IllegalArgumentException(String.format(
                    "selection needs k >= 0, 0 < ema-alpha <= 1, warmup >= 0, max-per-minute >= 0 and exploration in [0, 1]; got %s", this));
        }
    }
}
