package io.lince.app;

import io.lince.images.FetchPolicy;
import io.lince.kafka.Topics;
import io.lince.model.Serving;
import io.lince.registry.ModelStore;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.InputPolicy;
import io.lince.stream.RoutingPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a Lince process needs to start, whatever its role.
 *
 * @param bootstrapServers a cluster to use; empty starts an in-process broker under workDir
 * @param kafkaProperties pass-through client properties (TLS, SASL, …)
 * @param workDir broker data, stream state and (by default) the model store
 * @param modelStore directory of model artifacts, shared by classifiers and the trainer, and their file mode
 * @param classes classes for a first model when none is published yet
 * @param weights a Lince checkpoint or torchvision .safetensors file for the first model
 * @param inputSize input side in pixels for a first model
 * @param serving device (auto, cpu or gpu), BatchNorm folding and precision of the served model
 * @param batching dynamic batching of the classifier
 * @param input checks on each image event, and what claim-check image URIs may point at
 * @param streamThreads Kafka Streams threads of the classifier
 * @param applicationIdPrefix Kafka Streams application ids are this plus "-classifier"/"-trainer"
 * @param watching the classifier's drift watch and shadow mirroring
 */
public record NodeOptions(
        Role role,
        Optional<String> bootstrapServers,
        Map<String, String> kafkaProperties,
        Path workDir,
        ModelStore.Location modelStore,
        Topics topics,
        List<String> classes,
        Optional<Path> weights,
        int inputSize,
        Serving serving,
        RoutingPolicy routing,
        BatchSettings batching,
        InputPolicy input,
        int streamThreads,
        TrainerSettings trainer,
        String applicationIdPrefix,
        long seed,
        io.lince.watch.Watching watching) {

    /** The same options with another model store (one that several processes share). */
    public NodeOptions withModelStore(Path store) {
        return new NodeOptions(role, bootstrapServers, kafkaProperties, workDir,
                new ModelStore.Location(store, modelStore.artifactMode()), topics, classes, weights,
                inputSize, serving, routing, batching, input, streamThreads, trainer, applicationIdPrefix, seed, watching);
    }

    /** The same options with another claim-check policy. */
    public NodeOptions withFetch(FetchPolicy f) {
        return new NodeOptions(role, bootstrapServers, kafkaProperties, workDir, modelStore, topics, classes, weights,
                inputSize, serving, routing, batching, input.with(f), streamThreads, trainer, applicationIdPrefix, seed, watching);
    }

    /** The same options with other formats for the images and classifications topics. */
    public NodeOptions withFormats(InputPolicy.TopicFormats formats) {
        return new NodeOptions(role, bootstrapServers, kafkaProperties, workDir, modelStore, topics, classes, weights,
                inputSize, serving, routing, batching, input.with(formats), streamThreads, trainer, applicationIdPrefix, seed, watching);
    }

    /** The same options with another routing policy. */
    public NodeOptions withRouting(RoutingPolicy r) {
        return new NodeOptions(role, bootstrapServers, kafkaProperties, workDir, modelStore, topics, classes, weights,
                inputSize, serving, r, batching, input, streamThreads, trainer, applicationIdPrefix, seed, watching);
    }

    /** What claim-check URIs may point at. */
    public FetchPolicy fetch() {
        return input.fetch();
    }
}
