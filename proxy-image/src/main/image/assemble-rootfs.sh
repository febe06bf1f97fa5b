#!/bin/bash
# Assembles the proxy image's root filesystem, offline, from what the build machine has:
#   a jlink'ed Java runtime, the proxy jar, bash and iptables (nft backend) for the init step,
#   and exactly the shared libraries these link (ldd), since a JVM needs a C library.
# Usage: assemble-rootfs.sh <trellis-proxy.jar> <entrypoint> <output dir>   (JAVA_HOME: a JDK with jlink)
set -euo pipefail
jar="$1"; entrypoint="$2"; out="$3"
uid=1337
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

for tool in ldd "$JAVA_HOME/bin/jlink" /bin/bash /usr/sbin/xtables-nft-multi; do
  command -v "$tool" >/dev/null || { echo "assemble-rootfs: $tool is missing (apt-get install iptables)" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out"/{opt,trellis,bin,usr/sbin,etc,tmp,run,dev,proc,sys,var/run/trellis}
# jdk.crypto.ec is part of java.base in newer JDKs; ask only for what this JDK has.
available=$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//')
wanted=$(tr , '\n' <<< "$modules" | grep -Fx -f <(echo "$available") | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$wanted" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$out/opt/java"
# java.desktop is there for java.beans (Spring needs it); its X11, sound and splash natives are not.
rm -f "$out"/opt/java/lib/{libawt_xawt,libjawt,libsplashscreen,libjsound}.so

cp "$jar" "$out/trellis/trellis-proxy.jar"
cp "$entrypoint" "$out/trellis/entrypoint"
cp /bin/bash "$out/bin/bash"
cp /usr/sbin/xtables-nft-multi "$out/usr/sbin/xtables-nft-multi"
# xtables-nft-multi acts by the name it is called with.
for name in iptables iptables-save iptables-restore; do cp /usr/sbin/xtables-nft-multi "$out/usr/sbin/$name"; done
xtables=$(dirname "$(find /usr/lib /lib -name libxt_owner.so -print -quit)")
mkdir -p "$out$xtables"
cp "$xtables"/libxt_*.so "$xtables"/libipt_*.so "$out$xtables/"

# Every library any of these ELF files links, at the path the loader looks for it.
copy_libs() {
  ldd "$1" 2>/dev/null | awk '/=> \// {print $3} /^\s*\/.*ld-linux/ {print $1}' | while read -r lib; do
    # The runtime's own libraries (found through its RUNPATH) are already in place.
    [[ "$lib" == "$out"/* || -e "$out$lib" ]] && continue
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
}
while IFS= read -r -d '' elf; do
  if head -c 4 "$elf" | grep -q $'\x7fELF'; then copy_libs "$elf"; fi
done < <(find "$out" -type f \( -name '*.so*' -o -path '*/bin/*' -o -path '*/sbin/*' \) -print0 | sort -z)
# The loader's well-known path (the x86-64 ABI names /lib64).
loader=$(ldd /bin/bash | awk '/ld-linux/ {print $1}')
mkdir -p "$out$(dirname "$loader")"
[ -e "$out$loader" ] || cp -L "$loader" "$out$loader"

cat > "$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/bash
trellis:x:$uid:$uid:trellis proxy:/var/run/trellis:/bin/bash
PASSWD
cat > "$out/etc/group" <<GROUP
root:x:0:
trellis:x:$uid:
GROUP
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
printf 'ip\t0\tIP\ntcp\t6\tTCP\nudp\t17\tUDP\n' > "$out/etc/protocols"

# Same inputs, same bytes: no timestamps from this build, no symlinks whose targets vary.
find "$out" -type l -print0 | while IFS= read -r -d '' link; do target=$(readlink -f "$link"); rm "$link"; cp "$target" "$link"; done
find "$out" -exec touch -h -d @1 {} +
