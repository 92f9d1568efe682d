package io.lince.model;

/** Uncertainty scores of one softmax output. */
public record Uncertainty(int top, float confidence, float margin, float entropy) {

    /**
     * @param probabilities a probability vector (sums to 1)
     * @return top index, top-1 probability, top-1 minus top-2, and entropy divided by ln(K) so it
     *     lies in [0, 1] whatever the number of classes
     */
    public static Uncertainty of(float[] probabilities) {
        int k = probabilities.length;
        if (k < 2) {
            throw new IllegalArgumentException("need at least two classes");
        }
        int top = 0;
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        double h = 0;
        for (int i = 0; i < k; i++) {
            float p = probabilities[i];
            if (p > first) {
                second = first;
                first = p;
                top = i;
            } else if (p > second) {
                second = p;
            }
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return new Uncertainty(top, first, first - second, (float) (h / Math.log(k)));
    }
}
