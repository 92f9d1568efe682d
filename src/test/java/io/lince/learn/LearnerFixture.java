package io.lince.learn;

import ai.djl.Device;
import io.lince.images.Augmentation;
import io.lince.testing.TestDatasets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A learner on a small generated data set at 32 px: real ResNet-34, steps in milliseconds. */
final class LearnerFixture {

    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    private LearnerFixture() {}

    static Path data(int train, int valid) throws IOException {
        return TestDatasets.classFolders(Files.createTempDirectory("lince-data"), train, valid);
    }

    static Learner learner(Path data, Path work, OptimizerSettings optimizer) throws IOException {
        Learner.Settings s = new Learner.Settings(32, 8, Augmentation.preset(Augmentation.SIDE_ON, 1.1), optimizer, 7, work);
        return Learner.create(Dataset.load(data, 0.2, 1), s, Optional.empty(), Device.cpu(), QUIET);
    }

    static OptimizerSettings plainSgd() {
        return new OptimizerSettings(OptimizerSettings.Kind.SGD, 0, 0);
    }
}
