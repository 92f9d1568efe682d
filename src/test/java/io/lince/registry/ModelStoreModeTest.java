package io.lince.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.model.LinceModel;
import io.lince.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artifacts and lineage get the configured mode: only Lince's user by default, a group on a shared volume. */
class ModelStoreModeTest {

    @TempDir
    Path dir;

    @Test
    void artifactsAndLineageGetTheConfiguredMode() throws Exception {
        try (LinceModel v1 = TestModels.random(1, 32); LinceModel v2 = TestModels.random(2, 32)) {
            ModelStore private_ = new ModelStore(dir.resolve("private"));
            Path a1 = private_.put(v1).file();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a1)));

            ModelStore shared = new ModelStore(new ModelStore.Location(dir.resolve("shared"), "rw-r-----"));
            Path a2 = shared.put(v2).file();
            Path lineage = shared.putLineage(2, List.of("a"), List.of("b"), "test");
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(a2)));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(lineage)));
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new ModelStore.Location(dir, "0640"));
        assertTrue(bad.getMessage().contains("lince.model.artifact-mode"), bad.getMessage());
    }
}
