package io.lince.watch;

import io.lince.contracts.Prediction;
import io.lince.contracts.ShadowBatch;
import io.lince.model.ImageClassifier;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.model.ModelSlot;
import io.lince.stream.RoutingPolicy;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Mirrors the shadowed version (see {@code ModelRegistry.SHADOW}) on live traffic: after the
 * champion's forward pass over a batch, with probability {@code share}, the batch's crops are
 * copied and the shadow runs on them on a thread of its own, and what both said goes to
 * {@code lince.shadow} as a {@link ShadowBatch}. Off the critical path: the champion's results are
 * published without waiting for it, and when the shadow is still busy with an earlier batch the
 * new one is not queued but skipped (counted), so a slow or broken shadow can never hold back the
 * stream. On a CPU the shadow's pass does share the cores with the champion's; {@code share}
 * bounds what that costs. A shadow of another input size than the champion is not mirrored.
 */
public final class ShadowRunner implements ImageClassifier.BatchListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ShadowRunner.class);

    private final double share;
    private final RoutingPolicy routing;
    private final Consumer<ShadowBatch> out;
    private final String node = DriftWatch.nodeName();
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(1), r -> {
                Thread t = new Thread(r, "lince-shadow");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
    private volatile ModelSlot shadow;
    private final AtomicLong mirrored = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param share of the batches mirrored (0 to 1)
     * @param routing the rule by which "would it send this image for labelling" is counted
     * @param out where each mirrored batch's record goes (the shadow topic)
     */
    public ShadowRunner(double share, RoutingPolicy routing, Consumer<ShadowBatch> out) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("the shadow share must be between 0 and 1, got " + share);
        }
        this.share = share;
        this.routing = routing;
        this.out = out;
    }

    /** Mirrors {@code model} from now on (the one mirrored before is closed once its last batch is done). */
    public synchronized void mirror(LinceModel model) {
        ModelSlot old = shadow;
        shadow = new ModelSlot(model);
        if (old != null) {
            old.close();
        }
        LOG.infof("shadowing v%d on %.0f%% of batches", model.info().version(), 100 * share);
    }

    /** Stops mirroring. */
    public synchronized void stop() {
        ModelSlot old = shadow;
        shadow = null;
        if (old != null) {
            LOG.infof("no longer shadowing v%d", old.info().version());
            old.close();
        }
    }

    /** The version mirrored now. */
    public Optional<Integer> version() {
        ModelSlot s = shadow;
        return s == null ? Optional.empty() : Optional.of(s.info().version());
    }

    /** Batches mirrored, skipped because the shadow was busy, and failed in the shadow's pass. */
    public long[] counts() {
        return new long[] {mirrored.get(), skipped.get(), failed.get()};
    }

    @Override
    public void ran(ModelInfo champion, ByteBuffer crops, int views, List<ImageClassifier.Classified> results,
            float inferenceMillis) {
        ModelSlot s = shadow;
        if (s == null || share == 0 || ThreadLocalRandom.current().nextDouble() >= share) {
            return;
        }
        if (s.info().inputSize() != champion.inputSize()) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(crops.remaining()).put(crops.duplicate()).flip();
        List<Prediction> champions = results.stream().map(ImageClassifier.Classified::prediction).toList();
        try {
            thread.execute(() -> run(s, champion.version(), copy, views, champions, inferenceMillis));
        } catch (java.util.concurrent.RejectedExecutionException busy) {
            skipped.incrementAndGet(); // still on an earlier batch: the stream never waits for the shadow
        }
    }

    private void run(ModelSlot s, int championVersion, ByteBuffer crops, int views, List<Prediction> champions,
            float championMillis) {
        try {
            long t0 = System.nanoTime();
            List<Prediction> shadows = s.withModel(m -> {
                float[][] p = m.outputs(crops, champions.size() * views).probabilities();
                return java.util.stream.IntStream.range(0, champions.size())
                        .mapToObj(i -> ImageClassifier.combine(java.util.Arrays.asList(p).subList(i * views, (i + 1) * views), m.info()))
                        .toList();
            });
            double millis = (System.nanoTime() - t0) / 1e6;
            out.accept(compare(s.info().version(), championVersion, champions, shadows, championMillis, millis));
            mirrored.incrementAndGet();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.warnf("the shadow v%d failed on a batch (the stream is not affected): %s", s.info().version(), e.toString());
        }
    }

    ShadowBatch compare(int shadowVersion, int championVersion, List<Prediction> champion, List<Prediction> shadow,
            double championMillis, double shadowMillis) {
        int agreed = 0;
        int championRouted = 0;
        int shadowRouted = 0;
        double cConf = 0;
        double sConf = 0;
        for (int i = 0; i < champion.size(); i++) {
            Prediction c = champion.get(i);
            Prediction x = shadow.get(i);
            agreed += c.getLabel().equals(x.getLabel()) ? 1 : 0;
            cConf += c.getConfidence();
            sConf += x.getConfidence();
            championRouted += routing.reasonToRetrain(c).isPresent() ? 1 : 0;
            shadowRouted += routing.reasonToRetrain(x).isPresent() ? 1 : 0;
        }
        return ShadowBatch.newBuilder().setShadowVersion(shadowVersion).setChampionVersion(championVersion)
                .setImages(champion.size()).setAgreed(agreed).setChampionConfidence(cConf).setShadowConfidence(sConf)
                .setChampionRouted(championRouted).setShadowRouted(shadowRouted).setChampionMillis(championMillis)
                .setShadowMillis(shadowMillis).setAt(Instant.now()).setNode(node).build();
    }

    @Override
    public void close() {
        stop();
        thread.shutdownNow();
    }
}
