#!/bin/sh
# make installcheck (and so make distcheck): what a library user gets from
# `make install`, as the README's "Building and installing" and
# libprospero(3) promise it. Each installed header compiles on its own as
# C99 and as C++17; a program built with nothing but
# `pkg-config --cflags --libs libprospero` links shared, and with -static
# statically, and runs, from C++ too; the shared library is libprospero.so.0 and
# exports the prospero_ functions alone.
# Usage: installcheck.sh LIBDIR INCLUDEDIR "HEADERS" "SAN_CFLAGS"
libdir=$1 includedir=$2 headers=$3 san=$4
cc=${CC:-cc} cxx=${CXX:-c++}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "installcheck: FAIL: $*" >&2; fails=$((fails + 1)); }

PKG_CONFIG_PATH=$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
cflags=$(pkg-config --cflags libprospero) && libs=$(pkg-config --libs libprospero) ||
	{ fail "pkg-config knows no libprospero in $libdir/pkgconfig"; exit 1; }

for h in $headers; do
	h=${h##*/}
	[ -f "$includedir/$h" ] || { fail "$includedir/$h not installed"; continue; }
	printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$h" "$h" >"$work/h.c"
	$cc -std=c99 -Wall -Wextra -pedantic -Werror $cflags -c "$work/h.c" -o "$work/h.o" ||
		fail "$h does not compile alone as C99"
	if command -v "$cxx" >/dev/null; then
		cp "$work/h.c" "$work/h.cc"
		$cxx -std=c++17 -Wall -Wextra -pedantic -Werror $cflags -c "$work/h.cc" -o "$work/h.o" ||
			fail "$h does not compile alone as C++17"
	fi
done

# one call from each header, so that each part of the library is linked
cat >"$work/p.c" <<'EOF'
#include <prospero.h>
#include <prospero_state.h>
#include <prospero_queue.h>
int main(void)
{
	struct prospero *p = prospero_new(EV_DEFAULT);

	prospero_state_close(prospero_state_open("/nonexistent"));
	prospero_queue_consumer_free(prospero_queue_consume(p, NULL, NULL));
	prospero_close(p);
	return p ? 0 : 1;
}
EOF
$cc -std=c99 -Wall -Wextra -pedantic $san $cflags "$work/p.c" $libs -o "$work/shared" ||
	fail "no shared link with pkg-config --cflags --libs libprospero"
[ -x "$work/shared" ] && { LD_LIBRARY_PATH=$libdir "$work/shared" || fail "the shared program failed"; }
# from C++ too: the headers' extern "C" names the library's symbols
if command -v "$cxx" >/dev/null; then
	cp "$work/p.c" "$work/p.cc"
	$cxx -std=c++17 -Wall -Wextra -pedantic $san $cflags "$work/p.cc" $libs -o "$work/shared++" ||
		fail "no C++ link with pkg-config --cflags --libs libprospero"
fi
# the sanitizers' runtimes do not link statically
if [ -z "$san" ]; then
	$cc -std=c99 -static $cflags "$work/p.c" $libs -o "$work/static" 2>"$work/static.err" ||
		{ cat "$work/static.err" >&2; fail "no static link with -static and the same flags"; }
	[ -x "$work/static" ] && { "$work/static" || fail "the static program failed"; }
fi

soname=$(readelf -d "$libdir/libprospero.so.0" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libprospero.so.0 ] || fail "libprospero.so.0's soname is '$soname'"
leaked=$(nm -D --defined-only "$libdir/libprospero.so.0" | awk 'NF == 3 && $3 !~ /^prospero_/ { print $3 }')
[ -z "$leaked" ] || fail "libprospero.so.0 exports more than prospero_*:" $leaked

[ $fails = 0 ] && echo "installcheck: libprospero as installed: ok"
[ $fails = 0 ]
