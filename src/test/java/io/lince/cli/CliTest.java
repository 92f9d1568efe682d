package io.lince.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.SyntheticImages;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The application as a user runs it: subcommands, exit codes, one-line errors. */
@QuarkusMainTest
class CliTest {

    @Test
    void everyCommandHasHelpWithAnExample(QuarkusMainLauncher launcher) {
        for (String cmd : new String[] {"demo", "serve", "predict", "produce", "init-model",
                "train", "lr-find", "evaluate", "interpret", "augment", "models", "retrain", "schemas"}) {
            LaunchResult r = launcher.launch(cmd, "--help");
            assertEquals(0, r.exitCode(), cmd);
            assertTrue(r.getOutput().contains("Example"), cmd + " --help has an example");
        }
    }

    @Test
    void predictsGoodFilesAndGivesOneLinePerBadFile(QuarkusMainLauncher launcher) throws Exception {
        Path dir = Files.createTempDirectory("lince-cli");
        Path model = dir.resolve("m.lince");
        LaunchResult init = launcher.launch("init-model", "--classes", "cats,dogs", "--input-size", "32", model.toString());
        assertEquals(0, init.exitCode(), init.getErrorOutput());

        Path good = Files.write(dir.resolve("good.jpg"), new SyntheticImages(1, 40, 30).jpeg(0));
        Path bad = Files.write(dir.resolve("bad.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2});
        LaunchResult r = launcher.launch("predict", "--model", model.toString(), good.toString(), bad.toString(),
                dir.resolve("missing.png").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.getOutput().contains(good + "\tcats\tcats=0.5000 dogs=0.5000 (model v1)"), r.getOutput());
        long errorLines = r.getErrorOutput().lines().filter(l -> l.startsWith("lince predict: ")).count();
        assertEquals(2, errorLines, r.getErrorOutput());
        assertTrue(r.getErrorOutput().contains(bad + ": corrupt jpeg"), r.getErrorOutput());
        assertTrue(r.getErrorOutput().contains("missing.png: no such file"), r.getErrorOutput());
    }

    @Test
    void aMissingModelIsOneClearLine(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("predict", "--model", "/nonexistent/m.lince", "x.jpg");
        assertEquals(2, r.exitCode());
        assertEquals("lince predict: no model at /nonexistent/m.lince", r.getErrorOutput().strip());
    }

    @Test
    void produceWithoutAClusterSaysSo(QuarkusMainLauncher launcher) throws Exception {
        Path dir = Files.createTempDirectory("lince-produce");
        LaunchResult r = launcher.launch("produce", dir.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("produce needs a cluster"), r.getErrorOutput());
    }

    @Test
    void schemasTellsWhichProducerSchemasLinceReads(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult list = launcher.launch("schemas", "fingerprints");
        assertEquals(0, list.exitCode(), list.getErrorOutput());
        assertTrue(list.getOutput().lines().anyMatch(l -> l.matches("ImageEvent\\s+3186a037d3b5f3fc")), list.getOutput());

        Path dir = Files.createTempDirectory("lince-schemas");
        Path newer = Files.writeString(dir.resolve("ImageEvent.avsc"), Files.readString(Path.of("schemas/ImageEvent.avsc"))
                .replace("{\"name\": \"knownLabel\"", "{\"name\": \"deviceId\", \"type\": [\"null\", \"string\"], \"default\": null},"
                        + " {\"name\": \"knownLabel\""));
        LaunchResult ok = launcher.launch("schemas", "check", "schemas/ImageEvent.avsc", newer.toString());
        assertEquals(0, ok.exitCode(), ok.getOutput() + ok.getErrorOutput());
        assertTrue(ok.getOutput().contains("Lince's own schema") && ok.getOutput().contains("lince.schemas.writers"), ok.getOutput());

        Path broken = Files.writeString(dir.resolve("Broken.avsc"), Files.readString(newer).replace("\"type\": \"string\"}", "\"type\": \"int\"}"));
        LaunchResult bad = launcher.launch("schemas", "check", broken.toString());
        assertEquals(1, bad.exitCode(), bad.getOutput());
        assertTrue(bad.getOutput().contains("NOT readable: cannot be read as Lince's ImageEvent"), bad.getOutput());
    }
}
