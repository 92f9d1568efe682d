package io.lince.cli;

import io.lince.learn.Tta;
import picocli.CommandLine.Option;

/** {@code --tta}, its views and the original's weight. */
class TtaOptions {
    @Option(names = "--tta", description = "average over the original and augmented views")
    boolean on;

    @Option(names = "--tta-views", defaultValue = "4", description = "augmented views (default: ${DEFAULT-VALUE})")
    int views;

    @Option(names = "--tta-weight", description = "weight of the original (default: 1/(views+1), all equal)")
    Double originalWeight;

    double weight() {
        return originalWeight != null ? originalWeight : Tta.equalWeight(views);
    }
}
