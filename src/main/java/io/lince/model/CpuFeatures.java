package io.lince.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set extensions that decide which precision serves fastest on this CPU, as
 * Linux's {@code /proc/cpuinfo} lists them: int8 dot products (AVX-512 VNNI, AVX-VNNI, AMX-INT8)
 * make an INT8 graph several times faster than fp32; bf16 ones are reported for the record.
 */
public record CpuFeatures(Set<String> flags) {

    private static final Set<String> INT8 = Set.of("avx512_vnni", "avx_vnni", "amx_int8");
    private static final Set<String> SHOWN = Set.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8",
            "avx512_bf16", "amx_bf16");

    private static volatile CpuFeatures cached;

    /** This machine's (empty where {@code /proc/cpuinfo} cannot be read). */
    public static CpuFeatures here() {
        CpuFeatures c = cached;
        if (c == null) {
            c = read(Path.of("/proc/cpuinfo"));
            cached = c;
        }
        return c;
    }

    static CpuFeatures read(Path cpuinfo) {
        try {
            return parse(Files.readString(cpuinfo));
        } catch (IOException e) {
            return new CpuFeatures(Set.of());
        }
    }

    /** The first {@code flags} line of a cpuinfo text. */
    public static CpuFeatures parse(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                Set<String> f = new TreeSet<>();
                for (String s : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                    if (SHOWN.contains(s)) {
                        f.add(s);
                    }
                }
                return new CpuFeatures(f);
            }
        }
        return new CpuFeatures(Set.of());
    }

    /** Whether int8 dot-product instructions are there (what ONNX Runtime's INT8 kernels use). */
    public boolean int8DotProduct() {
        return flags.stream().anyMatch(INT8::contains);
    }

    public String describe() {
        return flags.isEmpty() ? "no AVX2 or AVX-512 flags" : String.join(" ", flags);
    }
}
