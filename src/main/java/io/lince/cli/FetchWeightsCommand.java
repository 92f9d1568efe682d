package io.lince.cli;

import io.lince.model.WeightsDownload;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fetch-weights", mixinStandardHelpOptions = true,
        description = {"Downloads ImageNet ResNet-34 weights and checks their sha256 before writing OUT,",
                "the file 'init-model --weights' and 'train --weights' take."},
        footer = {"", "Examples:",
                "  lince fetch-weights resnet34-b627a593.pth                       (torchvision, checked as torchvision checks it)",
                "  lince fetch-weights --source timm --sha256 HEX resnet34.safetensors",
                "  lince fetch-weights --url https://mirror.example/resnet34-b627a593.pth resnet34.pth"})
class FetchWeightsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "OUT", description = "file to write")
    Path out;

    @Option(names = "--source", defaultValue = "torchvision", description = "torchvision or timm (default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--url", description = "another address (a mirror); its digest comes from --sha256 or its file name")
    URI url;

    @Option(names = "--sha256", description = "the published digest (or its first 8+ hex digits)")
    String sha256;

    @Option(names = "--timeout-seconds", defaultValue = "600", description = "for the whole download (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        WeightsDownload.Source s = switch (source) {
            case "torchvision" -> WeightsDownload.TORCHVISION;
            case "timm" -> WeightsDownload.TIMM;
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--source is torchvision or timm, not " + source);
        };
        URI from = url != null ? url : s.uri();
        String expected = sha256 != null ? sha256 : url == null ? s.sha256Prefix() : null;
        String digest = WeightsDownload.fetch(from, expected, out, Duration.ofSeconds(timeoutSeconds));
        System.out.printf("wrote %s from %s (sha256 %s, checked)%n", out, from, digest);
        System.out.printf("next: lince init-model --classes A,B --weights %s first.lince%n", out);
        return 0;
    }
}
