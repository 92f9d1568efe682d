package io.lince.testing;

import com.sun.net.httpserver.HttpHandler;

/** HTTP handlers for the hosts a claim-check fetch must not wait on for ever. */
public final class SlowHttp {

    private SlowHttp() {}

    /** Sends its headers at once, then {@code bytes} bytes, one every {@code intervalMillis}. */
    public static HttpHandler trickle(int bytes, long intervalMillis) {
        return x -> {
            x.sendResponseHeaders(200, bytes);
            try (var out = x.getResponseBody()) {
                for (int i = 0; i < bytes; i++) {
                    out.write(i);
                    out.flush();
                    Thread.sleep(intervalMillis);
                }
            } catch (InterruptedException | java.io.IOException e) {
                // the client hung up: what its deadline is for
            }
        };
    }

    /** Answers nothing for {@code millis}, then hangs up. */
    public static HttpHandler silent(long millis) {
        return x -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        };
    }
}
