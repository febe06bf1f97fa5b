# Sourced (from the repository root) by the bench scripts that run an end-to-end test at full length:
#   source bench/lib/e2e-jars.sh
# Builds the control plane and proxy jars if they are missing and copies them into $jars (removed on
# exit), for -Dtrellis.e2e.jars="$jars", so a rebuild meanwhile does not pull them away.
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
for jar in tenant-api/target/trellis-control-plane.jar proxy-fleet/target/trellis-proxy.jar; do
  [ -f "$jar" ] || mvn -B -q -o -DskipTests -pl tenant-api,proxy-fleet -am install
done
jars="$(mktemp -d)"
trap 'rm -rf "$jars"' EXIT
cp tenant-api/target/trellis-control-plane.jar proxy-fleet/target/trellis-proxy.jar "$jars/"
