package io.lince.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.images.FetchPolicy;
import io.lince.images.ImageDecoder;
import io.lince.images.ImageFolder;
import io.lince.images.InputCrop;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.model.ImageClassifier;
import io.lince.model.ModelSlot;
import io.lince.stream.ClassifierMetrics;
import io.lince.stream.ClassifierTopology;
import io.lince.stream.ClassifierWorkers;
import io.lince.stream.ImageSource;
import io.lince.stream.InputRecords;
import io.lince.stream.StreamsSettings;
import org.apache.kafka.streams.KafkaStreams;
import io.lince.kafka.Topics;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.RoutingPolicy;
import io.lince.wire.WireFormat;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The serving benchmark behind bench/serving.sh: the fp32 ceiling (a large matmul through the
 * same libtorch), the bare forward pass at the service's batch size, end-to-end throughput
 * through an in-process broker, and latency percentiles at 25/50/90% of the saturating rate.
 * Args: IMAGES_DIR OUT_DIR BATCH DELAY_MS.
 */
public final class ServingBenchmark {

    private static final double GFLOP_PER_IMAGE = 7.34; // ResNet-34 at 224 px (3.67 GMAC)
    private static final int SIZE = 224;
    /** As the service runs by default (lince.classifier.fold-batch-norm); -Dunfolded=true for the other. */
    private static final boolean FOLDED = !Boolean.getBoolean("unfolded");
    private static final int TURNS = 5;
    /** -Dprecision=int8: the classifier serves an INT8 graph through ONNX Runtime (saturate-only mode), and the bare rounds run it too. */
    private static final boolean INT8 = "int8".equals(System.getProperty("precision"));
    /**
     * -DstreamThreads=2 -Dpartitions=2 (saturate-only mode): two batches in flight at once, e.g.
     * each on one ONNX Runtime thread (-Dai.djl.pytorch.num_threads=1) instead of one batch on two.
     */
    private static final int STREAM_THREADS = Integer.getInteger("streamThreads", 1);
    private static final int PARTITIONS = Integer.getInteger("partitions", 1);
    /** The INT8 graph of the bench's model, when {@link #INT8}. */
    private byte[] int8Graph;

    private final List<byte[]> jpegs;
    private List<String> labels = List.of();
    private Path trainDir;
    private final int batch;
    private final long delayMs;
    private final StringBuilder md = new StringBuilder();

