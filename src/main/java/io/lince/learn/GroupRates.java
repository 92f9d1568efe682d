package io.lince.learn;

import ai.djl.nn.Block;
import ai.djl.training.tracker.ParameterTracker;
import io.lince.model.ResNet34;
import java.util.HashMap;
import java.util.Map;

/**
 * Differential learning rates: each of the network's layer groups has its own peak rate, and the
 * schedule scales all of them alike. DJL asks the tracker per parameter id, so the rate follows
 * the group the parameter belongs to. The iteration is the loop's, not DJL's per-parameter update
 * count, which restarts for a group that was just unfrozen.
 */
public final class GroupRates implements ParameterTracker {

    private final Map<String, Integer> groupOf = new HashMap<>();
    private final float[] peaks;
    private final Schedule schedule;
    private long iteration;

    public GroupRates(ResNet34 net, float[] peaks, Schedule schedule) {
        if (peaks.length != ResNet34.GROUPS) {
            throw new IllegalArgumentException("need " + ResNet34.GROUPS + " learning rates, got " + peaks.length);
        }
        this.peaks = peaks.clone();
        this.schedule = schedule;
        for (int g = 0; g < ResNet34.GROUPS; g++) {
            for (Block b : net.layerGroup(g)) {
                int group = g;
                b.getParameters().values().forEach(p -> groupOf.put(p.getId(), group));
            }
        }
    }

    /**
     * "1e-4,1e-3,1e-2" gives one rate per group; one value {@code L} is spread as the notebook does,
     * {@code L/100, L/10, L} (the head learns fastest, the early layers barely move).
     */
    public static float[] parse(String text) {
        float[] v;
        try {
            v = toFloats(text.split(","));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("learning rates must be numbers like 1e-2 or 1e-4,1e-3,1e-2, got '" + text + "'");
        }
        if (v.length == 1) {
            return spread(v[0]);
        }
        try {
            return checked(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("give one learning rate or " + ResNet34.GROUPS + " positive ones, got '" + text + "'");
        }
    }

    /** A copy of {@code rates}, refused unless it holds one positive rate per layer group. */
    public static float[] checked(float[] rates) {
        boolean positive = rates.length == ResNet34.GROUPS;
        for (float x : rates) {
            positive &= x > 0;
        }
        if (!positive) {
            throw new IllegalArgumentException("need " + ResNet34.GROUPS + " positive learning rates, got "
                    + java.util.Arrays.toString(rates));
        }
        return rates.clone();
    }

    /** The notebook's spread of one rate over the groups: {@code L/100, L/10, L}. */
    public static float[] spread(float head) {
        return new float[] {head / 100, head / 10, head};
    }

    private static float[] toFloats(String[] parts) {
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i].trim());
        }
        return v;
    }

    public void at(long iteration) {
        this.iteration = iteration;
    }

    public float rate(int group) {
        return (float) (peaks[group] * schedule.factor(iteration));
    }

    @Override
    public float getNewValue(String parameterId, int numUpdate) {
        Integer g = groupOf.get(parameterId);
        if (g == null) {
            throw new IllegalStateException("parameter " + parameterId + " belongs to no layer group");
        }
        return rate(g);
    }
}
