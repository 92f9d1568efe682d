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
