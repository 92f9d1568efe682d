package io.lince.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * What a fit recorded: per iteration the head's learning rate and the (smoothed) training loss,
 * per epoch the table row and the iteration it ended at, for the loss and learning-rate plots.
 */
public final class FitHistory {

    private final List<Double> rates = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<EpochResult> epochs = new ArrayList<>();
    private final List<Long> epochEnds = new ArrayList<>();
    private final List<Long> restarts = new ArrayList<>();

    void iteration(double rate, double loss) {
        rates.add(rate);
        losses.add(loss);
    }

    void epoch(EpochResult result) {
        epochs.add(result);
        epochEnds.add((long) rates.size());
    }

    void restartsAt(List<Long> its) {
        restarts.addAll(its);
    }

    /** Appends another fit's record after this one's (fastai keeps plotting the whole session). */
    public void append(FitHistory other) {
        long offset = rates.size();
        rates.addAll(other.rates);
        losses.addAll(other.losses);
        epochs.addAll(other.epochs);
        other.epochEnds.forEach(e -> epochEnds.add(e + offset));
        other.restarts.forEach(r -> restarts.add(r + offset));
    }

    public List<Double> rates() {
        return List.copyOf(rates);
    }

    public List<Double> losses() {
        return List.copyOf(losses);
    }

    public List<EpochResult> epochs() {
        return List.copyOf(epochs);
    }

    public List<Long> epochEnds() {
        return List.copyOf(epochEnds);
    }

    public List<Long> restarts() {
        return List.copyOf(restarts);
    }

    public boolean isEmpty() {
        return rates.isEmpty();
    }
}
