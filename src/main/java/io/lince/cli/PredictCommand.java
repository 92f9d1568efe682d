package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.contracts.Prediction;
import io.lince.images.Augmentation;
import io.lince.images.ImageDecoder;
import io.lince.images.ImageFolder;
import io.lince.learn.ImageLoader;
import io.lince.learn.Predictions;
import io.lince.learn.Tta;
import io.lince.learn.report.Submission;
import io.lince.images.InvalidImageException;
import io.lince.model.Devices;
import io.lince.model.ImageClassifier;
import io.lince.model.LinceModel;
import io.lince.model.ModelSlot;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Prints the label and class probabilities of each image file; with a folder, --tta or --csv",
                "writes a Kaggle submission (id,label with the probability of --positive) instead."},
        footer = {"", "Examples:", "  lince predict --model work/models/resnet34-v0003.lince cat.jpg dog.png",
                "  lince predict --model work/learn/models/224_all.lince --tta --csv submission.csv dogscats/test/"})
class PredictCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "JPEG, PNG, GIF or BMP images")
    List<Path> files;

    @Option(names = "--model", paramLabel = "CHECKPOINT", description = "a Lince checkpoint (default: newest in the model store)")
    Path model;

    @Mixin
    DeviceOption device;

    @Mixin
    TtaOptions tta;

    @Option(names = "--csv", paramLabel = "FILE", description = "write a Kaggle submission here (default with a folder: submission.csv)")
    Path csv;

    @Option(names = "--positive", defaultValue = "dog", description = "class whose probability the CSV holds (default: ${DEFAULT-VALUE})")
    String positive;

    @Override
    public Integer call() throws Exception {
        Path checkpoint = model != null ? model : newest(config.modelStoreDir());
        if (!Files.isRegularFile(checkpoint)) {
            throw new IllegalArgumentException("no model at " + checkpoint);
        }
        if (csv != null || tta.on || files.stream().anyMatch(Files::isDirectory)) {
            return submission(checkpoint);
        }
        int failed = 0;
        try (ModelSlot slot = new ModelSlot(LinceModel.load(checkpoint,
                Devices.select(device.orConfigured(config))))) {
            ImageClassifier classifier = new ImageClassifier(slot, ImageDecoder.defaults());
            for (Path f : files) {
                try {
                    Prediction p = classifier.classify(Files.readAllBytes(f)).prediction();
                    System.out.println(f + "\t" + p.getLabel() + "\t" + probabilities(p));
                } catch (InvalidImageException | IOException e) {
                    failed++;
                    System.err.println("lince predict: " + f + ": " + reason(e));
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** Batch mode: every image (folders expanded), optionally with TTA, into a Kaggle CSV. */
    private int submission(Path checkpoint) throws IOException {
        List<ImageFolder.Entry> entries = new ArrayList<>();
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                try (Stream<Path> s = Files.list(f)) {
                    s.filter(Files::isRegularFile).sorted().forEach(p -> entries.add(new ImageFolder.Entry(p, null)));
                }
            } else if (Files.isRegularFile(f)) {
                entries.add(new ImageFolder.Entry(f, null));
            } else {
                throw new IllegalArgumentException(f + ": no such file or folder");
            }
        }
        try (LinceModel m = LinceModel.load(checkpoint, Devices.select(device.orConfigured(config)))) {
            ImageLoader loader = new ImageLoader(m.info().inputSize(), System.err);
            int views = tta.on ? tta.views : 0;
            Predictions p = new Tta(loader, Augmentation.preset(Augmentation.SIDE_ON, 1.1), views, tta.weight(), 42)
                    .predict(m, entries, m.info().classes(), System.err);
            int pos = Submission.positiveClass(m.info().classes(), positive);
            Path file = Submission.write(p, pos, csv != null ? csv : Path.of("submission.csv"));
            System.out.printf("wrote %s: %d images, P(%s)%s; %d skipped%n", file, p.size(), m.info().classes().get(pos),
                    views > 0 ? " with TTA x" + (views + 1) : "", loader.skipped().size());
            return loader.skipped().isEmpty() ? 0 : 1;
        }
    }

    private static String reason(Exception e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
    }

    private static String probabilities(Prediction p) {
        return p.getProbabilities().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s=%.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(" ")) + String.format(Locale.ROOT, " (model v%d)", p.getModelVersion());
    }

    static Path newest(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            throw new IllegalArgumentException("no model store at " + store + ": pass --model CHECKPOINT");
        }
        try (Stream<Path> s = Files.list(store)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".lince")).max(Path::compareTo)
                    .orElseThrow(() -> new IllegalArgumentException("the model store " + store + " is empty: pass --model CHECKPOINT"));
        }
    }
}
