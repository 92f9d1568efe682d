package io.lince.learn;

/** A learning-rate schedule: the fraction of the peak rate to use at each iteration. */
public interface Schedule {

    /** Iterations the schedule covers. */
    long iterations();

    double factor(long iteration);

    /** Half a cosine from 1 down to 0 over {@code length} iterations. */
    static double cosineDown(long t, long length) {
        return 0.5 * (1 + Math.cos(Math.PI * t / length));
    }

    /** The same rate throughout. */
    record Constant(long iterations) implements Schedule {
        @Override
        public double factor(long iteration) {
            return 1;
        }
    }
}
