#!/bin/sh
# test-install.sh: install sse-glib into a temporary directory and use it
# from there, as a program built outside the tree would.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test` (suite install), which passes the build's layout in
# the environment:
#   SSE_BUILD_ROOT   the build directory to install from (already built:
#                    `meson install --no-rebuild`)
#   SSE_SOURCE_DIR   tests/install, with the consumer programs
#   SSE_VERSION      the project version
#   SSE_PREFIX SSE_LIBDIR SSE_INCLUDEDIR SSE_DATADIR SSE_LOCALEDIR SSE_BINDIR
#                    absolute installation directories
#   SSE_EXPECT       what must be installed besides the library and headers,
#                    space separated: gir vapi mo sse-cat docs
#   SSE_SANITIZE     b_sanitize: the test skips (77) a sanitized build
#   SSE_DEFAULT_LIBRARY  default_library: the test skips (77) a static-only
#                    build (test-subproject.py links one)
#   MESON PYTHON3 CC VALAC   programs (PYTHON3 and VALAC may be empty)
#
# Checks, in order: the installed tree; that every header but sse-glib.h
# refuses to be included directly; an out-of-tree C program built with the
# installed sse-glib-1.pc and run against the installed library; a Vala one
# with the installed vapi; the installed typelib imported from Python.

set -u

fail() {
  echo "test-install: FAIL: $*" >&2
  exit 1
}

for var in SSE_BUILD_ROOT SSE_SOURCE_DIR SSE_VERSION SSE_PREFIX SSE_LIBDIR SSE_INCLUDEDIR \
           SSE_DATADIR SSE_LOCALEDIR SSE_BINDIR MESON CC; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || fail "$var is not set (run this through meson test)"
done
PYTHON3=${PYTHON3:-}
VALAC=${VALAC:-}
SSE_EXPECT=${SSE_EXPECT:-}

expects() {
  case " $SSE_EXPECT " in *" $1 "*) return 0 ;; esac
  return 1
}

# A sanitized library cannot be linked or loaded without its runtime, and
# its GIR names libasan: such a build is not one to install.
if [ -n "${SSE_SANITIZE:-}" ] && [ "$SSE_SANITIZE" != none ]; then
  echo "test-install: skipped: the build is sanitized (b_sanitize=$SSE_SANITIZE)"
  exit 77
fi

# What is checked below is the shared library and its typelib.
if [ "${SSE_DEFAULT_LIBRARY:-shared}" = static ]; then
  echo "test-install: skipped: the build makes a static library only (default_library=static)"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sse-glib-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
work=$tmp/work
mkdir -p "$dest" "$work"

# Nothing from the build tree may leak into what runs below.
unset GI_TYPELIB_PATH LD_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

# Install -------------------------------------------------------------------

if ! "$MESON" install -C "$SSE_BUILD_ROOT" --no-rebuild --destdir "$dest" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "meson install failed (is everything built? run meson compile first)"
fi
echo "# installed into $dest"

libdir=$dest$SSE_LIBDIR
incdir=$dest$SSE_INCLUDEDIR/sse-glib-1/sse-glib

check_file() {
  [ -f "$1" ] || fail "not installed: ${1#"$dest"}"
  echo "ok: ${1#"$dest"}"
}

check_symlink() {
  [ -L "$1" ] || fail "not a symbolic link: ${1#"$dest"}"
  [ "$(readlink "$1")" = "$2" ] || fail "${1#"$dest"} points to $(readlink "$1"), not $2"
  [ -f "$1" ] || fail "dangling symbolic link: ${1#"$dest"}"
  echo "ok: ${1#"$dest"} -> $2"
}

# The library: the real file, the soname link (for the loader) and the
# development link (for the linker).
real=
for file in "$libdir"/libsse-glib-1.so.*.*.*; do
  [ -f "$file" ] && real=$(basename "$file")
done
[ -n "$real" ] || fail "no libsse-glib-1.so.X.Y.Z in ${libdir#"$dest"}"
check_file "$libdir/$real"
soname=$(objdump -p "$libdir/$real" 2>/dev/null | sed -n 's/^ *SONAME *//p')
[ "$soname" = "libsse-glib-1.so.0" ] || fail "the library's SONAME is '$soname', not libsse-glib-1.so.0"
check_symlink "$libdir/libsse-glib-1.so.0" "$real"
check_symlink "$libdir/libsse-glib-1.so" "libsse-glib-1.so.0"

