package io.lince.registry;

import io.lince.contracts.ModelPublished;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The {@code lince.models} topic as a registry. Each version's last record is its current state
 * (promoted, rejected or retired); the serving version, the champion, is the promoted one that was
 * promoted last, so promoting an older version is a rollback.
 */
public final class ModelRegistry {

    public static final String PROMOTED = "promoted";
    public static final String REJECTED = "rejected";
    public static final String RETIRED = "retired";

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

    /** The newest version, whatever its status (the next version number follows it). */
    public Optional<ModelPublished> latest() {
        return history().stream().max(Comparator.comparingInt(ModelPublished::getVersion));
    }

    /** Each version's current state, by version. */
    public Map<Integer, ModelPublished> versions() {
        return versions(history());
    }

    public static Map<Integer, ModelPublished> versions(List<ModelPublished> records) {
        Map<Integer, ModelPublished> out = new TreeMap<>();
        records.forEach(r -> out.put(r.getVersion(), r));
        return out;
    }

    /** The version classifiers serve. */
    public Optional<ModelPublished> champion() {
        return champion(versions().values());
    }

    public static Optional<ModelPublished> champion(Collection<ModelPublished> versions) {
        return versions.stream().filter(m -> PROMOTED.equals(m.getStatus()))
                .max(Comparator.comparing((ModelPublished m) -> m.getPromotedAt() != null ? m.getPromotedAt() : m.getPublishedAt())
                        .thenComparingInt(ModelPublished::getVersion));
    }

    /**
     * Makes {@code version} the serving one (a rollback when it is older) and retires the current
     * champion; classifiers follow within seconds.
     */
    public ModelPublished promote(int version, String why) {
        Map<Integer, ModelPublished> all = versions();
        ModelPublished target = all.get(version);
        if (target == null) {
            throw new IllegalArgumentException("no model v" + version + "; known: " + all.keySet());
        }
        Instant now = Instant.now();
        ModelPublished promoted = ModelPublished.newBuilder(target).setStatus(PROMOTED).setDecision(why)
                .setPromotedAt(now.isAfter(target.getPublishedAt()) ? now : target.getPublishedAt().plusMillis(1)).build();
        Optional<ModelPublished> retired = champion(all.values()).filter(c -> c.getVersion() != version)
                .map(c -> ModelPublished.newBuilder(c).setStatus(RETIRED).setDecision("v" + version + " promoted over it: " + why).build());
        if (retired.isPresent()) {
            publish(retired.get(), promoted);
        } else {
            publish(promoted);
        }
        return promoted;
    }

    /** Publishes the records in order, through one producer. */
    public void publish(ModelPublished... records) {
        try (KafkaProducer<String, ModelPublished> p =
                new KafkaProducer<>(clients.producer(), new StringSerializer(), serde.serializer())) {
            for (ModelPublished m : records) {
                try {
                    p.send(new ProducerRecord<>(topic, key(m.getVersion()), m)).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while publishing model v" + m.getVersion(), e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("cannot publish model v" + m.getVersion() + ": " + e.getCause(), e);
                }
            }
        }
    }

    public KafkaConsumer<String, ModelPublished> consumer() {
        return new KafkaConsumer<>(clients.reader(), new StringDeserializer(), serde.deserializer());
    }

    static String key(int version) {
        return String.format(Locale.ROOT, "v%04d", version);
    }

    /** A first version, promoted as it is published. */
    public static ModelPublished describe(ModelStore.Stored stored, io.lince.model.ModelInfo info,
            Map<String, Double> metrics, int trainedOn) {
        ModelPublished m = candidate(stored, info, metrics, trainedOn);
        m.setStatus(PROMOTED);
        m.setDecision("first version");
        m.setPromotedAt(m.getPublishedAt());
        return m;
    }

    /** A new version before the promotion gate has spoken (status and decision to be set). */
    public static ModelPublished candidate(ModelStore.Stored stored, io.lince.model.ModelInfo info,
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
