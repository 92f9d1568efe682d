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
        return DeadLetter.newBuilder()
                .setTopic(origin.map(RecordMetadata::topic).orElse("?"))
                .setPartition(origin.map(RecordMetadata::partition).orElse(-1))
                .setOffset(origin.map(RecordMetadata::offset).orElse(-1L))
                .setKey(utf8(record.key()))
                .setHeaders(headers(record))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setImageId(imageId)
                .setStage(stage)
                .setReason(reason)
                .setFailedAt(Instant.now())
                .build();
    }

    /** A dead letter for a record that waited in the classifier's batch buffer. */
    public static DeadLetter of(PendingImage p, String imageId, String stage, String reason) {
        return DeadLetter.newBuilder()
                .setTopic(p.getTopic())
                .setPartition(p.getPartition())
                .setOffset(p.getOffset())
                .setKey(utf8(p.getKey()))
                .setHeaders(p.getHeaders())
                .setValue(p.getValue())
                .setImageId(imageId)
                .setStage(stage)
                .setReason(reason)
                .setFailedAt(Instant.now())
                .build();
    }

    static Map<String, ByteBuffer> headers(Record<String, byte[]> record) {
        Map<String, ByteBuffer> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), ByteBuffer.wrap(h.value() == null ? new byte[0] : h.value()));
        }
        return headers;
    }

    private static ByteBuffer utf8(String s) {
        return s == null ? null : ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
