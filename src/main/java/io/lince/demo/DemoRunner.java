package io.lince.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelEvent;
import io.lince.contracts.ModelPublished;
import io.lince.contracts.RetrainingSample;
import io.lince.images.FetchPolicy;
import io.lince.images.ImageFormat;
import io.lince.kafka.Topics;
import io.lince.model.Serving;
import io.lince.retraining.TrainerService;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.ClassifierMetrics;
import java.util.function.Consumer;
import io.lince.registry.ModelRegistry;
import io.lince.stream.RoutingPolicy;
import io.lince.wire.WireFormat;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole loop on one machine: an in-process broker, a classifier and a trainer, with the demo
 * playing the upstream apps: it publishes images and, for every image sent for retraining,
 * publishes its true label. Prints a live line and returns the final figures.
 */
public final class DemoRunner {

    /**
     * What to stream and how.
     *
     * @param routing which images go to the demo's labeller (measure, threshold, exploration share)
     * @param keep where to keep the model store and the list of labelled images afterwards (else
     *     the run's directory is deleted)
     * @param trainingWait how long to wait, after the last image, for the training it set off
     */
    public record Options(Optional<Path> folder, int limit, double rate, int inputSize, RoutingPolicy routing,
            TrainerSettings trainer, Path workDir, String device, Optional<Path> weights, long seed,
            Duration stallTimeout, Optional<Path> keep, Duration trainingWait, io.lince.watch.Watching watching) {}

    private static final Duration TICK = Duration.ofSeconds(1);

    private final Options options;
    private final PrintStream out;
    private final ClassifierMetrics metrics;
    private final Consumer<LinceNode> started;
    private final WireFormat wire = WireFormat.defaults();

    public DemoRunner(Options options, PrintStream out) {
        this(options, out, ClassifierMetrics.NONE, node -> { });
    }

    /** @param started told when the node runs (health checks, gauges) */
    public DemoRunner(Options options, PrintStream out, ClassifierMetrics metrics, Consumer<LinceNode> started) {
        this.options = options;
        this.out = out;
        this.metrics = metrics;
        this.started = started;
    }

    public Map<String, Object> run(AtomicBoolean stop) throws Exception {
        DemoImages images = options.folder().isPresent()
                ? DemoImages.folder(options.folder().get(), options.seed())
                : DemoImages.synthetic(options.seed());
        if (images.synthetic()) {
            out.println("No folder given: streaming SYNTHETIC images (generated 'discs' and 'stripes'), not photos.");
        }
        int total = Math.min(options.limit(), images.available());
        Path runDir = options.workDir().resolve("demo-" + System.currentTimeMillis());
        Topics topics = Topics.defaults(1);
        NodeOptions node = new NodeOptions(Role.ALL, NodeOptions.Cluster.inProcess(topics, "lince-demo"), runDir,
                io.lince.registry.ModelStore.Location.of(runDir.resolve("models")),
                new NodeOptions.FirstModel(images.classes(), options.weights(), options.inputSize(), options.seed()),
                new NodeOptions.Classifying(Serving.fp32(options.device()), options.routing(), BatchSettings.defaults(),
                        io.lince.stream.InputPolicy.of(FetchPolicy.localFiles(Optional.empty())), 1, options.watching()),
                options.trainer());
        RoutingPolicy r = options.routing();
        out.printf(Locale.ROOT, "Streaming %d images of classes %s through Kafka; sent for labelling: %s %s %.2f%s; "
                + "retraining every %d labels%s.%n", total, images.classes(), r.measure().name().toLowerCase(Locale.ROOT),
                r.measure() == RoutingPolicy.Measure.RANDOM ? "share" : r.selection().adaptive()
                        ? String.format(Locale.ROOT, "above its moving mean + %.2f sd (adaptive), first", r.selection().k())
                        : "threshold", r.threshold(),
                r.selection().exploration() > 0
                        ? String.format(Locale.ROOT, ", plus %.1f%% of all images at random (the stream slice)", 100 * r.selection().exploration())
                        : "",
                options.trainer().retrainEvery(), options.trainer().baseData().map(d -> ", replaying " + d).orElse(""));
        DemoStats stats = new DemoStats();
        Map<String, String> truth = new ConcurrentHashMap<>();
        Map<String, Path> files = new ConcurrentHashMap<>();
        try (LinceNode lince = LinceNode.start(node, metrics)) {
            started.accept(lince);
            Thread producer = new Thread(() -> produce(lince, topics, images, total, truth, files, stats, stop), "demo-producer");
            producer.setDaemon(true);
            producer.start();
            watch(lince, topics, truth, stats, total, stop);
            producer.join(5_000);
            stats.serving(lince);
        } finally {
            if (options.keep().isPresent()) {
                keep(runDir, options.keep().get(), stats, truth, files);
            }
            deleteQuietly(runDir);
        }
        out.println();
        return stats.summary(images.synthetic());
    }

