package dev.trellis.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts as network namespaces on one bridge (itself in a namespace of its own), so every
 * address is one the test made and nothing touches the machine's own network. Needs root and iproute2.
 */
final class NetworkHosts implements AutoCloseable {
    static final String WHY_NOT = "needs root with ip, iptables, curl, unshare, chroot, skopeo and umoci "
            + "(.ci/run installs them: apt-get install iproute2 iptables skopeo umoci)";
    final String id = Long.toString(System.nanoTime() % 1_000_000, 36);
    final String subnet = "10.213." + (1 + (int) (System.nanoTime() % 250)) + ".";
    private final String hub = "trh" + id;
    private final List<String> hosts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    static boolean available() {
        if (!"root".equals(System.getProperty("user.name"))) return false;
        for (String tool : List.of("ip", "iptables", "curl", "unshare", "chroot", "skopeo", "umoci")) {
            if (run(List.of("sh", "-c", "command -v " + tool)).exit() != 0) return false;
        }
        return true;
    }

    NetworkHosts() {
        check("ip", "netns", "add", hub);
        check("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
        check("ip", "-n", hub, "link", "set", "br0", "up");
    }

    /** A new host {@code name} at {@code subnet + last}; {@code hosts} lines go to its own /etc/hosts. */
    String add(String name, int last, String... hostsLines) throws IOException {
        String namespace = "tr" + id + name;
        check("ip", "netns", "add", namespace);
        hosts.add(namespace);
        String veth = "v" + id + last;
        check("ip", "-n", hub, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        check("ip", "-n", hub, "link", "set", veth, "master", "br0", "up");
        check("ip", "-n", namespace, "addr", "add", subnet + last + "/24", "dev", "eth0");
        check("ip", "-n", namespace, "link", "set", "eth0", "up");
        check("ip", "-n", namespace, "link", "set", "lo", "up");
        Path etc = Files.createDirectories(Path.of("/etc/netns", namespace));
        StringBuilder lines = new StringBuilder("127.0.0.1 localhost\n");
        for (String line : hostsLines) lines.append(line).append('\n');
        Files.writeString(etc.resolve("hosts"), lines);
        return namespace;
    }

    /** Starts a command inside a host; it is stopped with the hosts. */
    Process start(String namespace, List<String> command, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(process);
        return process;
    }

    /** Runs a command inside a host to its end. */
    Result exec(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return run(full);
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static String check(String... command) {
        Result result = run(List.of(command));
        if (result.exit() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + result.output());
        return result.output();
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        for (String namespace : hosts) {
            run(List.of("ip", "netns", "del", namespace));
            run(List.of("rm", "-rf", "/etc/netns/" + namespace));
        }
        run(List.of("ip", "netns", "del", hub));
    }
}