    private ServingBenchmark(List<byte[]> jpegs, int batch, long delayMs) {
        this.jpegs = jpegs;
        this.batch = batch;
        this.delayMs = delayMs;
    }

    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        List<byte[]> jpegs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (ImageFolder.Entry e : ImageFolder.scan(images).entries()) {
            jpegs.add(Files.readAllBytes(e.file()));
            labels.add(e.label());
        }
        ServingBenchmark b = new ServingBenchmark(jpegs, Integer.parseInt(args[2]), Long.parseLong(args[3]));
        b.labels = labels;
        b.trainDir = images.resolveSibling("train");
        b.run(out);
        System.exit(0);
    }

    private void run(Path out) throws Exception {
        log("%d images from disk; batch %d, max queue delay %d ms, %d px, %d cores", jpegs.size(), batch, delayMs, SIZE,
                Runtime.getRuntime().availableProcessors());
        if (Boolean.getBoolean("saturateOnly")) {
            saturateOnly();
            return;
        }
        if (Boolean.getBoolean("hostOnly")) {
            md.append("# Lince serving benchmark: host side\n\n").append(PixelPathBenchmark.cpuFlags()).append("\n\n");
            md.append("| measure | result |\n|---|---|\n");
            hostSide();
            Files.writeString(out.resolve("serving-host.md"), md);
            System.out.println(md);
            return;
        }
        double ceiling = matmulGflops(4096);
        // Lince (as served, and with the other BatchNorm setting) and PyTorch take turns: this VM's
        // speed wanders by ±15% within a minute, and turns expose all three to the same drift
        String python = System.getProperty("pytorch");
        double[] lince = new double[TURNS];
        double[] other = new double[TURNS];
        double[] torch = new double[TURNS];
        String torchVersion = null;
        for (int r = 0; r < TURNS; r++) {
            lince[r] = bareForward(batch, FOLDED, 1);
            other[r] = bareForward(batch, !FOLDED, 1);
            if (python != null) {
                JsonNode py = pytorchForward(python, out.resolve("pytorch.json"));
                torch[r] = py.get("imagesPerSecond").asDouble();
                torchVersion = py.get("torch").asText();
            }
        }
        double bare = median(lince);
        double bare1 = bareForward(1, FOLDED, 3);
        ModelInfo info = new ModelInfo(1, null, List.of("cats", "dogs"), SIZE);
        md.append("# Lince serving benchmark\n\n");
        md.append(String.format(Locale.ROOT, "%d JPEGs (%s), ResNet-34 at %d px, fp32, CPU, %d cores; service batch %d,"
                + " max queue delay %d ms; OMP_WAIT_POLICY=%s; %s.%n%n", jpegs.size(), "dogs-vs-cats valid", SIZE,
                Runtime.getRuntime().availableProcessors(), batch, delayMs, System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"), Instant.now()));
        md.append("| measure | result |\n|---|---|\n");
        row("fp32 matmul 4096×4096 through libtorch (the ceiling)", "%.0f GFLOP/s", ceiling);
        row("bare forward, batch " + batch + ", BatchNorm " + (FOLDED ? "folded, as served" : "not folded") + " (median of "
                + TURNS + " turns)", "%.1f images/s = %.0f GFLOP/s = %.0f%% of the matmul ceiling",
                bare, bare * GFLOP_PER_IMAGE, 100 * bare * GFLOP_PER_IMAGE / ceiling);
        row("bare forward, batch " + batch + ", BatchNorm " + (FOLDED ? "not folded" : "folded") + " (same turns)",
                "%.1f images/s (turn by turn the served one is %s: median %.2f×)", median(other), ratios(lince, other),
                medianRatio(lince, other));
        row("bare forward, batch 1", "%.1f images/s", bare1);
        if (Files.isDirectory(trainDir) && !Boolean.getBoolean("skipFolding")) {
            foldingAccuracy();
        }
        if (python != null) {
            double pr = median(torch);
            row("PyTorch " + torchVersion + " eager, torchvision resnet34, batch " + batch + ", 2 threads (same turns)",
                    "%.1f images/s (Lince fp32 as served, turn by turn: %s; median %.2f×; unfolded: median %.2f×)", pr,
                    ratios(lince, torch), medianRatio(lince, torch), medianRatio(FOLDED ? other : lince, torch));
        }

        Path dir = Files.createTempDirectory("lince-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
                LinceNode node = LinceNode.start(options(kafka, dir, info))) {
            Probe probe = new Probe(node.clients());
            Saturation sat = probe.saturate(4);
            double saturated = sat.rate();
            double reference = sat.bare();
            row("end-to-end through Kafka, " + jpegs.size() + " inline JPEGs produced as 4 backlogs", "%s%s",
                    sat.describe(), probe.batchStats(saturated));
            XYSeries p50 = new XYSeries("p50");
            XYSeries p95 = new XYSeries("p95");
            XYSeries p99 = new XYSeries("p99");
            double batchCompute = 1000.0 * batch / reference;
            for (double load : new double[] {0.25, 0.5, 0.9}) {
                double rate = load * saturated;
                int count = (int) Math.min(jpegs.size(), Math.max(80, rate * 40));
                double[] lat = probe.latencies(rate, count, "load" + (int) (load * 100));
                Arrays.sort(lat, 0, lat.length - 1);
                double q50 = pct(lat, 0.5), q95 = pct(lat, 0.95), q99 = pct(lat, 0.99);
                p50.add(rate, q50);
                p95.add(rate, q95);
                p99.add(rate, q99);
                row(String.format(Locale.ROOT, "latency at %.0f%% load (%.1f images/s offered, %d images)", load * 100, rate, count),
                        "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms%s", q50, q95, q99,
                        load == 0.5 ? String.format(Locale.ROOT, " (target p99 ≤ delay + 2 batches = %.0f ms)", delayMs + 2 * batchCompute) : "");
            }
            chart(out.resolve("latency.png"), p50, p95, p99);
        }
        hostSide();
        Files.writeString(out.resolve("serving.md"), md);
        System.out.println(md);
    }

    /**
     * The host side, as a GPU would see it: the same stream through Kafka with the forward pass
     * replaced by a no-op of the same output shape (the batch still becomes one tensor, the one
     * host-to-device copy), so what is measured is consume, decode, crop, batch, publish and
     * commit. OpenCV's pixel path and the ImageIO one take turns. Then the real forward pass end
     * to end against the bare one (in turns), and the bytes written to Kafka per input byte.
     */
    private void hostSide() throws Exception {
        int turns = Integer.getInteger("host.turns", 3);
        for (int b : Boolean.getBoolean("host.quick") ? new int[] {32} : new int[] {32, batch}) {
            double[] cv = new double[turns];
            double[] io = new double[turns];
            for (int r = 0; r < cv.length; r++) {
                cv[r] = hostRate(b, true);
                io[r] = hostRate(b, false);
            }
            row("host-side ceiling: no-op forward, batch " + b + ", a backlog of the " + jpegs.size() + " inline JPEGs 3 times over"
                    + " (from the first result to the last), 1 stream thread, decode pool of " + Runtime.getRuntime().availableProcessors() + " (" + turns + " turns)",
                    "%.0f images/s with OpenCV pixels (rounds %s); %.0f images/s with ImageIO pixels (rounds %s)", median(cv),
                    fmt(cv), median(io), fmt(io));
        }
        if (!Boolean.getBoolean("host.quick")) {
            footprint("the first model (zero head) routing every image for labelling", RoutingPolicy.of("confidence", 0.9));
            footprint("routing 10% of images (random share)", RoutingPolicy.of("random", 0.1));
        }
    }

    /**
     * Images/s over a backlog already in Kafka: the photos three times over are produced first
     * (producing is the upstream apps' work, not the classifier's, and here it would share the two
     * cores), then the classifier starts; the rate runs from its first published result to its
     * last, so start-up and the last commit's wait weigh nothing.
     */
    private double hostRate(int b, boolean openCv) throws Exception {
        Path dir = Files.createTempDirectory("lince-host");
        int n = 3 * jpegs.size();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = new KafkaClients(kafka.bootstrapServers(), benchProperties());
            clients.ensureTopics(Topics.defaults(1));
            Probe probe = new Probe(clients);
            probe.send("backlog", 0, n, 0, null);
            try (BenchClassifier c = new BenchClassifier(kafka, dir, b, RoutingPolicy.of("confidence", 0.0), true, openCv)) {
                Map<String, Long> before = threadCpu();
                long t0 = System.nanoTime();
                long last = probe.await("backlog", n);
                double wall = (System.nanoTime() - t0) / 1e9;
                long first = probe.seen.values().stream().mapToLong(Long::longValue).min().orElseThrow();
                double rate = (n - 1) / ((last - first) / 1000.0);
                log("host side, batch %d, %s: %.0f images/s; CPU by thread over the %.1f s: %s", b, openCv ? "OpenCV" : "ImageIO",
                        rate, wall, cpuShares(before, threadCpu(), wall));
                return rate;
            }
        }
    }

    /** CPU seconds so far by thread-name family (digits dropped: "lince-decode-1" counts as "lince-decode-"). */
    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null) {
                long cpu = mx.getThreadCpuTime(t.getThreadId());
                if (cpu > 0) {
                    out.merge(t.getThreadName().replaceAll("[0-9]+", "#"), cpu, Long::sum);
                }
            }
        }
        return out;
    }

    private static String cpuShares(Map<String, Long> before, Map<String, Long> after, double wall) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9))
                .filter(e -> e.getValue() > 0.02 * wall)
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / wall))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Bytes on the broker per input byte, by topic, after the 1,000 images went through classifier and trainer. */
    private void footprint(String name, RoutingPolicy routing) throws Exception {
        Path dir = Files.createTempDirectory("lince-bytes");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
                BenchClassifier c = new BenchClassifier(kafka, dir, batch, routing, true, true);
                KafkaStreams trainer = new KafkaStreams(io.lince.retraining.LabelJoinTopology.build(Topics.defaults(1),
                        WireFormat.defaults(), List.of("cats", "dogs")), StreamsSettings.of(c.clients, "bench-trainer",
                        dir.resolve("trainer"), 1))) {
            trainer.start();
            new Probe(c.clients).saturate(1, false);
            Thread.sleep(5_000); // the trainer reads the samples
            Map<String, Long> sizes = new java.util.TreeMap<>();
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(c.clients.common())) {
                admin.describeLogDirs(List.of(1)).allDescriptions().get().values().forEach(dirs -> dirs.values()
                        .forEach(d -> d.replicaInfos().forEach((tp, info) -> sizes.merge(tp.topic(), info.size(), Long::sum))));
            }
            double input = sizes.get(Topics.IMAGES);
            StringBuilder sb = new StringBuilder();
            double other = 0;
            for (Map.Entry<String, Long> e : sizes.entrySet()) {
                if (e.getKey().equals(Topics.IMAGES) || e.getValue() == 0) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "%s%s %.3f×", sb.length() == 0 ? "" : ", ", e.getKey(), e.getValue() / input));
                other += e.getValue();
            }
            row("bytes written to Kafka per input byte, " + name, "%.2f× in all: %s", other / input, sb);
        }
    }

    /** A classifier built as LinceNode builds one, with the forward pass of the bench's choice. */
    private final class BenchClassifier implements AutoCloseable {
        final KafkaClients clients;
        final ModelSlot slot;
        final ClassifierWorkers workers;
        final KafkaStreams streams;

        BenchClassifier(EmbeddedKafka kafka, Path dir, int b, RoutingPolicy routing, boolean noop, boolean openCv) throws Exception {
            clients = new KafkaClients(kafka.bootstrapServers(), benchProperties());
            clients.ensureTopics(Topics.defaults(1));
            try (LinceModel base = LinceModel.random(new ModelInfo(1, null, List.of("cats", "dogs"), SIZE), Device.cpu(), 1)) {
                slot = new ModelSlot(base.folded());
            }
            ImageClassifier classifier = new ImageClassifier(slot, new InputCrop(ImageDecoder.defaults(), openCv), 0,
                    noop ? ServingBenchmark::noopForward : LinceModel::outputs);
            workers = ClassifierWorkers.of(0, 16, 1);
            var settings = new ClassifierTopology.Settings(ImageSource.inlineOnly(), routing,
                    new BatchSettings(b, Duration.ofMillis(delayMs)), ClassifierMetrics.NONE, System::currentTimeMillis, workers,
                    InputRecords.kafka(clients.reader(), Duration.ofSeconds(30)), io.lince.stream.EventChecks.DEFAULTS);
            streams = new KafkaStreams(ClassifierTopology.build(Topics.defaults(1), WireFormat.defaults(), classifier, settings),
                    StreamsSettings.of(clients, "bench-classifier", dir.resolve("streams"), 1));
            streams.start();
            long until = System.currentTimeMillis() + 60_000;
            while (streams.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            streams.close(Duration.ofSeconds(30));
            workers.close();
            slot.close();
        }
    }

    /** Client settings to try: -Dbench.kafka="key=value,key=value". */
    private static Map<String, String> benchProperties() {
        Map<String, String> out = new java.util.HashMap<>();
        for (String kv : System.getProperty("bench.kafka", "").split(",")) {
            if (kv.contains("=")) {
                out.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        return out;
    }

    /** The bench's no-op model: the batch becomes one tensor, as for the real one, and nothing runs. */
    static LinceModel.Outputs noopForward(LinceModel m, ByteBuffer rgb, int n) {
        int s = m.info().inputSize();
        try (NDManager scope = m.djlModel().getNDManager().newSubManager()) {
            scope.create(rgb, new Shape(n, s, s, 3), ai.djl.ndarray.types.DataType.UINT8);
        }
        int k = m.info().classes().size();
        float[][] out = new float[n][k];
        for (float[] p : out) {
            Arrays.fill(p, 1f / k);
        }
        return new LinceModel.Outputs(out, new float[n][io.lince.model.ResNet34.FEATURES]);
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", d));
        }
        return sb.toString();
    }

    /** A quick A/B of end-to-end settings: the bare forward pass, one saturating run, the bare pass again. */
    private void saturateOnly() throws Exception {
        ModelInfo info = new ModelInfo(1, null, List.of("cats", "dogs"), SIZE);
        Path dir = Files.createTempDirectory("lince-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            if (INT8) {
                publishInt8(kafka, dir, info);
            }
            saturateOnly(kafka, dir, info);
        }
    }

    /**
     * v1 as the trainer would publish it, with its INT8 graph calibrated on 64 of the bench's
     * photos and marked allowed (the bench's model is random: its speed is what counts here).
     */
    private void publishInt8(EmbeddedKafka kafka, Path dir, ModelInfo info) throws Exception {
        KafkaClients clients = new KafkaClients(kafka.bootstrapServers(), Map.of());
        clients.ensureTopics(Topics.defaults(PARTITIONS));
        io.lince.registry.ModelStore store = new io.lince.registry.ModelStore(dir.resolve("models"));
        try (LinceModel base = LinceModel.random(info, Device.cpu(), 1); LinceModel folded = base.folded()) {
            io.lince.registry.ModelStore.Stored stored = store.put(base);
            List<ByteBuffer> calibration = new ArrayList<>();
            for (int i = 0; i < 64; i += 16) {
                calibration.add(crops(i, 16, ImageDecoder.defaults()));
            }
            int8Graph = io.lince.model.onnx.Int8Calibration.quantize(folded, calibration, 0);
            io.lince.registry.ModelStore.Stored graph = store.putInt8(1, int8Graph);
            io.lince.contracts.ModelPublished m = io.lince.registry.ModelRegistry.describe(stored, info, Map.of(), 0);
            m.setInt8ArtifactUri(graph.uri());
            m.setInt8Sha256(graph.sha256());
            m.setInt8Allowed(true);
            m.setInt8Decision("allowed by the serving bench (speed only)");
            new io.lince.registry.ModelRegistry(clients, Topics.defaults(PARTITIONS), WireFormat.defaults()).publish(m);
        }
    }

    private void saturateOnly(EmbeddedKafka kafka, Path dir, ModelInfo info) throws Exception {
        try (LinceNode node = LinceNode.start(options(kafka, dir, info))) {
            Probe probe = new Probe(node.clients());
            Saturation sat = probe.saturate(4);
            log("%s, OMP_WAIT_POLICY=%s, prepare threads %d: end-to-end %s%s", node.slot().orElseThrow().runtime(),
                    System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"),
                    Integer.getInteger("prepareThreads", 0), sat.describe(), probe.batchStats(sat.rate()));
        }
    }

    private NodeOptions options(EmbeddedKafka kafka, Path dir, ModelInfo info) {
        return new NodeOptions(Role.CLASSIFIER, new NodeOptions.Cluster(Optional.of(kafka.bootstrapServers()), Map.of(),
                Topics.defaults(PARTITIONS), "bench"), dir, io.lince.registry.ModelStore.Location.of(dir.resolve("models")),
                new NodeOptions.FirstModel(info.classes(), Optional.empty(), SIZE, 42),
                new NodeOptions.Classifying(INT8
                        ? new io.lince.model.Serving("cpu", FOLDED, io.lince.model.Serving.Runtime.ONNXRUNTIME, io.lince.model.Serving.Precision.INT8)
                        : new io.lince.model.Serving("auto", FOLDED, io.lince.model.Serving.Precision.FP32), RoutingPolicy.of("confidence", 0.9),
                        new BatchSettings(batch, Duration.ofMillis(delayMs), 0, Integer.getInteger("prepareThreads", 0)),
                        io.lince.stream.InputPolicy.of(FetchPolicy.localFiles(Optional.empty())), STREAM_THREADS,
                        io.lince.watch.Watching.DEFAULTS),
                TrainerSettings.defaults());
    }

    /** End-to-end images/s, and the bare forward rate measured in turns with it. */
    private record Saturation(double rate, double bare, double[] bareRounds) {
        double ratio() {
            return rate / bare;
        }

        String describe() {
            StringBuilder sb = new StringBuilder();
            for (double r : bareRounds) {
                sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", r));
            }
            return String.format(Locale.ROOT, "%.1f images/s = %.2f× bare forward (median %.1f images/s of the rounds"
                    + " taken between the backlogs: %s)", rate, ratio(), bare, sb);
        }
    }

    /** Measures through a producer and a read_committed consumer on a running classifier. */
    private final class Probe {
        final KafkaClients clients;
        final Map<String, Long> seen = new ConcurrentHashMap<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Classification> stats = java.util.Collections.synchronizedList(new ArrayList<>());
        int phases;

        Probe(KafkaClients clients) {
            this.clients = clients;
            Thread t = new Thread(this::read, "bench-reader");
            t.setDaemon(true);
            t.start();
        }

        void read() {
            var d = WireFormat.defaults().serde(Classification.class).deserializer();
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(clients.reader(), new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> tps = java.util.stream.IntStream.range(0, PARTITIONS)
                        .mapToObj(p -> new TopicPartition(Topics.CLASSIFICATIONS, p)).toList();
                c.assign(tps);
                c.seekToBeginning(tps);
                while (running.get()) {
                    c.poll(Duration.ofMillis(20)).forEach(r -> {
                        Classification k = d.deserialize(r.topic(), r.value());
                        seen.put(k.getImageId(), System.currentTimeMillis());
                        stats.add(k);
                    });
                }
            }
        }

        /**
         * Mean batch size, forward time per batch and queue wait over what has been read, and the
         * share of the stream's time its forward passes took at {@code rate} images/s.
         */
        String batchStats(double rate) {
            synchronized (stats) {
                double size = stats.stream().mapToDouble(Classification::getBatchSize).average().orElse(0);
                double forward = stats.stream().mapToDouble(Classification::getInferenceMillis).average().orElse(0);
                return String.format(Locale.ROOT, "; batches of %.2f on average, forward %.0f ms each (%.0f%% of the"
                        + " stream's time), queue wait %.0f ms", size, forward, 100 * rate * forward / size / 1000,
                        stats.stream().mapToDouble(Classification::getQueueMillis).average().orElse(0));
            }
        }

        /**
         * Saturating throughput: the images arrive as {@code chunks} backlogs, each produced at
         * once, and a bare forward round runs on the idle node before each and after the last.
         * This VM's speed wanders by ±15% within a minute, so the bare rate is measured in turns
         * with the stream, never far from it in time.
         */
        Saturation saturate(int chunks) throws Exception {
            return saturate(chunks, true);
        }

        /** As {@link #saturate(int)}; without {@code bare}, no forward rounds between the backlogs. */
        Saturation saturate(int chunks, boolean bare) throws Exception {
            return saturate(chunks, bare, 1);
        }

        /** As {@link #saturate(int, boolean)}, sending the JPEGs {@code repeat} times over. */
        Saturation saturate(int chunks, boolean bare, int repeat) throws Exception {
            send("warm" + phases, 0, 64, 0, null);
            await("warm" + phases, 64);
            stats.clear();
            String tag = "p" + phases++ + "-";
            int per = repeat * jpegs.size() / chunks;
            double[] rounds = new double[bare ? chunks + 1 : 1];
            long busy = 0;
            for (int c = 0; c < chunks; c++) {
                if (bare) {
                    rounds[c] = bareForward(batch, FOLDED, 1);
                }
                long t0 = System.currentTimeMillis();
                send(tag + "sat" + c, c * per, per, 0, null);
                busy += await(tag + "sat" + c, per) - t0;
            }
            if (bare) {
                rounds[chunks] = bareForward(batch, FOLDED, 1);
            }
            return new Saturation(per * chunks / (busy / 1000.0), bare ? median(rounds) : Double.NaN, rounds);
        }

        /** Latencies in ms, sorted; the last element is the phase's duration in ms. */
        double[] latencies(double rate, int count, String phase) throws Exception {
            long[] sent = new long[count];
            long t0 = System.currentTimeMillis();
            send(phase, 0, count, rate, sent);
            long last = await(phase, count);
            double[] lat = new double[count + 1];
            for (int i = 0; i < count; i++) {
                lat[i] = seen.get(phase + "-" + i) - sent[i];
            }
            lat[count] = last - t0;
            return lat;
        }

        void send(String phase, int from, int count, double rate, long[] sentAt) {
            var ser = WireFormat.defaults().serde(ImageEvent.class).serializer();
            try (KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(clients.producer(), new StringSerializer(), ser)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    if (rate > 0) {
                        long wait = t0 + (long) (i * 1e9 / rate) - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                    String id = phase + "-" + i;
                    long now = System.currentTimeMillis();
                    if (sentAt != null) {
                        sentAt[i] = now;
                    }
                    p.send(new ProducerRecord<>(Topics.IMAGES, id, ImageEvent.newBuilder().setId(id)
                            .setEventTime(Instant.ofEpochMilli(now)).setSource("bench")
                            .setBytes(ByteBuffer.wrap(jpegs.get((from + i) % jpegs.size()))).build()));
                    if (rate > 0) {
                        p.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        long await(String phase, int count) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 30 * 60_000;
            while (System.currentTimeMillis() < deadline) {
                long done = 0;
                long last = 0;
                for (int i = 0; i < count; i++) {
                    Long t = seen.get(phase + "-" + i);
                    if (t != null) {
                        done++;
                        last = Math.max(last, t);
                    }
                }
                if (done == count) {
                    return last;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException(phase + " did not finish");
        }
    }

    private static double matmulGflops(int n) {
        try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = nd.randomNormal(new Shape(n, n));
            NDArray b = nd.randomNormal(new Shape(n, n));
            a.matMul(b).close();
            double best = 0;
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                a.matMul(b).toFloatArray();
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / s / 1e9);
            }
            log("matmul %dx%d: %.0f GFLOP/s", n, n, best);
            return best;
        }
    }

    /**
     * BatchNorm folding's effect on accuracy: a head trained on 200 train images (random body: no
     * pretrained weights here), then every valid image through the unfolded and the folded model.
     */
    private void foldingAccuracy() throws Exception {
        List<ImageFolder.Entry> train = new ArrayList<>(ImageFolder.scan(trainDir).entries());
        java.util.Collections.shuffle(train, new java.util.Random(7));
        train = train.subList(0, Math.min(200, train.size()));
        ImageDecoder dec = ImageDecoder.defaults();
        ModelInfo info = new ModelInfo(1, null, List.of("cats", "dogs"), SIZE);
        io.lince.learn.Dataset data = new io.lince.learn.Dataset(trainDir, io.lince.learn.Dataset.Layout.CLASS_FOLDERS,
                info.classes(), train, List.of(), List.of());
        Path work = Files.createTempDirectory("lince-fold");
        try (io.lince.learn.Learner learner = new io.lince.learn.Learner(LinceModel.random(info, Device.cpu(), 1), data,
                new io.lince.learn.Learner.Settings(SIZE, 16, io.lince.images.Augmentation.preset("none", 1),
                        io.lince.learn.OptimizerSettings.sgd(), 1, work), System.out)) {
            learner.precompute(true);
            learner.fit(io.lince.learn.GroupRates.spread(0.05f), new io.lince.learn.Sgdr.Spec(1, 30, 1), null, false);
            LinceModel m = learner.model();
            try (LinceModel folded = m.folded()) {
                int rightU = 0, rightF = 0, agree = 0;
                double maxDiff = 0;
                for (int from = 0; from < jpegs.size(); from += batch) {
                    int count = Math.min(jpegs.size(), from + batch) - from;
                    ByteBuffer b = crops(from, count, dec);
                    float[][] u = m.probabilities(b, count);
                    b.rewind();
                    float[][] v = folded.probabilities(b, count);
                    for (int i = 0; i < count; i++) {
                        int truth = info.classIndex(labels.get(from + i));
                        int lu = u[i][1] > u[i][0] ? 1 : 0;
                        int lf = v[i][1] > v[i][0] ? 1 : 0;
                        rightU += lu == truth ? 1 : 0;
                        rightF += lf == truth ? 1 : 0;
                        agree += lu == lf ? 1 : 0;
                        maxDiff = Math.max(maxDiff, Math.abs(u[i][1] - v[i][1]));
                    }
                }
                int n = jpegs.size();
                row("BatchNorm folding on valid (head trained on 200 train images, random body)",
                        "accuracy %.1f%% unfolded, %.1f%% folded; labels agree on %d/%d; max Δp %.1e",
                        100.0 * rightU / n, 100.0 * rightF / n, agree, n, maxDiff);
            }
        }
    }

    /** Median of {@code rounds} rounds, images already decoded and cropped (the model alone). */
    private double bareForward(int b, boolean fold, int rounds) throws Exception {
        ByteBuffer inputs = crops(0, b, ImageDecoder.defaults());
        try (LinceModel base = LinceModel.random(new ModelInfo(1, null, List.of("cats", "dogs"), SIZE), Device.cpu(), 1);
                LinceModel m = fold ? base.folded() : base) {
            if (int8Graph != null) {
                m.servedBy(new io.lince.model.onnx.OnnxSession(int8Graph, SIZE, 0, -1), "int8");
            }
            m.probabilities(inputs.rewind(), b);
            double[] rates = new double[rounds];
            int iters = Math.max(2, 48 / b);
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    m.probabilities(inputs.rewind(), b);
                }
                rates[r] = b * iters / ((System.nanoTime() - t0) / 1e9);
            }
            log("bare forward batch %d%s: %s images/s", b, fold ? " folded" : "", Arrays.toString(rates));
            return median(rates);
        }
    }

    /** {@code count} of the JPEGs from {@code from}, as one batch of input crops. */
    private ByteBuffer crops(int from, int count, ImageDecoder dec) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(count * SIZE * SIZE * 3);
        for (int i = from; i < from + count; i++) {
            b.put(io.lince.images.InputCrop.crop(dec.decode(jpegs.get(i % jpegs.size())), SIZE));
        }
        return b.flip();
    }

    /** One round of bench/pytorch_forward.py at the same batch size, size and thread count. */
    private JsonNode pytorchForward(String python, Path json) throws Exception {
        Process p = new ProcessBuilder(python, "bench/pytorch_forward.py", "--batch", String.valueOf(batch), "--size",
                String.valueOf(SIZE), "--threads", "2", "--rounds", "1", "--iters", String.valueOf(Math.max(2, 48 / batch)),
                "--out", json.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bench/pytorch_forward.py exited with " + p.exitValue());
        }
        return new ObjectMapper().readTree(json.toFile());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double medianRatio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return median(r);
    }

    private static String ratios(double[] a, double[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f×", a[i] / b[i]));
        }
        return sb.toString();
    }

    private static double pct(double[] sortedWithTail, double q) {
        int n = sortedWithTail.length - 1;
        return sortedWithTail[Math.min(n - 1, (int) Math.ceil(q * n) - 1)];
    }

    private void row(String measure, String format, Object... args) {
        String v = String.format(Locale.ROOT, format, args);
        md.append("| ").append(measure).append(" | ").append(v).append(" |\n");
        log("%s: %s", measure, v);
    }

    private static void chart(Path file, XYSeries... series) throws Exception {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Lince classifier: latency against offered load",
                "offered load (images/s)", "latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(new File(file.toString()), chart, 800, 500);
    }

    private static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
