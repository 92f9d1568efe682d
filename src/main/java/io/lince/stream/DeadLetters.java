package io.lince.stream;

import io.lince.contracts.DeadLetter;
import io.lince.contracts.PendingImage;
import io.lince.contracts.RecordHeader;
import io.lince.wire.Buffers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds a {@link DeadLetter} that keeps the failed record whole: its key byte for byte, every
 * header in order (repeated keys and null values included), its bytes and where it came from.
 */
public final class DeadLetters {

    private DeadLetters() {}

    /**
     * A dead letter for a record of a topic read with string keys (the trainer's label and
     * retraining topics, keyed by image id): the key is kept as its UTF-8 bytes.
     */
    public static DeadLetter of(Record<String, byte[]> record, Optional<RecordMetadata> origin,
            String imageId, String stage, String reason) {
        return build(origin.map(RecordMetadata::topic).orElse("?"), origin.map(RecordMetadata::partition).orElse(-1),
                origin.map(RecordMetadata::offset).orElse(-1L),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), headers(record.headers()),
                record.value() == null ? null : ByteBuffer.wrap(record.value()), imageId, stage, reason);
    }

    /** A dead letter for a record that waited in the classifier's batch buffer. */
    public static DeadLetter of(PendingImage p, String imageId, String stage, String reason) {
        return build(p.getTopic(), p.getPartition(), p.getOffset(), p.getKey() == null ? null : Buffers.toArray(p.getKey()),
                p.getRecordHeaders(), p.getValue(), imageId, stage, reason);
    }

    private static DeadLetter build(String topic, int partition, long offset, byte[] key, List<RecordHeader> headers,
            ByteBuffer value, String imageId, String stage, String reason) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setRecordHeaders(headers)
                .setHeaders(lastValues(headers))
                .setValue(value)
                .setImageId(imageId)
                .setStage(stage)
                .setReason(reason)
                .setFailedAt(Instant.now())
                .build();
    }

    /** A record's headers as the Avro records keep them: all of them, in order, a null value as null. */
    static List<RecordHeader> headers(Iterable<Header> recordHeaders) {
        List<RecordHeader> headers = new ArrayList<>();
        for (Header h : recordHeaders) {
            headers.add(new RecordHeader(h.key(), h.value() == null ? null : ByteBuffer.wrap(h.value())));
        }
        return headers;
    }

    /** What the first DeadLetter schema could say of them: the last value of each key, null as empty. */
    private static Map<String, ByteBuffer> lastValues(List<RecordHeader> headers) {
        Map<String, ByteBuffer> last = new HashMap<>();
        for (RecordHeader h : headers) {
            last.put(h.getKey(), h.getValue() == null ? ByteBuffer.allocate(0) : h.getValue().duplicate());
        }
        return last;
    }

    /**
     * The key of a dead letter on {@code lince.dead-letter}: the image id when the record had a
     * usable one, else its own key when that is text, else none (it is in the body, byte for byte).
     */
    static String outputKey(String imageId, ByteBuffer key) {
        return imageId != null ? imageId : textKey(key);
    }

    /** A record key as text: valid UTF-8 of at most {@link EventChecks#MAX_ID_LENGTH} characters, else null. */
    static String textKey(ByteBuffer key) {
        String text = key == null ? null : Buffers.utf8(key);
        return text != null && text.length() <= EventChecks.MAX_ID_LENGTH ? text : null;
    }
}
