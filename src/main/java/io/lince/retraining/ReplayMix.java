package io.lince.retraining;

import io.lince.images.ImageFolder;
import io.lince.images.ImageFolder.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * What a candidate learns from besides the new labels: the champion's original training set (the
 * base data), replayed so that the model keeps what it knew. Each training takes every labelled
 * example outside the evaluation slices, plus {@code min(|base|, round(ratio × labelled))} base
 * images drawn at random (a new draw per version). With the default ratio of 1 the new labels are
 * half of what a training sees until the base set runs out, and more after: they are neither
 * drowned by a large base set nor left to pull the model alone.
 *
 * @param base the base images, labelled with the model's classes
 * @param skipped base images whose class the model does not have
 */
public record ReplayMix(List<Entry> base, int skipped) {

    public static final ReplayMix NONE = new ReplayMix(List.of(), 0);

    public ReplayMix {
        base = List.copyOf(base);
    }

    /**
     * The base data in {@code dir}: one folder per class, or a data set's {@code train/} folder
     * of that form. Images of other classes are skipped and counted.
     */
    public static ReplayMix load(Optional<Path> dir, List<String> classes) throws IOException {
        if (dir.isEmpty()) {
            return NONE;
        }
        Path root = Files.isDirectory(dir.get().resolve("train")) ? dir.get().resolve("train") : dir.get();
        ImageFolder f;
        try {
            f = ImageFolder.scan(root);
        } catch (IOException e) {
            throw new IOException("lince.trainer.base-data: " + e.getMessage(), e);
        }
        List<Entry> kept = f.entries().stream().filter(e -> classes.contains(e.label())).toList();
        if (kept.isEmpty()) {
            throw new IOException("lince.trainer.base-data: " + root + " has no images of the model's classes " + classes
                    + " (its folders are " + f.classes() + ")");
        }
        return new ReplayMix(kept, f.entries().size() - kept.size());
    }

    /** How many base images a training with {@code labelled} examples replays. */
    public int replayed(int labelled, double ratio) {
        return (int) Math.min(base.size(), Math.round(ratio * labelled));
    }

    /** The replayed base images of one training: a seeded draw, in the base set's order. */
    public List<Entry> draw(int labelled, double ratio, long seed) {
        int n = replayed(labelled, ratio);
        if (n == base.size()) {
            return base;
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, n));
        Collections.sort(chosen);
        return chosen.stream().map(base::get).toList();
    }

    public String describe() {
        return base.isEmpty() ? "no base data" : String.format(Locale.ROOT, "%,d base images", base.size());
    }
}
