package io.lince.ops;

import io.lince.app.LinceNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when a model is loaded, every Kafka Streams application of this node is RUNNING, and
 * nothing else is wrong ({@link LinceNode#problems}: a background thread stopped, or the served
 * model is not the registry's champion past a grace period); the reasons are in the data.
 */
@Readiness
@ApplicationScoped
public class LinceReadiness implements HealthCheck {

    @Inject
    RunningNode running;

    @Inject
    io.lince.config.LinceConfig config;

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
        var problems = node.problems(config.classifier().stallLimit());
        if (!problems.isEmpty()) {
            r.withData("problems", String.join("; ", problems));
        }
        node.follower().ifPresent(f -> r.withData("championVersion", f.championVersion()));
        return r.status(up && problems.isEmpty() && (node.slot().isPresent() || !node.options().role().classifies())).build();
    }
}
