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
 * byte, the row count, then per row its names (UTF-8), its counts and its latency histogram exactly as
 * the proxy encoded it (checked when the report was read). Written and read by this class only, in one
 * transaction each, so the format can change with a new version byte.
 */
final class PendingRoutes {
    /** 2 adds each row's gRPC counts; rows of version 1 (written before an upgrade) are still read. */
    private static final int VERSION = 2;

    private PendingRoutes() {
    }

    static byte[] encode(List<UsageReport.RouteUsage> routes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + routes.size() * 160);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(routes.size());
            for (UsageReport.RouteUsage row : routes) {
                out.writeUTF(row.direction());
                out.writeUTF(row.rule());
                out.writeUTF(row.upstream());
                out.writeUTF(row.caller());
                for (long n : row.requestsByClass()) out.writeLong(n);
                out.writeLong(row.bytesIn());
                out.writeLong(row.bytesOut());
                out.writeLong(row.retries());
                out.writeLong(row.breakerRejections());
                out.writeInt(row.latency().length);
                out.write(row.latency());
                long[] grpc = row.grpcByCode();
                out.writeByte(grpc == null ? 0 : grpc.length);
                if (grpc != null) for (long n : grpc) out.writeLong(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<UsageReport.RouteUsage> decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int version = in.readUnsignedByte();
            if (version != 1 && version != VERSION) throw new IllegalStateException("pending routes of an unknown format " + version);
            int count = in.readInt();
            List<UsageReport.RouteUsage> routes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String direction = in.readUTF();
                String rule = in.readUTF();
                String upstream = in.readUTF();
                String caller = in.readUTF();
                long[] byClass = new long[UsageReport.CLASSES.size()];
                for (int c = 0; c < byClass.length; c++) byClass[c] = in.readLong();
                long bytesIn = in.readLong();
                long bytesOut = in.readLong();
                long retries = in.readLong();
                long breakerRejections = in.readLong();
                byte[] latency = in.readNBytes(in.readInt());
                long[] grpc = null;
                if (version >= 2) {
                    int codes = in.readUnsignedByte();
                    if (codes > 0) {
                        grpc = new long[codes];
                        for (int c = 0; c < codes; c++) grpc[c] = in.readLong();
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
}