# Headers: sse-glib.h and everything it includes.
check_file "$incdir/sse-glib.h"
headers=$(sed -n 's/^#include "\(.*\)"$/\1/p' "$incdir/sse-glib.h")
[ -n "$headers" ] || fail "sse-glib.h includes nothing"
for header in $headers; do
  check_file "$incdir/$header"
done

pc=$libdir/pkgconfig/sse-glib-1.pc
check_file "$pc"
if expects gir; then
  check_file "$dest$SSE_DATADIR/gir-1.0/Sse-1.gir"
  check_file "$libdir/girepository-1.0/Sse-1.typelib"
  grep -q 'shared-library="libsse-glib-1.so.0"' "$dest$SSE_DATADIR/gir-1.0/Sse-1.gir" ||
    fail "Sse-1.gir does not name libsse-glib-1.so.0 as its shared library"
  grep -q '<package name="sse-glib-1"/>' "$dest$SSE_DATADIR/gir-1.0/Sse-1.gir" ||
    fail "Sse-1.gir does not name its pkg-config package sse-glib-1"
fi
if expects vapi; then
  check_file "$dest$SSE_DATADIR/vala/vapi/sse-glib-1.vapi"
  check_file "$dest$SSE_DATADIR/vala/vapi/sse-glib-1.deps"
fi
if expects mo; then
  check_file "$dest$SSE_LOCALEDIR/de/LC_MESSAGES/sse-glib-1.mo"
fi
if expects sse-cat; then
  check_file "$dest$SSE_BINDIR/sse-cat"
  [ -x "$dest$SSE_BINDIR/sse-cat" ] || fail "sse-cat is not executable"
fi
if expects docs; then
  check_file "$dest$SSE_DATADIR/doc/sse-glib-1/index.html"
fi

