package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.images.SyntheticImages;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/** The broker stops and starts again (same data directory) mid-stream; nothing is lost or doubled. */
class BrokerRestartTest {

    private static final Topics TOPICS = Topics.defaults(2);

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void theClassifierRidesOutABrokerRestart() throws Exception {
        WireFormat wire = WireFormat.defaults();
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        try {
            NodeOptions options = TestNodes.options(Role.CLASSIFIER, Optional.of(kafka.bootstrapServers()), Map.of(),
                    dir, TOPICS, new BatchSettings(8, Duration.ofMillis(50)), TrainerSettings.defaults(), "restart-test");
            Map<String, Integer> classified = new HashMap<>();
            try (LinceNode node = LinceNode.start(options);
                    KafkaProducer<String, ImageEvent> producer = new KafkaProducer<>(node.clients().producer(),
                            new StringSerializer(), wire.serde(ImageEvent.class).serializer());
                    KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(node.clients().reader(),
                            new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                reader.partitionsFor(TOPICS.classifications()).forEach(p ->
                        parts.add(new TopicPartition(TOPICS.classifications(), p.partition())));
                reader.assign(parts);
                reader.seekToBeginning(parts);
                SyntheticImages gen = new SyntheticImages(3, 32, 24);

                send(producer, gen, 0, 200);
                read(reader, wire, classified, 40); // mid-stream
                kafka = kafka.restart();
                send(producer, gen, 200, 400);
                read(reader, wire, classified, 400);
                Thread.sleep(2_000);
                read(reader, wire, classified, 400); // a late duplicate would show up here
            }
            assertEquals(400, classified.size());
            classified.forEach((id, n) -> assertEquals(1, n, "classifications of " + id));
        } finally {
            kafka.close();
        }
    }

    private static void send(KafkaProducer<String, ImageEvent> p, SyntheticImages gen, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = "r-" + i;
            p.send(new ProducerRecord<>(TOPICS.images(), id, ImageEvent.newBuilder().setId(id)
                    .setEventTime(Instant.now()).setSource("restart-test")
                    .setBytes(ByteBuffer.wrap(gen.jpeg(i % 2))).build()));
        }
        p.flush();
    }

    private static void read(KafkaConsumer<String, byte[]> reader, WireFormat wire, Map<String, Integer> seen, int atLeast) {
        var d = wire.serde(Classification.class).deserializer();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        do {
            reader.poll(Duration.ofMillis(200)).forEach(r ->
                    seen.merge(d.deserialize(r.topic(), r.value()).getImageId(), 1, Integer::sum));
        } while (seen.size() < atLeast && System.nanoTime() < deadline);
    }
}
