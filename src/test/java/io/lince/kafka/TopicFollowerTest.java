package io.lince.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one loop behind Lince's own readers, on a real broker: it reads every partition from the
 * beginning and keeps following; an unreadable record is skipped, not a wall; an exception out
 * of the handler stops it and says so; close wakes a waiting poll at once.
 */
class TopicFollowerTest {

    private static final Logger LOG = Logger.getLogger(TopicFollowerTest.class);

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void followsEveryPartitionFromTheBeginningSkipsUnreadableRecordsAndStopsOnAFailingHandler() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            try (Admin admin = Admin.create(clients.common())) {
                admin.createTopics(List.of(new NewTopic("t", 3, (short) 1))).all().get();
            }
            send(clients, 0, "v0", "v1", "unreadable", "v3", "v4", "v5");
            // a value deserializer that cannot read one record, as Avro cannot read a foreign one
            Deserializer<String> strict = (topic, data) -> {
                String s = new String(data, StandardCharsets.UTF_8);
                if (s.equals("unreadable")) {
                    throw new IllegalArgumentException("cannot read it");
                }
                return s;
            };
            List<String> seen = new CopyOnWriteArrayList<>();
            AtomicInteger polls = new AtomicInteger();
            TopicFollower<String, String> f = new TopicFollower<>("test reader",
                    () -> new KafkaConsumer<>(clients.reader(), new StringDeserializer(), strict), TopicFollower.fromBeginning("t"),
                    Duration.ofMillis(100), Duration.ofSeconds(10), LOG, records -> {
                        polls.incrementAndGet();
                        records.forEach(r -> {
                            if (r.value().equals("boom")) {
                                throw new IllegalStateException("the handler failed on " + r.key());
                            }
                            seen.add(r.value());
                        });
                    }).start();
            until(() -> seen.size() == 5);
            assertEquals(List.of("v0", "v1", "v3", "v4", "v5"), seen.stream().sorted().toList(), "all but the unreadable one");
            int before = polls.get();
            until(() -> polls.get() > before + 3);
            assertTrue(f.running() && f.problem().isEmpty(), "empty polls reach the handler too, and nothing is wrong");

            send(clients, 6, "v6", "boom");
            until(() -> f.problem().isPresent());
            assertTrue(seen.contains("v6"), "records written later are followed");
            assertTrue(f.problem().get().startsWith("the test reader stopped: java.lang.IllegalStateException: the handler failed on k7"),
                    f.problem().get());
            f.close();
        }
    }

    @Test
    @Timeout(60)
    void closeWakesAWaitingPoll() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            try (Admin admin = Admin.create(clients.common())) {
                admin.createTopics(List.of(new NewTopic("quiet", 1, (short) 1))).all().get();
            }
            TopicFollower<String, String> f = new TopicFollower<>("quiet reader",
                    () -> new KafkaConsumer<>(clients.reader(), new StringDeserializer(), new StringDeserializer()),
                    TopicFollower.fromBeginning("quiet"), Duration.ofSeconds(30), Duration.ofSeconds(20), LOG, records -> { }).start();
            Thread.sleep(1_000); // inside its first 30 s poll
            long t0 = System.nanoTime();
            f.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5_000, "close took " + ms + " ms");
            assertTrue(!f.running() && f.problem().isEmpty(), "a close is not a problem");
        }
    }

    /** Values keyed k{first}, k{first+1}, …, spread over partitions by their number. */
    private static void send(KafkaClients clients, int first, String... values) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(clients.producer(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < values.length; i++) {
                int n = first + i;
                p.send(new ProducerRecord<>("t", n % 3, "k" + n, values[i])).get();
            }
        }
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting");
            Thread.sleep(20);
        }
    }
}
