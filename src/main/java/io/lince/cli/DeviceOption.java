package io.lince.cli;

import io.lince.config.LinceConfig;
import picocli.CommandLine.Option;

/** {@code --device}, shared by the commands that run a model. */
class DeviceOption {

    @Option(names = "--device", description = "auto, cpu or gpu (default: lince.model.device)")
    String device;

    String orConfigured(LinceConfig config) {
        return device != null ? device : config.model().device();
    }
}
