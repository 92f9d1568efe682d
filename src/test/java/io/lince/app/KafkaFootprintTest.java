package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.RoutingPolicy;
import io.lince.testing.TestImages;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
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
 * What Lince costs the brokers, read from their log sizes: no image is written to Kafka twice (no
 * bytes in a changelog or repartition topic, classifier or trainer), and a record near the
 * broker's production-like size limit is classified, not crash-looped.
 */
class KafkaFootprintTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private static final Set<String> OUTPUTS = Set.of(TOPICS.classifications(), TOPICS.retraining(), TOPICS.deadLetter(),
            TOPICS.examples());

    @TempDir
    Path work;

    @Test
    @Timeout(240)
    void everyImageCostsTheBrokersItsOutputsAndUnderAKibibyteMore() throws Exception {
        int n = 200;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                // classifier and trainer; the first model's zero head routes every image for labelling
                LinceNode node = LinceNode.start(TestNodes.options(Role.ALL, Optional.of(kafka.bootstrapServers()), Map.of(),
                        work, TOPICS, new BatchSettings(8, Duration.ofMillis(50)),
                        TrainerSettings.defaults().withRetrainEvery(1_000_000), "footprint"))) {
            long inputBytes = 0;
            try (KafkaProducer<String, ImageEvent> p = producer(node)) {
                for (int i = 0; i < n; i++) {
                    byte[] jpeg = TestImages.noisyJpeg(270, i);
                    inputBytes += jpeg.length;
                    p.send(new ProducerRecord<>(TOPICS.images(), "i-" + i, event("i-" + i, jpeg)));
                }
            }
            assertTrue(inputBytes / n > 30_000, "images of tens of KB: " + inputBytes / n);
            awaitIds(node, TOPICS.classifications(), n, Duration.ofSeconds(120));
            awaitIds(node, TOPICS.retraining(), n, Duration.ofSeconds(60));
            Thread.sleep(3_000); // the trainer's app reads the samples into its table meanwhile
            Map<String, Long> sizes = logSizes(node);
            long input = sizes.get(TOPICS.images());
            long outputs = OUTPUTS.stream().mapToLong(t -> sizes.getOrDefault(t, 0L)).sum();
            long other = sizes.entrySet().stream()
                    .filter(e -> !e.getKey().equals(TOPICS.images()) && !OUTPUTS.contains(e.getKey())
                            && !e.getKey().equals(TOPICS.models()))
                    .mapToLong(Map.Entry::getValue).sum();
            String report = String.format("input %,d B; outputs %,d B; everything else %,d B = %,d B per image; by topic %s",
                    input, outputs, other, other / n, sizes);
            System.out.println(report);
            // the retraining samples are the images themselves (plus their predictions)
            assertTrue(sizes.get(TOPICS.retraining()) > 0.9 * input, report);
            assertTrue(other <= 1024L * n, report);
            sizes.forEach((topic, size) -> {
                if (topic.endsWith("-changelog") || topic.endsWith("-repartition")) {
                    assertTrue(size < 300L * n, topic + " holds " + size + " bytes: image bytes? " + report);
                }
            });
        }
    }

    @Test
    @Timeout(180)
    void aRecordJustUnderTheBrokersLimitIsClassified() throws Exception {
        int limit = 1024 * 1024;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), Map.of("message.max.bytes", String.valueOf(limit)));
                LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.of(kafka.bootstrapServers()),
                        Map.of(), work, TOPICS, new BatchSettings(4, Duration.ofMillis(50)), TrainerSettings.defaults(),
                        "limit").withRouting(RoutingPolicy.of("confidence", 0.0)))) {
            try (KafkaProducer<String, ImageEvent> p = producer(node)) {
                byte[] big = TestImages.paddedJpeg(TestImages.noisyJpeg(64, 1), limit - 4096);
                p.send(new ProducerRecord<>(TOPICS.images(), "big", event("big", big))).get();
                for (int i = 0; i < 5; i++) {
                    p.send(new ProducerRecord<>(TOPICS.images(), "small-" + i, event("small-" + i, TestImages.jpeg(i % 2, i))));
                }
            }
            Set<String> ids = awaitIds(node, TOPICS.classifications(), 6, Duration.ofSeconds(60));
            assertTrue(ids.contains("big"), ids.toString());
            assertEquals(0L, logSizes(node).getOrDefault(TOPICS.deadLetter(), 0L));
        }
    }

    private static ImageEvent event(String id, byte[] jpeg) {
        return ImageEvent.newBuilder().setId(id).setEventTime(Instant.now()).setSource("footprint")
                .setBytes(ByteBuffer.wrap(jpeg)).build();
    }

    private static KafkaProducer<String, ImageEvent> producer(LinceNode node) {
        return new KafkaProducer<>(node.clients().producer(), new StringSerializer(),
                WireFormat.defaults().serde(ImageEvent.class).serializer());
    }

    /** Waits until {@code count} distinct keys are readable (read_committed) on {@code topic}. */
    private static Set<String> awaitIds(LinceNode node, String topic, int count, Duration within) {
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(node.clients().reader(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long until = System.currentTimeMillis() + within.toMillis();
            var d = WireFormat.defaults().serde(Classification.class).deserializer();
            while (ids.size() < count && System.currentTimeMillis() < until) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    ids.add(r.key());
                }
            }
        }
        assertEquals(count, ids.size(), topic + ": " + ids.size() + " of " + count + " within " + within);
        return ids;
    }

    /** Bytes on the broker's disk per topic (all partitions), internal topics included. */
    private static Map<String, Long> logSizes(LinceNode node) throws Exception {
        Map<String, Long> sizes = new TreeMap<>();
        try (Admin admin = Admin.create(node.clients().common())) {
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(List.of(1)).allDescriptions().get().values()) {
                for (LogDirDescription dir : dirs.values()) {
                    dir.replicaInfos().forEach((tp, info) -> sizes.merge(tp.topic(), info.size(), Long::sum));
                }
            }
        }
        return sizes;
    }
}