# The installed text files must not point back into the build tree (the
# library's debug information may, and is not checked).
for file in "$pc" "$incdir"/*.h "$dest$SSE_DATADIR/gir-1.0/Sse-1.gir" \
            "$dest$SSE_DATADIR/vala/vapi/sse-glib-1.vapi" "$dest$SSE_DATADIR/vala/vapi/sse-glib-1.deps"; do
  if [ -f "$file" ] && grep -q -F "$SSE_BUILD_ROOT" "$file"; then
    fail "${file#"$dest"} mentions the build directory $SSE_BUILD_ROOT"
  fi
done

# Only the umbrella header can be included ----------------------------------

# pkg-config, pointed at the installed .pc. PKG_CONFIG_SYSROOT_DIR would
# also prefix the paths of the system packages it requires (GLib, libsoup),
# so the .pc is relocated instead: a copy whose prefix is the one in the
# destination directory. Everything else in it is used as installed.
mkdir -p "$work/pkgconfig"
sed "s|^prefix=.*|prefix=$dest$SSE_PREFIX|" "$pc" >"$work/pkgconfig/sse-glib-1.pc"
grep -q '^prefix=' "$pc" || fail "sse-glib-1.pc defines no prefix"
export PKG_CONFIG_PATH="$work/pkgconfig"
cflags=$(pkg-config --cflags sse-glib-1) || fail "pkg-config --cflags sse-glib-1 failed"
libs=$(pkg-config --libs sse-glib-1) || fail "pkg-config --libs sse-glib-1 failed"
case " $cflags " in
  *" -I$dest$SSE_INCLUDEDIR/sse-glib-1 "*) ;;
  *) fail "pkg-config --cflags does not point at the installed headers: $cflags" ;;
esac
echo "ok: pkg-config --cflags --libs sse-glib-1: $cflags $libs"

# shellcheck disable=SC2086 # word splitting of the flags is intended
for header in "$incdir"/*.h; do
  name=$(basename "$header")
  printf '#include <sse-glib/%s>\n' "$name" >"$work/include.c"
  if [ "$name" = sse-glib.h ]; then
    "$CC" -fsyntax-only -Wall -Wextra -Werror -Wno-unused-parameter $cflags "$work/include.c" \
      >"$work/include.log" 2>&1 || { cat "$work/include.log" >&2; fail "<sse-glib/sse-glib.h> does not compile cleanly"; }
    echo "ok: <sse-glib/sse-glib.h> compiles with -Wall -Wextra -Werror"
  else
    if "$CC" -fsyntax-only $cflags "$work/include.c" >"$work/include.log" 2>&1; then
      fail "<sse-glib/$name> can be included directly; it must #error"
    fi
    grep -q 'Only <sse-glib/sse-glib.h> can be included directly' "$work/include.log" ||
      { cat "$work/include.log" >&2; fail "<sse-glib/$name> fails, but not with the #error"; }
    echo "ok: <sse-glib/$name> alone is an #error"
  fi
done

# A C program outside the tree ----------------------------------------------

# shellcheck disable=SC2086
"$CC" -Wall -Wextra -Werror -Wno-unused-parameter -DEXPECTED_VERSION="\"$SSE_VERSION\"" \
  $cflags -o "$work/consumer" "$SSE_SOURCE_DIR/consumer.c" $libs ||
  fail "the consumer does not build against the installed sse-glib-1.pc"

# It must run with the installed library (there is no rpath to the build).
LD_LIBRARY_PATH=$libdir ldd "$work/consumer" >"$work/ldd.log" 2>&1
grep 'libsse-glib-1' "$work/ldd.log" | grep -q -F "$libdir/" ||
  { cat "$work/ldd.log" >&2; fail "the consumer does not load the installed library"; }
output=$(LD_LIBRARY_PATH=$libdir "$work/consumer") || fail "the consumer failed: $output"
[ "$output" = "consumer: ok (sse-glib $SSE_VERSION)" ] || fail "unexpected consumer output: $output"
echo "ok: $output"

# Vala, with the installed vapi ---------------------------------------------

if expects vapi && [ -n "$VALAC" ]; then
  (cd "$work" && "$VALAC" --vapidir="$dest$SSE_DATADIR/vala/vapi" --pkg sse-glib-1 \
      -X -w -o consumer-vala "$SSE_SOURCE_DIR/consumer.vala") >"$work/valac.log" 2>&1 ||
    { cat "$work/valac.log" >&2; fail "the Vala consumer does not build against the installed vapi"; }
  output=$(LD_LIBRARY_PATH=$libdir "$work/consumer-vala") || fail "the Vala consumer failed: $output"
  [ "$output" = "consumer-vala: ok" ] || fail "unexpected Vala consumer output: $output"
  echo "ok: $output"
elif expects vapi; then
  echo "# valac not found: the installed vapi was not compiled against"
fi

# Python, with the installed typelib ----------------------------------------

if expects gir && [ -n "$PYTHON3" ]; then
  output=$(GI_TYPELIB_PATH=$libdir/girepository-1.0 LD_LIBRARY_PATH=$libdir DEST=$dest \
           "$PYTHON3" - <<'EOF'
import os
import gi
gi.require_version('GIRepository', '2.0')
gi.require_version('Sse', '1')
from gi.repository import GIRepository, Sse

dest = os.environ['DEST']
typelib = GIRepository.Repository.get_default().get_typelib_path('Sse')
assert typelib.startswith(dest + '/'), 'typelib loaded from ' + typelib

parser = Sse.Parser.new()
events = []
parser.connect('event', lambda p, e: events.append((e.get_event_type(), e.get_data(), e.get_id())))
parser.feed(b'event: greeting\nid: 3\ndata: hello\n\n')
assert events == [('greeting', 'hello', '3')], events

with open('/proc/self/maps') as maps:
    libs = {line.split()[-1] for line in maps if 'libsse-glib-1.so' in line}
assert libs and all(path.startswith(dest + '/') for path in libs), libs
print('python: ok')
EOF
  ) || fail "the installed typelib does not work from Python: $output"
  [ "$output" = "python: ok" ] || fail "unexpected Python output: $output"
  echo "ok: $output"
elif expects gir; then
  echo "# no /usr/bin/python3 with PyGObject: the installed typelib was not imported"
fi

echo "test-install: all checks passed"
