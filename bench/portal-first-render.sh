#!/usr/bin/env bash
# The portal's first render on the embedded default, in Debian's headless Chromium: six fresh
# sessions in a row, navigation start to the meshes page drawn with its data (performance.mark in
# the page). Peer in the same run and browser: Swagger UI from the same server, to its load event.
# Runs PortalLocalIT (which also asserts the median is at most 1 s) and prints its measurement.
#
#   bench/portal-first-render.sh
#
# Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian: apt-get install chromium chromium-driver).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin/trellis mvn -q -pl tenant-api -am -DskipTests install
bin/trellis mvn -q -pl tenant-api verify -Dit.test=PortalLocalIT -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
cat tenant-api/target/portal-first-render.txt
