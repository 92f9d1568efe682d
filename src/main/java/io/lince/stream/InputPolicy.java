package io.lince.stream;

import io.lince.images.FetchPolicy;
import io.lince.wire.ClassificationJson;

/**
 * What the classifier accepts at its door: the checks on each event's id and time, what its
 * claim-check URIs may point at, and the formats of the topics upstream apps write and read.
 */
public record InputPolicy(EventChecks events, FetchPolicy fetch, TopicFormats formats) {

    /**
     * @param images how a record of {@code lince.images} is read: {@code avro} events or {@code raw} image bytes ({@link ImageInput})
     * @param classifications how {@code lince.classifications} is written: {@code avro} or {@code json} ({@link ClassificationJson})
     */
    public record TopicFormats(String images, String classifications) {
        public static final TopicFormats AVRO = new TopicFormats("avro", "avro");

        public TopicFormats {
            ImageInput.of(images, null); // an unknown format fails at start, not on the first record
            ClassificationJson.isJson(classifications);
        }
    }

    /** The default event checks, with {@code fetch}, Avro in and out. */
    public static InputPolicy of(FetchPolicy fetch) {
        return new InputPolicy(EventChecks.DEFAULTS, fetch, TopicFormats.AVRO);
    }

    /** The same policy with another claim-check policy. */
    public InputPolicy with(FetchPolicy other) {
        return new InputPolicy(events, other, formats);
    }

    /** The same policy with other topic formats. */
    public InputPolicy with(TopicFormats other) {
        return new InputPolicy(events, fetch, other);
    }
}
