package io.lince.learn.report;

import io.lince.learn.Predictions;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Kaggle's Dogs vs Cats submission: {@code id,label} where id is the file's name without its
 * extension ({@code 123.jpg} → 123) and label is the probability of the positive class (dog).
 * Rows are sorted by id, numerically when ids are numbers.
 */
public final class Submission {

    private Submission() {}

    /** The class named like "dog"/"dogs", else the last class. */
    public static int positiveClass(List<String> classes, String wanted) {
        for (int i = 0; i < classes.size(); i++) {
            String c = classes.get(i).toLowerCase(Locale.ROOT);
            if (c.equals(wanted) || c.equals(wanted + "s")) {
                return i;
            }
        }
        return classes.size() - 1;
    }

    public static Path write(Predictions p, int positive, Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            String name = p.files().get(i).getFileName().toString();
            int dot = name.lastIndexOf('.');
            rows.add(new String[] {dot > 0 ? name.substring(0, dot) : name, String.format(Locale.ROOT, "%.6f", p.probabilities()[i][positive])});
        }
        rows.sort(Comparator.comparing((String[] r) -> numeric(r[0])).thenComparing(r -> r[0]));
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id,label\n");
            for (String[] r : rows) {
                w.write(r[0] + "," + r[1] + "\n");
            }
        }
        return file;
    }

    private static long numeric(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
