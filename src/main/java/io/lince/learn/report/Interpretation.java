package io.lince.learn.report;

import io.lince.learn.Predictions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The notebook's five looks at a model, as indices into a {@link Predictions}: random correct,
 * random incorrect, most correct per class (highest probability of the true class among the
 * right answers), most incorrect per class (lowest probability of the true class among the wrong
 * ones: the most confident mistakes) and most uncertain (smallest margin between the top two).
 */
public record Interpretation(
        List<Integer> randomCorrect,
        List<Integer> randomIncorrect,
        Map<String, List<Integer>> mostCorrect,
        Map<String, List<Integer>> mostIncorrect,
        List<Integer> mostUncertain) {

    public static Interpretation of(Predictions p, int n, long seed) {
        Random rnd = new Random(seed);
        IntPredicate labelled = i -> p.labels()[i] >= 0;
        Map<String, List<Integer>> mostCorrect = new LinkedHashMap<>();
        Map<String, List<Integer>> mostIncorrect = new LinkedHashMap<>();
        for (int c = 0; c < p.classes().size(); c++) {
            int cls = c;
            Comparator<Integer> byTrueProb = Comparator.comparingDouble(p::trueClassProbability);
            mostCorrect.put(p.classes().get(c), top(p, i -> p.labels()[i] == cls && p.correct(i), byTrueProb.reversed(), n));
            mostIncorrect.put(p.classes().get(c), top(p, i -> p.labels()[i] == cls && !p.correct(i), byTrueProb, n));
        }
        return new Interpretation(
                sample(p, labelled.and(p::correct), n, rnd),
                sample(p, labelled.and(i -> !p.correct(i)), n, rnd),
                mostCorrect,
                mostIncorrect,
                top(p, i -> true, Comparator.comparingDouble(i -> margin(p.probabilities()[i])), n));
    }

    /** Top-1 minus top-2 probability. */
    static double margin(float[] probs) {
        float first = -1;
        float second = -1;
        for (float v : probs) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    private static List<Integer> top(Predictions p, IntPredicate keep, Comparator<Integer> order, int n) {
        return IntStream.range(0, p.size()).filter(keep).boxed()
                .sorted(order.thenComparing(Comparator.naturalOrder())).limit(n).toList();
    }

    private static List<Integer> sample(Predictions p, IntPredicate keep, int n, Random rnd) {
        List<Integer> all = new ArrayList<>(IntStream.range(0, p.size()).filter(keep).boxed().toList());
        Collections.shuffle(all, rnd);
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }
}
