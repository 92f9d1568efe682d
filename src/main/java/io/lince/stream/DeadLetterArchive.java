package io.lince.stream;

import io.lince.contracts.DeadLetter;
import io.lince.contracts.RecordHeader;
import io.lince.kafka.Polls;
import io.lince.wire.Buffers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The dead-letter topic read back: which dead letters match a selection (by stage, a pattern on
 * the reason, image ids), and a replay that sends chosen ones back to the topic they came from,
 * byte for byte (key, every header, value), with one header more, {@link #REPLAYED_FROM}, saying
 * which dead letter it was. For records that failed for a reason since mended: a claim-check file
 * that arrived late, a host that was down, a class added to the model.
 */
public final class DeadLetterArchive {

    private static final Logger LOG = Logger.getLogger(DeadLetterArchive.class);
    /** Header on a replayed record: {@code lince.dead-letter@partition:offset} of its dead letter. */
    public static final String REPLAYED_FROM = "lince-replayed-from";

    /**
     * Which dead letters to take; an empty part matches everything.
     *
     * @param stages stages to take (validate, deserialize, fetch, decode, classify, restore, label, …)
     * @param reason a regular expression found somewhere in the reason
     * @param imageIds image ids to take
     */
    public record Selection(Set<String> stages, Pattern reason, Set<String> imageIds) {
        public static final Selection ALL = new Selection(Set.of(), null, Set.of());

        boolean matches(DeadLetter d) {
            return (stages.isEmpty() || stages.contains(d.getStage()))
                    && (reason == null || reason.matcher(d.getReason()).find())
                    && (imageIds.isEmpty() || (d.getImageId() != null && imageIds.contains(d.getImageId())));
        }
    }

    /** A dead letter and where it lies on the dead-letter topic. */
    public record Entry(int partition, long offset, DeadLetter letter) {
        public String where(String topic) {
            return topic + "@" + partition + ":" + offset;
        }
    }

    private final Properties reader;
    private final Properties producer;
    private final String topic;
    private final Deserializer<DeadLetter> letters;

    /** @param reader {@link io.lince.kafka.KafkaClients#reader()}: no group, read_committed */
    public DeadLetterArchive(Properties reader, Properties producer, String deadLetterTopic, Deserializer<DeadLetter> letters) {
        this.reader = reader;
        this.producer = producer;
        this.topic = deadLetterTopic;
        this.letters = letters;
    }

    /** The dead letters that match, oldest first per partition, at most {@code max}. */
    public List<Entry> find(Selection selection, int max) {
        List<Entry> out = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> c = new KafkaConsumer<>(reader, new StringDeserializer(), letters)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Polls.toEnd(c, java.time.Instant.now().plus(Duration.ofMinutes(2)), LOG, r -> {
                if (r.value() != null && selection.matches(r.value())) {
                    out.add(new Entry(r.partition(), r.offset(), r.value()));
                }
                return out.size() < max;
            });
        }
        return out;
    }

    /**
     * Sends each entry's record back to the topic it came from, if that is one of
     * {@code allowedTopics} (Lince's inputs) and the record had a value; returns how many went.
     */
    public int replay(List<Entry> entries, Set<String> allowedTopics) throws InterruptedException, ExecutionException {
        int sent = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
            for (Entry e : entries) {
                DeadLetter d = e.letter();
                if (!allowedTopics.contains(d.getTopic()) || d.getValue() == null) {
                    LOG.warnf("not replayed: %s (from %s, %s)", e.where(topic), d.getTopic(),
                            d.getValue() == null ? "no value" : "not an input topic of Lince");
                    continue;
                }
                RecordHeaders headers = new RecordHeaders();
                for (RecordHeader h : d.getRecordHeaders()) {
                    headers.add(h.getKey(), h.getValue() == null ? null : Buffers.toArray(h.getValue()));
                }
                if (d.getRecordHeaders().isEmpty()) { // a dead letter of the first schema: its map is all there is
                    d.getHeaders().forEach((k, v) -> headers.add(k, Buffers.toArray(v)));
                }
                headers.add(REPLAYED_FROM, e.where(topic).getBytes(StandardCharsets.UTF_8));
                // a keyed record finds its partition again by its key; a key-less one goes back where it was
                Integer partition = d.getKey() == null && d.getPartition() >= 0 ? d.getPartition() : null;
                pending.add(p.send(new ProducerRecord<>(d.getTopic(), partition, d.getKey() == null ? null : Buffers.toArray(d.getKey()),
                        Buffers.toArray(d.getValue()), headers)));
                sent++;
            }
            for (var f : pending) {
                f.get();
            }
        }
        return sent;
    }
}
