package io.lince.learn;

import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import io.lince.model.LinceModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Test-time augmentation: each image is classified as it is (centre crop) and in {@code views}
 * random augmented versions, and the probabilities are averaged with the original weighted by
 * {@code originalWeight} (the augmented views share the rest equally). With the default weight
 * {@code 1/(views+1)} every version counts the same, as in the notebook's {@code learn.TTA()}.
 */
public final class Tta {

    private final ImageLoader loader;
    private final Augmentation augmentation;
    private final int views;
    private final double originalWeight;
    private final long seed;

    public Tta(ImageLoader loader, Augmentation augmentation, int views, double originalWeight, long seed) {
        if (views < 0 || originalWeight < 0 || originalWeight > 1) {
            throw new IllegalArgumentException("TTA needs views >= 0 and an original weight in [0, 1]");
        }
        this.loader = loader;
        this.augmentation = augmentation;
        this.views = views;
        this.originalWeight = views == 0 ? 1 : originalWeight;
        this.seed = seed;
    }

    public static double equalWeight(int views) {
        return 1.0 / (views + 1);
    }

    /** {@code w·original + (1-w)·mean(augmented)}. */
    public static float[] combine(float[] original, List<float[]> augmented, double originalWeight) {
        float[] out = new float[original.length];
        for (int k = 0; k < out.length; k++) {
            double aug = 0;
            for (float[] a : augmented) {
                aug += a[k];
            }
            out[k] = (float) (augmented.isEmpty() ? original[k]
                    : originalWeight * original[k] + (1 - originalWeight) * aug / augmented.size());
        }
        return out;
    }

    /** Predictions for {@code entries} (label null for unlabelled images); unreadable files are skipped. */
    public Predictions predict(LinceModel model, List<Entry> entries, List<String> classes, PrintStream out) {
        ModelRunner runner = new ModelRunner(model);
        long[] shape = {3, loader.size(), loader.size()};
        List<float[]> probs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Progress bar = Progress.start(out, "TTA x" + (views + 1), entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Optional<List<float[]>> rows = loader.views(e.file(), augmentation, new Random(seed * 7_919L + i), views);
            bar.step(1, "");
            if (rows.isEmpty()) {
                continue;
            }
            float[][] p = runner.probabilities(MiniBatch.of(rows.get()), shape, false);
            List<float[]> aug = new ArrayList<>(List.of(p).subList(1, p.length));
            probs.add(combine(p[0], aug, originalWeight));
            labels.add(e.label() == null ? -1 : classes.indexOf(e.label()));
            files.add(e.file());
        }
        bar.finish();
        return new Predictions(classes, files, labels.stream().mapToInt(Integer::intValue).toArray(), probs.toArray(float[][]::new));
    }
}
