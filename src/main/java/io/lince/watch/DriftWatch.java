package io.lince.watch;

import io.lince.contracts.Alert;
import io.lince.model.DriftReference;
import io.lince.model.ImageClassifier;
import io.lince.model.ModelInfo;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Tells when the stream stops looking like what the served version was built on, without anyone
 * labelling anything. One per classifier process, told of every batch after its forward pass. It
 * keeps the last {@code window} images' calibrated confidence and embedding, and every tenth of
 * a window compares them with the version's {@link DriftReference}:
 *
 * <ul>
 *   <li>the <b>confidence</b> distribution, by its population stability index over the
 *       reference's bins, {@code Σ (w - r)·ln(w / r)} (0.1 is the usual "look", 0.25 "act");</li>
 *   <li>the <b>embedding</b>: how far the window's mean embedding lies from the reference's, per
 *       dimension in reference standard deviations, as the root mean square over the 512
 *       dimensions (a diagonal Mahalanobis distance divided by √512). Images from the
 *       reference's distribution give about √(1/window + 1/reference images) by chance: 0.08
 *       for the default window of 500 and a reference of 200 images, a third of the default
 *       limit of 0.25.</li>
 * </ul>
 *
 * The stream has drifted while either exceeds its limit; it is quiet again once both are below
 * 80% of their limits (so a value hovering at the limit does not flap). Each change of state is
 * an {@link Alert} (on {@code lince.alerts}) and a log line; while drift lasts the labelling
 * budget is multiplied by {@code budgetFactor}. A new version starts a new window against its
 * own reference; a version without one (a first model, an older checkpoint) is not watched.
 */
public final class DriftWatch implements ImageClassifier.BatchListener {

    private static final Logger LOG = Logger.getLogger(DriftWatch.class);
    /** Below this share of the limits, a drifted stream is quiet again. */
    static final double HYSTERESIS = 0.8;

