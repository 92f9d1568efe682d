package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.learn.Learner;
import io.lince.learn.Predictions;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Accuracy and log loss of a model on the validation images, with and without TTA.",
        footer = {"", "Example:", "  lince evaluate --data dogscats --load 224_all --tta"})
class EvaluateCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Mixin
    LearnOptions learn;

    @Mixin
    TtaOptions tta;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        try (Learner learner = learn.open(config, out)) {
            Predictions plain = learner.predictValid(0, 1);
            out.printf("valid: %d images, accuracy %.4f, log loss %.4f%n", plain.size(), plain.accuracy(), plain.logLoss());
            if (tta.on) {
                Predictions aug = learner.predictValid(tta.views, tta.weight());
                out.printf("valid with TTA (original + %d views): accuracy %.4f, log loss %.4f%n", tta.views, aug.accuracy(), aug.logLoss());
            }
        }
        return 0;
    }
}
