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
import io.lince.testing.TestModels;
import io.lince.testing.TestNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients in {@code examples/}, run as an upstream team would run them, against a classifier
 * on the in-process broker: Python (Debian's python3-confluent-kafka and python3-avro) and Node
 * (kafkajs and avsc, {@code npm ci} in examples/node) each send a folder of photos in Avro
 * single-object encoding, and the other language reads their classifications back. Each test is
 * skipped, with the reason, where its interpreter or packages are missing ({@code .ci/run}
 * installs them), as the browser test is.
 */
class ExampleClientsTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

    @TempDir
    Path work;

    @Test
    @Timeout(300)
    void pythonSendsFiftyPhotosAndNodeReadsTheirClassifications() throws Exception {
        exchange(50, "py-", new Client("python", python(), "produce_images.py"), new Client("node", node(), "read-classifications.js"));
    }

    @Test
    @Timeout(300)
    void nodeSendsPhotosAndPythonReadsTheirClassifications() throws Exception {
        exchange(12, "js-", new Client("node", node(), "produce-images.js"), new Client("python", python(), "read_classifications.py"));
    }

    /** The simplest app: Node sends the files' bytes as they are (raw), Python reads the classifications as JSON. */
    @Test
    @Timeout(300)
    void nodeSendsRawImagesAndPythonReadsJsonClassifications() throws Exception {
        String python = python();
        String node = node();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LinceNode ignored = LinceNode.start(options(kafka, "json", Optional.empty())
                        .withFormats(new InputPolicy.TopicFormats("raw", "json")))) {
            Path photos = photos(8, "raw-");
            run(EXAMPLES.resolve("node"), node, "produce-images.js", "--bootstrap", kafka.bootstrapServers(), "--raw", photos.toString());
            String out = run(EXAMPLES.resolve("python"), python, "read_classifications.py", "--bootstrap", kafka.bootstrapServers(),
                    "--count", "8", "--timeout", "150");
            assertClassified(photos, out);
        }
    }

    /** A script of {@code examples/<folder>} and the interpreter that runs it. */
    private record Client(String folder, String interpreter, String script) {}

    /** {@code n} photos sent by one client through a classifier with Avro output, their classifications read by another. */
    private void exchange(int n, String prefix, Client producer, Client consumer) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka")); LinceNode ignored = classifier(kafka, "avro")) {
            Path photos = photos(n, prefix);
            run(EXAMPLES.resolve(producer.folder()), producer.interpreter(), producer.script(), "--bootstrap", kafka.bootstrapServers(),
                    photos.toString());
            String out = run(EXAMPLES.resolve(consumer.folder()), consumer.interpreter(), consumer.script(), "--bootstrap",
                    kafka.bootstrapServers(), "--count", String.valueOf(n), "--timeout", "150");
            assertClassified(photos, out);
        }
    }

    /**
     * Images already in object storage: the Python producer sends their {@code s3://} addresses
     * (an S3-compatible server, s3rver), the classifier fetches and classifies them, and one the
     * store does not have is dead-lettered with the reason.
     */
    @Test
    @Timeout(300)
    void pythonSendsS3ClaimChecksAndTheClassifierFetchesThem() throws Exception {
        String python = python();
        try (io.lince.testing.S3Server s3 = io.lince.testing.S3Server.start(Files.createDirectories(work.resolve("s3")), "photos")) {
            Path photos = photos(5, "s3-");
            for (int i = 0; i < 4; i++) { // the fifth is never uploaded
                String name = String.format("s3-%02d.jpg", i);
                s3.put("photos", "incoming/" + name, Files.readAllBytes(photos.resolve(name)));
            }
            var fetch = io.lince.images.FetchPolicy.localFiles(Optional.empty()).withS3(new io.lince.images.ObjectStorePolicy(
                    List.of("photos/incoming/"), Optional.of(s3.endpoint()), Optional.of("us-east-1"), true));
            try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                    LinceNode node = LinceNode.start(options(kafka, "avro", Optional.empty()).withFetch(fetch))) {
                run(EXAMPLES.resolve("python"), python, "produce_images.py", "--bootstrap", kafka.bootstrapServers(),
                        "--claim-check", "s3://photos/incoming/", photos.toString());
                String out = run(EXAMPLES.resolve("python"), python, "read_classifications.py", "--bootstrap", kafka.bootstrapServers(),
                        "--count", "4", "--timeout", "150");
                Files.delete(photos.resolve("s3-04.jpg"));
                assertClassified(photos, out);
                assertEquals(List.of("no such object: s3://photos/incoming/s3-04.jpg (NoSuchKey)"), deadLetterReasons(node, 1));
            }
        }
    }

    /**
     * A team adds a field to its ImageEvent and says nothing to anyone: its events are
     * dead-lettered, naming the fingerprint and what to do. Once the classifiers are given the
     * newer schema ({@code lince.schemas.writers}), the same producer's events are classified.
     */
    @Test
    @Timeout(300)
    void aPythonProducerWithANewerImageEventIsClassifiedOnceTheClassifiersHaveItsSchema() throws Exception {
        String python = python();
        Path schemas = Files.createDirectories(work.resolve("team-schemas"));
        try (var files = Files.list(Path.of("schemas"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
                Files.copy(f, schemas.resolve(f.getFileName()));
            }
        }
        String own = Files.readString(schemas.resolve("ImageEvent.avsc"));
        String newer = own.replace("{\"name\": \"knownLabel\"",
                "{\"name\": \"deviceId\", \"type\": [\"null\", \"string\"], \"default\": null},\n    {\"name\": \"knownLabel\"");
        assertTrue(!newer.equals(own), "the test's edit applies to schemas/ImageEvent.avsc");
        Files.writeString(schemas.resolve("ImageEvent.avsc"), newer);
        Path writers = Files.createDirectories(work.resolve("writers"));
        Files.writeString(writers.resolve("ImageEvent.avsc"), newer);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            Path photos = photos(6, "new-");
            try (LinceNode node = LinceNode.start(options(kafka, "avro", Optional.empty()))) {
                run(EXAMPLES.resolve("python"), python, "produce_images.py", "--bootstrap", kafka.bootstrapServers(),
                        "--schemas", schemas.toString(), "--field", "deviceId=cam-7", photos.toString());
                List<String> reasons = deadLetterReasons(node, 6);
                assertEquals(6, reasons.size(), "dead-lettered without the schema: " + reasons);
                reasons.forEach(r -> assertTrue(r.contains("lince.schemas.writers") && r.contains("(current)"), r));
            }
            try (LinceNode ignored = LinceNode.start(options(kafka, "avro", Optional.of(writers)))) {
                Path again = photos(6, "newer-");
                run(EXAMPLES.resolve("python"), python, "produce_images.py", "--bootstrap", kafka.bootstrapServers(),
                        "--schemas", schemas.toString(), "--field", "deviceId=cam-7", again.toString());
                String out = run(EXAMPLES.resolve("python"), python, "read_classifications.py", "--bootstrap", kafka.bootstrapServers(),
                        "--count", "6", "--timeout", "150");
                assertClassified(again, out);
            }
        }
    }

    /** The reasons of the first {@code n} dead letters, read committed. */
    private static List<String> deadLetterReasons(LinceNode node, int n) {
        var letters = io.lince.wire.WireFormat.defaults().serde(io.lince.contracts.DeadLetter.class).deserializer();
        List<String> reasons = new ArrayList<>();
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(node.clients().reader(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var part = List.of(new org.apache.kafka.common.TopicPartition(TOPICS.deadLetter(), 0));
            c.assign(part);
            c.seekToBeginning(part);
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reasons.size() < n && System.nanoTime() < until) {
                c.poll(Duration.ofMillis(100)).forEach(r -> reasons.add(letters.deserialize(r.topic(), r.value()).getReason()));
            }
        }
        return reasons;
    }

    private LinceNode classifier(EmbeddedKafka kafka, String outputFormat) throws Exception {
        return LinceNode.start(options(kafka, outputFormat, Optional.empty()));
    }

    private io.lince.app.NodeOptions options(EmbeddedKafka kafka, String outputFormat, Optional<Path> writers) {
        return TestNodes.options(Role.CLASSIFIER, Optional.of(kafka.bootstrapServers()), Map.of(), work, TOPICS,
                new BatchSettings(8, Duration.ofMillis(50)), TrainerSettings.defaults(), "clients")
                .withFormats(new InputPolicy.TopicFormats("avro", outputFormat, writers));
    }

    private Path photos(int n, String prefix) throws IOException {
        Path dir = Files.createDirectories(work.resolve(prefix + "photos"));
        for (int i = 0; i < n; i++) {
            Files.write(dir.resolve(String.format("%s%02d.jpg", prefix, i)), TestImages.jpeg(i % 2, i));
        }
        return dir;
    }

    /** One classification per photo, each naming its photo and a class of the model, with probabilities summing to one. */
    private static void assertClassified(Path photos, String out) throws IOException {
        TreeSet<String> expected = new TreeSet<>();
        try (var files = Files.list(photos)) {
            files.forEach(f -> expected.add(f.getFileName().toString().replace(".jpg", "")));
        }
        TreeMap<String, JsonNode> byId = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                JsonNode c = new ObjectMapper().readTree(line);
                byId.put(c.get("imageId").asText(), c);
            }
        }
        assertEquals(expected, byId.navigableKeySet(), "one classification per photo sent:\n" + out);
        for (JsonNode c : byId.values()) {
            JsonNode p = c.get("prediction");
            assertTrue(TestModels.CLASSES.contains(p.get("label").asText()), c.toString());
            double sum = 0;
            for (String cls : TestModels.CLASSES) {
                sum += p.get("probabilities").get(cls).asDouble();
            }
            assertEquals(1.0, sum, 1e-3, c.toString());
            assertTrue(c.get("eventTime").asLong() > 1_600_000_000_000L, "the producer's event time in epoch ms: " + c);
        }
    }

    /** Debian's python3 with confluent_kafka and avro (a pyenv or venv python first on PATH usually lacks them). */
    private static String python() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import confluent_kafka, avro.io").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        Assumptions.abort("no python3 with confluent_kafka and avro (apt-get install python3-confluent-kafka python3-avro)");
        return null;
    }

    private static String node() {
        Assumptions.assumeTrue(Files.isDirectory(EXAMPLES.resolve("node/node_modules/kafkajs"))
                && Files.isDirectory(EXAMPLES.resolve("node/node_modules/avsc")),
                "examples/node has no node_modules (cd examples/node && npm ci)");
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "node does not run");
        } catch (IOException | InterruptedException e) {
            Assumptions.abort("node is not installed: " + e.getMessage());
        }
        return "node";
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(200, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed; its output:\n" + text);
        return text;
    }
}
