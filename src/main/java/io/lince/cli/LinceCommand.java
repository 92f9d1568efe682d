package io.lince.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

@TopCommand
@Command(name = "lince", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Streaming image classification with a ResNet-34 that keeps learning.",
        subcommands = {DemoCommand.class, ServeCommand.class, PredictCommand.class, ProduceCommand.class,
                InitModelCommand.class, TrainCommand.class, LrFindCommand.class, EvaluateCommand.class,
                InterpretCommand.class, AugmentCommand.class, ExportOnnxCommand.class, FetchWeightsCommand.class, ModelsCommand.class, RetrainCommand.class, UserCommand.class, EraseCommand.class, DeadLettersCommand.class, SchemasCommand.class},
        footer = {"", "Example:", "  java -jar target/quarkus-app/quarkus-run.jar demo --limit 300"})
public class LinceCommand {}
