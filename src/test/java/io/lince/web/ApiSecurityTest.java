package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Admin actions need the admin role, labels a labeller; reading needs a user; nobody anonymous gets anything. */
@QuarkusTest
class ApiSecurityTest {

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newHttpClient();

    private int call(String method, String path, String user, String password) throws Exception {
        return send(method, path, user, password, true, null, null).statusCode();
    }

    private HttpResponse<String> send(String method, String path, String user, String password, boolean csrfHeader,
            String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (csrfHeader) {
            b.header(CsrfGuard.HEADER, "test");
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anonymousCallersAreRefused() throws Exception {
        assertEquals(401, call("GET", "/api/models", null, null));
        for (String read : new String[] {"/api/feed", "/api/queue", "/api/stats", "/api/classes"}) {
            assertEquals(401, call("GET", read, null, null), read);
        }
        assertEquals(401, call("POST", "/api/labels", null, null));
        assertEquals(200, call("GET", "/api/session", null, null), "anyone may ask whether reading needs a sign-in");
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
        assertEquals(403, send("POST", "/api/labels", "val", "viewer-pw", true, "application/json",
                "{\"imageId\":\"a\",\"label\":\"discs\"}").statusCode(), "a viewer may not label");
    }

    @Test
    void aStateChangingRequestWithoutTheCsrfHeaderIsRefusedEvenFromAnAdmin() throws Exception {
        HttpResponse<String> r = send("POST", "/api/retrain", "ada", "admin-pw", false, null, null);
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains(CsrfGuard.HEADER), r.body());
        // what a cross-site HTML form can send: neither the header nor JSON
        assertEquals(403, send("POST", "/api/labels", "lea", "labeller-pw", false,
                "application/x-www-form-urlencoded", "imageId=a&label=discs").statusCode());
        assertEquals(415, send("POST", "/api/labels", "lea", "labeller-pw", true,
                "application/x-www-form-urlencoded", "imageId=a&label=discs").statusCode(), "labels are JSON only");
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() throws Exception {
        HttpResponse<String> page = send("GET", "/", null, null, false, null, null);
        assertEquals(200, page.statusCode(), "the page itself holds no data");
        assertTrue(page.body().contains("app.js"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        HttpResponse<String> api = send("GET", "/api/feed", null, null, false, null, null);
        assertEquals("nosniff", api.headers().firstValue("X-Content-Type-Options").orElse(""));
    }

    @Test
    void anAdminGetsThroughToTheNode() throws Exception {
        assertEquals(503, call("POST", "/api/retrain", "ada", "admin-pw"));
        assertEquals(503, call("POST", "/api/models/1/promote", "ada", "admin-pw"));
    }
}
