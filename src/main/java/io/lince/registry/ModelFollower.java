package io.lince.registry;

import ai.djl.Device;
import io.lince.contracts.ModelPublished;
import io.lince.model.LinceModel;
import io.lince.model.ModelSlot;
import io.lince.model.Serving;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

/**
 * Follows {@code lince.models} and swaps the champion (the promoted version, newer or, after a
 * rollback, older) into the slot; candidates the gate rejected are never served. Loading happens
 * on this thread, so the stream keeps classifying with the old model until the new one is ready.
 * An artifact that fails its sha256 or does not load is refused, with a log line each time, and
 * the old model stays; the same (version, sha256) is tried again after a backoff (1 s, doubling
 * to 5 minutes), because the reason may pass (an artifact not yet on the shared volume). While the
 * served version is not the champion, {@link #problem} says so, and readiness with it.
 */
public final class ModelFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelFollower.class);

    private final ModelRegistry registry;
    private final ModelStore store;
    private final ModelSlot slot;
    private final Device device;
    private final Serving serving;
    private final io.lince.kafka.TopicFollower<String, ModelPublished> follower;
    /** Every record of lince.models, in log order: the champion is decided by it. Follower thread only. */
    private final List<ModelPublished> history = new ArrayList<>();
    /** The registry's champion as last read, and since when the slot has served another version. */
    private volatile ModelPublished champion;
    private volatile long differingSince = -1;
    private volatile String lastRefusal;
    /** A refused (version, sha256) pair: not tried again before {@code until}; the wait doubles each time. */
    private record Backoff(long until, long waited) {}

    private final Map<String, Backoff> refusals = new HashMap<>();
    /** Mirrors the shadowed version, when this classifier mirrors one (null: it does not). */
    private volatile io.lince.watch.ShadowRunner shadows;
    private String shadowRefused;
    static final long FIRST_BACKOFF_MS = 1_000;
    static final long MAX_BACKOFF_MS = 300_000;

    public ModelFollower(ModelRegistry registry, ModelStore store, ModelSlot slot, Device device, Serving serving) {
        this.serving = serving;
        this.registry = registry;
        this.store = store;
        this.slot = slot;
        this.device = device;
        this.follower = new io.lince.kafka.TopicFollower<>("model follower", registry::consumer,
                io.lince.kafka.TopicFollower.fromBeginning(registry.topic()), Duration.ofMillis(500), Duration.ofSeconds(10), LOG,
                this::apply);
    }

    /** Also loads the registry's shadowed version into {@code runner} (and stops it when none is shadowed). */
    public ModelFollower mirroringShadowsWith(io.lince.watch.ShadowRunner runner) {
        this.shadows = runner;
        return this;
    }

    public ModelFollower start() {
        follower.start();
        return this;
    }

    /** After every poll: the new records, then the champion and the shadow as the whole history says. */
    private void apply(ConsumerRecords<String, ModelPublished> records) {
        for (ConsumerRecord<String, ModelPublished> r : records) {
            if (r.value() != null) {
                history.add(r.value());
            }
        }
        ModelRegistry.champion(history).ifPresent(m -> follow(m, System.currentTimeMillis()));
        followShadow(ModelRegistry.shadowed(history));
    }

    /**
     * Serves {@code m} if it is not served yet and not waiting out a refusal's backoff. Called on
     * every poll, so a refused champion is tried again once its backoff has passed.
     */
    void follow(ModelPublished m, long now) {
        champion = m;
        if (m.getVersion() == slot.info().version()) {
            differingSince = -1;
            return;
        }
        if (differingSince < 0) {
            differingSince = now;
        }
        String key = m.getVersion() + "/" + m.getSha256();
        Backoff backoff = refusals.get(key);
        if (backoff != null && now < backoff.until()) {
            return;
        }
        if (offer(m)) {
            refusals.remove(key);
            differingSince = -1;
        } else {
            long wait = backoff == null ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoff.waited() * 2);
            refusals.put(key, new Backoff(now + wait, wait));
        }
    }

    /**
     * Loads the shadowed version into the shadow runner, or stops it when none is shadowed. An
     * artifact that does not verify or load is refused once per (version, sha256), with a log
     * line, and not mirrored: a shadow is never worth a retry loop.
     */
    void followShadow(java.util.Optional<ModelPublished> shadowed) {
        io.lince.watch.ShadowRunner runner = shadows;
        if (runner == null) {
            return;
        }
        if (shadowed.isEmpty()) {
            if (runner.version().isPresent()) {
                runner.stop();
            }
            return;
        }
        ModelPublished m = shadowed.get();
        String key = m.getVersion() + "/" + m.getSha256();
        if (runner.version().map(v -> v == m.getVersion()).orElse(false) || key.equals(shadowRefused)) {
            return;
        }
        try {
            LinceModel model = store.load(m, device, serving);
            runner.mirror(model);
        } catch (Exception e) {
            shadowRefused = key;
            LOG.errorf("refused to shadow v%d: %s", m.getVersion(), e.getMessage());
        }
    }

    /**
     * What is wrong with following the registry, if anything: the thread stopped, or the slot has
     * served another version than the champion for longer than {@code grace}.
     */
    public java.util.Optional<String> problem(long now, Duration grace) {
        java.util.Optional<String> stopped = follower.problem();
        if (stopped.isPresent()) {
            return stopped;
        }
        ModelPublished c = champion;
        long since = differingSince;
        if (c != null && since >= 0 && c.getVersion() != slot.info().version() && now - since > grace.toMillis()) {
            return java.util.Optional.of(String.format("serving v%d while the registry's champion is v%d (for %d s)%s",
                    slot.info().version(), c.getVersion(), (now - since) / 1000,
                    lastRefusal == null ? "" : ": " + lastRefusal));
        }
        return java.util.Optional.empty();
    }

    /** The champion's version as last read from the registry, or -1 before any. */
    public int championVersion() {
        ModelPublished c = champion;
        return c == null ? -1 : c.getVersion();
    }

    /** Loads and swaps in {@code m}; returns false (and keeps the old model) if it is refused. */
    public boolean offer(ModelPublished m) {
        long t0 = System.nanoTime();
        try {
            LinceModel next = store.load(m, device, serving);
            if (next.info().version() != m.getVersion()) {
                next.close();
                throw new IllegalStateException("artifact holds v" + next.info().version());
            }
            int old = slot.info().version();
            slot.swap(next);
            LOG.infof("serving model v%d (was v%d), loaded in %d ms", m.getVersion(), old,
                    (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (Exception e) {
            lastRefusal = "refused v" + m.getVersion() + ": " + e.getMessage();
            LOG.errorf("refused model v%d: %s; still serving v%d", m.getVersion(), e.getMessage(),
                    slot.info().version());
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
    }
}
