package io.lince.registry;

import io.lince.contracts.ModelPublished;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The {@code lince.models} topic as a registry: every published version, in order. */
public final class ModelRegistry {

    private final KafkaClients clients;
    private final String topic;
    private final Serde<ModelPublished> serde;

    public ModelRegistry(KafkaClients clients, Topics topics, WireFormat wire) {
        this.clients = clients;
        this.topic = topics.models();
        this.serde = wire.serde(ModelPublished.class);
    }

    public String topic() {
        return topic;
    }

    public Serde<ModelPublished> serde() {
        return serde;
    }

    /** Every version published so far (reads the topic to its end). */
    public List<ModelPublished> history() {
        List<ModelPublished> out = new ArrayList<>();
        try (KafkaConsumer<String, ModelPublished> c = consumer()) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, ModelPublished> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }

    public Optional<ModelPublished> latest() {
        return history().stream().max(Comparator.comparingInt(ModelPublished::getVersion));
    }

    public void publish(ModelPublished m) {
        try (KafkaProducer<String, ModelPublished> p =
                new KafkaProducer<>(clients.producer(), new StringSerializer(), serde.serializer())) {
            p.send(new ProducerRecord<>(topic, key(m.getVersion()), m)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing model v" + m.getVersion(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish model v" + m.getVersion() + ": " + e.getCause(), e);
        }
    }

    public KafkaConsumer<String, ModelPublished> consumer() {
        return new KafkaConsumer<>(clients.reader(), new StringDeserializer(), serde.deserializer());
    }

    static String key(int version) {
        return String.format(Locale.ROOT, "v%04d", version);
    }

    public static ModelPublished describe(ModelStore.Stored stored, io.lince.model.ModelInfo info,
            Map<String, Double> metrics, int trainedOn) {
        return ModelPublished.newBuilder()
                .setVersion(info.version())
                .setParentVersion(info.parentVersion())
                .setArtifactUri(stored.uri())
                .setSha256(stored.sha256())
                .setClasses(info.classes())
                .setInputSize(info.inputSize())
                .setMetrics(metrics)
                .setTrainedOn(trainedOn)
                .setPublishedAt(java.time.Instant.now())
                .build();
    }
}
