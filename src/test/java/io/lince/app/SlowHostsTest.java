package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.images.FetchPolicy;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.SlowHttp;
import io.lince.testing.TestImages;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
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
 * Claim checks pointing at a host that trickles its body and one that never answers, mixed with
 * good images: the good ones are classified within max-delay + the fetch deadline + two batches
 * (and a commit), the bad ones dead-lettered with the deadline as their reason, and nothing
 * stalls. Before the fetch had one deadline, the trickle held the partition for minutes.
 */
class SlowHostsTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final Duration MAX_DELAY = Duration.ofMillis(50);

    @TempDir
    Path work;

    @Test
    @Timeout(180)
    void slowHostsCostTheirBatchOneDeadlineAndNothingMore() throws Exception {
        byte[] good = TestImages.jpeg(0, 1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/images/good.jpg", x -> {
            x.sendResponseHeaders(200, good.length);
            x.getResponseBody().write(good);
            x.close();
        });
        server.createContext("/images/trickle.jpg", SlowHttp.trickle(60, 1_000)); // a byte a second for a minute
        server.createContext("/images/hang.jpg", SlowHttp.silent(60_000));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/images/";
        FetchPolicy fetch = new FetchPolicy(Optional.empty(), Set.of("127.0.0.1:" + server.getAddress().getPort()),
                List.of("/images/"), DEADLINE, 1_000_000, 3, Duration.ofMillis(50));
        WireFormat wire = WireFormat.defaults();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<String> goods = new ArrayList<>();
        List<String> bads = new ArrayList<>();
        try (LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(), work, TOPICS,
                new BatchSettings(4, MAX_DELAY), TrainerSettings.defaults(), "slow").withFetch(fetch));
                KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(node.clients().producer(), new StringSerializer(),
                        wire.serde(ImageEvent.class).serializer())) {
            // one image first, so the first batch's start-up (JIT, the first transaction) is not measured
            p.send(new ProducerRecord<>(TOPICS.images(), "warm", ImageEvent.newBuilder().setId("warm").setEventTime(Instant.now())
                    .setSource("slow").setBytes(ByteBuffer.wrap(good)).build())).get();
            read(node, wire, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), 1, 0);
            // read while sending: a result's time is when a read_committed consumer first sees it
            Map<String, Long> classified = new ConcurrentHashMap<>();
            Map<String, String> dead = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> read(node, wire, classified, dead, 24 - 24 / 8 + 1, 24 / 8), "reader");
            reader.start();
            for (int i = 0; i < 24; i++) {
                String id = "e-" + i;
                ImageEvent.Builder e = ImageEvent.newBuilder().setId(id).setEventTime(Instant.now()).setSource("slow");
                // a slow host behind one claim check in eight, the trickling one and the silent one in turn
                boolean bad = i % 8 == 3;
                if (bad) {
                    e.setUri(base + (i % 16 == 3 ? "trickle.jpg" : "hang.jpg"));
                } else if (i % 4 == 2) {
                    e.setUri(base + "good.jpg");
                } else {
                    e.setBytes(ByteBuffer.wrap(TestImages.jpeg(i % 2, i)));
                }
                (bad ? bads : goods).add(id);
                sentAt.put(id, System.currentTimeMillis());
                p.send(new ProducerRecord<>(TOPICS.images(), id, e.build())).get();
                Thread.sleep(100);
            }
            reader.join();
            classified.remove("warm");
            assertEquals(Set.copyOf(goods), classified.keySet());
            assertEquals(Set.copyOf(bads), dead.keySet());
            dead.values().forEach(r -> assertTrue(r.contains("deadline of 1000 ms"), r));
            // max delay + the deadline + two batches of 32 px images (tens of ms each), plus 1.5 s for
            // the commit that makes a result visible, the reader's poll and a loaded 2-core machine;
            // before the fetch had one deadline, the trickling host alone held the partition 3 minutes
            long bound = MAX_DELAY.toMillis() + DEADLINE.toMillis() + 2 * 100 + 1_500;
            Map<String, Long> latencies = new java.util.TreeMap<>();
            goods.forEach(id -> latencies.put(id, classified.get(id) - sentAt.get(id)));
            for (Map.Entry<String, Long> e : latencies.entrySet()) {
                assertTrue(e.getValue() <= bound, e.getKey() + " took " + e.getValue() + " ms, more than " + bound + ": " + latencies);
            }
        } finally {
            server.stop(0);
        }
    }

    /** Classifications (with the time each was read) and dead letters (with their reasons). */
    private static void read(LinceNode node, WireFormat wire, Map<String, Long> classified, Map<String, String> dead,
            int goods, int bads) {
        var cls = wire.serde(Classification.class).deserializer();
        var dls = wire.serde(DeadLetter.class).deserializer();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(node.clients().reader(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(TOPICS.classifications(), 0),
                    new TopicPartition(TOPICS.deadLetter(), 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            long until = System.currentTimeMillis() + 60_000;
            while ((classified.size() < goods || dead.size() < bads) && System.currentTimeMillis() < until) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(20))) {
                    if (r.topic().equals(TOPICS.classifications())) {
                        classified.putIfAbsent(cls.deserialize(r.topic(), r.value()).getImageId(), System.currentTimeMillis());

                    } else {
                        DeadLetter d = dls.deserialize(r.topic(), r.value());
                        dead.put(d.getImageId(), d.getReason());
                    }
                }
            }
        }
    }
}
