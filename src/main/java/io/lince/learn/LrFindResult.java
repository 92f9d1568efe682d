package io.lince.learn;

import java.util.List;

/**
 * The range test's record and fastai's three suggestions: the steepest descent of the smoothed
 * loss, a tenth of the rate at its minimum, and the middle of its longest valley (fastai v2).
 */
public record LrFindResult(List<Double> rates, List<Double> losses, double steepest, double minimumTenth, double valley) {

    public static LrFindResult of(List<Double> rates, List<Double> losses) {
        if (rates.size() < 3) {
            throw new IllegalStateException("lr_find stopped after " + rates.size() + " steps: too few to suggest a rate");
        }
        return new LrFindResult(List.copyOf(rates), List.copyOf(losses), steepest(rates, losses),
                rates.get(argMin(losses)) / 10, valley(rates, losses));
    }

    /**
     * Where d(loss)/d(log lr) is most negative on the way down to the minimum (past it, the loss
     * is diverging and a dip between spikes means nothing), ignoring the noisy first few points.
     */
    static double steepest(List<Double> rates, List<Double> losses) {
        int n = rates.size();
        int from = n > 20 ? 5 : 1;
        int to = Math.max(from + 1, Math.min(n - 1, argMin(losses) + 1));
        int best = from;
        double slope = Double.MAX_VALUE;
        for (int i = from; i < to; i++) {
            double s = (losses.get(i + 1) - losses.get(i - 1)) / (Math.log10(rates.get(i + 1)) - Math.log10(rates.get(i - 1)));
            if (s < slope) {
                slope = s;
                best = i;
            }
        }
        return rates.get(best);
    }

    /** fastai's valley: the longest strictly decreasing run, two thirds of the way down it. */
    static double valley(List<Double> rates, List<Double> losses) {
        int n = losses.size();
        int[] lds = new int[n];
        java.util.Arrays.fill(lds, 1);
        int maxEnd = 0;
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (losses.get(i) < losses.get(j) && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
            }
            if (lds[maxEnd] < lds[i]) {
                maxEnd = i;
            }
        }
        int maxStart = maxEnd - lds[maxEnd] + 1;
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = maxStart + (int) sections + (int) (sections / 2);
        return rates.get(Math.min(n - 1, idx));
    }

    static int argMin(List<Double> v) {
        int best = 0;
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i) < v.get(best)) {
                best = i;
            }
        }
        return best;
    }
}
