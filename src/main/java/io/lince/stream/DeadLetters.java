package io.lince.stream;

import io.lince.contracts.DeadLetter;
import io.lince.contracts.PendingImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds a {@link DeadLetter} that keeps the failed record whole: key, headers, bytes, origin. */
public final class DeadLetters {

    private DeadLetters() {}

    public static DeadLetter of(Record<String, byte[]> record, Optional<RecordMetadata> origin,
            String imageId, String stage, String reason) {
        return build(origin.map(RecordMetadata::topic).orElse("?"), origin.map(RecordMetadata::partition).orElse(-1),
                origin.map(RecordMetadata::offset).orElse(-1L), record.key(), headers(record.headers()),
                record.value() == null ? null : ByteBuffer.wrap(record.value()), imageId, stage, reason);
    }

    /** A dead letter for a record that waited in the classifier's batch buffer. */
    public static DeadLetter of(PendingImage p, String imageId, String stage, String reason) {
        return build(p.getTopic(), p.getPartition(), p.getOffset(), p.getKey(), p.getHeaders(), p.getValue(),
                imageId, stage, reason);
    }

    private static DeadLetter build(String topic, int partition, long offset, String key,
            Map<String, ByteBuffer> headers, ByteBuffer value, String imageId, String stage, String reason) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setHeaders(headers)
                .setValue(value)
                .setImageId(imageId)
                .setStage(stage)
                .setReason(reason)
                .setFailedAt(Instant.now())
                .build();
    }

    /** A record's headers as the Avro records keep them (a null value as empty). */
    static Map<String, ByteBuffer> headers(Iterable<Header> recordHeaders) {
        Map<String, ByteBuffer> headers = new HashMap<>();
        for (Header h : recordHeaders) {
            headers.put(h.key(), ByteBuffer.wrap(h.value() == null ? new byte[0] : h.value()));
        }
        return headers;
    }
}
