package io.lince.cli;

import io.lince.app.ModelBootstrap;
import io.lince.config.LinceConfig;
import io.lince.model.Devices;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init-model", mixinStandardHelpOptions = true,
        description = {"Writes a first Lince checkpoint: ResNet-34 with a new head for your classes,",
                "from torchvision/timm ImageNet weights (.safetensors, or torchvision's .pth) or randomly initialised."},
        footer = {"", "Example:",
                "  lince init-model --classes cats,dogs --weights resnet34.tv_in1k.safetensors work/first.lince"})
class InitModelCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Parameters(paramLabel = "OUT", description = "checkpoint file to write")
    Path out;

    @Option(names = "--classes", split = ",", required = true, description = "class names, in output order")
    List<String> classes;

    @Option(names = "--weights", paramLabel = "FILE", description = "torchvision/timm ResNet-34 weights (.safetensors, or a torch.save state dict such as resnet34-b627a593.pth)")
    Path weights;

    @Option(names = "--input-size", description = "input side in pixels (default: lince.model.input-size)")
    Integer inputSize;

    @Override
    public Integer call() throws Exception {
        ModelInfo info = new ModelInfo(1, null, classes, inputSize != null ? inputSize : config.model().inputSize());
        try (LinceModel m = ModelBootstrap.firstModel(info, Optional.ofNullable(weights),
                Devices.select(config.model().device()), config.model().seed())) {
            m.save(out);
            System.out.printf("wrote %s: ResNet-34, classes %s, %d px, %s%n", out, m.info().classes(),
                    m.info().inputSize(), weights == null ? "random initialisation" : "body from " + weights);
        }
        return 0;
    }
}
