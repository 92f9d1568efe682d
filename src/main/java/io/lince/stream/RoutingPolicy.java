package io.lince.stream;

import io.lince.contracts.Prediction;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides which classifications go to the retraining topic: one uncertainty measure against a
 * threshold. {@code confidence} and {@code margin} route when below it; {@code entropy} and
 * {@code variance} (across test-time views, needs TTA on) when above.
 */
public record RoutingPolicy(Measure measure, double threshold) {

    public enum Measure { CONFIDENCE, MARGIN, ENTROPY, VARIANCE }

    public static RoutingPolicy of(String measure, double threshold) {
        return new RoutingPolicy(Measure.valueOf(measure.toUpperCase(Locale.ROOT)), threshold);
    }

    public float value(Prediction p) {
        return switch (measure) {
            case CONFIDENCE -> p.getConfidence();
            case MARGIN -> p.getMargin();
            case ENTROPY -> p.getEntropy();
            case VARIANCE -> p.getTtaVariance();
        };
    }

    /** @return why it should be labelled, or empty when the model is sure enough */
    public Optional<String> reasonToRetrain(Prediction p) {
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
