package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.learn.Learner;
import io.lince.learn.Predictions;
import io.lince.learn.report.Interpretation;
import io.lince.learn.report.InterpretationReport;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "interpret", mixinStandardHelpOptions = true,
        description = {"Writes an offline HTML report: accuracy, log loss, confusion matrix, the most (in)correct",
                "and most uncertain validation images, and the run's lr_find, learning-rate and loss plots."},
        footer = {"", "Example:", "  lince interpret --data dogscats --load 224_all --tta"})
class InterpretCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Mixin
    LearnOptions learn;

    @Mixin
    TtaOptions tta;

    @Option(names = "--images", defaultValue = "8", description = "images per view (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--out", paramLabel = "DIR", description = "report folder (default: {work}/report)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        try (Learner learner = learn.open(config, out)) {
            Predictions plain = learner.predictValid(0, 1);
            Map<String, String> summary = new LinkedHashMap<>();
            summary.put("model", learn.load != null ? learner.checkpointPath(learn.load).toString() : String.valueOf(learn.weights));
            summary.put("data", learn.data + " · " + learner.data().counts());
            summary.put("input size", learn.size + " px");
            summary.put("accuracy", String.format("%.4f", plain.accuracy()));
            summary.put("log loss", String.format("%.4f", plain.logLoss()));
            Predictions shown = plain;
            if (tta.on) {
                shown = learner.predictValid(tta.views, tta.weight());
                summary.put("accuracy with TTA (x" + (tta.views + 1) + ")", String.format("%.4f", shown.accuracy()));
                summary.put("log loss with TTA", String.format("%.4f", shown.logLoss()));
            }
            summary.put("images shown", tta.on ? "predictions with TTA" : "predictions without TTA");
            Path target = dir != null ? dir : learn.workDir(config).resolve("report");
            Path index = new InterpretationReport(learner.loader()).write(target, shown,
                    Interpretation.of(shown, images, learn.seed), summary, plots(target), java.util.Optional.of(learner.model()));
            out.println("report: " + index);
        }
        return 0;
    }

    /** The run's PNG plots, copied beside the report so it stays one self-contained folder. */
    private Map<String, Path> plots(Path target) throws java.io.IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        Path runs = learn.runsDir(config);
        if (!Files.isDirectory(runs)) {
            return out;
        }
        Files.createDirectories(target.resolve("plots"));
        try (Stream<Path> s = Files.walk(runs)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                String title = runs.relativize(p).toString();
                Path copy = target.resolve("plots").resolve(title.replace('/', '-'));
                Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                out.put(title, copy);
            }
        }
        return out;
    }
}
