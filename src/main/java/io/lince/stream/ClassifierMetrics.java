package io.lince.stream;

import io.lince.contracts.Classification;

/** What the classifier reports as it works; a no-op unless a metrics registry is wired in. */
public interface ClassifierMetrics {

    default void received() {}

    default void batch(int size, float inferenceMillis) {}

    default void classified(Classification c, boolean unsure, float queueMillis) {}

    default void deadLettered(String stage) {}

    /** An uncertain (or exploration) image was not sent for labelling, and why (over budget, a near-duplicate, already sent). */
    default void notSent(Selector.Skip why) {}

    /** An image id was erased (a tombstone on the image topic). */
    default void erased() {}

    ClassifierMetrics NONE = new ClassifierMetrics() {};
}
