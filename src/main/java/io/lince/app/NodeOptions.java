package io.lince.app;

import io.lince.images.FetchPolicy;
import io.lince.kafka.Topics;
import io.lince.model.Serving;
import io.lince.registry.ModelStore;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.stream.InputPolicy;
import io.lince.stream.RoutingPolicy;
import io.lince.watch.Watching;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a Lince process needs to start, whatever its role, in the groups that change
 * together: the cluster, the first model, the classifier, the trainer.
 *
 * @param workDir broker data, stream state and (by default) the model store
 * @param modelStore directory of model artifacts, shared by classifiers and the trainer, and their file mode
 */
public record NodeOptions(Role role, Cluster cluster, Path workDir, ModelStore.Location modelStore, FirstModel firstModel,
        Classifying classifying, TrainerSettings trainer) {

    /**
     * Which Kafka and which topics.
     *
     * @param bootstrapServers a cluster to use; empty starts an in-process broker under workDir
     * @param kafkaProperties pass-through client properties (TLS, SASL, …)
     * @param applicationIdPrefix Kafka Streams application ids are this plus "-classifier"/"-trainer"
     */
    public record Cluster(Optional<String> bootstrapServers, Map<String, String> kafkaProperties, Topics topics,
            String applicationIdPrefix) {

        /** An in-process broker under the work directory. */
        public static Cluster inProcess(Topics topics, String applicationIdPrefix) {
            return new Cluster(Optional.empty(), Map.of(), topics, applicationIdPrefix);
        }
    }

    /**
     * The model a node publishes when none is published yet.
     *
     * @param classes its classes
     * @param weights a Lince checkpoint or torchvision .safetensors file to start from
     * @param inputSize input side in pixels
     * @param seed the new head's random initialisation
     */
    public record FirstModel(List<String> classes, Optional<Path> weights, int inputSize, long seed) {}

    /**
     * How the classifier serves.
     *
     * @param serving device (auto, cpu or gpu), BatchNorm folding and precision of the served model
     * @param routing what is sent for labelling
     * @param batching dynamic batching
     * @param input checks on each image event, claim-check policy, topic formats
     * @param streamThreads Kafka Streams threads
     * @param watching the drift watch and shadow mirroring
     */
    public record Classifying(Serving serving, RoutingPolicy routing, BatchSettings batching, InputPolicy input, int streamThreads,
            Watching watching) {

        public Classifying with(InputPolicy other) {
            return new Classifying(serving, routing, batching, other, streamThreads, watching);
        }

        public Classifying with(RoutingPolicy other) {
            return new Classifying(serving, other, batching, input, streamThreads, watching);
        }
    }

    /** The same options with another model store (one that several processes share). */
    public NodeOptions withModelStore(Path store) {
        return new NodeOptions(role, cluster, workDir, new ModelStore.Location(store, modelStore.artifactMode()), firstModel,
                classifying, trainer);
    }

    /** The same options with another claim-check policy. */
    public NodeOptions withFetch(FetchPolicy f) {
        return new NodeOptions(role, cluster, workDir, modelStore, firstModel, classifying.with(classifying.input().with(f)), trainer);
    }

    /** The same options with other formats for the images and classifications topics. */
    public NodeOptions withFormats(InputPolicy.TopicFormats formats) {
        return new NodeOptions(role, cluster, workDir, modelStore, firstModel, classifying.with(classifying.input().with(formats)),
                trainer);
    }

    /** The same options with another routing policy. */
    public NodeOptions withRouting(RoutingPolicy r) {
        return new NodeOptions(role, cluster, workDir, modelStore, firstModel, classifying.with(r), trainer);
    }

    // The parts most code reads, by their old names.

    public Optional<String> bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Map<String, String> kafkaProperties() {
        return cluster.kafkaProperties();
    }

    public Topics topics() {
        return cluster.topics();
    }

    public String applicationIdPrefix() {
        return cluster.applicationIdPrefix();
    }

    public List<String> classes() {
        return firstModel.classes();
    }

    public Optional<Path> weights() {
        return firstModel.weights();
    }

    public int inputSize() {
        return firstModel.inputSize();
    }

    public long seed() {
        return firstModel.seed();
    }

    public Serving serving() {
        return classifying.serving();
    }

    public RoutingPolicy routing() {
        return classifying.routing();
    }

    public BatchSettings batching() {
        return classifying.batching();
    }

    public InputPolicy input() {
        return classifying.input();
    }

    public int streamThreads() {
        return classifying.streamThreads();
    }

    public Watching watching() {
        return classifying.watching();
    }

    /** What claim-check URIs may point at. */
    public FetchPolicy fetch() {
        return classifying.input().fetch();
    }
}
