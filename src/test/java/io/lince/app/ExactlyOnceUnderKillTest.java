package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.images.SyntheticImages;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.testing.ClassifierProcess;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier runs as a separate process and is killed with SIGKILL three times at random
 * moments while 1,000 images stream in; each time it is restarted. A read_committed consumer
 * then finds exactly one classification per good image, exactly one dead letter per bad one,
 * and nothing else. Then scale-out: two classifier processes share the partitions, one is
 * killed mid-stream and not restarted, and the other takes over its partitions, with the same
 * result. (The batch buffer holds only references, so what was waiting in the killed process is
 * read back from the input by the one that takes over.)
 */
class ExactlyOnceUnderKillTest {

    private static final int IMAGES = 1000;
    private static final int PARTITIONS = 2;
    private static final Topics TOPICS = Topics.defaults(PARTITIONS);

    @TempDir
    Path dir;

    @Test
    @Timeout(420)
    void noImageIsLostOrAnsweredTwice() throws Exception {
        WireFormat wire = WireFormat.defaults();
        Random random = new Random(2024);
        Path work = dir.resolve("classifier");
        Path log = dir.resolve("classifier.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            clients.ensureTopics(TOPICS);
            ModelBootstrap.champion(new ModelRegistry(clients, TOPICS, wire), new ModelStore(work.resolve("models")),
                    TestModels.CLASSES, Optional.empty(), 32, Device.cpu(), 42);

            Set<String> good = new HashSet<>();
            Set<String> bad = new HashSet<>();
            Thread producer = new Thread(() -> produce(clients, wire, good, bad, IMAGES, 60), "producer");
            Process classifier = ClassifierProcess.start(kafka.bootstrapServers(), work, PARTITIONS, log);
            producer.start();
            for (int kill = 0; kill < 3; kill++) {
                awaitReady(log, kill + 1); // the kill must land while it is processing, not while it boots
                Thread.sleep(1_000 + random.nextInt(5_000));
                classifier.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no commit
                classifier = ClassifierProcess.start(kafka.bootstrapServers(), work, PARTITIONS, log);
            }
            producer.join();
            try {
                assertEquals(IMAGES, good.size() + bad.size());
                assertExactlyOnce(clients, wire, good, bad);
                assertTrue(readyCount(log) >= 4, "the classifier ran four times");
            } finally {
                classifier.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    @Timeout(300)
    void aSecondInstanceTakesOverFromOneKilledMidStream() throws Exception {
        WireFormat wire = WireFormat.defaults();
        int images = 600;
        Path store = dir.resolve("models");
        Path logA = dir.resolve("a.log");
        Path logB = dir.resolve("b.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            clients.ensureTopics(TOPICS);
            ModelBootstrap.champion(new ModelRegistry(clients, TOPICS, wire), new ModelStore(store),
                    TestModels.CLASSES, Optional.empty(), 32, Device.cpu(), 42);
            Process a = ClassifierProcess.start(kafka.bootstrapServers(), dir.resolve("a"), PARTITIONS, store, logA);
            Process b = ClassifierProcess.start(kafka.bootstrapServers(), dir.resolve("b"), PARTITIONS, store, logB);
            try {
                awaitReady(logA, 1);
                awaitReady(logB, 1);
                Set<String> good = new HashSet<>();
                Set<String> bad = new HashSet<>();
                Thread producer = new Thread(() -> produce(clients, wire, good, bad, images, 30), "producer");
                producer.start();
                Thread.sleep(8_000 + new Random(7).nextInt(4_000));
                a.destroyForcibly().waitFor(); // SIGKILL, never restarted: b must take over its partition
                producer.join();
                assertExactlyOnce(clients, wire, good, bad);
            } finally {
                a.destroyForcibly().waitFor();
                b.destroyForcibly().waitFor();
            }
        }
    }

    /** One classification per good image, one dead letter per bad one, nothing else. */
    private static void assertExactlyOnce(KafkaClients clients, WireFormat wire, Set<String> good, Set<String> bad) {
        Map<String, Integer> classified = new HashMap<>();
        Map<String, Integer> dead = new HashMap<>();
        collect(clients, wire, classified, dead, good.size(), bad.size());
        List<String> lost = new ArrayList<>();
        good.stream().filter(id -> !classified.containsKey(id)).forEach(lost::add);
        bad.stream().filter(id -> !dead.containsKey(id)).forEach(lost::add);
        assertEquals(List.of(), lost, "lost");
        classified.forEach((id, n) -> assertEquals(1, n, "classifications of " + id));
        dead.forEach((id, n) -> assertEquals(1, n, "dead letters of " + id));
        assertEquals(good, classified.keySet(), "nothing else was classified");
        assertEquals(bad, dead.keySet(), "nothing else was dead-lettered");
    }

    private static int readyCount(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log).split("READY", -1).length - 1 : 0;
    }

    private static void awaitReady(Path log, int times) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (readyCount(log) < times) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the classifier process did not start; see " + log + ":\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /** {@code count} images, one in 50 bad, spread over {@code seconds} so that kills land mid-stream. */
    private static void produce(KafkaClients clients, WireFormat wire, Set<String> good, Set<String> bad, int count,
            int seconds) {
        SyntheticImages gen = new SyntheticImages(11, 32, 24);
        long t0 = System.nanoTime();
        try (KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(clients.producer(), new StringSerializer(),
                wire.serde(ImageEvent.class).serializer())) {
            for (int i = 0; i < count; i++) {
                boolean isBad = i % 50 == 7;
                String id = (isBad ? "bad-" : "img-") + i;
                byte[] bytes = isBad ? TestImages.randomBytes(40) : gen.jpeg(i % 2);
                (isBad ? bad : good).add(id);
                p.send(new ProducerRecord<>(TOPICS.images(), id, ImageEvent.newBuilder().setId(id)
                        .setEventTime(Instant.now()).setSource("eos-test").setBytes(ByteBuffer.wrap(bytes)).build()));
                long due = t0 + (long) ((i + 1) * seconds * 1e9 / count);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void collect(KafkaClients clients, WireFormat wire, Map<String, Integer> classified,
            Map<String, Integer> dead, int goods, int bads) {
        var cls = wire.serde(Classification.class).deserializer();
        var dls = wire.serde(DeadLetter.class).deserializer();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(clients.reader(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(TOPICS.classifications(), TOPICS.deadLetter())) {
                c.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                var records = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.topic().equals(TOPICS.classifications())) {
                        classified.merge(cls.deserialize(r.topic(), r.value()).getImageId(), 1, Integer::sum);
                    } else {
                        dead.merge(dls.deserialize(r.topic(), r.value()).getImageId(), 1, Integer::sum);
                    }
                }
                if (!records.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                boolean complete = classified.size() >= goods && dead.size() >= bads;
                // once complete, keep reading a little longer so a duplicate would show up
                if (complete && System.nanoTime() - quietSince > Duration.ofSeconds(3).toNanos()) {
                    return;
                }
            }
        }
    }
}
