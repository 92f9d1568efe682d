package io.lince.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lince.contracts.ModelPublished;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.model.LinceModel;
import io.lince.model.ModelSlot;
import io.lince.testing.TestModels;
import io.lince.wire.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a classifier does with a published version, without a broker: verify, load, swap or refuse. */
class ModelFollowerTest {

    @TempDir
    Path dir;

    private ModelFollower follower(ModelStore store, ModelSlot slot) {
        // the registry is not contacted by offer(); it only names the topic
        ModelRegistry registry = new ModelRegistry(KafkaClients.of("127.0.0.1:1"), Topics.defaults(1), WireFormat.defaults());
        return new ModelFollower(registry, store, slot, Device.cpu(), new io.lince.model.Serving("cpu", false, io.lince.model.Serving.Precision.FP32));
    }

    private static ModelPublished published(ModelStore.Stored s, LinceModel m) {
        return ModelRegistry.describe(s, m.info(), Map.of(), 0);
    }

    @Test
    void swapsInAVerifiedVersion() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32)); LinceModel v2 = TestModels.constant(2, 32, 1f, 0f)) {
            ModelStore.Stored s = store.put(v2);
            assertTrue(follower(store, slot).offer(published(s, v2)));
            assertEquals(2, slot.info().version());
        }
    }

    @Test
    void loadsTheShadowedVersionIntoTheShadowRunnerAndStopsWhenNoneIsShadowed() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32)); LinceModel v2 = TestModels.constant(2, 32, 1f, 0f);
                io.lince.watch.ShadowRunner runner = new io.lince.watch.ShadowRunner(1, io.lince.stream.RoutingPolicy.of("confidence", 0.9), b -> {})) {
            ModelPublished shadow = ModelPublished.newBuilder(published(store.put(v2), v2)).setStatus(ModelRegistry.SHADOW).build();
            ModelFollower f = follower(store, slot).mirroringShadowsWith(runner);
            f.followShadow(java.util.Optional.of(shadow));
            assertEquals(java.util.Optional.of(2), runner.version());
            assertEquals(1, slot.info().version(), "a shadow is mirrored, never served");
            f.followShadow(java.util.Optional.empty());
            assertTrue(runner.version().isEmpty());
            // an artifact that does not verify is not mirrored
            ModelPublished forged = ModelPublished.newBuilder(shadow).setSha256("00").build();
            f.followShadow(java.util.Optional.of(forged));
            assertTrue(runner.version().isEmpty());
        }
    }

    @Test
    void refusesAnArtifactWhoseDigestDoesNotMatchAndKeepsServing() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32)); LinceModel v2 = TestModels.random(2, 32)) {
            ModelStore.Stored s = store.put(v2);
            byte[] bytes = Files.readAllBytes(s.file());
            bytes[bytes.length - 1] ^= 1; // one flipped bit
            Files.write(s.file(), bytes);
            assertFalse(follower(store, slot).offer(published(s, v2)));
            assertEquals(1, slot.info().version());
        }
    }

    @Test
    void refusesAnArtifactThatDoesNotLoad() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        Path junk = Files.writeString(store.root().resolve("resnet34-v0009.lince"), "LINCE1 but nothing else");
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32)); LinceModel v9 = TestModels.random(9, 32)) {
            var s = new ModelStore.Stored(junk.toUri().toString(), ModelStore.sha256(junk), junk);
            assertFalse(follower(store, slot).offer(published(s, v9)));
            assertEquals(1, slot.info().version());
        }
    }

    @Test
    void neverLoadsFromOutsideTheStore() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        Path outside = Files.writeString(dir.resolve("evil.lince"), "x");
        IOException e = assertThrows(IOException.class,
                () -> store.verified(outside.toUri().toString(), ModelStore.sha256(outside)));
        assertTrue(e.getMessage().contains("outside the model store"), e.getMessage());
        // a symlink inside the store to a file outside it is outside
        Path link = Files.createSymbolicLink(store.root().resolve("resnet34-v0007.lince"), outside);
        IOException viaLink = assertThrows(IOException.class,
                () -> store.verified(link.toUri().toString(), ModelStore.sha256(outside)));
        assertTrue(viaLink.getMessage().contains("outside the model store"), viaLink.getMessage());
        assertThrows(IOException.class, () -> store.verified("http://example.invalid/m.lince", "00"));
    }

    @Test
    void aRefusedChampionIsTriedAgainAfterABackoffAndReportedUntilServed() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32)); LinceModel v2 = TestModels.constant(2, 32, 1f, 0f)) {
            ModelStore.Stored s = store.put(v2);
            byte[] good = Files.readAllBytes(s.file());
            Files.delete(s.file()); // not on the shared volume yet
            ModelFollower f = follower(store, slot);
            java.time.Duration grace = java.time.Duration.ofSeconds(30);
            long t0 = 1_000_000;
            f.follow(published(s, v2), t0);
            assertEquals(1, slot.info().version());
            assertTrue(f.problem(t0 + 10_000, grace).isEmpty(), "within the grace period");
            String problem = f.problem(t0 + 31_000, grace).orElseThrow();
            assertTrue(problem.contains("serving v1 while the registry's champion is v2"), problem);
            assertTrue(problem.contains("does not exist"), problem);
            // the artifact arrives; within the backoff nothing is tried, after it the same version is served
            Files.write(s.file(), good);
            f.follow(published(s, v2), t0 + ModelFollower.FIRST_BACKOFF_MS / 2);
            assertEquals(1, slot.info().version(), "still backing off");
            f.follow(published(s, v2), t0 + ModelFollower.FIRST_BACKOFF_MS + 1);
            assertEquals(2, slot.info().version(), "a refusal is not forever");
            assertTrue(f.problem(t0 + 60_000, grace).isEmpty());
            assertEquals(2, f.championVersion());
        }
    }

    @Test
    void aTruncatedArtifactOrAnUnusableStoreIsRefusedWithTheReason() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        try (LinceModel v3 = TestModels.random(3, 32)) {
            ModelStore.Stored s = store.put(v3);
            byte[] bytes = Files.readAllBytes(s.file());
            Files.write(s.file(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            IOException e = assertThrows(IOException.class, () -> LinceModel.load(s.file(), Device.cpu()));
            assertTrue(e.getMessage() != null && e.getMessage().contains("is truncated"), String.valueOf(e.getMessage()));
        }
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
        IOException e = assertThrows(IOException.class, () -> new ModelStore(notADirectory));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }
}
