package io.lince.retraining;

import ai.djl.Device;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.ModelPublished;
import io.lince.images.ImageFolder.Entry;
import io.lince.learn.Calibration;
import io.lince.learn.Dataset;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.learn.FitHistory;
import io.lince.learn.Learner;
import io.lince.learn.Predictions;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.wire.WireFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The training worker: rebuilds the labelled set from the compacted examples topic (so a new
 * instance on an empty disk has the same data), and after every {@code retrainEvery} new examples
 * (or on request, or after an interval) fine-tunes the champion with the {@link Recipe}, on the
 * labelled examples outside the evaluation slices plus replayed base data ({@link ReplayMix}).
 * Candidate and champion are judged on the stream and uncertain slices by the
 * {@link PromotionGate}; the candidate is stored and published either way, as promoted or rejected
 * with the reason. One training at a time, on this service's own thread, on the node's device.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainerService.class);
    static final String LABELS_SEEN = "labelsSeen";
    /** Images the drift reference of a candidate is measured on, at most (a sample of what it saw). */
    static final int REFERENCE_IMAGES = 1_000;

    private final KafkaClients clients;
    private final Topics topics;
    private final WireFormat wire;
    private final ModelRegistry registry;
    private final ModelStore store;
    private final TrainerSettings settings;
    private final Device device;
    private final Path workDir;
    private final LabelledImages images;
    private final TrainingSet set = new TrainingSet();
    private final EvaluationSlice slice;
    private final PromotionGate gate;
    private final ReplayMix replay;
    private final ShadowJudge shadows;
    /** Examples read so far and the set size when the last training decision was settled (for {@link #idle}). */
    private volatile int examplesRead;
    private volatile int settledAt = -1;
    private volatile int lastPublished;
    private final io.lince.kafka.TopicFollower<String, LabelledExample> follower;
    private int retryAt = -1;
    /** A snapshot for other threads; the set itself belongs to the trainer thread. */
    private volatile Map<String, String> labels = Map.of();
    private int lastCheckedSize = -1;
    private final java.util.concurrent.atomic.AtomicReference<String> requested = new java.util.concurrent.atomic.AtomicReference<>();
    private long lastTrainedAt = System.currentTimeMillis();

    /** @param classes the model's classes: base data of other classes is skipped */
    public TrainerService(KafkaClients clients, Topics topics, WireFormat wire, ModelRegistry registry,
            ModelStore store, TrainerSettings settings, Device device, Path workDir, List<String> classes)
            throws IOException {
        this.clients = clients;
        this.topics = topics;
        this.wire = wire;
        this.registry = registry;
        this.store = store;
        this.settings = settings;
        this.device = device;
        this.workDir = workDir;
        this.images = new LabelledImages(workDir.resolve("images"));
        this.slice = new EvaluationSlice(settings.evaluationShare());
        this.gate = new PromotionGate(settings.epsilon(), 1, settings.minimumStreamSlice(), settings.eceDelta());
        this.replay = ReplayMix.load(settings.baseData(), classes);
        if (settings.baseData().isPresent()) {
            LOG.infof("replaying %s from %s in every training (%d skipped: classes the model lacks)",
                    replay.describe(), settings.baseData().get(), replay.skipped());
        }
        this.shadows = new ShadowJudge(clients, topics, wire, registry, settings.shadow());
        // closing waits for a training to reach its next mini-batch
        this.follower = new io.lince.kafka.TopicFollower<>("trainer", () -> new KafkaConsumer<>(clients.reader(),
                new StringDeserializer(), wire.serde(LabelledExample.class).deserializer()),
                io.lince.kafka.TopicFollower.fromBeginning(topics.examples()), Duration.ofMillis(500), Duration.ofSeconds(60), LOG,
                this::apply);
    }

    public TrainerService start() {
        follower.start();
        return this;
    }

    /** After every poll of lince.examples: the examples table, then whether to train. */
    private void apply(ConsumerRecords<String, LabelledExample> records) {
        for (ConsumerRecord<String, LabelledExample> r : records) {
            set.put(r.key(), r.value());
            if (r.value() == null && r.key() != null) {
                images.erase(r.key());
            }
        }
        if (!records.isEmpty()) {
            labels = set.labels();
            examplesRead = set.size();
        }
        if (!shadows.judging()) {
            maybeTrain(); // one candidate at a time: a shadow run is part of judging the last one
        }
        shadows.follow();
        settledAt = set.size();
    }

    /** Why the trainer's thread stopped, if it did (readiness reports it). */
    public java.util.Optional<String> problem() {
        return follower.problem();
    }

    /**
     * Asks for a training as soon as the trainer is free. Requests made while one is pending or
     * running are merged into it: there is never more than one training at a time.
     */
    public void requestTraining(String reason) {
        requested.accumulateAndGet(reason, (old, add) -> old == null ? add : old);
    }

    /** Trains when asked, after {@code retrainEvery} new labels, or when the interval has passed with new labels. */
    private void maybeTrain() {
        String request = requested.get();
        boolean due = settings.retrainInterval().toMillis() > 0
                && System.currentTimeMillis() - lastTrainedAt >= settings.retrainInterval().toMillis();
        if (request == null && !due && set.size() == lastCheckedSize) {
            return; // nothing new since the last look
        }
        lastCheckedSize = set.size();
        // one read of the registry serves the whole decision (each read scans lince.models)
        List<ModelPublished> history = registry.history();
        Map<Integer, ModelPublished> versions = ModelRegistry.versions(history);
        ModelPublished champion = ModelRegistry.champion(history).orElse(null);
        if (champion == null) {
            return;
        }
        ModelPublished latest = versions.get(Collections.max(versions.keySet()));
        int fresh = set.size() - labelsSeen(latest);
        String why = request != null ? "requested: " + request
                : fresh >= settings.retrainEvery() && set.size() >= retryAt ? fresh + " new labels"
                : due && fresh > 0 ? "interval of " + settings.retrainInterval() + " passed with " + fresh + " new labels"
                : null;
        if (why == null) {
            return;
        }
        requested.set(null);
        lastTrainedAt = System.currentTimeMillis();
        try {
            LOG.infof("training (%s)", why);
            ModelPublished base = trainable(history, champion);
            train(base, champion, ModelRegistry.nextVersion(versions.values(), store));
        } catch (Exception e) {
            if (!follower.running()) {
                LOG.infof("training stopped: the trainer is closing (%s)", e.getMessage());
                return;
            }
            retryAt = set.size() + settings.retrainEvery();
            LOG.errorf(e, "training on %d examples failed; next try at %d examples", set.size(), retryAt);
        }
    }

    /**
     * True once this trainer has read at least {@code examples} labelled examples and has finished
     * deciding (and any training) on all it has read: what a demo waits for before its summary.
     */
    public boolean idle(int examples) {
        int read = examplesRead;
        return read >= examples && settledAt == read && !shadows.judging();
    }

    /** The version this trainer published last (0: none yet). */
    public int lastPublished() {
        return lastPublished;
    }

    /** How many labelled examples existed when a version was trained (the trigger counts from there). */
    static int labelsSeen(ModelPublished m) {
        return m.getMetrics().getOrDefault(LABELS_SEEN, (double) m.getTrainedOn()).intValue();
    }

    /**
     * The version to fine-tune: the champion, or, when its artifact is missing, outside the store,
     * corrupt or holds another version, the newest version promoted before it whose artifact
     * verifies (what the classifiers fall back to serving as well). One bad record on the registry
     * must not stop every training.
     */
    private ModelPublished trainable(List<ModelPublished> history, ModelPublished champion) throws java.io.IOException {
        List<String> refused = new ArrayList<>();
        for (ModelPublished m : ModelRegistry.servable(history)) {
            try {
                store.verified(m);
                if (!refused.isEmpty()) {
                    LOG.errorf("training from v%d, the newest promoted version that verifies, not the champion v%d; refused: %s",
                            m.getVersion(), champion.getVersion(), String.join("; ", refused));
                }
                return m;
            } catch (java.io.IOException e) {
                refused.add("v" + m.getVersion() + ": " + e.getMessage());
            }
        }
        throw new java.io.IOException("no promoted model version verifies: " + String.join("; ", refused));
    }

    /**
     * Trains a candidate from {@code base} (the champion, or what serves in its stead) with the
     * recipe on the labelled examples outside the evaluation slice, judges both on the slice,
     * stores the candidate with its lineage and publishes it as promoted or rejected (with the
     * reason); a promotion holds only if {@code champion} still is the champion when it lands.
     * Returns what was published.
     */
    ModelPublished train(ModelPublished base, ModelPublished champion, int version) throws Exception {
        long t0 = System.nanoTime();
        LabelledImages.Split split = images.write(set.examples(), base.getClasses(), slice);
        LabelledImages.Part labelled = split.train();
        if (labelled.size() < 2 || split.uncertainSlice().size() + split.streamSlice().size() == 0) {
            throw new IllegalStateException(labelled.size() + " training and " + split.evalIds().size()
                    + " evaluation examples: need at least 2 and 1");
        }
        if (split.skipped() > 0) {
            LOG.infof("%d labelled examples skipped (a class the model lacks, or an image given by URI)", split.skipped());
        }
        List<Entry> replayed = replay.draw(labelled.size(), settings.recipe().replayRatio(), version);
        List<Entry> train = new ArrayList<>(labelled.entries());
        train.addAll(replayed);
        List<Entry> judged = new ArrayList<>(split.streamSlice().entries());
        judged.addAll(split.uncertainSlice().entries());
        Dataset data = new Dataset(workDir, Dataset.Layout.CLASS_FOLDERS, base.getClasses(), train, judged, List.of());
        Candidate c = fineTune(base, version, data, split);
        PromotionGate.Verdict verdict = gate.decide(c.after(), c.before(), c.calibration(), c.championCalibration());
        store.putLineage(version, labelled.ids(), split.evalIds(), settings.recipe().toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> metrics = new java.util.TreeMap<>(Map.of(
                "trainLoss", c.trainLoss(),
                "trainSeconds", seconds,
                LABELS_SEEN, (double) set.size(),
                "replayed", (double) replayed.size()));
        putScores(metrics, "eval", c.after().uncertain());
        putScores(metrics, "championEval", c.before().uncertain());
        putScores(metrics, "stream", c.after().stream());
        putScores(metrics, "championStream", c.before().stream());
        putCalibration(metrics, "", c.calibration());
        putCalibration(metrics, "champion", c.championCalibration());
        boolean shadowFirst = verdict.promote() && settings.shadow().required();
        if (shadowFirst) {
            metrics.put(ShadowJudge.REQUIRED, 1.0); // whichever trainer reads the shadow batches decides it
        }
        ModelPublished published = ModelRegistry.candidate(c.stored(), c.info(), metrics, labelled.size());
        published.setTrainingData(EvaluationSlice.describe(labelled.ids()) + (replayed.isEmpty() ? ""
                : String.format(java.util.Locale.ROOT, " + %d replayed base images", replayed.size())));
        published.setEvaluationSlice(String.format(java.util.Locale.ROOT, "stream: %s; uncertain: %s",
                EvaluationSlice.describe(split.streamSlice().ids()), EvaluationSlice.describe(split.uncertainSlice().ids())));
        published.setDecision(verdict.reason());
        if (settings.int8().enabled()) {
            int8(published, c.stored(), train, judged, metrics);
        }
        if (shadowFirst) {
            // promoted only once it has passed on live traffic: see ShadowJudge
            published.setStatus(ModelRegistry.SHADOW);
            published.setDecision(verdict.reason() + "; shadowed on live traffic before promotion");
            registry.publish(published);
        } else if (verdict.promote()) {
            published.setStatus(ModelRegistry.PROMOTED);
            published.setPromotedAt(published.getPublishedAt());
            published = registry.publishCandidate(published, champion);
        } else {
            published.setStatus(ModelRegistry.REJECTED);
            published = registry.publishCandidate(published, champion);
        }
        lastPublished = version;
        LOG.infof("model v%d %s: trained on %d labelled and %d replayed images in %.1f s (%s); %s", version,
                published.getStatus(), labelled.size(), replayed.size(), seconds, settings.recipe(), verdict.reason());
        return published;
    }

    /**
     * The candidate's INT8 graph, stored beside it, and the INT8 gate's verdict into its record
     * ({@link Int8Gate}). A failure here is logged and recorded, and never costs the training.
     */
    private void int8(ModelPublished published, ModelStore.Stored stored, List<Entry> train, List<Entry> judged,
            Map<String, Double> metrics) {
        int version = published.getVersion();
        if (judged.size() < settings.int8().minimumImages()) {
            // a graph that cannot be judged cannot serve: not worth delaying the publication for
            published.setInt8Decision(String.format(java.util.Locale.ROOT,
                    "no INT8 graph: the evaluation slice has %d images, %d needed to judge one (lince.trainer.int8.min-images)",
                    judged.size(), settings.int8().minimumImages()));
            return;
        }
        try (LinceModel folded = LinceModel.loadForServing(stored.file(), device, true)) {
            long t0 = System.nanoTime();
            Int8Gate.Result r = new Int8Gate(settings.int8()).check(folded, train, judged, version);
            ModelStore.Stored graph = store.putInt8(version, r.graph());
            published.setInt8ArtifactUri(graph.uri());
            published.setInt8Sha256(graph.sha256());
            published.setInt8Allowed(r.allowed());
            published.setInt8Decision(r.reason());
            metrics.putAll(r.metrics());
            metrics.put("int8.seconds", (System.nanoTime() - t0) / 1e9);
            published.setMetrics(new java.util.TreeMap<>(metrics));
            LOG.infof("model v%d: %s", version, r.reason());
        } catch (IOException | RuntimeException e) {
            published.setInt8Decision("no INT8 graph: " + e.getMessage());
            LOG.warnf(e, "model v%d: no INT8 graph: %s", version, e.getMessage());
        }
    }

    /** A trained candidate, stored, with both models' scores on the slices and their calibration on both together. */
    private record Candidate(ModelInfo info, ModelStore.Stored stored, PromotionGate.Judged before,
            PromotionGate.Judged after, double trainLoss, Calibration.Report calibration,
            Calibration.Report championCalibration) {}

    /** Scores the champion, runs the recipe on it, scores and stores the result; the fit tables go to the training log. */
    private Candidate fineTune(ModelPublished champion, int version, Dataset data, LabelledImages.Split split)
            throws IOException {
        Path runDir = workDir.resolve("run");
        deleteTree(runDir); // activations cached by the last run belong to another data set
        Recipe recipe = settings.recipe();
        try (PrintStream log = new PrintStream(Files.newOutputStream(store.trainingLog(version)), true, StandardCharsets.UTF_8)) {
            log.printf("v%d from v%d: %s%n", version, champion.getVersion(), recipe);
            log.printf("training on %d images (%d labelled), judged on %d stream and %d uncertain slice images%n",
                    data.train().size(), split.train().size(), split.streamSlice().size(), split.uncertainSlice().size());
            LinceModel model = LinceModel.load(store.verified(champion.getArtifactUri(), champion.getSha256()), device);
            ModelInfo info = model.info();
            double championTemperature = info.temperature();
            Learner.Settings ls = new Learner.Settings(info.inputSize(), recipe.batchSize(),
                    recipe.augmentationPreset(), Recipe.headOptimizer(), version, runDir);
            Learner learner;
            try {
                learner = new Learner(model, data, ls, log);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            try (learner) {
                learner.stopWhen(() -> !follower.running()); // closing: stop at the next mini-batch
                Judgement before = judge(learner, split);
                recipe.run(learner);
                Judgement after = judge(learner, split);
                FitHistory h = learner.history();
                // calibration on both slices together: the champion at the temperature it serves with,
                // the candidate at one fitted here (judged cross-fitted: see PromotionGate)
                Calibration.Report championCalibration = Calibration.report(before.probabilities(), before.labels(),
                        championTemperature);
                Calibration.Report calibration = Calibration.crossFitted(after.probabilities(), after.labels(), after.fold());
                List<Entry> seen = new ArrayList<>(data.train());
                seen.addAll(data.valid());
                if (seen.size() > REFERENCE_IMAGES) { // a forward pass each: a fixed sample bounds the time
                    java.util.Collections.shuffle(seen, new java.util.Random(version));
                    seen = seen.subList(0, REFERENCE_IMAGES);
                }
                io.lince.model.DriftReference reference = learner.reference(seen, after.probabilities(), calibration.temperature()).orElse(null);
                reliabilityDiagram(version, before, after, championCalibration, calibration, log);
                ModelInfo next = new ModelInfo(version, champion.getVersion(), info.classes(), info.inputSize(),
                        calibration.temperature(), reference);
                log.printf("calibration on %d images: temperature %.3f, ECE %.4f (cross-fitted), Brier %.4f; champion (T %.3f) ECE %.4f, Brier %.4f%n",
                        calibration.images(), calibration.temperature(), calibration.ece(), calibration.brier(),
                        championCalibration.temperature(), championCalibration.ece(), championCalibration.brier());
                return new Candidate(next, store.put(next, learner.model().network()), before.judged(), after.judged(),
                        h.epochs().get(h.epochs().size() - 1).trainLoss(), calibration, championCalibration);
            }
        }
    }

    /**
     * A model's scores on each slice, and its probabilities (temperature 1) on both slices
     * together, with the labels and each image's calibration fold (half of them, by a hash of the file name).
     */
    private record Judgement(PromotionGate.Judged judged, float[][] probabilities, int[] labels, boolean[] fold) {}

    /** The learner's model's accuracy and log loss on each slice (centre crops). */
    private static Judgement judge(Learner learner, LabelledImages.Split split) {
        Predictions stream = predict(learner, split.streamSlice());
        Predictions uncertain = predict(learner, split.uncertainSlice());
        int n = stream.size() + uncertain.size();
        float[][] p = new float[n][];
        int[] labels = new int[n];
        boolean[] fold = new boolean[n];
        int i = 0;
        for (Predictions part : List.of(stream, uncertain)) {
            for (int j = 0; j < part.size(); j++, i++) {
                p[i] = part.probabilities()[j];
                labels[i] = part.labels()[j];
                fold[i] = (part.files().get(j).getFileName().toString().hashCode() & 1) == 0;
            }
        }
        return new Judgement(new PromotionGate.Judged(scores(stream), scores(uncertain)), p, labels, fold);
    }

    private static Predictions predict(Learner learner, LabelledImages.Part part) {
        return learner.predict(part.entries(), 0, 1.0);
    }

    private static PromotionGate.Scores scores(Predictions p) {
        return p.size() == 0 ? PromotionGate.Scores.EMPTY : new PromotionGate.Scores(p.accuracy(), p.logLoss(), p.size());
    }

    /**
     * Beside the artifact: the reliability diagram of champion and candidate on the slices
     * ({@code resnet34-v0005.reliability.png}), each at the temperature it serves with.
     */
    private void reliabilityDiagram(int version, Judgement before, Judgement after, Calibration.Report champion,
            Calibration.Report candidate, PrintStream log) {
        if (after.labels().length == 0) {
            return;
        }
        Map<String, List<Calibration.Bin>> series = new java.util.LinkedHashMap<>();
        series.put(String.format(java.util.Locale.ROOT, "champion (T %.2f)", champion.temperature()), Calibration.reliability(
                Calibration.rescale(before.probabilities(), champion.temperature()), before.labels(), Calibration.ECE_BINS));
        series.put("candidate, uncalibrated", Calibration.reliability(after.probabilities(), after.labels(), Calibration.ECE_BINS));
        series.put(String.format(java.util.Locale.ROOT, "candidate (T %.2f)", candidate.temperature()), Calibration.reliability(
                Calibration.rescale(after.probabilities(), candidate.temperature()), after.labels(), Calibration.ECE_BINS));
        try {
            store.putReliabilityDiagram(version, file -> io.lince.learn.report.Charts.reliability(series,
                    "v" + version + " on its evaluation slices", file));
        } catch (IOException | RuntimeException e) {
            log.println("no reliability diagram: " + e); // a chart must never cost a training
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** {@code ece}, {@code brier} and {@code temperature}, or {@code championEce}… with a prefix. */
    private static void putCalibration(Map<String, Double> metrics, String prefix, Calibration.Report r) {
        if (r.images() == 0) {
            return;
        }
        metrics.put(prefix.isEmpty() ? "ece" : prefix + "Ece", r.ece());
        metrics.put(prefix.isEmpty() ? "brier" : prefix + "Brier", r.brier());
        metrics.put(prefix.isEmpty() ? "temperature" : prefix + "Temperature", r.temperature());
    }

    private static void putScores(Map<String, Double> metrics, String prefix, PromotionGate.Scores s) {
        if (s.images() == 0) {
            return;
        }
        metrics.put(prefix + ".accuracy", s.accuracy());
        metrics.put(prefix + ".logLoss", s.logLoss());
        metrics.put(prefix + ".images", (double) s.images());
    }

    /** The labelled set as this trainer knows it now: image id → label. */
    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
        shadows.close();
    }
}
