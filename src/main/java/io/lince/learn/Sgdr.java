package io.lince.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent with warm restarts (Loshchilov &amp; Hutter), with fastai's
 * parameters: {@code cycles} cosine annealings, the first {@code cycleLen} epochs long, each next
 * one {@code cycleMult} times longer. {@code fit(lr, 3, cycle_len=1, cycle_mult=2)} trains
 * 1 + 2 + 4 = 7 epochs and restarts at the start of epochs 1 and 3.
 */
public record Sgdr(int cycles, int cycleLen, int cycleMult, int itersPerEpoch) implements Schedule {

    /** The schedule's shape, before the number of iterations per epoch is known. */
    public record Spec(int cycles, int cycleLen, int cycleMult) {
        public Sgdr schedule(int itersPerEpoch) {
            return new Sgdr(cycles, cycleLen, cycleMult, itersPerEpoch);
        }

        public int epochs() {
            return schedule(1).epochs();
        }

        @Override
        public String toString() {
            return cycles + "x" + cycleLen + "*" + cycleMult;
        }
    }

    public Sgdr {
        if (cycles < 1 || cycleLen < 1 || cycleMult < 1 || itersPerEpoch < 1) {
            throw new IllegalArgumentException(String.format(
                    "cycles, cycle length, cycle mult and iterations per epoch must be at least 1, got %d, %d, %d, %d",
                    cycles, cycleLen, cycleMult, itersPerEpoch));
        }
    }

    /** Epochs of cycle {@code c} (0-based). */
    public int cycleEpochs(int c) {
        return cycleLen * (int) Math.pow(cycleMult, c);
    }

    public int epochs() {
        int e = 0;
        for (int c = 0; c < cycles; c++) {
            e += cycleEpochs(c);
        }
        return e;
    }

    @Override
    public long iterations() {
        return (long) epochs() * itersPerEpoch;
    }

    /** The iterations where a cycle starts (the first is 0). */
    public List<Long> restarts() {
        List<Long> out = new ArrayList<>();
        long start = 0;
        for (int c = 0; c < cycles; c++) {
            out.add(start);
            start += (long) cycleEpochs(c) * itersPerEpoch;
        }
        return out;
    }

    @Override
    public double factor(long iteration) {
        long start = 0;
        for (int c = 0; c < cycles; c++) {
            long length = (long) cycleEpochs(c) * itersPerEpoch;
            if (iteration < start + length) {
                return Schedule.cosineDown(iteration - start, length);
            }
            start += length;
        }
        return 0;
    }
}
