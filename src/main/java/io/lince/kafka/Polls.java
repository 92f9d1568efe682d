package io.lince.kafka;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.jboss.logging.Logger;

/**
 * {@code poll} for Lince's own readers of its topics (the model follower, the trainer, the
 * registry). A consumer that decodes its values fails its {@code poll} on a record it cannot read,
 * and keeps failing on it: one bad record on {@code lince.models} or {@code lince.examples} (or
 * one written by a newer node in a rolling upgrade) would stop the reader for good. Here such a
 * record is logged with where it lies and skipped.
 */
public final class Polls {

    private Polls() {}

    public static <K, V> ConsumerRecords<K, V> skippingUnreadable(KafkaConsumer<K, V> consumer, Duration timeout,
            Logger log) {
        try {
            return consumer.poll(timeout);
        } catch (RecordDeserializationException e) {
            log.errorf("skipped %s@%d, which cannot be read: %s", e.topicPartition(), e.offset(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return ConsumerRecords.empty();
        }
    }
}
