package io.lince.cli;

import io.lince.wire.SingleObjectWireFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "schemas", mixinStandardHelpOptions = true,
        description = "Lince's Avro contract: the fingerprints its readers know, and whether a producer's own schema is readable.",
        subcommands = {SchemasCommand.Fingerprints.class, SchemasCommand.Check.class},
        footer = {"", "Examples:", "  lince schemas fingerprints",
                "  lince schemas check my-app/ImageEvent.avsc    # then give it to the classifiers: lince.schemas.writers=DIR"})
class SchemasCommand {

    @Command(name = "fingerprints", mixinStandardHelpOptions = true,
            description = "Every schema Lince reads, with its single-object fingerprint as the 8 bytes after C3 01 on the wire.")
    static class Fingerprints implements Callable<Integer> {
        @Override
        public Integer call() {
            SingleObjectWireFormat.known().forEach(k -> System.out.printf("%-40s %s%s%n", k.name(), k.fingerprint(),
                    k.current() ? "" : "  (older)"));
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Whether Lince's readers can read records written with these schemas (Avro schema resolution), "
                    + "and the fingerprint each puts on the wire. Exit status 1 if any cannot be read.")
    static class Check implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "SCHEMA.avsc")
        List<Path> files;

        @Override
        public Integer call() {
            int bad = 0;
            for (Path f : files) {
                SingleObjectWireFormat.Verdict v = SingleObjectWireFormat.check(f);
                System.out.printf("%s: %s%n", f, v.describe());
                bad += v.readable() ? 0 : 1;
            }
            return bad == 0 ? 0 : 1;
        }
    }
}
