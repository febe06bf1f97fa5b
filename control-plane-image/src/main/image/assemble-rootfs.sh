#!/bin/bash
# Assembles the control plane image's root filesystem, offline, from what the build machine has:
#   a jlink'ed Java runtime, the control plane jar, and exactly the shared libraries the runtime
#   links (ldd). No shell, no package manager: the entrypoint is java itself.
# Usage: assemble-rootfs.sh <trellis-control-plane.jar> <output dir>   (JAVA_HOME: a JDK with jlink)
set -euo pipefail
jar="$1"; out="$2"
uid=10001
# What Spring Boot, Tomcat, Flyway, the PostgreSQL driver, Nimbus and BouncyCastle use.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.localedata,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs

command -v ldd >/dev/null && [ -x "$JAVA_HOME/bin/jlink" ] || { echo "assemble-rootfs: needs ldd and a JDK with jlink" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"/{opt,trellis,etc,tmp,dev,proc,sys,var/lib/trellis}
available=$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//')
wanted=$(tr , '\n' <<< "$modules" | grep -Fx -f <(echo "$available") | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$wanted" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$out/opt/java"
# java.desktop is there for java.beans; its X11, sound and splash natives are not needed.
rm -f "$out"/opt/java/lib/{libawt_xawt,libjawt,libsplashscreen,libjsound}.so
cp "$jar" "$out/trellis/trellis-control-plane.jar"

# The C libraries the runtime's ELF files need, each at the path the loader looks for it.
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 | sort -z | { xargs -0 ldd 2>/dev/null || true; } \
  | awk '/=> \// {print $3} /^\s*\/.*ld-linux/ {print $1}' | sort -u | while read -r lib; do
    [[ "$lib" == "$out"/* ]] && continue
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
# The loader at the x86-64 ABI's well-known path too.
loader=$(ldd "$out/opt/java/bin/java" | awk '/ld-linux/ {print $1}')
mkdir -p "$out$(dirname "$loader")"
[ -e "$out$loader" ] || cp -L "$loader" "$out$loader"

printf 'root:x:0:0:root:/root:/sbin/nologin\ntrellis:x:%s:%s:trellis control plane:/var/lib/trellis:/sbin/nologin\n' $uid $uid > "$out/etc/passwd"
printf 'root:x:0:\ntrellis:x:%s:\n' $uid > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$out/etc/hosts"

# Same inputs, same bytes: no timestamps from this build, no symlinks whose targets vary.
find "$out" -type l -print0 | while IFS= read -r -d '' link; do target=$(readlink -f "$link"); rm "$link"; cp "$target" "$link"; done
find "$out" -exec touch -h -d @1 {} +
