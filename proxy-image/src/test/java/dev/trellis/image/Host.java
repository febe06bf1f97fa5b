package dev.trellis.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands on this machine, as root: namespaces, chroot, the image tools. */
final class Host {
    static final String WHY_NOT = "needs root and skopeo, umoci, unshare, chroot, ip and iptables "
            + "(.ci/run installs them: apt-get install skopeo umoci iptables iproute2)";

    private Host() {
    }

    static boolean canRun() {
        if (!"root".equals(System.getProperty("user.name"))) return false;
        for (String tool : List.of("skopeo", "umoci", "unshare", "chroot", "ip", "iptables")) {
            if (exit(List.of("sh", "-c", "command -v " + tool)) != 0) return false;
        }
        return true;
    }

    /**
     * A command run from the image's root filesystem as a container runtime would: its own mount
     * namespace with /dev and /proc, chroot, the given user, only the given environment.
     */
    static List<String> inImage(Path rootfs, String user, List<String> env, String... command) {
        String root = rootfs.toAbsolutePath().toString();
        StringBuilder script = new StringBuilder("mount --bind /dev '" + root + "/dev' && mount -t proc proc '" + root
                + "/proc' && exec env -i PATH=/opt/java/bin:/usr/sbin:/bin");
        for (String variable : env) script.append(" '").append(variable).append("'");
        script.append(" chroot --userspec=").append(user).append(" '").append(root).append("'");
        for (String word : command) script.append(" '").append(word).append("'");
        return List.of("unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", script.toString());
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
        return output;
    }

    static int exit(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static Process start(List<String> command, Path log) throws IOException {
        Files.deleteIfExists(log);
        return new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }
}
