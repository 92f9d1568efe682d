package io.lince.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.lince.model.LinceModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * fastai's {@code lr_find} (Smith's learning-rate range test): train for at most {@code maxIterations}
 * mini-batches while the rate grows exponentially from {@code start} to {@code end}, record the
 * smoothed loss, stop once it exceeds 4× its best, then put every weight (and BatchNorm statistic)
 * back as it was.
 */
public final class LrFinder {

    public static final double START = 1e-7;
    public static final double END = 10;
    public static final int MAX_ITERATIONS = 100;
    private static final double BETA = 0.98;

    /** The rate grows by {@code (end/start)^(1/(n-1))} each step. */
    record ExponentialSweep(double start, double end, long iterations) implements Schedule {
        @Override
        public double factor(long iteration) {
            return Math.pow(end / start, iteration / (double) Math.max(1, iterations - 1));
        }
    }

    private final LinceModel model;
    private final OptimizerSettings optimizer;
    private final long seed;

    public LrFinder(LinceModel model, OptimizerSettings optimizer, long seed) {
        this.model = model;
        this.optimizer = optimizer;
        this.seed = seed;
    }

    /**
     * @param ratios each layer group's rate relative to the head's (e.g. 0.01, 0.1, 1); the sweep
     *     and the suggestions are the head's rate
     */
    public LrFindResult find(BatchSource train, float[] ratios, double start, double end, int maxIterations, PrintStream out) {
        float[] peaks = new float[ratios.length];
        for (int i = 0; i < ratios.length; i++) {
            peaks[i] = (float) (ratios[i] / ratios[ratios.length - 1] * start);
        }
        ExponentialSweep sweep = new ExponentialSweep(start, end, maxIterations);
        GroupRates rates = new GroupRates(model.network(), peaks, sweep);
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        try (NDManager keep = model.djlModel().getNDManager().newSubManager()) {
            List<NDArray> saved = snapshot(keep);
            try {
                TrainingStep step = new TrainingStep(model, optimizer.build(rates));
                Progress bar = Progress.start(out, "lr_find", maxIterations);
                Random rnd = new Random(seed);
                Iterator<MiniBatch> batches = train.epoch(rnd).iterator();
                double smooth = 0;
                double best = Double.MAX_VALUE;
                for (int it = 0; it < maxIterations; it++) {
                    if (!batches.hasNext()) {
                        batches = train.epoch(rnd).iterator();
                    }
                    MiniBatch b = batches.next();
                    if (b.size() == 0) {
                        continue;
                    }
                    rates.at(it);
                    float loss = step.run(b, train.exampleShape(), train.precomputed());
                    smooth = BETA * smooth + (1 - BETA) * loss;
                    double debiased = smooth / (1 - Math.pow(BETA, it + 1));
                    lrs.add((double) rates.rate(ratios.length - 1));
                    losses.add(debiased);
                    bar.step(1, String.format("lr %.1e loss %.4f", rates.rate(ratios.length - 1), debiased));
                    best = Math.min(best, debiased);
                    if (Double.isNaN(debiased) || (it > 0 && debiased > 4 * best)) {
                        break;
                    }
                }
                bar.finish();
            } finally {
                restore(saved);
            }
        }
        return LrFindResult.of(lrs, losses);
    }

    private List<NDArray> snapshot(NDManager keep) {
        List<NDArray> out = new ArrayList<>();
        for (Parameter p : model.network().getParameters().values()) {
            NDArray copy = p.getArray().duplicate();
            copy.attach(keep);
            out.add(copy);
        }
        return out;
    }

    private void restore(List<NDArray> saved) {
        List<Parameter> params = new ArrayList<>(model.network().getParameters().values());
        for (int i = 0; i < params.size(); i++) {
            saved.get(i).copyTo(params.get(i).getArray());
        }
    }
}
