package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.images.FetchPolicy;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.DeadLetterArchive;
import io.lince.testing.TestImages;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters can be listed by stage, reason and id, and replayed: a claim check whose file came
 * late is classified once replayed, and the replayed record is the original, key and headers whole.
 */
class DeadLetterReplayTest {

    private static final Topics TOPICS = Topics.defaults(1);

    @TempDir
    Path work;

    @Test
    @Timeout(180)
    void aDeadLetterReplayedAfterItsCauseIsMendedIsClassified() throws Exception {
        Path images = Files.createDirectories(work.resolve("images"));
        WireFormat wire = WireFormat.defaults();
        try (LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(), work, TOPICS,
                new BatchSettings(4, Duration.ofMillis(50)), TrainerSettings.defaults(), "replay")
                .withFetch(FetchPolicy.localFiles(Optional.of(images))));
                KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(node.clients().producer(), new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            var events = wire.serde(ImageEvent.class).serializer();
            Path late = images.resolve("late.jpg");
            byte[] lateEvent = events.serialize("t", ImageEvent.newBuilder().setId("late").setEventTime(Instant.now())
                    .setSource("replay").setUri(late.toUri().toString()).build());
            byte[] key = {(byte) 0xff, 0x01};
            var headers = new RecordHeaders().add("trace", new byte[] {7}).add("trace", new byte[] {8});
            p.send(new ProducerRecord<>(TOPICS.images(), null, key, lateEvent, headers)).get();
            p.send(new ProducerRecord<>(TOPICS.images(), "broken".getBytes(StandardCharsets.UTF_8), events.serialize("t",
                    ImageEvent.newBuilder().setId("broken").setEventTime(Instant.now()).setSource("replay")
                            .setBytes(ByteBuffer.wrap(TestImages.truncatedJpeg())).build()))).get();

            DeadLetterArchive archive = new DeadLetterArchive(node.clients().reader(), node.clients().producer(),
                    TOPICS.deadLetter(), wire.serde(DeadLetter.class).deserializer());
            List<DeadLetterArchive.Entry> all = List.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (all.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(250);
                all = archive.find(DeadLetterArchive.Selection.ALL, 100);
            }
            assertEquals(2, all.size(), all.toString());
            var fetchFailures = archive.find(new DeadLetterArchive.Selection(Set.of("fetch"), null, Set.of()), 100);
            assertEquals(List.of("late"), fetchFailures.stream().map(e -> e.letter().getImageId()).toList());
            assertEquals(1, archive.find(new DeadLetterArchive.Selection(Set.of(), Pattern.compile("corrupt|truncated|premature"),
                    Set.of()), 100).size(), "by reason");
            assertEquals(1, archive.find(new DeadLetterArchive.Selection(Set.of(), null, Set.of("broken")), 100).size(), "by id");

            Files.write(late, TestImages.jpeg(0, 3)); // the file arrives after all
            assertEquals(1, archive.replay(fetchFailures, Set.of(TOPICS.images())));

            Map<String, Classification> classified = new HashMap<>();
            ConsumerRecord<byte[], byte[]> replayed = null;
            Properties r = node.clients().reader();
            try (KafkaConsumer<String, Classification> c = new KafkaConsumer<>(r, new StringDeserializer(),
                    wire.serde(Classification.class).deserializer());
                    KafkaConsumer<byte[], byte[]> in = new KafkaConsumer<>(r, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                var tp = new TopicPartition(TOPICS.classifications(), 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!classified.containsKey("late") && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(x -> classified.put(x.key(), x.value()));
                }
                var input = new TopicPartition(TOPICS.images(), 0);
                in.assign(List.of(input));
                in.seek(input, 2);
                while (replayed == null && System.nanoTime() < deadline) {
                    for (var x : in.poll(Duration.ofMillis(200))) {
                        replayed = x;
                    }
                }
            }
            assertTrue(classified.containsKey("late"), "the replayed record was classified");
            assertEquals(1, classified.size(), "the broken one was not replayed");
            assertTrue(java.util.Arrays.equals(key, replayed.key()), "key kept byte for byte");
            var traces = new java.util.ArrayList<Byte>();
            replayed.headers().headers("trace").forEach(h -> traces.add(h.value()[0]));
            assertEquals(List.of((byte) 7, (byte) 8), traces, "headers kept, in order");
            assertEquals(TOPICS.deadLetter() + "@0:" + fetchFailures.get(0).offset(),
                    new String(replayed.headers().lastHeader(DeadLetterArchive.REPLAYED_FROM).value(), StandardCharsets.UTF_8));
        }
    }
}
