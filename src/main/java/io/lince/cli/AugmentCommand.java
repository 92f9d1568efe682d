package io.lince.cli;

import io.lince.images.Augmentation;
import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import io.lince.learn.report.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "augment", mixinStandardHelpOptions = true,
        description = "Writes a PNG grid of random augmented versions of one image (the notebook's plots(ims, rows=2)).",
        footer = {"", "Example:", "  lince augment dog.jpg --augment side-on --max-zoom 1.1 --out augmented.png"})
class AugmentCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE", description = "a JPEG, PNG, GIF or BMP file")
    Path image;

    @Option(names = "--augment", defaultValue = "side-on", description = "side-on or top-down (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--max-zoom", defaultValue = "1.1", description = "largest random zoom (default: ${DEFAULT-VALUE})")
    double maxZoom;

    @Option(names = "--size", defaultValue = "224", description = "output side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "-n", defaultValue = "6", description = "versions (default: ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--rows", defaultValue = "2", description = "grid rows (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", defaultValue = "augmented.png", description = "PNG to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException(image + ": no such file");
        }
        BufferedImage src;
        try {
            src = ImageDecoder.defaults().decode(Files.readAllBytes(image));
        } catch (InvalidImageException e) {
            throw new InvalidImageException(image + ": " + e.getMessage());
        }
        Augmentation aug = Augmentation.preset(preset, maxZoom);
        Random rnd = new Random(seed);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tiles.add(new ImageGrid.Tile(aug.apply(src, size, rnd), aug.name() + " #" + (i + 1)));
        }
        System.out.println("wrote " + ImageGrid.write(tiles, rows, size, out));
        return 0;
    }
}
