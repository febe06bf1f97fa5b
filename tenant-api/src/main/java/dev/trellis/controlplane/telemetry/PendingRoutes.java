package dev.trellis.controlplane.telemetry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A report's route rows as {@code usage_pending.routes} holds them until they are folded: a version
 * byte, the row count, then per row its names (UTF-8), its counts and its latency histogram as
 * {@link Latency#checked} kept it (plain, so the fold does not inflate it). Written and read by this
 * class only, in one transaction each, so the format can change with a new version byte; rows of an
 * older version (written before an upgrade) are still read.
 */
final class PendingRoutes {
    /**
     * 3 writes counts and lengths as unsigned LEB128 varints (most are small: eight bytes each made
     * a third of a row), 2 added each row's gRPC counts.
     */
    private static final int VERSION = 3;

    private PendingRoutes() {
    }

    static byte[] encode(List<UsageReport.RouteUsage> routes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + routes.size() * 240);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(routes.size());
            for (UsageReport.RouteUsage row : routes) {
                out.writeUTF(row.direction());
                out.writeUTF(row.rule());
                out.writeUTF(row.upstream());
                out.writeUTF(row.caller());
                for (long n : row.requestsByClass()) varint(out, n);
                varint(out, row.bytesIn());
                varint(out, row.bytesOut());
                varint(out, row.retries());
                varint(out, row.breakerRejections());
                varint(out, row.latency().length);
                out.write(row.latency());
                long[] grpc = row.grpcByCode();
                out.writeByte(grpc == null ? 0 : grpc.length);
                if (grpc != null) for (long n : grpc) varint(out, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<UsageReport.RouteUsage> decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int version = in.readUnsignedByte();
            if (version < 1 || version > VERSION) throw new IllegalStateException("pending routes of an unknown format " + version);
            boolean varints = version >= 3;
            int count = in.readInt();
            List<UsageReport.RouteUsage> routes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String direction = in.readUTF();
                String rule = in.readUTF();
                String upstream = in.readUTF();
                String caller = in.readUTF();
                long[] byClass = new long[UsageReport.CLASSES.size()];
                for (int c = 0; c < byClass.length; c++) byClass[c] = count(in, varints);
                long bytesIn = count(in, varints);
                long bytesOut = count(in, varints);
                long retries = count(in, varints);
                long breakerRejections = count(in, varints);
                byte[] latency = in.readNBytes(varints ? (int) varint(in) : in.readInt());
                long[] grpc = null;
                if (version >= 2) {
                    int codes = in.readUnsignedByte();
                    if (codes > 0) {
                        grpc = new long[codes];
                        for (int c = 0; c < codes; c++) grpc[c] = count(in, varints);
                    }
                }
                routes.add(new UsageReport.RouteUsage(direction, rule, upstream, caller, byClass, bytesIn, bytesOut, retries,
                        breakerRejections, latency, grpc));
            }
            return routes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(DataInputStream in, boolean varint) throws IOException {
        return varint ? varint(in) : in.readLong();
    }

    /** A count (≥ 0, as the report's reader checked) in 7-bit groups, lowest first. */
    private static void varint(DataOutputStream out, long value) throws IOException {
        while ((value & ~0x7fL) != 0) {
            out.writeByte((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    private static long varint(DataInputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new IOException("a varint longer than 64 bits");
    }
}
