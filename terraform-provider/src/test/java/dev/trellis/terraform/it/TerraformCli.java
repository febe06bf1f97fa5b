package dev.trellis.terraform.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real terraform binary, run in one working directory with a CLI config of dev_overrides. */
final class TerraformCli {

    record Result(int exitCode, String output) {
    }

    private final Path binary;
    private final Path workDir;
    private final Map<String, String> environment;

    TerraformCli(Path binary, Path workDir, Map<String, String> environment) {
        this.binary = binary;
        this.workDir = workDir;
        this.environment = environment;
    }

    /** terraform from the PATH, if there is one. */
    static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "terraform");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A CLI configuration that makes terraform use the provider built in {@code providerDir}. */
    static Path writeCliConfig(Path file, Path providerDir) throws IOException {
        Files.writeString(file, """
                provider_installation {
                  dev_overrides {
                    "trellis/trellis" = "%s"
                  }
                  direct {}
                }
                """.formatted(providerDir.toAbsolutePath().toString().replace("\\", "/")));
        return file;
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(workDir.getParent(), "terraform", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("terraform " + String.join(" ", args) + " ran over 5 minutes: " + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output));
    }
}
