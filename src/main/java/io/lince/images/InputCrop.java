package io.lince.images;

import java.awt.image.BufferedImage;
import org.jboss.logging.Logger;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Image bytes to the model's input: torchvision's evaluation transform (shorter side resized to
 * the input size, a centred square cut) as RGB bytes, row by row (HWC), ready to be copied into a
 * batch. Normalising to floats happens on the whole batch, on the model's device (see
 * {@code LinceModel#probabilities}): a crop is a quarter of the float tensor's bytes, and no
 * per-image float array is ever made.
 *
 * <p>JPEG goes through OpenCV (libjpeg-turbo). When the photo's shorter side is at least twice
 * the input, libjpeg decodes it at 1/2, 1/4 or 1/8 scale in the DCT domain
 * ({@code IMREAD_REDUCED_*}), so the full-size pixels never exist; a bilinear resize does the
 * rest (under 2×, as the ImageIO path's halving-then-bilinear).
 * EXIF orientation is ignored, as ImageIO and PIL (what the models were trained on) do.
 *
 * <p>Every check of {@link ImageDecoder} runs first, with its reasons. Other formats, JPEGs that
 * do not end in an EOI marker (libjpeg fills a truncated scan with grey and OpenCV reports
 * nothing, while ImageIO names the truncation), and machines without OpenCV's natives take the
 * ImageIO path, which gives the same crop to within rounding.
 */
public final class InputCrop {

    private static final Logger LOG = Logger.getLogger(InputCrop.class);

    private final ImageDecoder decoder;
    private final boolean openCv;

    /** With {@code preferOpenCv}, JPEGs are decoded by OpenCV where its natives load. */
    public InputCrop(ImageDecoder decoder, boolean preferOpenCv) {
        this.decoder = decoder;
        this.openCv = preferOpenCv && OpenCvNatives.LOADED;
    }

    public ImageDecoder decoder() {
        return decoder;
    }

    /** Whether JPEGs take the OpenCV path here. */
    public boolean openCv() {
        return openCv;
    }

    /**
     * @return {@code size × size × 3} RGB bytes
     * @throws InvalidImageException with the reason {@link ImageDecoder} would give
     */
    public byte[] crop(byte[] bytes, int size) throws InvalidImageException {
        // only the OpenCV path needs the checks on their own; ImageIO's decode makes them itself
        if (openCv && bytes != null && ImageFormat.sniff(bytes) == ImageFormat.JPEG && endsWithEoi(bytes)) {
            byte[] out = openCvCrop(bytes, decoder.inspect(bytes), size);
            if (out != null) {
                return out;
            }
        }
        return crop(decoder.decode(bytes), size);
    }

    /**
     * The whole photo, decoded with its shorter side at least {@code shorterSide} (and under twice
     * that where libjpeg's DCT scaling allows), as an RGB image for the training transforms: the
     * pixel path of {@link #crop(byte[], int)} without the crop. Other formats, and any JPEG the
     * OpenCV path refuses, are decoded whole by ImageIO.
     */
    public BufferedImage decoded(byte[] bytes, int shorterSide) throws InvalidImageException {
        if (openCv && bytes != null && ImageFormat.sniff(bytes) == ImageFormat.JPEG && endsWithEoi(bytes)) {
            ImageDecoder.Header header = decoder.inspect(bytes);
            BufferedImage out = openCvDecode(bytes, reduction(header.width(), header.height(), shorterSide));
            if (out != null) {
                return out;
            }
        }
        return decoder.decode(bytes);
    }

    private static BufferedImage openCvDecode(byte[] bytes, int reduction) {
        MatOfByte encoded = new MatOfByte(bytes);
        Mat bgr = Imgcodecs.imdecode(encoded, flags(reduction));
        try {
            if (bgr.empty()) {
                return null;
            }
            int w = bgr.cols();
            int h = bgr.rows();
            byte[] px = new byte[w * h * 3];
            bgr.get(0, 0, px);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int[] packed = ((java.awt.image.DataBufferInt) img.getRaster().getDataBuffer()).getData();
            for (int i = 0, o = 0; i < packed.length; i++, o += 3) {
                packed[i] = ((px[o + 2] & 0xff) << 16) | ((px[o + 1] & 0xff) << 8) | (px[o] & 0xff);
            }
            return img;
        } finally {
            encoded.release();
            bgr.release();
        }
    }

    private static int flags(int reduction) {
        return Imgcodecs.IMREAD_IGNORE_ORIENTATION | switch (reduction) {
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            default -> Imgcodecs.IMREAD_COLOR;
        };
    }

    /** The ImageIO path: the same transform on a decoded image. */
    public static byte[] crop(BufferedImage image, int size) {
        return rgb(Preprocessor.centreCrop(Preprocessor.resizeShorterSide(image, size), size), size);
    }

    /** The top-left {@code size × size} pixels as RGB bytes. */
    public static byte[] rgb(BufferedImage img, int size) {
        int[] packed = Preprocessor.pixels(Preprocessor.toRgb(img), size);
        byte[] out = new byte[packed.length * 3];
        for (int i = 0, o = 0; i < packed.length; i++) {
            int p = packed[i];
            out[o++] = (byte) (p >> 16);
            out[o++] = (byte) (p >> 8);
            out[o++] = (byte) p;
        }
        return out;
    }

    /** The largest DCT scale-down (8, 4, 2 or none) that keeps the shorter side at least {@code size}. */
    static int reduction(int width, int height, int size) {
        int shorter = Math.min(width, height);
        for (int f = 8; f > 1; f /= 2) {
            if (shorter >= f * size) {
                return f;
            }
        }
        return 1;
    }

    private static byte[] openCvCrop(byte[] bytes, ImageDecoder.Header header, int size) {
        MatOfByte encoded = new MatOfByte(bytes);
        Mat bgr = Imgcodecs.imdecode(encoded, flags(reduction(header.width(), header.height(), size)));
        Mat resized = new Mat();
        Mat rgb = new Mat();
        try {
            if (bgr.empty()) {
                return null; // ImageIO then names what is wrong
            }
            int w = bgr.cols();
            int h = bgr.rows();
            double s = (double) size / Math.min(w, h);
            int nw = Math.max(size, (int) Math.round(w * s));
            int nh = Math.max(size, (int) Math.round(h * s));
            // bilinear, as the ImageIO path's last step: what is left after the DCT scaling is under 2×
            Imgproc.resize(bgr, resized, new Size(nw, nh), 0, 0, Imgproc.INTER_LINEAR);
            int x = (nw - size) / 2;
            int y = (nh - size) / 2;
            Mat square = resized.submat(y, y + size, x, x + size);
            Imgproc.cvtColor(square, rgb, Imgproc.COLOR_BGR2RGB);
            square.release();
            byte[] out = new byte[size * size * 3];
            rgb.get(0, 0, out);
            return out;
        } finally {
            encoded.release();
            bgr.release();
            resized.release();
            rgb.release();
        }
    }

    /** Whether the last marker is EOI ({@code FF D9}), allowing for zero padding after it. */
    static boolean endsWithEoi(byte[] b) {
        int i = b.length - 1;
        while (i > 0 && b[i] == 0 && b.length - i < 4096) {
            i--;
        }
        return i > 0 && (b[i] & 0xff) == 0xd9 && (b[i - 1] & 0xff) == 0xff;
    }

    /** OpenCV's natives, loaded once per process; absent on a platform the jar has none for. */
    private static final class OpenCvNatives {
        static final boolean LOADED = load();

        private static boolean load() {
            try {
                nu.pattern.OpenCV.loadLocally();
                // one image per pool thread: OpenCV's own threads would compete with the pool's
                org.opencv.core.Core.setNumThreads(1);
                return true;
            } catch (Throwable e) { // UnsatisfiedLinkError and friends: fall back, say why once
                LOG.warnf("OpenCV's natives did not load (%s): JPEGs are decoded by ImageIO", e.toString());
                return false;
            }
        }
    }
}
