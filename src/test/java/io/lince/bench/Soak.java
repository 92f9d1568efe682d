package io.lince.bench;

import com.sun.net.httpserver.HttpServer;
import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.testing.ClassifierProcess;
import io.lince.testing.SlowHttp;
import io.lince.testing.TestImages;
import io.lince.wire.WireFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The liveness soak (run by hand: {@code bench/soak.sh}): an in-process broker, a classifier in a
 * process of its own (32 px test model, CPU), good images at half the rate it saturates at, 1% bad
 * records of every kind, 1% of claim-check URIs on a trickling or a hanging host, a SIGKILL of the
 * classifier every {@code killEvery} and one broker restart. It reports images in, classified,
 * dead-lettered by stage, lost, duplicated, p99 latency of good images per window, the longest
 * stall of any partition, and readiness (sampled every second inside the classifier process, as
 * LinceReadiness decides it) against the stalls.
 *
 * <p>Arguments: {@code outDir minutes}; system properties {@code soak.killEveryMinutes} (5),
 * {@code soak.stallLimitSeconds} (20), {@code soak.partitions} (3).
 */
public final class Soak {

    private static final WireFormat WIRE = WireFormat.defaults();

    private record Sent(String key, int partition, long offset, long at, String kind) {}

    /** Where each record went: one entry per input record, keyed by partition:offset. */
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, String> goodIdToInput = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> outputsPerInput = new ConcurrentHashMap<>();
    private final Map<String, Long> firstOutputAt = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deadByStage = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<long[]> health = new ConcurrentLinkedQueue<>(); // {time, up}
    private final List<String> downReasons = Collections.synchronizedList(new ArrayList<>());
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final AtomicLong unknownOutputs = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/out/soak");
        double minutes = args.length > 1 ? Double.parseDouble(args[1]) : 30;
        new Soak().run(out, minutes);
        System.exit(0);
    }

    private void run(Path out, double minutes) throws Exception {
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("lince-soak");
        int partitions = Integer.getInteger("soak.partitions", 3);
        long killEvery = (long) (Double.parseDouble(System.getProperty("soak.killEveryMinutes", "5")) * 60_000);
        long stallLimit = Long.getLong("soak.stallLimitSeconds", 20);
        Topics topics = Topics.defaults(partitions);

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        byte[] good = TestImages.jpeg(0, 5);
        server.createContext("/good.jpg", x -> {
            x.sendResponseHeaders(200, good.length);
            x.getResponseBody().write(good);
            x.close();
        });
        server.createContext("/trickle.jpg", SlowHttp.trickle(120, 1_000));
        server.createContext("/hang.jpg", SlowHttp.silent(120_000));
        server.start();
        String host = "127.0.0.1:" + server.getAddress().getPort();
        String base = "http://" + host + "/";

        EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
        KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
        clients.ensureTopics(topics);
        Path log = out.resolve("classifier.log");
        Files.deleteIfExists(log);
        List<String> jvm = List.of("-Dlince.test.allowedHost=" + host, "-Dlince.test.healthMillis=1000",
                "-Dlince.test.stallLimitSeconds=" + stallLimit);
        Process classifier = ClassifierProcess.start(kafka.bootstrapServers(), work.resolve("classifier"), partitions,
                work.resolve("models"), log, jvm);
        awaitLine(log, "READY", 1, Duration.ofMinutes(3));
        Thread reader = new Thread(() -> read(clients, topics), "soak-reader");
        reader.start();
        Thread healthTail = new Thread(() -> tail(log), "soak-health");
        healthTail.setDaemon(true);
        healthTail.start();

        // the saturating rate: a burst, timed from the first send to the last output
        int burst = 1_500;
        long t0 = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> p = producer(clients)) {
            for (int i = 0; i < burst; i++) {
                send(p, topics, "w-" + i, event("w-" + i, TestImages.jpeg(i % 2, i), null), "good");
            }
        }
        awaitOutputs(burst, Duration.ofMinutes(5));
        long t1 = firstOutputAt.values().stream().mapToLong(Long::longValue).max().orElse(t0);
        double saturating = burst * 1000.0 / Math.max(1, t1 - t0);
        double rate = saturating / 2;
        events.add(String.format(Locale.ROOT, "saturating rate %.0f images/s (a %d-image burst); soak rate %.0f/s", saturating, burst, rate));
        System.err.println(events.get(events.size() - 1));

        long start = System.currentTimeMillis();
        long end = start + (long) (minutes * 60_000);
        long nextKill = start + killEvery;
        long brokerRestartAt = start + (long) (minutes * 60_000 * 0.58);
        boolean brokerRestarted = false;
        int kills = 0;
        long n = 0;
        KafkaProducer<byte[], byte[]> p = producer(clients);
        while (System.currentTimeMillis() < end) {
            long now = System.currentTimeMillis();
            if (now >= nextKill && now < end - 30_000) {
                classifier.destroyForcibly().waitFor(); // SIGKILL: no shutdown, no commit
                health.add(new long[] {System.currentTimeMillis(), 0});
                events.add(String.format(Locale.ROOT, "%6.1f min: classifier SIGKILLed and restarted", (now - start) / 60_000.0));
                classifier = ClassifierProcess.start(kafka.bootstrapServers(), work.resolve("classifier"), partitions,
                        work.resolve("models"), log, jvm);
                kills++;
                nextKill += killEvery;
            }
            if (!brokerRestarted && now >= brokerRestartAt) {
                p.close(Duration.ofSeconds(5));
                events.add(String.format(Locale.ROOT, "%6.1f min: broker restarted", (now - start) / 60_000.0));
                kafka = kafka.restart();
                p = producer(clients);
                brokerRestarted = true;
            }
            String id = "s-" + n;
            long kind = n % 100;
            try {
                if (kind == 37) {
                    sendBad(p, topics, id, (int) ((n / 100) % BAD_KINDS));
                } else if (kind == 61) {
                    // a claim check on a slow host: the trickling one and the hanging one in turn
                    send(p, topics, id, event(id, null, base + ((n / 100) % 2 == 0 ? "trickle.jpg" : "hang.jpg")), "slow-host");
                } else if (kind % 10 == 3) {
                    send(p, topics, id, event(id, null, base + "good.jpg"), "good");
                } else {
                    send(p, topics, id, event(id, TestImages.jpeg((int) (n % 2), n), null), "good");
                }
            } catch (org.apache.kafka.common.KafkaException e) {
                events.add("send failed (broker away?): " + e.getMessage());
            }
            n++;
            long due = start + (long) (n * 1000 / rate);
            long wait = due - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
        p.close(Duration.ofSeconds(30));
        events.add(String.format(Locale.ROOT, "sent %d records in %.1f min; waiting for the last outputs", n, (System.currentTimeMillis() - start) / 60_000.0));
        awaitOutputs(sent.size(), Duration.ofMinutes(6)); // a backlog left by the last disruption drains first
        reading.set(false);
        reader.join();
        classifier.destroyForcibly().waitFor();
        kafka.close();
        server.stop(0);
        report(out, start, end, rate, saturating, kills, stallLimit, partitions);
    }

    private static final int BAD_KINDS = 9;

    /** One bad record of kind {@code k}: every way an event can be wrong that the liveness and trust issues named. */
    private void sendBad(KafkaProducer<byte[], byte[]> p, Topics topics, String id, int k) throws Exception {
        byte[] value = switch (k) {
            case 0 -> bomb(id); // a length field claiming 2 GB
            case 1 -> TestImages.randomBytes(40); // not Avro
            case 2 -> event(id, TestImages.truncatedJpeg(), null);
            case 3 -> event("", TestImages.jpeg(0, 1), null); // empty id
            case 4 -> WIRE.serde(ImageEvent.class).serializer().serialize("t", ImageEvent.newBuilder().setId(id)
                    .setEventTime(Instant.ofEpochMilli(Long.MIN_VALUE)).setSource("soak").setBytes(ByteBuffer.wrap(TestImages.jpeg(0, 1))).build());
            case 5 -> WIRE.serde(ImageEvent.class).serializer().serialize("t", ImageEvent.newBuilder().setId(id)
                    .setEventTime(Instant.now()).setSource("soak").setBytes(ByteBuffer.wrap(TestImages.jpeg(0, 1)))
                    .setUri("http://elsewhere/x.jpg").build()); // both bytes and a uri
            case 6 -> TestImages.concat(event(id, TestImages.jpeg(0, 1), null), new byte[] {1, 2, 3}); // trailing bytes
            case 7 -> event(id, TestImages.webp(), null);
            default -> event(id, TestImages.pngClaiming(30_000, 30_000), null);
        };
        send(p, topics, id, value, "bad");
    }

    private static byte[] bomb(String id) {
        return TestImages.lengthBomb(event(id, new byte[] {42}, null));
    }

    private static byte[] event(String id, byte[] bytes, String uri) {
        return WIRE.serde(ImageEvent.class).serializer().serialize("t", ImageEvent.newBuilder().setId(id)
                .setEventTime(Instant.now()).setSource("soak").setBytes(bytes == null ? null : ByteBuffer.wrap(bytes))
                .setUri(uri).build());
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaClients clients) {
        var props = clients.producer();
        props.put("delivery.timeout.ms", "120000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void send(KafkaProducer<byte[], byte[]> p, Topics topics, String id, byte[] value, String kind) {
        long at = System.currentTimeMillis();
        p.send(new ProducerRecord<>(topics.images(), id.getBytes(StandardCharsets.UTF_8), value), (RecordMetadata m, Exception e) -> {
            if (e == null) {
                String where = m.partition() + ":" + m.offset();
                sent.put(where, new Sent(id, m.partition(), m.offset(), at, kind));
                if (!kind.equals("bad") && !kind.equals("slow-host")) {
                    goodIdToInput.put(id, where);
                }
                outputsPerInput.computeIfAbsent(where, x -> new AtomicLong());
            }
        });
    }

    /** Reads classifications and dead letters, read_committed, from the beginning, until told to stop. */
    private void read(KafkaClients clients, Topics topics) {
        var cls = WIRE.serde(Classification.class).deserializer();
        var dls = WIRE.serde(DeadLetter.class).deserializer();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(clients.reader(), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(topics.classifications(), topics.deadLetter())) {
                c.partitionsFor(t).forEach(x -> parts.add(new TopicPartition(t, x.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (reading.get()) {
                try {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        long now = System.currentTimeMillis();
                        String where;
                        if (r.topic().equals(topics.classifications())) {
                            where = goodIdToInput.get(cls.deserialize(r.topic(), r.value()).getImageId());
                        } else {
                            DeadLetter d = dls.deserialize(r.topic(), r.value());
                            where = d.getPartition() + ":" + d.getOffset();
                            deadByStage.computeIfAbsent(d.getStage(), x -> new AtomicLong()).incrementAndGet();
                        }
                        if (where == null || !outputsPerInput.containsKey(where)) {
                            unknownOutputs.incrementAndGet();
                            continue;
                        }
                        outputsPerInput.get(where).incrementAndGet();
                        firstOutputAt.putIfAbsent(where, now);
                    }
                } catch (org.apache.kafka.common.KafkaException e) {
                    events.add("reader: " + e.getMessage());
                }
            }
        }
    }

    private void tail(Path log) {
        try {
            while (!Files.exists(log)) {
                Thread.sleep(100);
            }
            try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.ISO_8859_1)) {
                while (true) {
                    String line = in.readLine();
                    if (line == null) {
                        Thread.sleep(200);
                        continue;
                    }
                    if (line.startsWith("HEALTH ")) {
                        String[] f = line.split(" ", 4);
                        boolean up = f[2].equals("UP");
                        health.add(new long[] {Long.parseLong(f[1]), up ? 1 : 0});
                        if (!up && f.length > 3) {
                            downReasons.add(f[1] + " " + f[3]);
                        }
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the soak is over
        }
    }

    private void awaitOutputs(int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (firstOutputAt.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
    }

    private static void awaitLine(Path log, String text, int times, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(l -> l.equals(text)).count() >= times) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no " + text + " in " + log);
    }

    private void report(Path out, long start, long end, double rate, double saturating, int kills, long stallLimit, int partitions)
            throws IOException {
        List<Sent> soak = sent.values().stream().filter(s -> s.at() >= start).sorted((a, b) -> Long.compare(a.at(), b.at())).toList();
        long lost = soak.stream().filter(s -> outputsPerInput.get(s.partition() + ":" + s.offset()).get() == 0).count();
        long duplicated = soak.stream().filter(s -> outputsPerInput.get(s.partition() + ":" + s.offset()).get() > 1).count();
        Map<String, Long> byKind = new TreeMap<>();
        soak.forEach(s -> byKind.merge(s.kind(), 1L, Long::sum));
        long classified = soak.stream().filter(s -> s.kind().equals("good"))
                .filter(s -> outputsPerInput.get(s.partition() + ":" + s.offset()).get() > 0).count();

        StringBuilder md = new StringBuilder("# Liveness soak\n\n");
        md.append(String.format(Locale.ROOT, "%.1f minutes, %d input partitions, a 32 px test model on the CPU; %s.%n%n",
                (end - start) / 60_000.0, partitions, events.get(0)));
        md.append("| | count |\n|---|---|\n");
        md.append("| records in | ").append(soak.size()).append(" |\n");
        byKind.forEach((k, v) -> md.append("| of which ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("| good images classified | ").append(classified).append(" |\n");
        new TreeMap<>(deadByStage).forEach((k, v) -> md.append("| dead-lettered at ").append(k).append(" (whole run) | ").append(v).append(" |\n"));
        md.append("| lost (no output) | ").append(lost).append(" |\n");
        md.append("| duplicated (more than one output) | ").append(duplicated).append(" |\n");
        md.append("| outputs matching no input | ").append(unknownOutputs.get()).append(" |\n");
        md.append("| classifier SIGKILLs | ").append(kills).append(" |\n\n");

        md.append("p99 latency of good images (send to read_committed output), per 5-minute window:\n\n| window | images | p50 s | p99 s | max s |\n|---|---|---|---|---|\n");
        long window = 5 * 60_000;
        for (long w = start; w < end; w += window) {
            long from = w;
            List<Long> lat = new ArrayList<>();
            for (Sent s : soak) {
                Long o = firstOutputAt.get(s.partition() + ":" + s.offset());
                if (s.kind().equals("good") && s.at() >= from && s.at() < from + window && o != null) {
                    lat.add(o - s.at());
                }
            }
            Collections.sort(lat);
            if (!lat.isEmpty()) {
                md.append(String.format(Locale.ROOT, "| %d–%d min | %d | %.2f | %.2f | %.2f |%n", (from - start) / 60_000,
                        (from - start + window) / 60_000, lat.size(), lat.get(lat.size() / 2) / 1000.0,
                        lat.get((int) Math.min(lat.size() - 1, Math.ceil(lat.size() * 0.99) - 1)) / 1000.0, lat.get(lat.size() - 1) / 1000.0));
            }
        }

        // stalls: per partition, the spans with records waiting (sent, no output yet) and no output
        List<long[]> stalls = new ArrayList<>(); // {partition, from, to}
        for (int part = 0; part < partitions; part++) {
            int pp = part;
            List<long[]> timeline = new ArrayList<>(); // {time, +1 sent / -1 output}
            sent.values().stream().filter(s -> s.partition() == pp && s.at() >= start).forEach(s -> {
                timeline.add(new long[] {s.at(), 1});
                Long o = firstOutputAt.get(s.partition() + ":" + s.offset());
                timeline.add(new long[] {o == null ? Long.MAX_VALUE : o, -1});
            });
            timeline.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            long pending = 0;
            long lastMove = start;
            for (long[] e : timeline) {
                if (e[0] == Long.MAX_VALUE) {
                    break;
                }
                if (e[1] < 0) {
                    if (pending > 0 && e[0] - lastMove > 0) {
                        stalls.add(new long[] {pp, lastMove, e[0]});
                    }
                    lastMove = e[0];
                    pending--;
                } else {
                    if (pending == 0) {
                        lastMove = e[0];
                    }
                    pending++;
                }
            }
        }
        stalls.sort((a, b) -> Long.compare(b[2] - b[1], a[2] - a[1]));
        md.append("\nLongest stalls (a partition with records waiting and no output):\n\n| partition | from (min) | length s |\n|---|---|---|\n");
        for (int i = 0; i < Math.min(5, stalls.size()); i++) {
            long[] s = stalls.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %.1f |%n", s[0], (s[1] - start) / 60_000.0, (s[2] - s[1]) / 1000.0));
        }

        // readiness against the stalls longer than the limit
        List<long[]> samples = new ArrayList<>(health);
        samples.sort((a, b) -> Long.compare(a[0], b[0]));
        long longStallSeconds = 0;
        long longStallCovered = 0;
        for (long[] s : stalls) {
            if (s[2] - s[1] <= stallLimit * 1000) {
                continue;
            }
            // from the moment the stall passed the limit to its end, one second at a time
            for (long t = s[1] + stallLimit * 1000; t < s[2]; t += 1000) {
                longStallSeconds++;
                long tt = t;
                // DOWN, or no sample within 3 s (the process was dead: a probe fails too)
                boolean down = samples.stream().filter(x -> Math.abs(x[0] - tt) <= 1500).noneMatch(x -> x[1] == 1);
                longStallCovered += down ? 1 : 0;
            }
        }
        long downSamples = samples.stream().filter(x -> x[0] >= start && x[0] < end && x[1] == 0).count();
        long downOutsideStalls = samples.stream().filter(x -> x[0] >= start && x[0] < end && x[1] == 0)
                .filter(x -> stalls.stream().noneMatch(s -> x[0] >= s[1] && x[0] <= s[2] + 2_000)).count();
        md.append(String.format(Locale.ROOT, "%nReadiness (stall limit %d s, sampled every second in the classifier):%n%n", stallLimit));
        md.append(String.format(Locale.ROOT, "- seconds in which a partition had been stalled longer than the limit: %d; DOWN (or the process dead) in %d of them%n",
                longStallSeconds, longStallCovered));
        md.append(String.format(Locale.ROOT, "- DOWN samples: %d, of which %d outside any stall (false alarms)%n", downSamples, downOutsideStalls));
        md.append("\nWhat happened:\n\n");
        events.forEach(e -> md.append("- ").append(e).append('\n'));
        md.append("\nSome reasons readiness gave when DOWN:\n\n");
        downReasons.stream().map(r -> r.substring(r.indexOf(' ') + 1)).distinct().limit(8)
                .forEach(r -> md.append("- ").append(r.length() > 300 ? r.substring(0, 300) + "…" : r).append('\n'));
        Files.writeString(out.resolve("soak.md"), md);
        System.out.println(md);
    }
}
