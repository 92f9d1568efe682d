package io.lince.stream;

import io.lince.contracts.Prediction;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides which classifications go to the retraining topic: one uncertainty measure against a
 * threshold. {@code confidence} and {@code margin} route when below it; {@code entropy} and
 * {@code variance} (across test-time views, needs TTA on) when above. {@code random} ignores the
 * model and routes each image with probability {@code threshold}: the baseline that active
 * learning has to beat. {@link SelectionSettings} add the adaptive rule, a rate budget and
 * exploration (applied by a {@link Selector}).
 */
public record RoutingPolicy(Measure measure, double threshold, SelectionSettings selection) {

    public enum Measure { CONFIDENCE, MARGIN, ENTROPY, VARIANCE, RANDOM }

    public static RoutingPolicy of(String measure, double threshold) {
        return of(measure, threshold, SelectionSettings.FIXED);
    }

    public static RoutingPolicy of(String measure, double threshold, SelectionSettings selection) {
        Measure m;
        try {
            m = Measure.valueOf(measure.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown uncertainty measure '" + measure
                    + "': use confidence, margin, entropy, variance or random");
        }
        if (m == Measure.RANDOM && (threshold < 0 || threshold > 1)) {
            throw new IllegalArgumentException("random routing takes a share between 0 and 1 as its threshold, got " + threshold);
        }
        return new RoutingPolicy(m, threshold, selection);
    }

    public float value(Prediction p) {
        return switch (measure) {
            case CONFIDENCE, RANDOM -> p.getConfidence();
            case MARGIN -> p.getMargin();
            case ENTROPY -> p.getEntropy();
            case VARIANCE -> p.getTtaVariance();
        };
    }

    /**
     * @return why it should be labelled, or empty when the model is sure enough (always empty for
     *     {@code random}, which needs a random source: see {@link Selector})
     */
    public Optional<String> reasonToRetrain(Prediction p) {
        if (measure == Measure.RANDOM) {
            return Optional.empty();
        }
        float v = value(p);
        String name = measure.name().toLowerCase(Locale.ROOT);
        boolean above = measure == Measure.ENTROPY || measure == Measure.VARIANCE;
        boolean unsure = above ? v > threshold : v < threshold;
        if (!unsure) {
            return Optional.empty();
        }
        String op = above ? ">" : "<";
        return Optional.of(String.format(Locale.ROOT, "%s %.3f %s %.3f", name, v, op, threshold));
    }
}
