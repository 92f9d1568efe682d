package io.lince.cli;

import java.net.URI;
import java.net.http.HttpClient;
import io.lince.web.CsrfGuard;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "retrain", mixinStandardHelpOptions = true,
        description = {"Asks a running trainer to train now (POST /api/retrain, admin role). Requests made while",
                "one is pending are merged; the new version still has to pass the promotion gate."},
        footer = {"", "Example:", "  LINCE_PASSWORD=… lince retrain --url http://lince-trainer:8080 --user ops --reason \"new night photos\""})
class RetrainCommand implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "the trainer's HTTP address")
    URI url;

    @Option(names = "--user", required = true, description = "a user with the admin role")
    String user;

    @Option(names = "--reason", defaultValue = "", description = "recorded with the training")
    String reason;

    @Override
    public Integer call() throws Exception {
        String password = System.getenv("LINCE_PASSWORD");
        if (password == null) {
            throw new IllegalArgumentException("set LINCE_PASSWORD to " + user + "'s password");
        }
        URI target = url.resolve("/api/retrain?reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header(CsrfGuard.HEADER, "cli")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        int status = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        return switch (status) {
            case 202 -> {
                System.out.println("training requested from " + url);
                yield 0;
            }
            case 401, 403 -> throw new IllegalStateException(user + " may not request training at " + url + " (HTTP " + status + ")");
            case 503 -> throw new IllegalStateException(url + " runs no trainer (HTTP 503)");
            default -> throw new IllegalStateException(url + " answered HTTP " + status);
        };
    }
}
