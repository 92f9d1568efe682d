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
 * @param nearDuplicateBits an uncertain image whose perceptual hash lies within this many bits of
 *     one of the last {@code nearDuplicateMemory} images this task sent is not sent (a burst of
 *     frames of one scene costs one label); -1 turns the check off
 * @param nearDuplicateMemory how many sent images each task remembers for that check
 */
public record SelectionSettings(boolean adaptive, double k, double emaAlpha, int warmup, int maxPerMinute, double exploration,
        java.time.Duration sentRetention, int nearDuplicateBits, int nearDuplicateMemory) {

    /** The near-duplicate check off. */
    public static final int NO_NEAR_DUPLICATES = -1;

    /** How long a sent image is remembered unless configured: a week. */
    public static final java.time.Duration SENT_RETENTION = java.time.Duration.ofDays(7);

    /** The fixed threshold alone, no budget, no exploration. */
    public static final SelectionSettings FIXED = new SelectionSettings(false, 2, 0.01, 100, 0, 0);

    public SelectionSettings(boolean adaptive, double k, double emaAlpha, int warmup, int maxPerMinute, double exploration) {
        this(adaptive, k, emaAlpha, warmup, maxPerMinute, exploration, SENT_RETENTION, NO_NEAR_DUPLICATES, 0);
    }

    public SelectionSettings withExploration(double share) {
        return new SelectionSettings(adaptive, k, emaAlpha, warmup, maxPerMinute, share, sentRetention, nearDuplicateBits,
                nearDuplicateMemory);
    }

    /** The same settings, skipping uncertain images within {@code bits} of one of the last {@code memory} sent. */
    public SelectionSettings withNearDuplicates(int bits, int memory) {
        return new SelectionSettings(adaptive, k, emaAlpha, warmup, maxPerMinute, exploration, sentRetention, bits, memory);
    }

    public SelectionSettings {
        if (sentRetention.isNegative() || sentRetention.isZero()) {
            throw new IllegalArgumentException("sent-retention must be positive, got " + sentRetention);
        }
        if (nearDuplicateBits < NO_NEAR_DUPLICATES || nearDuplicateBits > 64 || nearDuplicateMemory < 0 || nearDuplicateMemory > 100_000) {
            throw new IllegalArgumentException("near-duplicate-bits must be -1 (off) to 64 and near-duplicate-memory 0 to 100000; got "
                    + nearDuplicateBits + " and " + nearDuplicateMemory);
        }
        if (k < 0 || emaAlpha <= 0 || emaAlpha > 1 || warmup < 0 || maxPerMinute < 0 || exploration < 0 || exploration > 1) {
            throw new IllegalArgumentException(String.format(
                    "selection needs k >= 0, 0 < ema-alpha <= 1, warmup >= 0, max-per-minute >= 0 and exploration in [0, 1]; got %s", this));
        }
    }
}
