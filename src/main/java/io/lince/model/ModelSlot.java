package io.lince.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The model a service is serving, swappable while it serves. A caller leases the current model
 * for one batch; {@link #swap} installs the next one at once and closes the old one when its last
 * lease ends, so a swap never waits for a batch and never frees a model under one.
 */
public final class ModelSlot implements AutoCloseable {

    private volatile Lease current;

    public ModelSlot(LinceModel first) {
        this.current = new Lease(first);
    }

    public <R> R withModel(Function<LinceModel, R> work) {
        Lease lease = acquire();
        try {
            return work.apply(lease.model);
        } finally {
            lease.release();
        }
    }

    public ModelInfo info() {
        return current.model.info();
    }

    /** What serves the current model ({@link LinceModel#runtime}); like {@link #info}, read without a lease. */
    public String runtime() {
        return current.model.runtime();
    }

    /** Installs {@code next}; the old model closes when no batch uses it any more. */
    public void swap(LinceModel next) {
        Lease old;
        synchronized (this) {
            old = current;
            current = new Lease(next);
        }
        old.release();
    }

    @Override
    public void close() {
        current.release();
    }

    private Lease acquire() {
        while (true) {
            Lease l = current;
            if (l.retain()) {
                return l;
            }
            // it was swapped out and released between the read and the retain: read again
        }
    }

    private static final class Lease {
        final LinceModel model;
        /** Users plus one for the slot itself; at zero the model is closed. */
        final AtomicInteger refs = new AtomicInteger(1);

        Lease(LinceModel model) {
            this.model = model;
        }

        boolean retain() {
            int n;
            do {
                n = refs.get();
                if (n == 0) {
                    return false;
                }
            } while (!refs.compareAndSet(n, n + 1));
            return true;
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                model.close();
            }
        }
    }
}
