package io.lince.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One thread that follows topics for as long as it runs: the loop behind the model follower, the
 * trainer and the dashboard's feed. No consumer group (every reader sees everything, and none
 * commits): the thread makes its consumer, positions it (assign and seek), then polls, skipping
 * unreadable records ({@link Polls#skippingUnreadable}), and hands every poll's records, empty
 * ones too, to its handler, which is where a reader's periodic work happens. {@link #close()}
 * stops the loop and wakes a waiting poll; an exception out of the handler stops the thread, and
 * {@link #problem()} says why, for readiness.
 */
public final class TopicFollower<K, V> implements AutoCloseable {

    /** What a reader does with each poll's records. */
    @FunctionalInterface
    public interface Handler<K, V> {
        void handle(ConsumerRecords<K, V> records);
    }

    private final String name;
    private final Supplier<KafkaConsumer<K, V>> consumers;
    private final Consumer<KafkaConsumer<K, V>> position;
    private final Handler<K, V> handler;
    private final Logger log;
    private final Duration poll;
    private final Duration closeWait;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile KafkaConsumer<K, V> consumer;
    private volatile String stoppedBecause;

    /**
     * @param name the thread's name, and what {@link #problem()} calls the reader
     * @param consumers makes the consumer, on the follower's thread
     * @param position assigns the consumer its partitions and seeks (e.g. {@link #fromBeginning})
     * @param poll the longest a poll waits before the handler runs anyway
     * @param closeWait how long {@link #close()} waits for the handler to finish what it is doing
     */
    public TopicFollower(String name, Supplier<KafkaConsumer<K, V>> consumers, Consumer<KafkaConsumer<K, V>> position,
            Duration poll, Duration closeWait, Logger log, Handler<K, V> handler) {
        this.name = name;
        this.consumers = consumers;
        this.position = position;
        this.poll = poll;
        this.closeWait = closeWait;
        this.log = log;
        this.handler = handler;
        this.thread = new Thread(this::run, "lince-" + name.replace(' ', '-'));
        thread.setDaemon(true);
    }

    /** Assigns every partition of {@code topics} and seeks to their beginnings. */
    public static <K, V> Consumer<KafkaConsumer<K, V>> fromBeginning(String... topics) {
        return c -> {
            List<TopicPartition> parts = partitions(c, topics);
            c.assign(parts);
            c.seekToBeginning(parts);
        };
    }

    /** Every partition of {@code topics}, as the cluster has them now. */
    public static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String... topics) {
        return java.util.Arrays.stream(topics).flatMap(t -> c.partitionsFor(t).stream())
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    public TopicFollower<K, V> start() {
        thread.start();
        return this;
    }

    /** False once closing: long work in the handler checks it to stop early. */
    public boolean running() {
        return running.get();
    }

    /** Why the thread stopped, if it stopped before being closed. */
    public Optional<String> problem() {
        return Optional.ofNullable(stoppedBecause).map(r -> "the " + name + " stopped: " + r);
    }

    private void run() {
        try (KafkaConsumer<K, V> c = consumers.get()) {
            consumer = c;
            if (!running.get()) {
                return; // closed before it started: close() found no consumer to wake
            }
            position.accept(c);
            while (running.get()) {
                handler.handle(Polls.skippingUnreadable(c, poll, log));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            stoppedBecause = e.toString();
            log.error(name + " stopped: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        KafkaConsumer<K, V> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(closeWait.toMillis());
    }
}
