package io.lince.stream;

import io.lince.contracts.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
        Map<String, ByteBuffer> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), ByteBuffer.wrap(h.value() == null ? new byte[0] : h.value()));
        }
        return DeadLetter.newBuilder()
                .setTopic(origin.map(RecordMetadata::topic).orElse("?"))
                .setPartition(origin.map(RecordMetadata::partition).orElse(-1))
                .setOffset(origin.map(RecordMetadata::offset).orElse(-1L))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setHeaders(headers)
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setImageId(imageId)
                .setStage(stage)
                .setReason(reason)
                .setFailedAt(java.time.Instant.now())
                .build();
    }
}
