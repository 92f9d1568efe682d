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
     * @param writerSchemas a directory of upstream producers' newer Avro schemas that readers accept
     *     beside Lince's own ({@link io.lince.wire.SingleObjectWireFormat#withWriters})
     */
    public record TopicFormats(String images, String classifications, java.util.Optional<java.nio.file.Path> writerSchemas) {
        public static final TopicFormats AVRO = new TopicFormats("avro", "avro");

        /** Only Lince's own schemas. */
        public TopicFormats(String images, String classifications) {
            this(images, classifications, java.util.Optional.empty());
        }

        /** The wire format of these topics: Lince's schemas, their history, and the writer schemas. */
        public io.lince.wire.WireFormat wire() {
            io.lince.wire.SingleObjectWireFormat base = io.lince.wire.SingleObjectWireFormat.withHistory();
            writerSchemas.ifPresent(base::withWriters);
            return base.classificationsAs(classifications);
        }

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
