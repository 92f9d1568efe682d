package io.lince.cli;

import io.lince.web.ConfiguredUsers;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", mixinStandardHelpOptions = true,
        description = {"Prints the two settings that let NAME sign in to the dashboard and the API: a bcrypt hash of",
                "the password (never the password) and the roles. Append them to config/application.properties",
                "(read from the directory Lince starts in) or put them in a Kubernetes Secret.",
                "The password comes from LINCE_PASSWORD, else it is asked for twice on the terminal,",
                "else it is the first line of standard input."},
        footer = {"", "Example:", "  java -jar target/quarkus-app/quarkus-run.jar user ops --role admin >> config/application.properties"})
class UserCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "the user's name: A-Z a-z 0-9 _ -")
    String name;

    @Option(names = "--role", split = ",", defaultValue = "viewer",
            description = "viewer (read), labeller (label), admin (promote, retrain); several with commas. Default: ${DEFAULT-VALUE}")
    List<String> roles;

    @Override
    public Integer call() throws Exception {
        for (String line : ConfiguredUsers.configLines(name, password(), roles)) {
            System.out.println(line);
        }
        return 0;
    }

    private String password() throws Exception {
        String fromEnv = System.getenv("LINCE_PASSWORD");
        if (fromEnv != null) {
            return fromEnv;
        }
        Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("password for %s: ", name);
            char[] again = console.readPassword("again: ");
            if (first == null || !Arrays.equals(first, again)) {
                throw new IllegalArgumentException("the two passwords differ");
            }
            return new String(first);
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) {
            throw new IllegalArgumentException("no password: set LINCE_PASSWORD or give it on standard input");
        }
        return line;
    }
}
