package dev.trellis.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP server for the tcp tests: it greets first ({@code <name> ready\n}, as a database or
 * an SMTP server does), reads everything the client sends until the client half-closes, then answers
 * {@code <name> got <n> bytes: <upper-cased text>} and closes. An answer therefore proves both that
 * the bytes arrived and that the client's end of input (FIN) did.
 */
final class TcpServer implements AutoCloseable {
    final String name;
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();

    private TcpServer(String name) throws IOException {
        this.name = name;
        this.socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    }

    static TcpServer start(String name) {
        try {
            TcpServer server = new TcpServer(name);
            Thread acceptor = new Thread(server::acceptLoop, "tcp-server-" + name);
            acceptor.setDaemon(true);
            acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                accepted.incrementAndGet();
                Thread worker = new Thread(() -> serve(client), "tcp-conn-" + name);
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            out.write((name + " ready\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] all = in.readAllBytes(); // until the client's FIN
            String text = new String(all, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
            out.write((name + " got " + all.length + " bytes: " + text).getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the proxy closed the connection (idle timeout, test end)
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
