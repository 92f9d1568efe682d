package io.lince.config;

import io.lince.kafka.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code lince.*} settings (application.properties, environment, or -D). */
@ConfigMapping(prefix = "lince")
public interface LinceConfig {

    /** Broker data (in-process mode), stream state, and the model store unless set apart. */
    @WithDefault("work")
    Path workDir();

    /** Directory of model artifacts shared by classifiers and trainer; default {work-dir}/models. */
    Optional<Path> modelStore();

    Kafka kafka();

    TopicNames topics();

    Model model();

    Classifier classifier();

    Trainer trainer();

    Web web();

    Fetch fetch();

    /** Claim-check image URIs: only what is listed here is ever fetched. */
    interface Fetch {
        /** file: URIs must lie under this directory; unset = no file: URIs. */
        Optional<Path> fileRoot();

        /** http(s) hosts ("host" or "host:port"); unset = no remote fetches. */
        Optional<List<String>> allowedHosts();

        /** http(s) paths must start with one of these; unset = any path on an allowed host. */
        Optional<List<String>> pathPrefixes();

        @WithDefault("5000")
        long timeoutMs();

        @WithDefault("20971520")
        int maxBytes();

        @WithDefault("3")
        int attempts();

        @WithDefault("200")
        long backoffMs();
    }

    interface Kafka {
        /** A cluster to use; absent starts an in-process single-node broker. */
        Optional<String> bootstrapServers();

        /** Pass-through client properties, e.g. {@code lince.kafka.properties."security.protocol"=SASL_SSL}. */
        Map<String, String> properties();

        @WithDefault("lince")
        String applicationIdPrefix();
    }

    interface TopicNames {
        @WithDefault(Topics.IMAGES)
        String images();

        @WithDefault(Topics.CLASSIFICATIONS)
        String classifications();

        @WithDefault(Topics.RETRAINING)
        String retraining();

        @WithDefault(Topics.LABELS)
        String labels();

        @WithDefault(Topics.MODELS)
        String models();

        @WithDefault(Topics.DEAD_LETTER)
        String deadLetter();

        @WithDefault(Topics.EXAMPLES)
        String examples();

        @WithDefault("3")
        int partitions();
    }

    interface Model {
        /** auto (CUDA when the engine sees a device), cpu or gpu. */
        @WithDefault("auto")
        String device();

        /** Input side in pixels of a first model. */
        @WithDefault("224")
        int inputSize();

        /** Classes of a first model when no model is published yet. */
        @WithDefault("cats,dogs")
        List<String> classes();

        /** Weights of a first model: a Lince checkpoint or a torchvision/timm .safetensors file. */
        Optional<Path> weights();

        /** libtorch intra-op threads; 0 = one per core. */
        @WithDefault("0")
        int threads();

        @WithDefault("42")
        long seed();
    }

    interface Classifier {
        /** confidence, margin, entropy, or variance (with tta-views &gt; 0). */
        @WithDefault("confidence")
        String uncertaintyMeasure();

        @WithDefault("0.9")
        double threshold();

        @WithDefault("1")
        int streamThreads();

        /** Test-time augmentation: extra views per image (0 = off); enables the variance measure. */
        @WithDefault("0")
        int ttaViews();

        /**
         * Serve with BatchNorm folded into the convolutions: same outputs to float rounding, 36
         * fewer passes over the activations (1.00–1.15× in the benchmark runs, README Speed).
         */
        @WithDefault("true")
        boolean foldBatchNorm();

        /** Threads that decode images as they arrive (0 = on the stream thread, when the batch runs). */
        @WithDefault("0")
        int prepareThreads();

        /** Largest batch for one forward pass. */
        @WithDefault("8")
        int maxBatch();

        /** Longest an image waits for a batch to fill, in ms. */
        @WithDefault("100")
        long maxDelayMs();

        Selection selection();
    }

    /** Which uncertain images go to the labellers (see {@code SelectionSettings}). */
    interface Selection {
        /** Send what lies k sd above the moving mean of the uncertainty instead of the fixed threshold. */
        @WithDefault("false")
        boolean adaptive();

        @WithDefault("2")
        double k();

        @WithDefault("0.01")
        double emaAlpha();

        @WithDefault("100")
        int warmup();

        /** At most this many per minute per stream task; 0 = no limit. */
        @WithDefault("0")
        int maxPerMinute();

        /** Share of confident images sent anyway (0-1). */
        @WithDefault("0")
        double exploration();
    }

    interface Web {
        /** Let anyone read the dashboard and the API without signing in (writing always needs a role). */
        @WithDefault("false")
        boolean anonymousRead();

        /** Classifications kept for the live feed. */
        @WithDefault("200")
        int feedSize();

        /** Images kept in the labelling queue (the most uncertain are shown first). */
        @WithDefault("1000")
        int queueSize();

        /** Width of one point of the dashboard's charts. */
        @WithDefault("10")
        int bucketSeconds();
    }

    interface Trainer {
        @WithDefault("50")
        int retrainEvery();

        /** Epochs of the head on precomputed activations (the recipe's first step). */
        @WithDefault("10")
        int epochs();

        /**
         * Peak SGD rate of the head, on standardised activations (momentum 0.9, label smoothing 0.1):
         * about the largest that stays stable on 512 standardised features.
         */
        @WithDefault("0.005")
        float learningRate();

        /** Epochs with every layer group training, after the head (0 = head only). */
        @WithDefault("1")
        int fineTuneEpochs();

        /** The head's peak AdamW rate while unfrozen; the body's groups get 1/10 and 1/100 of it. */
        @WithDefault("1e-4")
        float fineTuneLearningRate();

        /** Augmentation of the unfrozen epochs: none, side-on or top-down. */
        @WithDefault("side-on")
        String augmentation();

        @WithDefault("16")
        int batchSize();

        /** Share of labelled images held out to judge candidates; never trained on. */
        @WithDefault("0.2")
        double evaluationShare();

        /** A candidate may be this much less accurate than the champion if its log loss is lower. */
        @WithDefault("0.01")
        double epsilon();

        /** Also train when this many seconds have passed with any new labels; 0 = only by count or request. */
        @WithDefault("0")
        long retrainIntervalSeconds();
    }

    default Topics topicsRecord() {
        TopicNames t = topics();
        return new Topics(t.images(), t.classifications(), t.retraining(), t.labels(), t.models(),
                t.deadLetter(), t.examples(), t.partitions());
    }

    default Path modelStoreDir() {
        return modelStore().orElse(workDir().resolve("models"));
    }
}
