package io.lince.learn;

import java.util.Random;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.JDKRandomGenerator;

/**
 * mixup (Zhang et al. 2018, fastai's {@code MixUp} callback): each training batch is blended with a
 * shuffled copy of itself, {@code λ·x_i + (1-λ)·x_j} and the same blend of their targets, with
 * {@code λ ~ Beta(α, α)} once per batch. As in fastai, {@code λ} is taken as {@code max(λ, 1-λ)},
 * so each row stays mostly itself and its own label still dominates. It regularises long runs
 * from scratch; on short ones it mostly slows fitting down.
 */
public final class Mixup {

    private final double alpha;

    /** @param alpha the Beta distribution's parameter (0.2–0.4 is usual); 0 turns mixup off */
    public Mixup(double alpha) {
        if (alpha < 0) {
            throw new IllegalArgumentException("mixup alpha must be 0 (off) or positive, got " + alpha);
        }
        this.alpha = alpha;
    }

    public boolean isOff() {
        return alpha == 0;
    }

    /** The batch blended with a permutation of itself ({@code batch} itself when off or of one row). */
    public MiniBatch apply(MiniBatch batch, Random rnd) {
        int n = batch.size();
        if (isOff() || n < 2) {
            return batch;
        }
        JDKRandomGenerator g = new JDKRandomGenerator(rnd.nextInt());
        double drawn = new BetaDistribution(g, alpha, alpha).sample();
        float lambda = (float) Math.max(drawn, 1 - drawn);
        int[] partner = BatchSource.order(n, rnd);
        float[] x = batch.inputs();
        int d = x.length / n;
        float[] mixed = new float[x.length];
        for (int i = 0; i < n; i++) {
            int a = i * d;
            int b = partner[i] * d;
            for (int k = 0; k < d; k++) {
                mixed[a + k] = lambda * x[a + k] + (1 - lambda) * x[b + k];
            }
        }
        return new MiniBatch(mixed, batch.labels(), batch.rows(), new MiniBatch.Mix(partner, lambda));
    }
}
