package io.lince.registry;

import ai.djl.Device;
import io.lince.contracts.ModelPublished;
import io.lince.model.LinceModel;
import io.lince.kafka.Polls;
import io.lince.model.ModelSlot;
import io.lince.model.Serving;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Follows {@code lince.models} and swaps the champion (the promoted version, newer or, after a
 * rollback, older) into the slot; candidates the gate rejected are never served. Loading happens
 * on this thread, so the stream keeps classifying with the old model until the new one is ready.
 * An artifact that fails its sha256 or does not load is refused once, and the old model stays.
 */
public final class ModelFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelFollower.class);

    private final ModelRegistry registry;
    private final ModelStore store;
    private final ModelSlot slot;
    private final Device device;
    private final Serving serving;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile KafkaConsumer<String, ModelPublished> consumer;

    public ModelFollower(ModelRegistry registry, ModelStore store, ModelSlot slot, Device device, Serving serving) {
        this.serving = serving;
        this.registry = registry;
        this.store = store;
        this.slot = slot;
        this.device = device;
        this.thread = new Thread(this::run, "lince-model-follower");
        thread.setDaemon(true);
    }

    public ModelFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        try (KafkaConsumer<String, ModelPublished> c = registry.consumer()) {
            consumer = c;
            TopicPartition tp = new TopicPartition(registry.topic(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            Map<Integer, ModelPublished> versions = new HashMap<>();
            Set<String> refused = new HashSet<>();
            while (running.get()) {
                var records = Polls.skippingUnreadable(c, Duration.ofMillis(500), LOG);
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<String, ModelPublished> r : records) {
                    if (r.value() != null) {
                        versions.put(r.value().getVersion(), r.value());
                    }
                }
                ModelPublished champion = ModelRegistry.champion(versions.values()).orElse(null);
                if (champion != null && champion.getVersion() != slot.info().version()
                        && !refused.contains(champion.getSha256()) && !offer(champion)) {
                    refused.add(champion.getSha256());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("model follower stopped: " + e.getMessage(), e);
        }
    }

    /** Loads and swaps in {@code m}; returns false (and keeps the old model) if it is refused. */
    public boolean offer(ModelPublished m) {
        long t0 = System.nanoTime();
        try {
            LinceModel next = LinceModel.loadForServing(store.verified(m.getArtifactUri(), m.getSha256()), device, serving);
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
            LOG.errorf("refused model v%d: %s; still serving v%d", m.getVersion(), e.getMessage(),
                    slot.info().version());
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        KafkaConsumer<String, ModelPublished> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(10_000);
    }
}
