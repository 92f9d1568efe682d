package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lince.contracts.ModelPublished;
import io.lince.contracts.ImageEvent;
import io.lince.testing.TestImages;
import java.nio.ByteBuffer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.model.LinceModel;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestModels;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One forged or broken record on lince.models can neither keep nodes from starting nor poison the version numbers. */
class RegistryTrustTest {

    private static final Topics TOPICS = Topics.defaults(1);

    @TempDir
    Path work;

    private static ModelPublished forged(int version, Path store, Instant promotedAt) {
        return ModelPublished.newBuilder().setVersion(version).setArtifactUri(store.resolve("missing.lince").toUri().toString())
                .setSha256("00").setClasses(TestModels.CLASSES).setInputSize(32).setPublishedAt(promotedAt)
                .setStatus(ModelRegistry.PROMOTED).setPromotedAt(promotedAt).build();
    }

    /** A real v1 in the store, then a forged promoted v2 whose artifact does not exist: the champion. */
    private ModelStore forgedChampion(KafkaClients clients) throws Exception {
        clients.ensureTopics(TOPICS);
        ModelStore store = new ModelStore(work.resolve("models"));
        try (ModelRegistry registry = new ModelRegistry(clients, TOPICS, WireFormat.defaults())) {
            ModelBootstrap.champion(registry, store, TestModels.CLASSES, Optional.empty(), 32, Device.cpu(), 42);
            registry.publish(forged(2, store.root(), Instant.now().plusSeconds(5)));
            assertEquals(2, registry.champion().orElseThrow().getVersion(), "the forged record is the champion");
        }
        return store;
    }

    @Test
    @Timeout(120)
    void aChampionThatCannotLoadFallsBackToTheLastThatDoes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            forgedChampion(KafkaClients.of(kafka.bootstrapServers()));
            try (LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.of(kafka.bootstrapServers()),
                    Map.of(), work, TOPICS, new BatchSettings(4, Duration.ofMillis(50)), TrainerSettings.defaults(), "trust"))) {
                assertEquals(1, node.slot().orElseThrow().info().version(), "serves v1, the last promoted version that loads");
            }
        }
    }

    @Test
    @Timeout(180)
    void theTrainerTrainsFromTheLastPromotedVersionThatVerifiesWhenTheChampionCannot() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            ModelStore store = forgedChampion(clients);
            try (LinceNode node = LinceNode.start(TestNodes.options(Role.ALL, Optional.of(kafka.bootstrapServers()),
                    Map.of(), work, TOPICS, new BatchSettings(4, Duration.ofMillis(50)),
                    TrainerSettings.defaults().withRetrainEvery(1_000), "trust-trainer"));
                    KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(node.clients().producer(), new StringSerializer(),
                            WireFormat.defaults().serde(ImageEvent.class).serializer())) {
                for (int i = 0; i < 12; i++) {
                    String id = "t-" + i;
                    p.send(new ProducerRecord<>(TOPICS.images(), id, ImageEvent.newBuilder().setId(id).setEventTime(Instant.now())
                            .setSource("t").setKnownLabel(TestModels.CLASSES.get(i % 2))
                            .setBytes(ByteBuffer.wrap(TestImages.jpeg(i % 2, i))).build()));
                }
                p.flush();
                var trainer = node.trainer().orElseThrow();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (trainer.labels().size() < 12 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                trainer.requestTraining("test");
                while (trainer.lastPublished() == 0 && System.nanoTime() < deadline + Duration.ofSeconds(60).toNanos()) {
                    Thread.sleep(200);
                }
                int published = trainer.lastPublished();
                assertTrue(published > 1, "a candidate was trained and published despite the broken champion");
                try (ModelRegistry registry = new ModelRegistry(clients, TOPICS, WireFormat.defaults())) {
                    ModelPublished candidate = registry.versions().get(published);
                    assertEquals(1, candidate.getParentVersion(), "fine-tuned from v1, the version that verifies");
                    store.verified(candidate.getArtifactUri(), candidate.getSha256());
                }
                assertTrue(trainer.problem().isEmpty());
            }
        }
    }

    @Test
    void versionNumbersComeFromArtifactsThatVerifyAndAreNeverReused() throws Exception {
        ModelStore store = new ModelStore(work.resolve("models"));
        try (LinceModel v1 = TestModels.random(1, 32)) {
            ModelStore.Stored s1 = store.put(v1);
            ModelPublished real = ModelRegistry.describe(s1, v1.info(), Map.of(), 0);
            ModelPublished poison = forged(Integer.MAX_VALUE, store.root(), Instant.now());
            assertEquals(2, ModelRegistry.nextVersion(List.of(real, poison), store), "the forged maximum does not count");
            // a candidate written and never published (the trainer died) keeps its number
            try (LinceModel v2 = TestModels.random(2, 32)) {
                store.put(v2);
                assertEquals(3, ModelRegistry.nextVersion(List.of(real, poison), store));
                IOException again = assertThrows(IOException.class, () -> store.put(v2));
                assertTrue(again.getMessage().contains("already exists"), again.getMessage());
            }
            try (LinceModel v0 = TestModels.random(0, 32)) {
                assertThrows(IOException.class, () -> store.put(v0));
            }
        }
    }
}
