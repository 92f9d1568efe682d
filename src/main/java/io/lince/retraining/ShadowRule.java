package io.lince.retraining;

import java.time.Duration;

/**
 * Whether a candidate that passed the offline gate must also prove itself on live traffic before
 * it is promoted: it is published as {@code shadow}, the classifiers mirror it on a share of their
 * batches ({@code lince.classifier.shadow.share}) and the trainer promotes it once it has seen
 * {@code images} images, if it agreed with the champion on at least {@code minAgreement} of them
 * and its forward pass took at most {@code maxLatencyRatio} times the champion's; otherwise, or
 * when {@code timeout} passes first, it is rejected with the numbers.
 */
public record ShadowRule(boolean required, int images, double minAgreement, double maxLatencyRatio, Duration timeout) {

    public static final ShadowRule OFF = new ShadowRule(false, 200, 0.8, 1.5, Duration.ofMinutes(30));

    /**
     * The decision on a shadow that has seen {@code images} images (null: not yet). Agreement is a
     * floor, not a target: a better model disagrees where the champion was wrong, so the floor
     * only catches a candidate that has gone wrong on the live stream (a broken artifact, another
     * preprocessing, a stream the offline slices did not show).
     */
    public PromotionGate.Verdict judge(io.lince.watch.ShadowTally t) {
        if (t.images() < images) {
            return null;
        }
        if (t.agreement() < minAgreement) {
            return new PromotionGate.Verdict(false, String.format(java.util.Locale.ROOT,
                    "on live traffic it agreed with the champion on %.1f%% of %d images, below the %.1f%% required (%s)",
                    100 * t.agreement(), t.images(), 100 * minAgreement, t));
        }
        if (t.latencyRatio() > maxLatencyRatio) {
            return new PromotionGate.Verdict(false, String.format(java.util.Locale.ROOT,
                    "on live traffic its forward pass took %.2fx the champion's, above the %.2fx allowed (%s)",
                    t.latencyRatio(), maxLatencyRatio, t));
        }
        return new PromotionGate.Verdict(true, "passed on live traffic: " + t);
    }

    public ShadowRule {
        if (images < 1 || minAgreement < 0 || minAgreement > 1 || !(maxLatencyRatio > 0) || timeout.isNegative()
                || timeout.isZero()) {
            throw new IllegalArgumentException(String.format(
                    "shadow needs images >= 1, min-agreement in [0, 1], max-latency-ratio > 0 and a positive timeout; got %d, %s, %s, %s",
                    images, minAgreement, maxLatencyRatio, timeout));
        }
    }
}
