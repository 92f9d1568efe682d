package io.lince.ops;

import io.lince.app.LinceNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when a model is loaded and every Kafka Streams application of this node is RUNNING. */
@Readiness
@ApplicationScoped
public class LinceReadiness implements HealthCheck {

    @Inject
    RunningNode running;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("lince");
        LinceNode node = running.get().orElse(null);
        if (node == null) {
            return r.down().withData("reason", "not started").build();
        }
        r.withData("role", node.options().role().name().toLowerCase());
        node.slot().ifPresent(s -> r.withData("modelVersion", s.info().version()));
        boolean up = true;
        for (var e : node.streams().entrySet()) {
            KafkaStreams.State state = e.getValue().state();
            r.withData(e.getKey(), state.name());
            up &= state == KafkaStreams.State.RUNNING;
        }
        return r.status(up && (node.slot().isPresent() || !node.options().role().classifies())).build();
    }
}
