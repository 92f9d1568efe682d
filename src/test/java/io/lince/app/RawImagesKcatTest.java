package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.InputPolicy;
import io.lince.testing.TestImages;
import io.lince.testing.TestNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simplest upstream app there is: kcat (Debian's) sends ten JPEG files as they are, keyed by
 * image id, to a classifier with {@code lince.images.format=raw} and {@code lince.output.format=json},
 * and kcat reads their ten classifications back as JSON, {@code read_committed}. Skipped, with the
 * reason, where kcat is not installed ({@code .ci/run} installs it).
 */
class RawImagesKcatTest {

    private static final Topics TOPICS = Topics.defaults(1);

    @TempDir
    Path work;

    @Test
    @Timeout(240)
    void kcatSendsPlainJpegsAndReadsTheirClassificationsAsJson() throws Exception {
        Optional<Path> kcat = kcat();
        Assumptions.assumeTrue(kcat.isPresent(), "kcat is not installed (apt-get install kcat): the raw-image path is tested "
                + "without it in TopicFormatsTest");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.of(kafka.bootstrapServers()), Map.of(),
                        work, TOPICS, new BatchSettings(4, Duration.ofMillis(50)), TrainerSettings.defaults(), "kcat")
                        .withFormats(new InputPolicy.TopicFormats("raw", "json")))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = "photo-" + i;
                Path jpeg = Files.write(work.resolve(id + ".jpg"), TestImages.jpeg(i % 2, i));
                run(kcat.get().toString(), "-b", kafka.bootstrapServers(), "-P", "-t", TOPICS.images(), "-k", id,
                        "-H", "content-type=image/jpeg", jpeg.toString());
                ids.add(id);
            }
            Map<String, JsonNode> results = new HashMap<>();
            long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (results.size() < 10 && System.nanoTime() < until) {
                String out = run(kcat.get().toString(), "-b", kafka.bootstrapServers(), "-C", "-t", TOPICS.classifications(),
                        "-X", "isolation.level=read_committed", "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n");
                for (String line : out.split("\n")) {
                    if (line.contains("\t")) {
                        String[] kv = line.split("\t", 2);
                        results.put(kv[0], new ObjectMapper().readTree(kv[1]));
                    }
                }
                if (results.size() < 10) {
                    Thread.sleep(500);
                }
            }
            assertEquals(new java.util.TreeSet<>(ids), new java.util.TreeSet<>(results.keySet()), "one classification per photo");
            for (String id : ids) {
                JsonNode c = results.get(id);
                assertEquals(id, c.get("imageId").asText());
                assertTrue(c.get("prediction").get("probabilities").has(c.get("prediction").get("label").asText()), c.toString());
                assertTrue(c.get("eventTime").asLong() > 0, "the record's timestamp is the event time");
            }
        }
    }

    private static Optional<Path> kcat() {
        for (String name : List.of("kcat", "kafkacat")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + text);
        return text;
    }
}
