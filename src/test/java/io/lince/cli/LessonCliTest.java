package io.lince.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.SyntheticImages;
import io.lince.testing.TestDatasets;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The notebook as commands: lr-find, three fits chained by checkpoint names, evaluate, interpret, predict. */
@QuarkusMainTest
class LessonCliTest {

    @Test
    void theLessonOneWorkflowRunsAsCommands(QuarkusMainLauncher launcher) throws Exception {
        Path data = TestDatasets.classFolders(Files.createTempDirectory("lesson"), 6, 2);
        Files.createDirectories(data.resolve("test"));
        for (int i : new int[] {10, 2, 1}) {
            Files.write(data.resolve("test/" + i + ".jpg"), new SyntheticImages(i, 40, 30).jpeg(i % 2));
        }
        Path work = Files.createTempDirectory("lesson-work");
        String[] common = {"--data", data.toString(), "--work", work.toString(), "--size", "32", "--bs", "4"};

        LaunchResult find = launch(launcher, common, "lr-find", "--precompute");
        assertTrue(find.getOutput().contains("lr_find: steepest"), find.getOutput());
        assertPng(work.resolve("runs/lr-find.png"));

        LaunchResult head = launch(launcher, common, "train", "--precompute", "--lr", "1e-3", "--cycles", "2", "--save", "head");
        assertTrue(head.getOutput().contains("train 12 (discs 6, stripes 6) · valid 4 (discs 2, stripes 2)"), head.getOutput());
        assertTrue(head.getOutput().contains("epoch  size  train_loss  valid_loss  accuracy  time     waiting for data"), head.getOutput());
        assertTrue(head.getOutput().contains("saved " + work.resolve("models/head.lince")), head.getOutput());
        assertPng(work.resolve("runs/head/learning-rate.png"));

        LaunchResult all = launch(launcher, common, "train", "--load", "head", "--unfreeze", "--lrs", "1e-5,1e-4,1e-3",
                "--augment", "side-on", "--optimizer", "adamw", "--tta", "--tta-views", "2", "--save", "all",
                "--cycle-len", "2", "--sizes", "24,32", "--min-scale", "0.35", "--jitter", "0.2", "--mixup", "0.4",
                "--label-smoothing", "0.1");
        assertTrue(all.getOutput().contains("with TTA (x3) accuracy"), all.getOutput());
        // the recipe tools reached the fit: a 24 px epoch, then the model's 32 px
        com.fasterxml.jackson.databind.JsonNode epochs = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(work.resolve("runs/all/history.json").toFile()).get("epochs");
        assertEquals(2, epochs.size());
        assertEquals(24, epochs.get(0).get("size").asInt());
        assertEquals(32, epochs.get(1).get("size").asInt());

        LaunchResult eval = launch(launcher, common, "evaluate", "--load", "all", "--tta", "--tta-views", "2");
        assertTrue(eval.getOutput().contains("valid: 4 images, accuracy"), eval.getOutput());
        assertTrue(eval.getOutput().contains("valid with TTA (original + 2 views)"), eval.getOutput());

        launch(launcher, common, "interpret", "--load", "all");
        assertTrue(Files.readString(work.resolve("report/index.html")).contains("Confusion matrix"));
        assertPng(work.resolve("report/confusion.png"));
        assertPng(work.resolve("report/plots/lr-find.png"));

        // the trained model as ONNX graphs: fp32 (checked against libtorch), and INT8 scored against fp32
        Path model = work.resolve("models/all.lince");
        LaunchResult fp32 = launcher.launch("export-onnx", model.toString(), work.resolve("all.onnx").toString());
        assertEquals(0, fp32.exitCode(), fp32.getErrorOutput());
        assertTrue(fp32.getOutput().matches("(?s).*wrote .*all\\.onnx .*32 px, fp32; ONNX Runtime's logits within .* of libtorch's.*"),
                fp32.getOutput());
        assertTrue(Files.size(work.resolve("all.onnx")) > 80_000_000, "a ResNet-34 in fp32");
        LaunchResult int8 = launcher.launch("export-onnx", model.toString(), work.resolve("all.int8.onnx").toString(), "--int8",
                "--calibration", data.resolve("train").toString(), "--valid", data.resolve("valid").toString());
        assertEquals(0, int8.exitCode(), int8.getErrorOutput());
        assertTrue(int8.getOutput().contains("INT8, calibrated on 12 images; INT8 "), int8.getOutput());
        assertTrue(Files.size(work.resolve("all.int8.onnx")) < 30_000_000, "int8 weights: a quarter of the size");

        Path csv = work.resolve("submission.csv");
        LaunchResult predict = launcher.launch("predict", "--model", work.resolve("models/all.lince").toString(), "--tta",
                "--tta-views", "2", "--positive", "stripes", "--csv", csv.toString(), data.resolve("test").toString());
        assertEquals(0, predict.exitCode(), predict.getErrorOutput());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("id,label", rows.get(0));
        assertEquals(List.of("1", "2", "10"), rows.subList(1, 4).stream().map(r -> r.split(",")[0]).toList());
        rows.subList(1, 4).forEach(r -> {
            double p = Double.parseDouble(r.split(",")[1]);
            assertTrue(p >= 0 && p <= 1, r);
        });

        Path img = data.resolve("train/discs/discs.1.jpg");
        LaunchResult aug = launcher.launch("augment", img.toString(), "--size", "48", "-n", "4", "--out", work.resolve("aug.png").toString());
        assertEquals(0, aug.exitCode(), aug.getErrorOutput());
        assertEquals(2 * (48 + 22 + 6) + 6, ImageIO.read(work.resolve("aug.png").toFile()).getHeight(), "two rows of tiles");
    }

    @Test
    void badInputIsOneClearLineAndANonZeroExit(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult noData = launcher.launch("train", "--data", "/nonexistent/dogscats");
        assertEquals(1, noData.exitCode());
        assertEquals("lince train: /nonexistent/dogscats has no train/ folder (expected train/<class>/… or Kaggle's train/cat.1.jpg)",
                noData.getErrorOutput().strip());

        Path bad = Files.write(Files.createTempFile("bad", ".jpg"), new byte[] {1, 2, 3, 4});
        LaunchResult aug = launcher.launch("augment", bad.toString());
        assertEquals(1, aug.exitCode());
        assertTrue(aug.getErrorOutput().strip().startsWith("lince augment: " + bad + ": not an image"), aug.getErrorOutput());

        Path data = TestDatasets.classFolders(Files.createTempDirectory("lesson"), 1, 1);
        LaunchResult rates = launcher.launch("train", "--data", data.toString(), "--work", Files.createTempDirectory("w").toString(),
                "--size", "32", "--lrs", "1e-3,1e-2");
        assertEquals(2, rates.exitCode());
        assertTrue(rates.getErrorOutput().contains("give one learning rate or 3 positive ones"), rates.getErrorOutput());
    }

    private static LaunchResult launch(QuarkusMainLauncher launcher, String[] common, String command, String... args) {
        String[] all = new String[1 + common.length + args.length];
        all[0] = command;
        System.arraycopy(common, 0, all, 1, common.length);
        System.arraycopy(args, 0, all, 1 + common.length, args.length);
        LaunchResult r = launcher.launch(all);
        assertEquals(0, r.exitCode(), command + ": " + r.getErrorOutput() + r.getOutput());
        return r;
    }

    private static void assertPng(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " exists");
        assertTrue(ImageIO.read(file.toFile()).getWidth() > 0, file + " is a PNG");
    }
}
