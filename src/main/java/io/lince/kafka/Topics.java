package io.lince.kafka;

import java.util.List;

/**
 * Lince's topic names and partition counts. {@code examples} is the trainer's compacted topic of
 * labelled examples (retraining sample joined with its label), the source of truth for training.
 * {@code alerts} carries the classifiers' drift alerts; {@code shadow} what a shadowed version
 * said on the batches it mirrored, beside the champion's answers.
 */
public record Topics(
        String images,
        String classifications,
        String retraining,
        String labels,
        String models,
        String deadLetter,
        String examples,
        String alerts,
        String shadow,
        int partitions) {

    public static final String IMAGES = "lince.images";
    public static final String CLASSIFICATIONS = "lince.classifications";
    public static final String RETRAINING = "lince.retraining";
    public static final String LABELS = "lince.labels";
    public static final String MODELS = "lince.models";
    public static final String DEAD_LETTER = "lince.dead-letter";
    public static final String EXAMPLES = "lince.examples";
    public static final String ALERTS = "lince.alerts";
    public static final String SHADOW = "lince.shadow";

    public static Topics defaults(int partitions) {
        return new Topics(IMAGES, CLASSIFICATIONS, RETRAINING, LABELS, MODELS, DEAD_LETTER, EXAMPLES, ALERTS, SHADOW, partitions);
    }

    public List<String> all() {
        return List.of(images, classifications, retraining, labels, models, deadLetter, examples, alerts, shadow);
    }

    /**
     * Topics whose latest value per key is what matters, so Kafka keeps them compacted.
     * {@code retraining} is one: the trainer's table of samples restores from it (one sample per
     * image, kept until a label joins it), instead of from a changelog holding the same bytes.
     */
    public boolean compacted(String topic) {
        return topic.equals(labels) || topic.equals(models) || topic.equals(examples) || topic.equals(retraining);
    }

    /** The model registry is totally ordered: one partition. */
    public int partitionsOf(String topic) {
        return topic.equals(models) ? 1 : partitions;
    }
}
