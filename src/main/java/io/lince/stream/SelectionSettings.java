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
 * @param maxPerMinute at most this many images sent per minute per stream task (0 = no limit)
 * @param exploration share of confident images sent anyway, to estimate live accuracy and keep
 *     the labelled set unbiased
 */
public record SelectionSettings(boolean adaptive, double k, double emaAlpha, int warmup, int maxPerMinute, double exploration) {

    /** The fixed threshold alone, no budget, no exploration. */
    public static final SelectionSettings FIXED = new SelectionSettings(false, 2, 0.01, 100, 0, 0);

    public SelectionSettings withExploration(double share) {
        return new SelectionSettings(adaptive, k, emaAlpha, warmup, maxPerMinute, share);
    }

    public SelectionSettings {
        if (k < 0 || emaAlpha <= 0 || emaAlpha > 1 || warmup < 0 || maxPerMinute < 0 || exploration < 0 || exploration > 1) {
            throw new IllegalArgumentException(String.format(
                    "selection needs k >= 0, 0 < ema-alpha <= 1, warmup >= 0, max-per-minute >= 0 and exploration in [0, 1]; got %s", this));
        }
    }
}
