package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.kafka.Topics;
import io.lince.ops.RunningNode;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A user made the way the README says ({@code lince user NAME --role labeller}, its two lines in
 * the configuration) signs in and labels; guessing passwords gets the user locked out, the right
 * password included, until the lock has passed.
 */
@QuarkusTest
@TestProfile(SignInTest.ReadmeUsers.class)
class SignInTest {

    static final String PASSWORD = "correct horse battery";

    /** The configuration as the README has the operator write it: the lines `lince user` prints. */
    public static class ReadmeUsers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            for (String user : List.of("ops", "eve")) {
                for (String line : ConfiguredUsers.configLines(user, PASSWORD, List.of("labeller"))) {
                    int eq = line.indexOf('=');
                    config.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            config.put("lince.web.sign-in.free-failures", "3");
            config.put("lince.web.sign-in.first-lock", "2s");
            return config;
        }
    }

    @Inject
    RunningNode running;

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, String user, String password, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
                .header(CsrfGuard.HEADER, "test").header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aUserMadeAsTheReadmeSaysSignsInAndLabels() throws Exception {
        HttpResponse<String> session = send("GET", "/api/session", "ops", PASSWORD, null);
        assertEquals(200, session.statusCode());
        assertTrue(session.body().contains("\"user\":\"ops\""), session.body());
        assertTrue(session.body().contains("\"roles\":[\"labeller\"]"), session.body());

        NodeOptions options = TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(),
                Files.createTempDirectory("lince-sign-in"), Topics.defaults(1), new BatchSettings(4, Duration.ofMillis(20)),
                TrainerSettings.defaults(), "sign-in-test");
        try (LinceNode node = LinceNode.start(options, running.classifierMetrics())) {
            running.set(node);
            String label = node.firstChampion().getClasses().get(0);
            // an image in the labelling queue gets a Grad-CAM heat map on demand, from the serving model
            try (var p = new org.apache.kafka.clients.producer.KafkaProducer<String, io.lince.contracts.ImageEvent>(
                    node.clients().producer(), new org.apache.kafka.common.serialization.StringSerializer(),
                    io.lince.wire.WireFormat.defaults().serde(io.lince.contracts.ImageEvent.class).serializer())) {
                p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(options.topics().images(), "queued-1",
                        io.lince.contracts.ImageEvent.newBuilder().setId("queued-1").setEventTime(java.time.Instant.now())
                                .setSource("test").setBytes(java.nio.ByteBuffer.wrap(io.lince.testing.TestImages.jpeg(0, 1))).build()));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!send("GET", "/api/queue", "ops", PASSWORD, null).body().contains("queued-1") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            HttpResponse<byte[]> heat = http.send(HttpRequest.newBuilder(URI.create(root.toString()).resolve("/api/gradcam?id=queued-1"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, heat.statusCode(), new String(heat.body(), StandardCharsets.UTF_8));
            var png = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(heat.body()));
            assertEquals(32, png.getWidth(), "the heat map over the serving model's input crop");
            assertEquals(404, send("GET", "/api/gradcam?id=never-seen", "ops", PASSWORD, null).statusCode());
            HttpResponse<String> watch = send("GET", "/api/watch", "ops", PASSWORD, null);
            assertEquals(200, watch.statusCode(), watch.body());
            assertTrue(watch.body().contains("\"temperature\":1.0") && watch.body().contains("\"drift\":\"no_reference\""),
                    "a first model: uncalibrated, no drift reference: " + watch.body());
            HttpResponse<String> labelled = send("POST", "/api/labels", "ops", PASSWORD,
                    "{\"imageId\":\"photo-1\",\"label\":\"" + label + "\"}");
            assertEquals(200, labelled.statusCode(), labelled.body());
            assertTrue(labelled.body().contains("\"labeller\":\"ops\""), labelled.body());
        } finally {
            running.clear();
        }
    }

    @Test
    void guessingLocksTheUserOutTheRightPasswordIncludedUntilTheLockPasses() throws Exception {
        long start = System.nanoTime();
        int wrong = 0;
        for (int i = 0; i < 40; i++) {
            assertEquals(401, send("GET", "/api/classes", "eve", "guess-" + i, null).statusCode());
            wrong++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        HttpResponse<String> right = send("GET", "/api/classes", "eve", PASSWORD, null);
        assertEquals(401, right.statusCode(), "the right password straight after " + wrong + " guesses (" + seconds + " s) is refused");
        assertTrue(send("GET", "/api/session", "ops", PASSWORD, null).body().contains("\"user\":\"ops\""),
                "another user is not locked out by eve's guesses");
        // the lock has doubled with each refused guess counted, up to its cap; wait for it to pass
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status = 401;
        while (status == 401 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            status = send("GET", "/api/classes", "eve", PASSWORD, null).statusCode();
        }
        assertTrue(status != 401 && status != 403, "eve signs in once the lock has passed: " + status);
    }
}
