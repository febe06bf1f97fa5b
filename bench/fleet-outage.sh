#!/usr/bin/env bash
# Fleet survival: the end-to-end test (e2e FleetEndToEndIT: control plane jar on its embedded
# PostgreSQL, three proxy jars in STRICT mTLS) with the control plane stopped for a long outage
# under steady traffic from web to echo (one call every 50 ms through web's proxy), then started
# again while traffic flows. Prints the requests and failures during the outage and during the
# return; the test fails on any failed request or if the proxies do not catch up without restart.
#
#   bench/fleet-outage.sh [outage as an ISO-8601 duration, default PT5M]
#
# Runs copies of the two jars (built if missing), so a rebuild meanwhile does not pull them away.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
outage="${1:-PT5M}"
cd "$root"
source bench/lib/e2e-jars.sh
echo "fleet outage: $outage, commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -o -pl e2e verify -Dit.test=FleetEndToEndIT -Dtrellis.e2e.jars="$jars" -Dtrellis.e2e.outage="$outage" \
  -Djunit.jupiter.execution.timeout.default=60m -Dfailsafe.timeout=7200 \
  | grep -E "control plane down|while the control plane returned|write → |Tests run:|FAIL|ERROR" || true
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
test -z "$(grep -l -E '<(failure|error)' e2e/target/failsafe-reports/TEST-*.xml 2>/dev/null)"
