package io.lince.kafka;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

    /**
     * Reads {@code consumer}'s assigned partitions from where they stand to the end offsets they
     * have now, handing each record to {@code each} until it returns false or {@code deadline}
     * passes (null: no deadline), skipping unreadable records as {@link #skippingUnreadable} does.
     */
    public static <K, V> void toEnd(KafkaConsumer<K, V> consumer, java.time.Instant deadline, Logger log,
            java.util.function.Predicate<ConsumerRecord<K, V>> each) {
        var parts = consumer.assignment();
        var end = consumer.endOffsets(parts);
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                && (deadline == null || java.time.Instant.now().isBefore(deadline))) {
            for (ConsumerRecord<K, V> r : skippingUnreadable(consumer, Duration.ofMillis(500), log)) {
                if (!each.test(r)) {
                    return;
                }
            }
        }
    }

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
