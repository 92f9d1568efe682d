package io.lince.testing;

import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.images.FetchPolicy;
import io.lince.kafka.Topics;
import io.lince.model.Serving;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.RoutingPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Node options for tests: 32 px models on the CPU, the synthetic classes, BatchNorm folded. */
public final class TestNodes {

    private TestNodes() {}

    /**
     * @param bootstrap a broker, or empty for an in-process one under {@code work}
     * @param kafkaProperties extra client properties
     */
    public static NodeOptions options(Role role, Optional<String> bootstrap, Map<String, String> kafkaProperties,
            Path work, Topics topics, BatchSettings batching, TrainerSettings trainer, String applicationId) {
        return new NodeOptions(role, new NodeOptions.Cluster(bootstrap, kafkaProperties, topics, applicationId), work,
                io.lince.registry.ModelStore.Location.of(work.resolve("models")),
                new NodeOptions.FirstModel(TestModels.CLASSES, Optional.empty(), 32, 42),
                new NodeOptions.Classifying(Serving.fp32("cpu"), RoutingPolicy.of("confidence", 0.9), batching,
                        io.lince.stream.InputPolicy.of(FetchPolicy.localFiles(Optional.empty())), 1, io.lince.watch.Watching.DEFAULTS),
                trainer);
    }
}
