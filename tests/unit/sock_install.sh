#!/bin/sh
# Install the build into a temporary directory and build a client the way
# an application would: cc app.c $(pkg-config --cflags --libs dptcp),
# shared and static, and the example app/examples/dptcp-echo.c the same
# way. The library must link no DPDK library; the client must fail to
# attach cleanly with no dptcpd.
# Usage: sock_install.sh BUILD_DIR SOURCE_DIR [B_SANITIZE]
# In a sanitizer build (B_SANITIZE other than none) it is skipped: the
# installed objects need the sanitizers' runtimes, which an application
# built from the pkg-config flags alone does not link; the plain build
# runs it.
set -eu
build=$1
src=$2
if [ "${3:-none}" != none ]; then
	echo "skipped in the sanitizer build (-Db_sanitize=$3)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >/dev/null
pc=$(find "$tmp/root" -name dptcp.pc | head -n 1)
[ -n "$pc" ] || { echo "dptcp.pc not installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$tmp/root"
libdir=$(dirname "$(dirname "$pc")")

if readelf -d "$libdir/libdptcp.so" | grep NEEDED | grep -q 'librte_'; then
	echo "libdptcp.so links DPDK:"; readelf -d "$libdir/libdptcp.so" | grep NEEDED
	exit 1
fi

# Both libraries export the dpt_* calls and nothing else (the static one
# too: an internal name could clash with an application's).
for lib in "$libdir/libdptcp.a" "$libdir/libdptcp.so"; do
	[ "${lib%.so}" = "$lib" ] && opt= || opt=-D
	extra=$(nm -g $opt --defined-only "$lib" | awk 'NF == 3 && $3 !~ /^dpt_/ { print $3 }')
	[ -z "$extra" ] || { echo "$lib exports internal symbols:" $extra; exit 1; }
	nm -g $opt --defined-only "$lib" | grep -q ' T dpt_attach$' ||
		{ echo "$lib does not export dpt_attach"; exit 1; }
done

cc -Wall -Wextra -Werror -o "$tmp/client" "$src/tests/unit/sock_client.c" \
	$(pkg-config --cflags --libs dptcp)
cc -Wall -Wextra -Werror -o "$tmp/client-static" "$src/tests/unit/sock_client.c" \
	$(pkg-config --cflags dptcp) "$libdir/libdptcp.a"

cc -Wall -Wextra -Werror -o "$tmp/dptcp-echo" "$src/app/examples/dptcp-echo.c" \
	$(pkg-config --cflags --libs dptcp)

export DPTCP_PREFIX="dptcp-install-test-absent-$$"
LD_LIBRARY_PATH="$libdir" "$tmp/client"
"$tmp/client-static"
if ldd "$tmp/client-static" | grep -q 'librte_\|libdptcp'; then
	echo "the static client needs shared libraries it should not"; exit 1
fi
if LD_LIBRARY_PATH="$libdir" "$tmp/dptcp-echo" -p 5000 >"$tmp/echo.out" 2>&1; then
	echo "dptcp-echo ran without a dptcpd"; exit 1
fi
grep -q 'dptcp-echo: ' "$tmp/echo.out" || { cat "$tmp/echo.out"; exit 1; }
echo "ok: built against the installed tree, attach fails cleanly"