    private void produce(LinceNode lince, Topics topics, DemoImages images, int total, Map<String, String> truth,
            Map<String, Path> files, DemoStats stats, AtomicBoolean stop) {
        var serializer = wire.serde(ImageEvent.class).serializer();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, ImageEvent> p =
                new KafkaProducer<>(lince.clients().producer(), new StringSerializer(), serializer)) {
            for (int i = 0; i < total && !stop.get(); i++) {
                DemoImages.Item item = images.get(i);
                String id = String.format("img-%06d", i + 1);
                truth.put(id, item.label());
                if (item.file() != null) {
                    files.put(id, item.file());
                }
                ImageEvent e = ImageEvent.newBuilder()
                        .setId(id)
                        .setEventTime(Instant.now())
                        .setSource("lince-demo")
                        .setContentType(ImageFormat.sniff(item.bytes()).mimeType())
                        .setBytes(ByteBuffer.wrap(item.bytes()))
                        .build();
                p.send(new ProducerRecord<>(topics.images(), id, e));
                stats.sent();
                pace(t0, i + 1);
            }
        }
    }

    private void pace(long t0, int sent) {
        if (options.rate() <= 0) {
            return;
        }
        long due = t0 + (long) (sent / options.rate() * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reads results, plays the labeller, prints the live line; returns when all are done. */
    private void watch(LinceNode lince, Topics topics, Map<String, String> truth, DemoStats stats, int total,
            AtomicBoolean stop) {
        var classifications = io.lince.wire.ClassificationJson.either(wire.serde(Classification.class).deserializer());
        var samples = wire.serde(RetrainingSample.class).deserializer();
        var deadLetters = wire.serde(DeadLetter.class).deserializer();
        var models = wire.serde(ModelPublished.class).deserializer();
        List<String> watched = List.of(topics.classifications(), topics.retraining(), topics.deadLetter(), topics.models());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(lince.clients().reader(),
                        new StringDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<String, LabelEvent> labeller = new KafkaProducer<>(lince.clients().producer(),
                        new StringSerializer(), wire.serde(LabelEvent.class).serializer())) {
            List<TopicPartition> parts = watched.stream()
                    .flatMap(t -> c.partitionsFor(t).stream().map(p -> new TopicPartition(t, p.partition())))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long lastProgress = System.nanoTime();
            long nextTick = 0;
            int lastDone = 0;
            long waitUntil = Long.MAX_VALUE;
            while (!stop.get()) {
                boolean streamed = stats.sentCount() >= total && stats.done() >= total;
                // once the stream is done, the summary waits for the training the last labels set off
                if (streamed && trainerSettled(lince, stats)) {
                    break;
                }
                if (streamed && waitUntil == Long.MAX_VALUE) {
                    waitUntil = System.nanoTime() + options.trainingWait().toNanos();
                    out.printf("%n  all %d images classified; waiting for the trainer to finish%n", total);
                } else if (streamed && System.nanoTime() > waitUntil) {
                    out.printf("%nstopped waiting for the trainer after %d s%n", options.trainingWait().toSeconds());
                    break;
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String t = r.topic();
                    if (t.equals(topics.classifications())) {
                        Classification cl = classifications.deserialize(t, r.value());
                        stats.classified(cl.getImageId(), cl.getPrediction().getModelVersion(),
                                cl.getPrediction().getLabel().equals(truth.get(cl.getImageId())));
                    } else if (t.equals(topics.retraining())) {
                        RetrainingSample s = samples.deserialize(t, r.value());
                        String id = s.getImage().getId();
                        stats.uncertain(id, s.getRoute());
                        labeller.send(new ProducerRecord<>(topics.labels(), id, LabelEvent.newBuilder()
                                .setImageId(id).setLabel(truth.get(id)).setLabeller("demo-labeller")
                                .setLabelledAt(Instant.now()).build()));
                    } else if (t.equals(topics.deadLetter())) {
                        DeadLetter d = deadLetters.deserialize(t, r.value());
                        stats.deadLettered(d.getImageId() != null ? d.getImageId() : r.key());
                    } else {
                        announce(models.deserialize(t, r.value()), stats);
                    }
                }
                long now = System.nanoTime();
                if (stats.done() != lastDone || streamed) {
                    lastDone = stats.done();
                    lastProgress = now;
                } else if (now - lastProgress > options.stallTimeout().toNanos()) {
                    throw new IllegalStateException("no result for " + options.stallTimeout().toSeconds()
                            + " s; stopping the demo (" + stats.line().trim() + ")");
                }
                if (now >= nextTick) {
                    stats.tick();
                    out.print("\r" + stats.line());
                    out.flush();
                    nextTick = now + TICK.toNanos();
                }
            }
            stats.tick();
            out.print("\r" + stats.line());
        }
    }

    /** The trainer has read every label the demo gave, finished deciding on them, and its last version was seen. */
    private static boolean trainerSettled(LinceNode lince, DemoStats stats) {
        TrainerService trainer = lince.trainer().orElse(null);
        return trainer == null || trainer.idle(stats.labelled()) && stats.publishedSeen(trainer.lastPublished());
    }

    private void announce(ModelPublished m, DemoStats stats) {
        stats.published(m);
        if (m.getVersion() > 1) {
            out.printf("%n  model v%d %s: trained on %d labelled images in %.1f s; %s%s%n", m.getVersion(),
                    m.getStatus(), m.getTrainedOn(), m.getMetrics().getOrDefault("trainSeconds", 0.0), m.getDecision(),
                    ModelRegistry.PROMOTED.equals(m.getStatus()) ? "; the classifier swaps it in" : "; the classifier keeps its model");
        }
    }

    /** Moves the run's model store to {@code dir} and writes {@code labelled.tsv} (id, label, route, file). */
    private void keep(Path runDir, Path dir, DemoStats stats, Map<String, String> truth, Map<String, Path> files) {
        try {
            Files.createDirectories(dir);
            Path models = dir.resolve("models");
            deleteQuietly(models);
            if (Files.isDirectory(runDir.resolve("models"))) {
                Files.move(runDir.resolve("models"), models);
            }
            StringBuilder tsv = new StringBuilder("id\tlabel\troute\tfile\n");
            stats.routes().forEach((id, route) -> tsv.append(id).append('\t').append(truth.get(id)).append('\t')
                    .append(route).append('\t').append(files.containsKey(id) ? files.get(id).toAbsolutePath() : "").append('\n'));
            Files.writeString(dir.resolve("labelled.tsv"), tsv);
            out.printf("%nkept the model store and labelled.tsv in %s%n", dir);
        } catch (java.io.IOException e) {
            out.printf("%ncould not keep the run in %s: %s%n", dir, e.getMessage());
        }
    }

    public static void writeSummary(Map<String, Object> summary, Path file) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // best effort: a leftover run directory is harmless
        }
    }
}
