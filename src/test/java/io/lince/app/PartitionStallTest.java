package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ImageEvent;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestImages;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition with records waiting that does not move is a stall even when no task holds a record
 * (here its stream thread does not process at all): the node says so, with the partition and its
 * lag, and says nothing once the partition moves again.
 */
class PartitionStallTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private static final Duration LIMIT = Duration.ofSeconds(3);

    @TempDir
    Path work;

    @Test
    @Timeout(120)
    void aPartitionWithLagThatDoesNotMoveIsAStall() throws Exception {
        WireFormat wire = WireFormat.defaults();
        try (LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(), work, TOPICS,
                new BatchSettings(4, Duration.ofMillis(50)), TrainerSettings.defaults(), "stall"));
                KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(node.clients().producer(), new StringSerializer(),
                        wire.serde(ImageEvent.class).serializer())) {
            assertTrue(node.problems(LIMIT).isEmpty(), node.problems(LIMIT).toString());
            node.streams().get("classifier").pause(); // processing stops; nothing is held
            for (int i = 0; i < 50; i++) {
                p.send(new ProducerRecord<>(TOPICS.images(), "s-" + i, ImageEvent.newBuilder().setId("s-" + i)
                        .setEventTime(Instant.now()).setSource("stall").setBytes(ByteBuffer.wrap(TestImages.jpeg(0, i))).build()));
            }
            p.flush();
            List<String> stalled = await(() -> node.problems(LIMIT), problems -> problems.stream()
                    .anyMatch(x -> x.startsWith("partition 0 of " + TOPICS.images())), Duration.ofSeconds(40));
            assertTrue(stalled.stream().anyMatch(x -> x.contains("records waiting and has not moved for")), stalled.toString());
            var progress = node.partitionProgress(System.currentTimeMillis());
            assertTrue(progress.size() == 1 && progress.get(0).lag() > 0, progress.toString());

            node.streams().get("classifier").resume();
            List<String> after = await(() -> node.problems(LIMIT), List::isEmpty, Duration.ofSeconds(60));
            assertTrue(after.isEmpty(), after.toString());
        }
    }

    private static List<String> await(Supplier<List<String>> problems, java.util.function.Predicate<List<String>> done,
            Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> now = problems.get();
        while (!done.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            now = problems.get();
        }
        return now;
    }
}
