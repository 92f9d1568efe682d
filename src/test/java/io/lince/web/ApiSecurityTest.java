package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Admin actions need the admin role; reading needs a user; nobody anonymous gets anything. */
@QuarkusTest
class ApiSecurityTest {

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newHttpClient();

    private int call(String method, String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anonymousCallersAreRefused() throws Exception {
        assertEquals(401, call("GET", "/api/models", null, null));
        assertEquals(401, call("POST", "/api/models/1/promote", null, null));
        assertEquals(401, call("POST", "/api/retrain", null, null));
        assertEquals(401, call("GET", "/api/models", "ada", "wrong-password"));
    }

    @Test
    void aViewerMayReadButNotPromoteOrRetrain() throws Exception {
        // allowed in, but no node runs in this test process
        assertEquals(503, call("GET", "/api/models", "val", "viewer-pw"));
        assertEquals(403, call("POST", "/api/models/1/promote", "val", "viewer-pw"));
        assertEquals(403, call("POST", "/api/retrain", "val", "viewer-pw"));
    }

    @Test
    void anAdminGetsThroughToTheNode() throws Exception {
        assertEquals(503, call("POST", "/api/retrain", "ada", "admin-pw"));
        assertEquals(503, call("POST", "/api/models/1/promote", "ada", "admin-pw"));
    }
}
