package dev.trellis.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** HTTP/1.1 by hand on one socket, for tests that need one caller connection or pipelining. */
final class RawHttp {
    private RawHttp() {
    }

    static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    static void send(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Status line and headers (lower-cased names), then the body as one line when it has a length. */
    static List<String> readResponse(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(in.readLine());
        int length = 0;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            int colon = line.indexOf(':');
            String header = line.substring(0, colon).toLowerCase(Locale.ROOT) + line.substring(colon);
            lines.add(header);
            if (header.startsWith("content-length:")) length = Integer.parseInt(line.substring(colon + 1).trim());
        }
        if (length > 0) {
            char[] body = new char[length];
            int read = 0;
            while (read < length) read += in.read(body, read, length - read);
            lines.add(new String(body));
        }
        return lines;
    }
}
