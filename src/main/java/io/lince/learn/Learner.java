package io.lince.learn;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import io.lince.model.Checkpoint;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.model.ResNet34;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The notebook's {@code ConvLearner} in Java: a ResNet-34 with a new head on a {@link Dataset},
 * frozen body, optional precomputed activations, {@code lrFind}, SGDR or one-cycle {@code fit},
 * {@code unfreeze} with differential rates, named checkpoints and TTA. It keeps the whole session's
 * history for the plots. The model it saves is a Lince checkpoint that {@code serve} runs.
 */
public final class Learner implements AutoCloseable {

    /**
     * @param size input side in pixels
     * @param augmentation training transforms (not used while precomputing)
     * @param workDir holds {@code models/} (named checkpoints) and {@code cache/} (activations)
     */
    public record Settings(int size, int batchSize, Augmentation augmentation, OptimizerSettings optimizer, long seed, Path workDir) {
        Settings with(OptimizerSettings other) {
            return new Settings(size, batchSize, augmentation, other, seed, workDir);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinceModel model;
    private final Dataset data;
    private Settings settings;
    private final PrintStream out;
    private final ImageLoader loader;
    private final Map<Integer, ImageLoader> loaders = new HashMap<>();
    private final ExecutorService decodePool;
    private final ActivationCache cache;
    private final FitHistory history = new FitHistory();
    private ModelInfo info;
    private boolean precompute;
    private float labelSmoothing;
    private Mixup mixup = new Mixup(0);
    private Resizing resizing;
    private MixedPrecision mixedPrecision;
    private BooleanSupplier stop = () -> false;

    /**
     * Training batches decoded ahead of the step. Three are enough to cover one slow batch (a large
     * JPEG, a page fault) without holding more than a few batches of floats.
     */
    public static final int PREFETCH_DEPTH = 3;
    private int prefetch = PREFETCH_DEPTH;

    public Learner(LinceModel model, Dataset data, Settings settings, PrintStream out) {
        if (!model.info().classes().equals(data.classes())) {
            throw new IllegalArgumentException("the model's classes " + model.info().classes()
                    + " are not the data set's " + data.classes());
        }
        this.model = model;
        this.data = data;
        this.settings = settings;
        this.out = out;
        this.loader = new ImageLoader(settings.size(), out);
        loaders.put(settings.size(), loader);
        this.cache = new ActivationCache(settings.workDir().resolve("cache"), out);
        // the decode pool of this learner: one thread per core, daemons so a learner left open cannot
        // hold the JVM. Not at a lower OS priority: that made epochs slower, not faster, since the
        // decode threads then ran late, in bursts, against the passes (README, Lesson 1).
        AtomicInteger threads = new AtomicInteger();
        this.decodePool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "lince-train-decode-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.info = new ModelInfo(model.info().version(), model.info().parentVersion(), data.classes(), settings.size());
        freeze();
        precision(MixedPrecision.Mode.AUTO);
    }

    /**
     * A learner on {@code weights}: a Lince checkpoint, torchvision/timm ResNet-34 weights in a
     * {@code .safetensors} file (new head for the data set's classes), or none (random initialisation).
     */
    public static Learner create(Dataset data, Settings settings, Optional<Path> weights, Device device, PrintStream out)
            throws IOException {
        ModelInfo info = new ModelInfo(1, null, data.classes(), settings.size());
        LinceModel model;
        if (weights.isEmpty()) {
            model = LinceModel.random(info, device, settings.seed());
        } else if (Checkpoint.looksLikeCheckpoint(weights.get())) {
            model = LinceModel.load(weights.get(), device);
        } else {
            model = LinceModel.fromWeights(weights.get(), info, device, settings.seed());
        }
        try {
            return new Learner(model, data, settings, out);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Only the head trains (fastai's {@code freeze()}). */
    public void freeze() {
        model.network().freezeTo(ResNet34.GROUPS - 1);
    }

    /** Every layer group trains (fastai's {@code unfreeze()}); precomputed activations no longer apply. */
    public void unfreeze() {
        model.network().freezeTo(0);
        precompute = false;
    }

    public void freezeTo(int group) {
        model.network().freezeTo(group);
        if (group < ResNet34.GROUPS - 1) {
            precompute = false;
        }
    }

    /** fastai's {@code bn_freeze}: BatchNorm keeps its running statistics while the body trains. */
    public void bnFreeze(boolean on) {
        model.network().freezeBatchNorm(on);
    }

    /** Label smoothing of the fits that follow (0, plain cross-entropy, by default). */
    public void labelSmoothing(float epsilon) {
        labelSmoothing = epsilon;
    }

    /**
     * How many batches the fits that follow decode ahead ({@link #PREFETCH_DEPTH} by default); 0
     * decodes each batch when the step asks for it (its images still in parallel).
     */
    public void prefetch(int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("prefetch depth must be 0 (off) or more, got " + depth);
        }
        prefetch = depth;
    }

    /** mixup of the training batches of the fits that follow ({@code alpha} 0: off, the default). */
    public void mixup(double alpha) {
        mixup = new Mixup(alpha);
    }

    /**
     * The precision of the fits that follow: {@code auto} (the default) trains in fp16 with loss
     * scaling on a GPU and in fp32 on a CPU, where libtorch's fp16 kernels are slower (see
     * {@link MixedPrecision}).
     */
    public void precision(MixedPrecision.Mode mode) {
        mixedPrecision = MixedPrecision.choose(mode, model.djlModel().getNDManager().getDevice());
    }

    /** Whether the fits that follow run in mixed precision. */
    public boolean mixedPrecision() {
        return mixedPrecision != null;
    }

    /**
     * Progressive resizing of the fits that follow (null: every epoch at the learner's size). The
     * plan must end at the learner's size, the one the model is saved and served at.
     */
    public void resizing(Resizing plan) {
        if (plan != null && plan.last() != settings.size()) {
            throw new IllegalArgumentException("progressive resizing must end at the model's input size "
                    + settings.size() + ", not " + plan.last());
        }
        resizing = plan;
    }

    /** A fit in progress ends, between mini-batches, once {@code stop} says so (a service shutting down). */
    public void stopWhen(BooleanSupplier stop) {
        this.stop = stop;
    }

    /** The optimizer of the fits that follow (a recipe may train the head and the body differently). */
    public void optimizer(OptimizerSettings optimizer) {
        settings = settings.with(optimizer);
    }

    /** Train the head on cached body activations instead of images (needs a frozen body). */
    public void precompute(boolean on) {
        if (on && !model.network().frozen(ResNet34.GROUPS - 2)) {
            throw new IllegalStateException("precomputed activations need a frozen body: call freeze() first");
        }
        precompute = on;
    }

    public LrFindResult lrFind(float[] ratios) throws IOException {
        Sources s = sources(settings.size());
        LrFindResult r = inTrainingForm(s, () -> new LrFinder(model, settings.optimizer(), settings.seed())
                .find(s.train(), ratios, LrFinder.START, LrFinder.END, LrFinder.MAX_ITERATIONS, out));
        out.printf("lr_find: steepest %.2e, minimum/10 %.2e, valley %.2e%n", r.steepest(), r.minimumTenth(), r.valley());
        return r;
    }

    /** SGDR; with {@code checkpoint} the model is saved under that name after each epoch. */
    public FitHistory fit(float[] lrs, Sgdr.Spec spec, String checkpoint, boolean resume) throws IOException {
        return run(lrs, spec::schedule, spec.epochs(), "sgdr " + spec, checkpoint, resume);
    }

    public FitHistory fitOneCycle(float[] lrs, int epochs, String checkpoint, boolean resume) throws IOException {
        return run(lrs, batches -> OneCycle.of((long) epochs * batches), epochs, "one-cycle " + epochs, checkpoint, resume);
    }

    private FitHistory run(float[] lrs, java.util.function.IntFunction<Schedule> schedule, int epochs, String fitPlan,
            String checkpoint, boolean resume) throws IOException {
        if (precompute && !settings.augmentation().isNone()) {
            out.println("note: precomputed activations are of the centre crop; augmentation applies once precompute is off");
        }
        Resizing sizes = resizing != null ? resizing : Resizing.fixed(settings.size());
        String plan = resizing == null ? fitPlan : fitPlan + " sizes " + sizes.sizes() + " " + sizes.split(epochs);
        int start = resume && checkpoint != null ? resumeFrom(checkpoint, plan, lrs) : 0;
        FitLoop loop = new FitLoop(model, settings.optimizer(), settings.seed(), out)
                .labelSmoothing(labelSmoothing).mixup(mixup).mixedPrecision(mixedPrecision).stopWhen(stop);
        try (SizedSources sized = new SizedSources()) {
            int batches = sized.at(sizes.sizeAt(start, epochs)).train().batches();
            FitHistory h = loop.fit(epoch -> sized.at(sizes.sizeAt(epoch, epochs)), lrs, schedule.apply(batches), epochs, start,
                    (epoch, r) -> {
                        if (checkpoint != null) {
                            sized.inServingForm(() -> save(checkpoint));
                            JSON.writeValue(progressFile(checkpoint).toFile(), new FitProgress(plan, lrs, epoch + 1));
                        }
                    });
            history.append(h);
            return h;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The sources of the size a fit is at. On precomputed activations the head trains in the
     * standardised space of that size's activations: a change of size folds the head back out of
     * one space before unfolding it into the next, and closing folds it back for good.
     */
    private final class SizedSources implements AutoCloseable {
        private Sources current;
        private int size;

        FitLoop.EpochData at(int side) {
            if (current == null || side != size) {
                close();
                try {
                    current = sources(side);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                size = side;
                if (current.z() != null) {
                    current.z().unfold(model.network());
                }
            }
            return new FitLoop.EpochData(current.train(), current.valid(), side);
        }

        <T> T inServingForm(Work<T> work) throws IOException {
            return Learner.this.inServingForm(current, work);
        }

        @Override
        public void close() {
            if (current != null && current.z() != null) {
                current.z().fold(model.network());
            }
            current = null;
        }
    }

    /** What one fit reads: images, or standardised activations (with the standardisation). */
    private record Sources(BatchSource train, BatchSource valid, Standardization z) {}

    private ImageLoader loader(int side) {
        return loaders.computeIfAbsent(side, s -> new ImageLoader(s, out));
    }

    private Sources sources(int side) throws IOException {
        ImageLoader at = loader(side);
        ImageBatches train = new ImageBatches(data.train(), data.classes(), at, settings.augmentation(), settings.batchSize());
        ImageBatches valid = new ImageBatches(data.valid(), data.classes(), at, null, settings.batchSize());
        if (prefetch > 0) {
            train = train.prefetching(decodePool, prefetch);
            valid = valid.prefetching(decodePool, prefetch);
        }
        if (!precompute) {
            return new Sources(train, valid, null);
        }
        Activations t = cache.get(model, train, "train");
        Activations v = cache.get(model, valid, "valid");
        Standardization z = Standardization.of(t);
        return new Sources(new ActivationBatches(z.apply(t), settings.batchSize()),
                new ActivationBatches(z.apply(v), settings.batchSize()), z);
    }

    private interface Work<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} with the head in z-space when training on activations; folds it back after. */
    private <T> T inTrainingForm(Sources s, Work<T> work) throws IOException {
        if (s.z() == null) {
            return work.run();
        }
        s.z().unfold(model.network());
        try {
            return work.run();
        } finally {
            s.z().fold(model.network());
        }
    }

    private <T> T inServingForm(Sources s, Work<T> work) throws IOException {
        if (s.z() == null) {
            return work.run();
        }
        s.z().fold(model.network());
        try {
            return work.run();
        } finally {
            s.z().unfold(model.network());
        }
    }

    /** Where an interrupted fit of the same plan stopped (0 if it did not start or differs). */
    private int resumeFrom(String checkpoint, String plan, float[] lrs) throws IOException {
        Path p = progressFile(checkpoint);
        if (!Files.isRegularFile(p)) {
            return 0;
        }
        FitProgress progress = JSON.readValue(p.toFile(), FitProgress.class);
        if (!progress.plan().equals(plan) || !Arrays.equals(progress.lrs(), lrs)) {
            out.println("not resuming: " + p + " records another plan (" + progress.plan() + ")");
            return 0;
        }
        load(checkpoint);
        out.printf("resuming %s after epoch %d%n", checkpoint, progress.epochsDone());
        return progress.epochsDone();
    }

    /** What a fit with checkpoints has finished, for {@code --resume}. */
    public record FitProgress(String plan, float[] lrs, int epochsDone) {}

    private Path progressFile(String name) {
        return modelsDir().resolve(name + ".progress.json");
    }

    public Path save(String name) throws IOException {
        return save(name, info);
    }

    private Path save(String name, ModelInfo as) throws IOException {
        Files.createDirectories(modelsDir());
        Path file = checkpointPath(name);
        Path tmp = Files.createTempFile(modelsDir(), name, ".tmp");
        Checkpoint.write(tmp, as, model.network());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /**
     * Saves the model as {@link #save} does, calibrated for serving: with the temperature that fits
     * the validation set best and the drift reference (embeddings of the train and valid images,
     * confidence on valid) that the drift watch compares the stream with. Without a validation set it saves as it is.
     *
     * @return the checkpoint and the temperature it carries
     */
    public Path saveCalibrated(String name) throws IOException {
        if (data.valid().isEmpty()) {
            return save(name);
        }
        Predictions valid = predictValid(0, 1);
        double t = Calibration.fitTemperature(valid.probabilities(), valid.labels());
        List<Entry> seen = new ArrayList<>(data.train());
        seen.addAll(data.valid());
        ModelInfo calibrated = info.calibrated(t, reference(seen, valid.probabilities(), t).orElse(null));
        Calibration.Report before = Calibration.report(valid.probabilities(), valid.labels(), 1);
        Calibration.Report after = Calibration.report(valid.probabilities(), valid.labels(), t);
        out.printf(java.util.Locale.ROOT, "calibration on valid: temperature %.3f; ECE %.4f -> %.4f, log loss %.4f -> %.4f"
                + " (fitted on the images it is judged on)%n", t, before.ece(), after.ece(), before.logLoss(), after.logLoss());
        return save(name, calibrated);
    }

    /** Loads a named checkpoint's weights into this learner (the frozen groups stay as they are). */
    public void load(String name) throws IOException {
        Path file = checkpointPath(name);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint named '" + name + "' (" + file + ")");
        }
        ModelInfo saved = Checkpoint.readInfo(file);
        if (!saved.classes().equals(data.classes())) {
            throw new IOException(file + " has classes " + saved.classes() + ", the data set " + data.classes());
        }
        Checkpoint.readInto(file, model.network(), model.djlModel().getNDManager());
        // loading replaces the parameters' arrays: set which of them need gradients again
        model.network().freezeTo(model.network().trainableFrom());
    }

    public Path checkpointPath(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("checkpoint names use letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        return modelsDir().resolve(name + ".lince");
    }

    private Path modelsDir() {
        return settings.workDir().resolve("models");
    }

    /** Validation predictions: the centre crop, or with {@code ttaViews > 0} test-time augmentation. */
    public Predictions predictValid(int ttaViews, double originalWeight) {
        return predict(data.valid(), ttaViews, originalWeight);
    }

    public Predictions predict(List<Entry> entries, int ttaViews, double originalWeight) {
        Augmentation aug = settings.augmentation().isNone() ? Augmentation.preset(Augmentation.SIDE_ON, 1.1) : settings.augmentation().forTta();
        return new Tta(loader, aug, ttaViews, originalWeight, settings.seed()).predict(model, entries, data.classes(), out);
    }

    /**
     * The drift reference of this learner's model (centre crops): the embeddings of {@code
     * images}, and the confidence at temperature {@code temperature} of images it was not trained
     * on, whose probabilities (at temperature 1) the caller has already ({@code heldOut}: on its
     * own training images a model is surer than it will be on the stream, and the watch would call
     * that drift); of {@code images} when fewer than {@link #MINIMUM_HELD_OUT} are held out.
     * Unreadable files are skipped; empty when none can be read.
     */
    public Optional<io.lince.model.DriftReference> reference(List<Entry> images, float[][] heldOut, double temperature) {
        ModelRunner.Embedded seen = outputs(images);
        if (seen.embeddings().length == 0) {
            return Optional.empty();
        }
        float[][] judged = heldOut.length >= MINIMUM_HELD_OUT ? heldOut : seen.probabilities();
        float[] confidence = new float[judged.length];
        for (int i = 0; i < judged.length; i++) {
            float[] p = Calibration.rescale(judged[i], temperature);
            confidence[i] = p[Calibration.top(p)];
        }
        return Optional.of(io.lince.model.DriftReference.of(confidence, seen.embeddings(), data.classes().size()));
    }

    /** Held-out images needed for the reference's confidence histogram to come from them alone. */
    public static final int MINIMUM_HELD_OUT = 50;

    /** Probabilities (temperature 1) and embeddings of {@code entries}' centre crops, readable files only. */
    private ModelRunner.Embedded outputs(List<Entry> entries) {
        ModelRunner runner = new ModelRunner(model);
        long[] shape = {3, loader.size(), loader.size()};
        List<float[]> probabilities = new ArrayList<>();
        List<float[]> embeddings = new ArrayList<>();
        int step = Math.max(1, settings.batchSize());
        for (int from = 0; from < entries.size(); from += step) {
            List<float[]> rows = new ArrayList<>();
            for (Entry e : entries.subList(from, Math.min(entries.size(), from + step))) {
                loader.tensor(e.file(), null, null).ifPresent(rows::add);
            }
            if (rows.isEmpty()) {
                continue;
            }
            ModelRunner.Embedded out = runner.embedded(MiniBatch.of(rows), shape);
            for (int i = 0; i < rows.size(); i++) {
                probabilities.add(out.probabilities()[i]);
                embeddings.add(out.embeddings()[i]);
            }
        }
        return new ModelRunner.Embedded(probabilities.toArray(float[][]::new), embeddings.toArray(float[][]::new));
    }

    /** The training batches as a fit would read them (standardised activations when precomputing). */
    BatchSource trainSource() throws IOException {
        return sources(settings.size()).train();
    }

    BatchSource validSource() throws IOException {
        return sources(settings.size()).valid();
    }

    public FitHistory history() {
        return history;
    }

    public ActivationCache cache() {
        return cache;
    }

    public ImageLoader loader() {
        return loader;
    }

    public LinceModel model() {
        return model;
    }

    public Dataset data() {
        return data;
    }

    @Override
    public void close() {
        decodePool.shutdownNow();
        model.close();
    }
}