    /**
     * @param window images compared with the reference
     * @param confidencePsi population stability index of the confidence above which the stream has drifted
     * @param embeddingShift RMS shift of the mean embedding, in reference standard deviations, above which it has drifted
     * @param budgetFactor multiplier of the labelling budget while drift lasts
     * @param requestRetraining ask a trainer in this process to train when drift starts
     */
    public record Settings(boolean enabled, int window, double confidencePsi, double embeddingShift, double budgetFactor,
            boolean requestRetraining) {

        public static final Settings DEFAULTS = new Settings(true, 500, 0.25, 0.25, 1, false);

        public Settings {
            if (window < 20 || !(confidencePsi > 0) || !(embeddingShift > 0) || !(budgetFactor >= 1)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "drift needs window >= 20, confidence-psi > 0, embedding-shift > 0 and budget-factor >= 1; got %d, %s, %s, %s",
                        window, confidencePsi, embeddingShift, budgetFactor));
            }
        }
    }

    public enum State { NO_REFERENCE, FILLING, QUIET, DRIFT }

    /** Where the watch stands: its state, the version watched, the last measures and since when. */
    public record Status(State state, int version, double confidencePsi, double embeddingShift, int images, long since) {}

    private final Settings settings;
    private final Consumer<Alert> alerts;
    private final String node;
    private int version = -1;
    private DriftReference reference;
    private int classes;
    private float[] confidences;
    private float[][] embeddings;
    private long seen;
    private long sinceCheck;
    private volatile Status status = new Status(State.NO_REFERENCE, -1, Double.NaN, Double.NaN, 0, System.currentTimeMillis());

    /** @param alerts where changes of state go (the alerts topic) */
    public DriftWatch(Settings settings, Consumer<Alert> alerts) {
        this.settings = settings;
        this.alerts = alerts;
        this.node = nodeName();
    }

    @Override
    public synchronized void ran(ModelInfo model, ByteBuffer crops, int views, List<ImageClassifier.Classified> results,
            float inferenceMillis) {
        if (!settings.enabled()) {
            return;
        }
        if (model.version() != version) {
            start(model);
        }
        if (reference == null) {
            return;
        }
        int w = settings.window();
        for (ImageClassifier.Classified c : results) {
            int slot = (int) (seen % w);
            confidences[slot] = c.prediction().getConfidence();
            embeddings[slot] = c.embedding();
            seen++;
            sinceCheck++;
        }
        if (seen < w) {
            status = new Status(State.FILLING, version, Double.NaN, Double.NaN, (int) seen, status.since());
            return;
        }
        if (sinceCheck >= Math.max(1, w / 10)) {
            sinceCheck = 0;
            check(System.currentTimeMillis());
        }
    }

    private void start(ModelInfo model) {
        version = model.version();
        reference = model.reference();
        classes = model.classes().size();
        seen = 0;
        sinceCheck = 0;
        confidences = new float[settings.window()];
        embeddings = new float[settings.window()][];
        State was = status.state();
        status = new Status(reference == null ? State.NO_REFERENCE : State.FILLING, version, Double.NaN, Double.NaN, 0,
                System.currentTimeMillis());
        if (was == State.DRIFT) {
            LOG.infof("drift watch: now serving v%d, compared with its own reference from here on", version);
        }
    }

    private void check(long now) {
        double psi = psi(confidences, reference, classes);
        double shift = shift(embeddings, reference);
        boolean over = psi > settings.confidencePsi() || shift > settings.embeddingShift();
        boolean under = psi < HYSTERESIS * settings.confidencePsi() && shift < HYSTERESIS * settings.embeddingShift();
        State was = status.state();
        State now_ = was == State.DRIFT ? (under ? State.QUIET : State.DRIFT) : (over ? State.DRIFT : State.QUIET);
        status = new Status(now_, version, psi, shift, settings.window(), now_ == was ? status.since() : now);
        if (now_ != was && (now_ == State.DRIFT || was == State.DRIFT)) {
            boolean drift = now_ == State.DRIFT;
            String message = String.format(Locale.ROOT,
                    "%s v%d: over the last %d images the confidence's PSI is %.3f (limit %.3f) and the mean embedding has moved %.2f reference sd (limit %.2f)",
                    drift ? "the stream no longer looks like what was built on" : "the stream looks again like what was built on",
                    version, settings.window(), psi, settings.confidencePsi(), shift, settings.embeddingShift());
            if (drift) {
                LOG.warn("drift: " + message);
            } else {
                LOG.info("drift cleared: " + message);
            }
            Map<String, Double> measures = new TreeMap<>(Map.of("confidencePsi", psi, "embeddingShift", shift,
                    "images", (double) settings.window(), "confidencePsiLimit", settings.confidencePsi(),
                    "embeddingShiftLimit", settings.embeddingShift()));
            alerts.accept(Alert.newBuilder().setKind(drift ? "drift" : "drift-cleared").setModelVersion(version)
                    .setAt(Instant.ofEpochMilli(now)).setNode(node).setMessage(message).setMeasures(measures).build());
        }
    }

    /** Population stability index of the window's confidences against the reference's bins. */
    static double psi(float[] confidences, DriftReference reference, int classes) {
        double[] r = reference.confidence();
        double[] w = new double[r.length];
        for (float c : confidences) {
            w[DriftReference.bin(c, classes)] += 1.0 / confidences.length;
        }
        double psi = 0;
        for (int b = 0; b < r.length; b++) {
            double wb = Math.max(1e-4, w[b]);
            double rb = Math.max(1e-4, r[b]);
            psi += (wb - rb) * Math.log(wb / rb);
        }
        return psi;
    }

    /**
     * RMS over dimensions of the window mean's distance from the reference mean, in reference
     * standard deviations. A dimension the reference barely used (sd near 0) would turn one
     * image's activation into a huge score, so every sd counts as at least a tenth of the median sd.
     */
    static double shift(float[][] embeddings, DriftReference reference) {
        float[] mu = reference.embeddingMean();
        float[] sd = reference.embeddingSd();
        float[] sorted = sd.clone();
        java.util.Arrays.sort(sorted);
        double floor = Math.max(1e-6, 0.1 * sorted[sorted.length / 2]);
        int d = mu.length;
        double[] mean = new double[d];
        for (float[] e : embeddings) {
            for (int j = 0; j < d; j++) {
                mean[j] += e[j] / (double) embeddings.length;
            }
        }
        double sum = 0;
        for (int j = 0; j < d; j++) {
            double z = (mean[j] - mu[j]) / Math.max(floor, sd[j]);
            sum += z * z;
        }
        return Math.sqrt(sum / d);
    }

    public Status status() {
        return status;
    }

    public boolean drifting() {
        return status.state() == State.DRIFT;
    }

    /** The labelling budget's multiplier now. */
    public double budgetFactor() {
        return drifting() ? settings.budgetFactor() : 1;
    }

    public Settings settings() {
        return settings;
    }

    static String nodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
