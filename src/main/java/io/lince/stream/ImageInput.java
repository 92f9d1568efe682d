package io.lince.stream;

import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.contracts.RecordHeader;
import io.lince.wire.Buffers;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * How a record of {@code lince.images} becomes an {@link ImageEvent} ({@code lince.images.format}):
 *
 * <ul>
 *   <li>{@code avro} (the default): the value is an {@code ImageEvent} in Lince's wire format.
 *   <li>{@code raw}: the value is the image's bytes themselves, for the simplest apps
 *       ({@code kcat -P -t lince.images -k ID photo.jpg}). The key is the image id (UTF-8), the
 *       record's timestamp its event time; optional headers {@code content-type},
 *       {@code lince-known-label} (a label the publisher trusts) and {@code lince-source} (default
 *       {@code raw}). Everything after reading (checks, limits, dead letters, exactly-once) is as for
 *       Avro events.
 * </ul>
 *
 * A record that cannot be read throws {@link SerializationException} with the reason the dead
 * letter carries; a tombstone reads as null.
 */
@FunctionalInterface
public interface ImageInput {

    String CONTENT_TYPE = "content-type";
    String KNOWN_LABEL = "lince-known-label";
    String SOURCE = "lince-source";

    ImageEvent read(PendingImage record);

    /** A record as a plain consumer got it (the dashboard's feed): read as the classifier reads it. */
    default ImageEvent read(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
        return read(ClassifyProcessor.whole(r.topic(), r.partition(), r.offset(), r.timestamp(),
                r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), DeadLetters.headers(r.headers()),
                r.value(), 0));
    }

    /** Values are Avro {@code ImageEvent}s, read by {@code events}. */
    static ImageInput avro(Deserializer<ImageEvent> events) {
        return r -> events.deserialize(r.getTopic(), r.getValue() == null ? null : Buffers.toArray(r.getValue()));
    }

    /** Values are image bytes, keys image ids. */
    static ImageInput raw() {
        return r -> {
            if (r.getValue() == null) {
                return null;
            }
            String id = r.getKey() == null ? null : Buffers.utf8(r.getKey());
            if (id == null || id.isBlank()) {
                throw new SerializationException("a raw image needs its image id as the record key (UTF-8 text):"
                        + (r.getKey() == null ? " the key is null" : " the key is not text")
                        + "; kcat -P -t lince.images -k ID photo.jpg");
            }
            String type = header(r, CONTENT_TYPE);
            if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("image/")) {
                throw new SerializationException("content-type header '" + type + "' is not an image type");
            }
            String source = header(r, SOURCE);
            return ImageEvent.newBuilder()
                    .setId(id)
                    .setEventTime(Instant.ofEpochMilli(r.getTimestamp()))
                    .setSource(source == null || source.isBlank() ? "raw" : source)
                    .setContentType(type)
                    .setBytes(r.getValue())
                    .setUri(null)
                    .setKnownLabel(header(r, KNOWN_LABEL))
                    .build();
        };
    }

    /** {@code avro} or {@code raw}. */
    static ImageInput of(String format, Deserializer<ImageEvent> events) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "avro" -> avro(events);
            case "raw" -> raw();
            default -> throw new IllegalArgumentException("lince.images.format must be avro or raw, got '" + format + "'");
        };
    }

    private static String header(PendingImage r, String name) {
        String value = null;
        for (RecordHeader h : r.getRecordHeaders()) { // the last one wins, as Kafka's lastHeader
            if (h.getKey().equalsIgnoreCase(name) && h.getValue() != null) {
                value = Buffers.utf8(h.getValue());
            }
        }
        return value;
    }
}
