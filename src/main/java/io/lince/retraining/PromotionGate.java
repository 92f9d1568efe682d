package io.lince.retraining;

import java.util.Locale;

/**
 * Decides whether a candidate replaces the champion, from both models' results on two held-out
 * slices that no model trains on:
 *
 * <ul>
 *   <li>the <b>stream slice</b>: the labelled exploration images, a uniform random sample of the
 *       stream, so its scores estimate how each model does on the stream as it is;</li>
 *   <li>the <b>uncertain slice</b>: labelled images the models were unsure of, outside exploration
 *       (a hash of the id picks them). They are hard and few, so their accuracy says little about
 *       the stream, but a candidate must not get worse on exactly what the labellers were asked.</li>
 * </ul>
 *
 * The rule: once the stream slice holds {@code minimumStreamSlice} images, promote when on it the
 * candidate's log loss is lower and its accuracy not lower by more than {@code epsilon}, and on
 * the uncertain slice its accuracy is not lower by more than {@code epsilon} either. Until then,
 * the same rule on the uncertain slice alone, and the reason says so.
 *
 * <p>Then calibration: both slices together, each model at the temperature it would serve with
 * (the champion's published one; the candidate's fitted on these images, judged by two-fold
 * cross-fitting so that it is not judged on what it was fitted to), and a candidate whose
 * expected calibration error is worse than the champion's by more than {@code eceDelta} is
 * refused: its confidence would route the wrong images to the labellers. On fewer than
 * {@link #MINIMUM_CALIBRATION_IMAGES} images ECE is noise, and the reason says it was not judged.
 */
public record PromotionGate(double epsilon, int minimumSlice, int minimumStreamSlice, double eceDelta) {

    /** How much worse a candidate's ECE may be than the champion's, unless configured. */
    public static final double DEFAULT_ECE_DELTA = 0.05;
    /** Images needed before the gate judges calibration: 15 bins of a few images each say nothing. */
    public static final int MINIMUM_CALIBRATION_IMAGES = 50;

    public PromotionGate(double epsilon, int minimumSlice, int minimumStreamSlice) {
        this(epsilon, minimumSlice, minimumStreamSlice, DEFAULT_ECE_DELTA);
    }

    /** {@link #decide(Judged, Judged)}, then the calibration rule on both models' reports. */
    public Verdict decide(Judged candidate, Judged champion, io.lince.learn.Calibration.Report candidateCalibration,
            io.lince.learn.Calibration.Report championCalibration) {
        Verdict v = decide(candidate, champion);
        if (!v.promote()) {
            return v;
        }
        String ece = String.format(Locale.ROOT, "ECE %.4f (T %.2f) vs %.4f (T %.2f) on %d images",
                candidateCalibration.ece(), candidateCalibration.temperature(), championCalibration.ece(),
                championCalibration.temperature(), candidateCalibration.images());
        if (candidateCalibration.images() < MINIMUM_CALIBRATION_IMAGES) {
            return new Verdict(true, v.reason() + "; calibration not judged (" + ece + ", fewer than "
                    + MINIMUM_CALIBRATION_IMAGES + ")");
        }
        if (candidateCalibration.ece() > championCalibration.ece() + eceDelta) {
            return new Verdict(false, String.format(Locale.ROOT, "worse calibrated by more than %.3f: %s; %s", eceDelta,
                    ece, v.reason()));
        }
        return new Verdict(true, v.reason() + "; " + ece);
    }

    /** How one model did on one slice. */
    public record Scores(double accuracy, double logLoss, int images) {
        static final Scores EMPTY = new Scores(Double.NaN, Double.NaN, 0);
    }

    /** How one model did on both slices. */
    public record Judged(Scores stream, Scores uncertain) {}

    /** The decision and its reason in words. */
    public record Verdict(boolean promote, String reason) {}

    public Verdict decide(Judged candidate, Judged champion) {
        boolean onStream = candidate.stream().images() >= minimumStreamSlice;
        String both = numbers("stream slice", candidate.stream(), champion.stream()) + "; "
                + numbers("uncertain slice", candidate.uncertain(), champion.uncertain());
        if (!onStream) {
            if (candidate.uncertain().images() < minimumSlice) {
                return new Verdict(false, String.format(Locale.ROOT,
                        "the slices have %d stream and %d uncertain images, fewer than the %d and %d needed to judge",
                        candidate.stream().images(), candidate.uncertain().images(), minimumStreamSlice, minimumSlice));
            }
            String why = String.format(Locale.ROOT, " (stream slice %d < %d images: judged on the uncertain slice alone)",
                    candidate.stream().images(), minimumStreamSlice);
            return onOneSlice(candidate.uncertain(), champion.uncertain(), both + why);
        }
        Verdict v = onOneSlice(candidate.stream(), champion.stream(), both);
        if (!v.promote()) {
            return new Verdict(false, "on the stream slice, " + v.reason());
        }
        if (candidate.uncertain().images() > 0
                && candidate.uncertain().accuracy() < champion.uncertain().accuracy() - epsilon) {
            return new Verdict(false, String.format(Locale.ROOT,
                    "on the uncertain slice, less accurate by more than %.3f: %s", epsilon, both));
        }
        return v;
    }

    private Verdict onOneSlice(Scores candidate, Scores champion, String numbers) {
        if (candidate.accuracy() < champion.accuracy() - epsilon) {
            return new Verdict(false, String.format(Locale.ROOT, "less accurate by more than %.3f: %s", epsilon, numbers));
        }
        if (!(candidate.logLoss() < champion.logLoss())) {
            return new Verdict(false, "log loss not lower: " + numbers);
        }
        return new Verdict(true, "better: " + numbers);
    }

    private static String numbers(String slice, Scores candidate, Scores champion) {
        if (candidate.images() == 0) {
            return slice + " empty";
        }
        return String.format(Locale.ROOT, "%s accuracy %.4f vs %.4f, log loss %.4f vs %.4f on %d images", slice,
                candidate.accuracy(), champion.accuracy(), candidate.logLoss(), champion.logLoss(), candidate.images());
    }
}
