package io.lince.learn;

import io.lince.model.LinceModel;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * fastai's {@code fit}: epochs of shuffled mini-batches under a learning-rate schedule, a progress
 * bar per epoch, then the validation loss and accuracy as a table row. Each epoch's shuffle and
 * augmentation come from the seed and the epoch number, so a resumed run sees the same batches.
 */
public final class FitLoop {

    /** Called after each epoch, e.g. to save a checkpoint. */
    public interface EpochListener {
        void epochDone(int epoch, EpochResult result) throws IOException;
    }

    private final LinceModel model;
    private final OptimizerSettings optimizer;
    private final long seed;
    private final PrintStream out;
    private float labelSmoothing;
    private Mixup mixup = new Mixup(0);
    private MixedPrecision mixedPrecision;
    private BooleanSupplier stop = () -> false;

    /** What one epoch reads: its training and validation batches, at input side {@code size}. */
    public record EpochData(BatchSource train, BatchSource valid, int size) {}

    public FitLoop(LinceModel model, OptimizerSettings optimizer, long seed, PrintStream out) {
        this.model = model;
        this.optimizer = optimizer;
        this.seed = seed;
        this.out = out;
    }

    /** Label smoothing of the loss (see {@link TrainingStep}); 0 by default. */
    public FitLoop labelSmoothing(float epsilon) {
        this.labelSmoothing = epsilon;
        return this;
    }

    /** mixup of the training batches (see {@link Mixup}); off by default. */
    public FitLoop mixup(Mixup mixup) {
        this.mixup = mixup;
        return this;
    }

    /** fp16 training with loss scaling (see {@link MixedPrecision}), or null (the default) for fp32. */
    public FitLoop mixedPrecision(MixedPrecision mixed) {
        this.mixedPrecision = mixed;
        return this;
    }

    /** Asked between mini-batches: when it says so the fit ends with a {@link CancellationException}. */
    public FitLoop stopWhen(BooleanSupplier stop) {
        this.stop = stop;
        return this;
    }

    /**
     * Runs epochs {@code startEpoch} to {@code epochs - 1} of {@code schedule} (one that starts later
     * than 0 resumes a run: the schedule continues where it left off).
     */
    public FitHistory fit(BatchSource train, BatchSource valid, float[] peaks, Schedule schedule, int epochs,
            int startEpoch, EpochListener listener) throws IOException {
        EpochData data = new EpochData(train, valid, train.precomputed() ? 0 : (int) train.exampleShape()[1]);
        return fit(epoch -> data, peaks, schedule, epochs, startEpoch, listener);
    }

    /**
     * As {@link #fit(BatchSource, BatchSource, float[], Schedule, int, int, EpochListener)} with
     * each epoch's data from {@code data} (progressive resizing changes it between epochs; every
     * epoch must have as many batches). One optimizer runs the whole fit, so its momentum carries
     * over a change of size.
     */
    public FitHistory fit(IntFunction<EpochData> data, float[] peaks, Schedule schedule, int epochs,
            int startEpoch, EpochListener listener) throws IOException {
        GroupRates rates = new GroupRates(model.network(), peaks, schedule);
        TrainingStep step = new TrainingStep(model, optimizer.build(rates), labelSmoothing, mixedPrecision);
        FitHistory history = new FitHistory();
        int perEpoch = data.apply(startEpoch).train().batches();
        if (schedule instanceof Sgdr sgdr) {
            history.restartsAt(sgdr.restarts().stream().filter(r -> r >= (long) startEpoch * perEpoch)
                    .map(r -> r - (long) startEpoch * perEpoch).toList());
        }
        out.println(EpochResult.header());
        long it = (long) startEpoch * perEpoch;
        for (int epoch = startEpoch; epoch < epochs; epoch++) {
            EpochData d = data.apply(epoch);
            BatchSource train = d.train();
            if (train.batches() != perEpoch) {
                throw new IllegalStateException("epoch " + epoch + " has " + train.batches() + " batches, the schedule " + perEpoch);
            }
            Progress bar = Progress.start(out, "epoch " + (epoch + 1) + "/" + epochs, train.batches());
            double smooth = 0;
            int n = 0;
            Random mixing = new Random(seed * 7_919L + epoch);
            Iterator<MiniBatch> batches = train.epoch(new Random(seed * 1_000_003L + epoch)).iterator();
            long waiting = 0;
            while (true) {
                long t = System.nanoTime();
                if (!batches.hasNext()) {
                    break;
                }
                if (stop.getAsBoolean()) {
                    // between batches, never inside a native backward pass: the caller closes the model after
                    throw new CancellationException("training stopped after " + it + " iterations");
                }
                MiniBatch b = mixup.apply(batches.next(), mixing);
                waiting += System.nanoTime() - t;
                if (b.size() == 0) {
                    continue;
                }
                rates.at(it++);
                float loss = step.run(b, train.exampleShape(), train.precomputed());
                n++;
                smooth = 0.98 * smooth + 0.02 * loss;
                double debiased = smooth / (1 - Math.pow(0.98, n));
                history.iteration(rates.rate(2), debiased);
                bar.step(1, String.format("loss %.4f", debiased));
            }
            double trainSeconds = bar.finish();
            long t0 = System.nanoTime();
            Predictions p = evaluate(d.valid());
            EpochResult r = new EpochResult(epoch, d.size(), lastLoss(history), p.logLoss(), p.accuracy(), trainSeconds,
                    waiting / 1e9, (System.nanoTime() - t0) / 1e9);
            history.epoch(r);
            out.println(r.row());
            if (listener != null) {
                listener.epochDone(epoch, r);
            }
        }
        return history;
    }

    private static double lastLoss(FitHistory h) {
        List<Double> l = h.losses();
        return l.isEmpty() ? Double.NaN : l.get(l.size() - 1);
    }

    /** Predictions over a source in order (rows are named by their index in the source). */
    public Predictions evaluate(BatchSource source) {
        return Evaluator.predict(new ModelRunner(model), source, model.info().classes());
    }
}
