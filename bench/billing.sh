#!/usr/bin/env bash
# Billing at month end: ingest and rate one month of usage for T tenants × P proxies on a fresh
# embedded PostgreSQL (billing/src/test/java/dev/trellis/billing/BillingBench.java): the real
# ingestion contract for a sample of reports (its rate), the rest of the month bulk-loaded by SQL
# (R reports per proxy per day), then the month closed (every invoice computed, stored, finalised)
# and timed, with the JVM's heap, and a sample of invoices recomputed and compared by hash.
# The target (issue 15): closing the month takes at most 60 s on this machine.
#
#   bench/billing.sh [tenants, default 1000] [proxies per tenant, default 50] [reports per proxy per day, default 4] [sample reports, default 20000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tenants="${1:-1000}"
proxies="${2:-50}"
per_day="${3:-4}"
sample="${4:-20000}"
cd "$root"
java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
[ -x "$java_bin" ] || java_bin=java
export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v "$java_bin")")")")"
# In the reactor (nothing installed into the local repository); billing, built last, writes the classpath last.
mvn -q -B -pl billing -am test-compile dependency:build-classpath -Dmdep.outputFile="$root/billing/target/bench.classpath" \
  -Dmdep.includeScope=test >/dev/null
echo "billing month end: $tenants tenants x $proxies proxies, $per_day reports per proxy per day; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "bench JVM: %e s wall, %M KiB max resident" \
  "$java_bin" -Xmx1g -cp "billing/target/classes:billing/target/test-classes:$(cat billing/target/bench.classpath)" \
  dev.trellis.billing.BillingBench "$tenants" "$proxies" "$per_day" "$sample"
