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

    /** How records of the images topic are read. */
    Images images();

    /** How the classifications topic is written. */
    Output output();

    /** Schemas beyond Lince's own. */
    Schemas schemas();

    interface Schemas {
        /**
         * A directory of upstream producers' newer Avro schemas ({@code *.avsc}, e.g. an
         * {@code ImageEvent} with a field added) that readers accept beside Lince's own; each is
         * checked against Lince's at start.
         */
        Optional<Path> writers();
    }

    interface Output {
        /** {@code avro} (the wire format's), or {@code json} for readers without Avro ({@code schemas/Classification.schema.json}). */
        @WithDefault("avro")
        String format();
    }

    interface Images {
        /**
         * {@code avro}: values are {@code ImageEvent}s in Lince's wire format; {@code raw}: values are
         * the image bytes, keys the image ids, optional headers {@code content-type},
         * {@code lince-known-label} and {@code lince-source}.
         */
        @WithDefault("avro")
        String format();
    }

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

        /** {@code s3://bucket/key} claim checks (the AWS SDK's standard credential chain). */
        S3 s3();

        interface S3 {
            /** {@code bucket} or {@code bucket/prefix}; unset = no s3: URIs. */
            Optional<List<String>> allowed();

            /** An S3-compatible store (MinIO, Ceph, R2, ...); unset = AWS S3. */
            Optional<java.net.URI> endpoint();

            /** The signing region; unset = the SDK's chain (AWS_REGION, profile, instance). */
            Optional<String> region();

            /** Bucket in the path rather than the host name; unset = true when an endpoint is set. */
            Optional<Boolean> pathStyle();
        }
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

        @WithDefault(Topics.ALERTS)
        String alerts();

        @WithDefault(Topics.SHADOW)
        String shadow();

        @WithDefault("3")
        int partitions();
    }

    interface Model {
        /**
         * File mode of the artifacts and lineage files the trainer writes to the model store, as
         * {@code ls -l} shows it: {@code rw-------} (only Lince's user) or, for a shared volume
         * that other users read by group, {@code rw-r-----}.
         */
        @WithDefault("rw-------")
        String artifactMode();

        /**
         * fp32; fp16 (libtorch on a CUDA device only: a CPU refuses it at start, see
         * {@code Serving#select}); int8 (ONNX Runtime, each version's INT8 graph where its gate
         * allowed it, else fp32); auto (int8 on a CPU with int8 dot-product instructions, where
         * allowed, else fp32); bf16 is refused at start with the reason.
         */
        @WithDefault("auto")
        String precision();

        /** pytorch (libtorch through DJL) or onnxruntime (each version's ONNX graph). */
        @WithDefault("pytorch")
        String runtime();

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
        /**
         * Readiness goes DOWN when a task holds a record, or an input partition with lag does not
         * move, for longer than this: well above the worst-case batch (a fetch deadline and a forward pass).
         */
        @WithDefault("120s")
        java.time.Duration stallLimit();

        /** What an image event must be before anything of it is copied downstream. */
        Input input();

        interface Input {
            /** Longest image id accepted (it keys every output); at most 1024. */
            @WithDefault("256")
            int maxIdLength();

            /** Earliest event time accepted. */
            @WithDefault("1970-01-01T00:00:00Z")
            java.time.Instant earliestEventTime();

            /** How far ahead of the classifier's clock an event time may be. */
            @WithDefault("P1D")
            java.time.Duration eventTimeAhead();
        }

        /** confidence, margin, entropy, variance (with tta-views &gt; 0), or random (threshold = share sent). */
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
         * fewer passes over the activations (its speed-up is measured in the README, Speed).
         */
        @WithDefault("true")
        boolean foldBatchNorm();

        /** Threads of the process's decode pool, shared by every stream task (0 = one per core). */
        @WithDefault("0")
        int prepareThreads();

        /** Largest batch for one forward pass; unset: 32 on a GPU, 8 on a CPU. */
        Optional<Integer> maxBatch();

        /** Longest an image waits for a batch to fill, in ms. */
        @WithDefault("100")
        long maxDelayMs();

        Selection selection();

        /** The drift watch (see {@code DriftWatch}). */
        Drift drift();

        interface Drift {
            /** Compare the stream with the served version's reference (when the version has one). */
            @WithDefault("true")
            boolean enabled();

            /** Images in the rolling window compared with the reference. */
            @WithDefault("500")
            int window();

            /** Population stability index of the confidence above which the stream has drifted. */
            @WithDefault("0.25")
            double confidencePsi();

            /** Shift of the window's mean embedding, in reference standard deviations (RMS over dimensions), above which it has drifted. */
            @WithDefault("0.25")
            double embeddingShift();

            /** While drift lasts, the labelling budget is multiplied by this (1 = unchanged). */
            @WithDefault("1")
            double budgetFactor();

            /** Ask a trainer in this process to train when drift starts. */
            @WithDefault("false")
            boolean requestRetraining();
        }

        /** Mirroring a shadowed version on live traffic. */
        Shadow shadow();

        interface Shadow {
            /** Share of batches the shadowed version also runs on (0 = never). */
            @WithDefault("0.25")
            double share();
        }
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

        /** How long an image sent for labelling is remembered (not sent again), in hours. */
        @WithDefault("168")
        long sentRetentionHours();

        /**
         * Share of all images sent at random, whatever their confidence (0-1): labelled, they are
         * the trainer's stream slice, an unbiased estimate of accuracy on the stream.
         */
        @WithDefault("0")
        double exploration();

        /** Among uncertain images, skip those within this many bits (of 64) of the perceptual hash of an image sent recently; -1 = off. */
        @WithDefault("8")
        int nearDuplicateBits();

        /** How many recently sent images each task remembers for that check. */
        @WithDefault("256")
        int nearDuplicateMemory();
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

        /**
         * Who may sign in: {@code lince.web.users.NAME.password-hash} (bcrypt, as {@code lince user NAME}
         * prints it) and {@code lince.web.users.NAME.roles} (viewer, labeller, admin).
         */
        Map<String, User> users();

        SignIn signIn();
    }

    interface User {
        /** bcrypt in modular crypt form ({@code $2a$…}); never the password itself. */
        String passwordHash();

        /** viewer (read), labeller (label), admin (promote, retrain). */
        @WithDefault("viewer")
        List<String> roles();
    }

    /** Lockout after repeated wrong passwords (see {@code web/SignInGuard}). */
    interface SignIn {
        /** Wrong passwords for one user before the first lock (an address gets four times as many). */
        @WithDefault("5")
        int freeFailures();

        /** The first lock; every further failure doubles it. */
        @WithDefault("1s")
        java.time.Duration firstLock();

        /** The longest lock, and how long failures are remembered. */
        @WithDefault("15m")
        java.time.Duration maxLock();
    }

    /** The training worker; defaults as measured in {@code bench/loop.sh} (README, "Continuous retraining"). */
    interface Trainer {
        @WithDefault("50")
        int retrainEvery();

        /** Epochs of the head on precomputed activations before the unfrozen epochs (0 = no head step). */
        @WithDefault("0")
        int epochs();

        /** Peak SGD rate of that head step, on standardised activations (momentum 0.9, label smoothing 0.1). */
        @WithDefault("0.005")
        float learningRate();

        /** Epochs with every layer group training, from the champion's whole network (0 = head only). */
        @WithDefault("10")
        int fineTuneEpochs();

        /**
         * Peak one-cycle AdamW rates of the unfrozen epochs: one per layer group (stem..layer2,
         * layer3..4, head), or one value L for L/100, L/10, L (an ImageNet body barely moves).
         */
        @WithDefault("1e-3,1e-3,1e-3")
        String fineTuneLearningRate();

        /** Augmentation of the unfrozen epochs: none, side-on or top-down. */
        @WithDefault("side-on")
        String augmentation();

        /** Largest random zoom of that augmentation. */
        @WithDefault("1.3")
        double maxZoom();

        @WithDefault("32")
        int batchSize();

        /** Keep BatchNorm's running statistics fixed in the unfrozen epochs. */
        @WithDefault("false")
        boolean freezeBatchNorm();

        /**
         * The champion's original training set (one folder per class, or a data set with train/),
         * replayed in every training so the model keeps what it knew; unset = labelled examples only.
         */
        Optional<Path> baseData();

        /** Base images replayed per labelled example in each training (capped at the whole base set). */
        @WithDefault("1.0")
        double replayRatio();

        /** Share of labelled images (outside exploration) held out as the uncertain slice; never trained on. */
        @WithDefault("0.2")
        double evaluationShare();

        /** Exploration images needed before the gate judges on the stream slice (else on the uncertain slice). */
        @WithDefault("20")
        int minStreamSlice();

        /** A candidate may be this much less accurate than the champion if its log loss is lower. */
        @WithDefault("0.01")
        double epsilon();

        /** Also train when this many seconds have passed with any new labels; 0 = only by count or request. */
        @WithDefault("0")
        long retrainIntervalSeconds();

        /** A candidate whose expected calibration error is worse than the champion's by more than this is refused. */
        @WithDefault("0.05")
        double eceDelta();

        /** A shadow run on live traffic before promotion (see {@code ShadowRule}). */
        Int8 int8();

        /** The INT8 graph each candidate gets, and when it may serve (see {@code Int8Rule}). */
        interface Int8 {
            /** Quantize every candidate to INT8 (ONNX Runtime) and judge it. */
            @WithDefault("true")
            boolean enabled();

            /** How much less accurate than fp32 it may be on the evaluation slice (0.005: half a point). */
            @WithDefault("0.005")
            double epsilon();

            /** How much higher its log loss may be than fp32's. */
            @WithDefault("0.02")
            double logLossDelta();

            /** Evaluation images needed before INT8 is judged at all (fewer: it does not serve). */
            @WithDefault("50")
            int minImages();

            /** Training images its activations are calibrated on. */
            @WithDefault("300")
            int calibrationImages();
        }

        Shadow shadow();

        interface Shadow {
            /** Candidates that pass the offline gate are shadowed before they are promoted. */
            @WithDefault("false")
            boolean required();

            /** Images the shadow must have seen before it is judged. */
            @WithDefault("200")
            int images();

            /** Least share of those images on which it must give the champion's label. */
            @WithDefault("0.8")
            double minAgreement();

            /** Largest ratio of its forward pass time to the champion's, per batch. */
            @WithDefault("1.5")
            double maxLatencyRatio();

            /** Rejected when it has not seen enough images by then. */
            @WithDefault("30m")
            java.time.Duration timeout();
        }
    }

    default Topics topicsRecord() {
        TopicNames t = topics();
        return new Topics(t.images(), t.classifications(), t.retraining(), t.labels(), t.models(),
                t.deadLetter(), t.examples(), t.alerts(), t.shadow(), t.partitions());
    }

    default Path modelStoreDir() {
        return modelStore().orElse(workDir().resolve("models"));
    }
}
