package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code lince.web.anonymous-read=true} anyone may read, and still nobody anonymous may write. */
@QuarkusTest
@TestProfile(AnonymousReadTest.Open.class)
class AnonymousReadTest {

    public static class Open implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lince.web.anonymous-read", "true");
        }
    }

    @TestHTTPResource("/")
    URL root;

    private HttpResponse<String> call(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
                .header(CsrfGuard.HEADER, "test").header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anonymousCallersMayReadButNotWrite() throws Exception {
        HttpResponse<String> session = call("GET", "/api/session");
        assertTrue(session.body().contains("\"anonymousRead\":true"), session.body());
        assertEquals(503, call("GET", "/api/models").statusCode(), "let in (no node runs in this test)");
        assertEquals(503, call("GET", "/api/feed").statusCode());
        assertEquals(401, call("POST", "/api/labels").statusCode());
        assertEquals(401, call("POST", "/api/retrain").statusCode());
        assertEquals(401, call("POST", "/api/models/1/promote").statusCode());
    }
}
