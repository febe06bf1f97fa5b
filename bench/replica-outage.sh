#!/usr/bin/env bash
# Replicas and database outages at full length: the end-to-end test (e2e ControlPlaneReplicasIT: two
# control-plane replicas on one PostgreSQL behind HAProxy, web and echo behind real proxies) with
# PostgreSQL away for the given number of seconds (the suite runs 10) under steady traffic from web to
# echo and a client writing all along; the same run does the cross-replica wake-up, the kill -9 of a
# replica and the rolling upgrade. Prints what each step counted; fails on any failed data-plane
# request, a lost or doubled write, a 503 without Retry-After, or a request refused during the upgrade.
#
#   bench/replica-outage.sh [database outage in seconds, default 30]
#
# Needs haproxy and openssl. Runs copies of the two jars (built if missing), so a rebuild meanwhile does not pull them away.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
outage="${1:-30}"
cd "$root"
source bench/lib/e2e-jars.sh
echo "replica and database outages: PostgreSQL away ${outage} s, commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -o -pl e2e verify -Dit.test=ControlPlaneReplicasIT -Dtrellis.e2e.jars="$jars" -Dtrellis.e2e.database-outage="$outage" \
  | grep -E "write through replica|kill -9|PostgreSQL restart|rolling upgrade|Tests run:|FAIL|ERROR" || true
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
test -z "$(grep -l -E '<(failure|error)' e2e/target/failsafe-reports/TEST-*.xml 2>/dev/null)"
