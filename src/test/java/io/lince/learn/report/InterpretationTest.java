package io.lince.learn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lince.learn.Predictions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InterpretationTest {

    /** Eight images, cats (0) and dogs (1), with hand-picked probabilities of "dog". */
    static Predictions fixed() {
        float[] pDog = {0.10f, 0.02f, 0.45f, 0.90f, 0.95f, 0.70f, 0.52f, 0.20f};
        int[] labels = {0, 0, 0, 0, 1, 1, 1, 1};
        float[][] probs = new float[pDog.length][];
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < pDog.length; i++) {
            probs[i] = new float[] {1 - pDog[i], pDog[i]};
            files.add(Path.of("img" + i + ".jpg"));
        }
        return new Predictions(List.of("cats", "dogs"), files, labels, probs);
    }

    @Test
    void picksTheNotebooksFiveViews() {
        Predictions p = fixed();
        Interpretation v = Interpretation.of(p, 2, 1);
        // correct: 0, 1, 2 (cats below 0.5), 4, 5, 6 (dogs above 0.5); wrong: 3 (a cat at 0.90), 7 (a dog at 0.20)
        assertEquals(Map.of("cats", List.of(1, 0), "dogs", List.of(4, 5)), v.mostCorrect());
        assertEquals(Map.of("cats", List.of(3), "dogs", List.of(7)), v.mostIncorrect());
        assertEquals(List.of(6, 2), v.mostUncertain(), "margins 0.04 and 0.10");
        assertEquals(2, v.randomCorrect().size());
        assertEquals(true, Set.of(0, 1, 2, 4, 5, 6).containsAll(v.randomCorrect()));
        assertEquals(Set.of(3, 7), Set.copyOf(v.randomIncorrect()));
        assertEquals(v, Interpretation.of(p, 2, 1), "seeded");
    }

    @Test
    void measuresMatchTheirDefinitions() {
        Predictions p = fixed();
        assertEquals(6 / 8.0, p.accuracy(), 1e-12);
        double expected = -(Math.log(0.90) + Math.log(0.98) + Math.log(0.55) + Math.log(0.10)
                + Math.log(0.95) + Math.log(0.70) + Math.log(0.52) + Math.log(0.20)) / 8;
        assertEquals(expected, p.logLoss(), 1e-6);
        int[][] m = p.confusion();
        assertEquals(3, m[0][0]);
        assertEquals(1, m[0][1]);
        assertEquals(1, m[1][0]);
        assertEquals(3, m[1][1]);
    }
}
