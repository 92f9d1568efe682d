package io.lince.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ModelPublished;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which version classifiers serve, from the registry's records. */
class ChampionTest {

    private static ModelPublished record(int version, String status, Long promotedAt) {
        return ModelPublished.newBuilder().setVersion(version).setArtifactUri("file:/m").setSha256("00")
                .setClasses(List.of("a", "b")).setInputSize(32).setPublishedAt(Instant.ofEpochSecond(version))
                .setStatus(status).setPromotedAt(promotedAt == null ? null : Instant.ofEpochSecond(promotedAt)).build();
    }

    @Test
    void theLastPromotedVersionServesAndARejectedOneNever() {
        List<ModelPublished> log = new ArrayList<>(List.of(
                record(1, ModelRegistry.PROMOTED, 1L),
                record(2, ModelRegistry.PROMOTED, 2L),
                record(3, ModelRegistry.REJECTED, null)));
        assertEquals(2, ModelRegistry.champion(log).orElseThrow().getVersion());

        // rollback to v1: its new record (promoted later) wins, v2 is retired
        log.add(record(2, ModelRegistry.RETIRED, 2L));
        log.add(record(1, ModelRegistry.PROMOTED, 10L));
        var versions = ModelRegistry.versions(log);
        assertEquals(1, ModelRegistry.champion(log).orElseThrow().getVersion());
        assertEquals(ModelRegistry.RETIRED, versions.get(2).getStatus(), "a version's last record is its state");
        assertEquals(3, versions.size());
    }

    @Test
    void recordsFromBeforeStatusesExistedCountAsPromoted() {
        ModelPublished old = ModelPublished.newBuilder().setVersion(4).setArtifactUri("file:/m").setSha256("00")
                .setClasses(List.of("a", "b")).setInputSize(32).setPublishedAt(Instant.ofEpochSecond(4)).build();
        assertEquals(ModelRegistry.PROMOTED, old.getStatus());
        assertTrue(ModelRegistry.champion(List.of(old)).isPresent());
    }

    @Test
    void theLogDecidesNotTheWritersClocks() {
        // v3 promoted by a host whose clock is 50 s behind, after v2: the log says v3
        List<ModelPublished> log = List.of(
                record(1, ModelRegistry.PROMOTED, 1L),
                record(2, ModelRegistry.PROMOTED, 100L),
                record(3, ModelRegistry.PROMOTED, 50L));
        assertEquals(3, ModelRegistry.champion(log).orElseThrow().getVersion());
        // and what a node falls back to, in order: the champion, then the promotions before it
        assertEquals(List.of(3, 2, 1), ModelRegistry.servable(log).stream().map(ModelPublished::getVersion).toList());
    }
}
