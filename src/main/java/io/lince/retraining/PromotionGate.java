package io.lince.retraining;

import java.util.Locale;

/**
 * Decides whether a candidate replaces the champion, from both models' results on the evaluation
 * slice. Default rule: accuracy not worse by more than {@code epsilon}, and log loss lower.
 */
public record PromotionGate(double epsilon, int minimumSlice) {

    /** How one model did on the slice. */
    public record Scores(double accuracy, double logLoss, int images) {}

    /** The decision and its reason in words. */
    public record Verdict(boolean promote, String reason) {}

    public Verdict decide(Scores candidate, Scores champion) {
        if (candidate.images() < minimumSlice) {
            return new Verdict(false, String.format(Locale.ROOT,
                    "the evaluation slice has %d images, fewer than the %d needed to judge", candidate.images(), minimumSlice));
        }
        String numbers = String.format(Locale.ROOT, "accuracy %.4f vs %.4f, log loss %.4f vs %.4f on %d held-out images",
                candidate.accuracy(), champion.accuracy(), candidate.logLoss(), champion.logLoss(), candidate.images());
        if (candidate.accuracy() < champion.accuracy() - epsilon) {
            return new Verdict(false, String.format(Locale.ROOT, "less accurate by more than %.3f: %s", epsilon, numbers));
        }
        if (!(candidate.logLoss() < champion.logLoss())) {
            return new Verdict(false, "log loss not lower: " + numbers);
        }
        return new Verdict(true, "better: " + numbers);
    }
}
