package io.lince.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lince.contracts.ModelPublished;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's one reader, kept open: it reads on from where it stopped, and a record on
 * lince.models that is not a ModelPublished is skipped with a log line instead of making every
 * later read fail (which left classifiers that never followed a new model).
 */
class RegistryReaderTest {

    @TempDir
    Path dir;

    private static ModelPublished version(int v) {
        return ModelPublished.newBuilder().setVersion(v).setArtifactUri("file:/m").setSha256("00")
                .setClasses(List.of("a", "b")).setInputSize(32).setPublishedAt(Instant.ofEpochSecond(v))
                .setStatus(ModelRegistry.PROMOTED).setPromotedAt(Instant.ofEpochSecond(v)).build();
    }

    @Test
    @Timeout(60)
    void readsOnPastARecordItCannotRead() throws Exception {
        Topics topics = Topics.defaults(1);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            clients.ensureTopics(topics);
            try (ModelRegistry registry = new ModelRegistry(clients, topics, WireFormat.defaults())) {
                registry.publish(version(1));
                assertEquals(List.of(1), List.copyOf(registry.versions().keySet()));
                try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(clients.producer(), new StringSerializer(),
                        new ByteArraySerializer())) {
                    raw.send(new ProducerRecord<>(topics.models(), "v0002", new byte[] {(byte) 0xc3, 0x01, 9, 9, 9})).get();
                }
                registry.publish(version(3));
                assertEquals(List.of(1, 3), List.copyOf(registry.versions().keySet()));
                assertEquals(3, registry.champion().orElseThrow().getVersion());
                // promoting the champion again writes nothing
                int records = registry.history().size();
                assertEquals(3, registry.promote(3, "again").getVersion());
                assertEquals(records, registry.history().size());
                // a rollback: v1 promoted (on condition that v3 serves), then v3 retired
                registry.promote(1, "rollback");
                assertEquals(1, registry.champion().orElseThrow().getVersion());
                assertEquals(ModelRegistry.RETIRED, registry.versions().get(3).getStatus());
            }
        }
    }
}
