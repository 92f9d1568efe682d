package io.lince.stream;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The classifier's threads, one set per process and shared by every stream task (a pool per task
 * multiplies threads by partitions: 6 tasks × 14 threads on 2 CPUs). Three kinds, because their
 * work differs:
 * <ul>
 * <li>{@code decode}: JPEG decoding and cropping, CPU-bound: one thread per core.
 * <li>{@code fetch}: claim-check downloads, waiting on the network under a deadline: more threads
 * than cores, so a slow host never holds a decoding thread.
 * <li>{@code forward}: the model, one batch per thread at a time: as many as stream threads, so
 * each stream thread keeps one batch in flight while it makes the next.
 * </ul>
 */
public final class ClassifierWorkers implements AutoCloseable {

    /** Per stream task: when the oldest record it holds arrived, or none (see {@link #stalls}). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> oldestHeld = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per input partition: when its task last took a record or published one (see {@link #lastProgress}). */
    private final java.util.concurrent.ConcurrentHashMap<Integer, Long> progress = new java.util.concurrent.ConcurrentHashMap<>();
    private final Executor decode;
    private final Executor fetch;
    private final Executor forward;
    private final ExecutorService[] owned;

    private ClassifierWorkers(Executor decode, Executor fetch, Executor forward, ExecutorService... owned) {
        this.decode = decode;
        this.fetch = fetch;
        this.forward = forward;
        this.owned = owned;
    }

    /**
     * @param decodeThreads 0 for one per available core
     * @param forwardThreads how many batches may run at once (the stream threads)
     */
    public static ClassifierWorkers of(int decodeThreads, int fetchThreads, int forwardThreads) {
        int d = decodeThreads > 0 ? decodeThreads : Runtime.getRuntime().availableProcessors();
        ExecutorService decode = Executors.newFixedThreadPool(d, named("lince-decode"));
        ExecutorService fetch = Executors.newFixedThreadPool(Math.max(1, fetchThreads), named("lince-fetch"));
        ExecutorService forward = Executors.newFixedThreadPool(Math.max(1, forwardThreads), named("lince-forward"));
        return new ClassifierWorkers(decode, fetch, forward, decode, fetch, forward);
    }

    /**
     * Everything on the calling thread: a batch is decoded and classified inside the call that
     * completes it. For {@code TopologyTestDriver} tests, whose outputs must be there when
     * {@code pipeInput} returns.
     */
    public static ClassifierWorkers sameThread() {
        Executor direct = Runnable::run;
        return new ClassifierWorkers(direct, direct, direct);
    }

    Executor decode() {
        return decode;
    }

    Executor fetch() {
        return fetch;
    }

    Executor forward() {
        return forward;
    }

    /** A task reports the arrival time of the oldest record it holds, or {@code -1} when it holds none. */
    void held(String task, long oldestArrival) {
        if (oldestArrival < 0) {
            oldestHeld.remove(task);
        } else {
            oldestHeld.put(task, oldestArrival);
        }
    }

    /** A task took a record from, or published one of, input partition {@code partition}. */
    void progressed(int partition, long now) {
        progress.put(partition, now);
    }

    /**
     * When each input partition this process has had a task for last moved (a record taken or
     * published): with the partition's lag, what tells a stalled partition from an idle one.
     */
    public java.util.Map<Integer, Long> lastProgress() {
        return java.util.Map.copyOf(progress);
    }

    /**
     * Tasks that have held a record for longer than {@code limit} without publishing it: a stall
     * (records waiting and nothing coming out), whatever its cause.
     */
    public java.util.List<String> stalls(long now, java.time.Duration limit) {
        java.util.List<String> out = new java.util.ArrayList<>();
        oldestHeld.forEach((task, since) -> {
            if (now - since > limit.toMillis()) {
                out.add(String.format("task %s has held a record for %d s without publishing it", task, (now - since) / 1000));
            }
        });
        return out;
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        for (ExecutorService e : owned) {
            e.shutdownNow();
        }
    }
}
