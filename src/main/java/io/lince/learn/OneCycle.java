package io.lince.learn;

/**
 * Smith's one-cycle policy as fastai schedules it: a cosine warm-up from {@code 1/divFactor} of the
 * peak over the first {@code pctStart} of training, then a cosine down to {@code 1/finalDiv}.
 */
public record OneCycle(long iterations, double pctStart, double divFactor, double finalDiv) implements Schedule {

    public static OneCycle of(long iterations) {
        return new OneCycle(iterations, 0.25, 25, 1e4);
    }

    @Override
    public double factor(long iteration) {
        long up = Math.max(1, Math.round(iterations * pctStart));
        double low = 1 / divFactor;
        if (iteration < up) {
            return low + (1 - low) * (1 - Schedule.cosineDown(iteration, up));
        }
        double end = 1 / finalDiv;
        return end + (1 - end) * Schedule.cosineDown(iteration - up, Math.max(1, iterations - up));
    }
}
