package io.lince.stream;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads input records again by offset. The classifier's batch buffer keeps only where each
 * waiting record lies; after a restart (or a task moving to another instance) the records that
 * were waiting are read back from the input topic, which still holds them: their offsets were
 * committed, but nothing of theirs was.
 */
@FunctionalInterface
public interface InputRecords {

    /** The records at {@code offsets} of one partition; an offset that is gone (retention) is absent. */
    Map<Long, ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, SortedSet<Long> offsets);

    /** Reads nothing: for tests whose driver never restores a task. */
    static InputRecords none() {
        return (partition, offsets) -> Map.of();
    }

    /**
     * A read_committed consumer with no group, made for one read and closed after it.
     *
     * @param reader {@link io.lince.kafka.KafkaClients#reader()}: no group, read_committed
     * @param deadline how long one read may take before it gives up on what it has not found
     */
    static InputRecords kafka(Properties reader, Duration deadline) {
        return (tp, offsets) -> {
            Map<Long, ConsumerRecord<byte[], byte[]>> found = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(reader, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.assign(List.of(tp));
                long first = Math.max(offsets.first(), c.beginningOffsets(List.of(tp)).get(tp));
                long end = c.endOffsets(List.of(tp)).get(tp);
                c.seek(tp, first);
                long until = System.currentTimeMillis() + deadline.toMillis();
                while (c.position(tp) <= offsets.last() && c.position(tp) < end && System.currentTimeMillis() < until) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (offsets.contains(r.offset())) {
                            found.put(r.offset(), r);
                        }
                    }
                }
            }
            return found;
        };
    }
}
