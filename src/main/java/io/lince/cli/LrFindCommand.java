package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.learn.GroupRates;
import io.lince.learn.Learner;
import io.lince.learn.LrFindResult;
import io.lince.learn.report.Charts;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = {"The learning-rate range test: trains briefly at rates rising from 1e-7 to 10, plots",
                "the loss against the rate, suggests rates, and leaves the weights as they were."},
        footer = {"", "Example:", "  lince lr-find --data dogscats --precompute"})
class LrFindCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Mixin
    LearnOptions learn;

    @Option(names = "--precompute", description = "sweep the head on cached body activations")
    boolean precompute;

    @Option(names = "--unfreeze", description = "sweep with every layer group training")
    boolean unfreeze;

    @Option(names = "--lrs", defaultValue = "0.01,0.1,1", paramLabel = "R0,R1,R2",
            description = "the groups' rates relative to each other (default: ${DEFAULT-VALUE})")
    String ratios;

    @Option(names = "--out", paramLabel = "PNG", description = "plot file (default: {work}/runs/lr-find.png)")
    Path png;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        try (Learner learner = learn.open(config, out)) {
            if (unfreeze) {
                learner.unfreeze();
            }
            learner.precompute(precompute);
            LrFindResult r = learner.lrFind(GroupRates.parse(ratios));
            Path file = png != null ? png : learn.runsDir(config).resolve("lr-find.png");
            out.println("plot: " + Charts.lrFind(r, file));
        }
        return 0;
    }
}
