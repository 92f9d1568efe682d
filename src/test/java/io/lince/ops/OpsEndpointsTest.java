package io.lince.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.app.LinceNode;
import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.contracts.ImageEvent;
import io.lince.images.SyntheticImages;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** /q/health/ready follows the node; /q/metrics shows what the classifier did. */
@QuarkusTest
class OpsEndpointsTest {

    @Inject
    RunningNode running;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource("/q/health/ready")
    URL readyOnTheApplicationPort;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(URL url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessAndMetricsFollowTheClassifier() throws Exception {
        assertEquals(503, get(ready).statusCode(), "not ready before a node runs: " + ready);
        assertTrue(ready.getPort() != readyOnTheApplicationPort.getPort(), "health has a port of its own");
        assertEquals(404, get(readyOnTheApplicationPort).statusCode(), "and is not on the dashboard's port");

        Path work = Files.createTempDirectory("lince-ops");
        Topics topics = Topics.defaults(1);
        NodeOptions options = TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(), work,
                topics, new BatchSettings(4, Duration.ofMillis(20)), TrainerSettings.defaults(), "ops-test");
        try (LinceNode node = LinceNode.start(options, running.classifierMetrics())) {
            running.set(node);
            HttpResponse<String> health = get(ready);
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"modelVersion\": 1") || health.body().contains("\"modelVersion\":1"), health.body());

            WireFormat wire = WireFormat.defaults();
            SyntheticImages gen = new SyntheticImages(1, 40, 30);
            try (KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(node.clients().producer(),
                    new StringSerializer(), wire.serde(ImageEvent.class).serializer())) {
                for (int i = 0; i < 6; i++) {
                    byte[] bytes = i == 5 ? new byte[] {1, 2, 3} : gen.jpeg(i % 2);
                    p.send(new ProducerRecord<>(topics.images(), "m-" + i, ImageEvent.newBuilder().setId("m-" + i)
                            .setEventTime(Instant.now()).setSource("ops").setBytes(ByteBuffer.wrap(bytes)).build()));
                }
            }
            String body = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(body.contains("lince_images_classified_total 5.0") && body.contains("lince_dead_letters_total"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                body = get(metrics).body();
            }
            assertTrue(body.contains("lince_images_received_total 6.0"), body);
            assertTrue(body.contains("lince_images_classified_total 5.0"), body);
            assertTrue(body.contains("lince_images_uncertain_total 5.0"), "a new head is unsure of everything");
            assertTrue(body.contains("lince_dead_letters_total{stage=\"decode\"} 1.0"), body);
            assertTrue(body.contains("lince_model_version 1.0"), body);
            assertTrue(body.contains("lince_serving_int8 0.0"), "v1 has no INT8 graph: " + body);
            assertTrue(body.contains("lince_serving_version 1.0") && body.contains("lince_champion_version 1.0"), body);
            assertTrue(body.contains("lince_batch_size_count"), body);
            assertTrue(body.contains("lince_latency_end_to_end_seconds_bucket"), body);
            assertTrue(body.contains("lince_queue_delay_seconds_count"), body);
            assertTrue(body.contains("lince_partition_lag{partition=\"0\"} 0.0"), "every record taken: " + body);
            assertTrue(body.contains("lince_partition_idle_seconds{partition=\"0\"}"), body);
            // a first model has no drift reference: watched, but not judged
            assertTrue(body.contains("lince_drift_state -1.0"), body);
            assertTrue(body.contains("lince_drift_embedding_shift") && body.contains("lince_shadow_version 0.0"), body);
        } finally {
            running.clear();
        }
        assertEquals(503, get(ready).statusCode(), "not ready once the node is gone");
    }
}
