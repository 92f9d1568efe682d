package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ImageEvent;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.Erasure;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
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
 * A tombstone for an image id on the image topic (what {@code lince erase} writes) removes the
 * image from every compacted topic's latest values and from the trainer's disk and labelled set.
 */
class ErasureTest {

    private static final Topics TOPICS = Topics.defaults(2);

    @TempDir
    Path work;

    @Test
    @Timeout(240)
    void anErasedImageIsNowhereInTheLatestValuesNorOnTheTrainersDisk() throws Exception {
        WireFormat wire = WireFormat.defaults();
        Map<String, byte[]> photos = new HashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                // the first model's zero head routes every image for labelling; its publisher labels it
                LinceNode node = LinceNode.start(TestNodes.options(Role.ALL, Optional.of(kafka.bootstrapServers()), Map.of(),
                        work.resolve("node"), TOPICS, new BatchSettings(4, Duration.ofMillis(50)),
                        TrainerSettings.defaults().withRetrainEvery(6), "erasure"))) {
            try (KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(node.clients().producer(), new StringSerializer(),
                    wire.serde(ImageEvent.class).serializer())) {
                for (int i = 0; i < 6; i++) {
                    String id = "person-" + i;
                    byte[] jpeg = TestImages.noisyJpeg(64, 100 + i);
                    photos.put(id, jpeg);
                    p.send(new ProducerRecord<>(TOPICS.images(), id, ImageEvent.newBuilder().setId(id)
                            .setEventTime(Instant.now()).setSource("test").setKnownLabel(TestModels.CLASSES.get(i % 2))
                            .setBytes(ByteBuffer.wrap(jpeg)).build()));
                }
            }
            var trainer = node.trainer().orElseThrow();
            await(() -> trainer.labels().size() == 6, Duration.ofSeconds(90), "six labelled examples");
            Path images = work.resolve("node").resolve("trainer").resolve("images");
            await(() -> imageFiles(images).size() == 6, Duration.ofSeconds(120), "a training wrote the six image files");
            assertTrue(containing(work.resolve("node").resolve("trainer"), photos.get("person-2")) > 0,
                    "the photo is on the trainer's disk before the erasure");

            Erasure.request(node.clients().producer(), TOPICS.images(), List.of("person-2"));

            await(() -> !trainer.labels().containsKey("person-2"), Duration.ofSeconds(60), "the trainer forgot person-2");
            await(() -> imageFiles(images).size() == 5, Duration.ofSeconds(30), "its image file is gone");
            // every file of the node: the trainer's folders and the Streams state (whose RocksDB
            // compresses its blocks, so for it this scan proves less: see the README)
            assertEquals(0, containing(work.resolve("node"), photos.get("person-2")), "no file of the node holds the photo");
            for (String topic : List.of(TOPICS.retraining(), TOPICS.examples())) {
                Map<String, byte[]> latest = latestValues(node, topic);
                assertTrue(latest.containsKey("person-2"), topic + " had person-2");
                assertNull(latest.get("person-2"), topic + ": the latest value of person-2 is a tombstone");
                assertTrue(latest.get("person-3") != null, topic + ": the others stay");
            }
            assertEquals(5, trainer.labels().size());
            assertFalse(trainer.problem().isPresent());
        }
    }

    private static List<Path> imageFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".img")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** How many regular files under {@code dir} contain {@code needle}. */
    private static long containing(Path dir, byte[] needle) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try {
                    return indexOf(Files.readAllBytes(f), needle) >= 0;
                } catch (java.io.IOException e) {
                    return false; // deleted meanwhile
                }
            }).count();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Each key's last value in {@code topic}, read committed from the start (null for a tombstone). */
    private static Map<String, byte[]> latestValues(LinceNode node, String topic) {
        Properties p = node.clients().reader();
        Map<String, byte[]> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            io.lince.kafka.Polls.toEnd(c, Instant.now().plusSeconds(20), org.jboss.logging.Logger.getLogger(ErasureTest.class), r -> {
                latest.put(r.key(), r.value());
                return true;
            });
        }
        return latest;
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
