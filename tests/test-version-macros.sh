#!/bin/sh
# test-version-macros.sh: SSE_VERSION_MIN_REQUIRED, SSE_VERSION_MAX_ALLOWED
# and SSE_DISABLE_DEPRECATION_WARNINGS do what sse-version-macros.h says,
# checked by compiling a small program the way an application would.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test` (suite headers), which passes in the environment:
#   CC               the project's C compiler (a command line)
#   SSE_SOURCE_ROOT  the top of the source tree
#   SSE_BUILD_ROOT   the top of the build tree (with the generated headers)
#   PKG_CONFIG       pkg-config, for the flags of GLib and libsoup; the test
#                    skips (77) without it
#
# Every case is compiled with CC and, when it is installed and not CC
# already, with clang too, so that nothing works with one compiler only.

set -u

fail() {
  echo "test-version-macros: FAIL: $*" >&2
  exit 1
}

for var in CC SSE_SOURCE_ROOT SSE_BUILD_ROOT; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || fail "$var is not set (run this through meson test)"
done

if [ -z "${PKG_CONFIG:-}" ] || ! deps_cflags=$($PKG_CONFIG --cflags gio-2.0 libsoup-3.0 2>/dev/null); then
  echo "test-version-macros: skipped: no pkg-config, or it does not know gio-2.0 and libsoup-3.0"
  exit 77
fi

tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# An application: it uses a 1.0 function when USE_NEW is defined, and with
# USE_OLD a function it declares as the library's headers declare one that
# was deprecated in 1.0.
cat >"$tmp/app.c" <<'EOF'
#include <sse-glib/sse-glib.h>

SSE_DEPRECATED_IN_1_0_FOR (sse_parser_new)
void app_old (void);

void
app_old (void)
{
}

int
main (void)
{
#ifdef USE_NEW
  g_object_unref (sse_parser_new ());
#endif
#ifdef USE_OLD
  app_old ();
#endif
  return 0;
}
EOF

V0_9='-DSSE_VERSION_MIN_REQUIRED=G_ENCODE_VERSION(0,9)'
MAX0_9='-DSSE_VERSION_MAX_ALLOWED=G_ENCODE_VERSION(0,9)'

# compile COMPILER EXPECT PATTERN ARGS...: EXPECT is "clean" (no diagnostic
# at all), "warns" (compiles, with a diagnostic that matches the grep
# pattern PATTERN) or "fails" (does not compile; the diagnostics match).
compile() {
  compiler=$1 expect=$2 pattern=$3
  shift 3
  # shellcheck disable=SC2086
  $compiler -c -o "$tmp/app.o" -Wall -Wundef "$@" \
    -I"$SSE_SOURCE_ROOT" -I"$SSE_SOURCE_ROOT/sse-glib" -I"$SSE_BUILD_ROOT/sse-glib" $deps_cflags \
    "$tmp/app.c" >"$tmp/out" 2>&1
  status=$?
  what="$compiler $*"
  case $expect in
    clean)
      [ $status = 0 ] || { cat "$tmp/out" >&2; fail "$what: did not compile"; }
      [ ! -s "$tmp/out" ] || { cat "$tmp/out" >&2; fail "$what: unexpected diagnostics"; }
      ;;
    warns)
      [ $status = 0 ] || { cat "$tmp/out" >&2; fail "$what: did not compile"; }
      grep -q -- "$pattern" "$tmp/out" || { cat "$tmp/out" >&2; fail "$what: no warning matching '$pattern'"; }
      ;;
    fails)
      [ $status != 0 ] || fail "$what: compiled"
      grep -q -- "$pattern" "$tmp/out" || { cat "$tmp/out" >&2; fail "$what: no error matching '$pattern'"; }
      ;;
  esac
  echo "ok: $what: $expect"
}

check() {
  c=$1

  # By default the whole API is there and nothing warns.
  compile "$c" clean '' -DUSE_NEW
  compile "$c" clean '' -DUSE_NEW -DSSE_VERSION_MIN_REQUIRED=SSE_VERSION_1_0 \
    -DSSE_VERSION_MAX_ALLOWED=SSE_VERSION_1_0

  # A program that must build with a version before 1.0 is told what 1.0
  # added, unless it asks for silence.
  compile "$c" warns 'sse_parser_new.*Not available before 1\.0' -DUSE_NEW "$V0_9" "$MAX0_9"
  compile "$c" clean '' -DUSE_NEW "$V0_9" "$MAX0_9" -DSSE_DISABLE_DEPRECATION_WARNINGS

  # The maximum cannot be below the minimum, which is 1.0 by default.
  compile "$c" fails 'SSE_VERSION_MAX_ALLOWED must be >= SSE_VERSION_MIN_REQUIRED' "$MAX0_9"

  # A minimum newer than the headers raises the default maximum with it.
  compile "$c" clean '' -DUSE_NEW '-DSSE_VERSION_MIN_REQUIRED=G_ENCODE_VERSION(1,2)'

  # Deprecated in 1.0: a warning naming the replacement when the program
  # needs 1.0 or newer (the default), none when it must build with older
  # versions or asks for silence.
  compile "$c" warns 'app_old.*sse_parser_new' -DUSE_OLD
  compile "$c" clean '' -DUSE_OLD "$V0_9"
  compile "$c" clean '' -DUSE_OLD -DSSE_DISABLE_DEPRECATION_WARNINGS
}

check "$CC"

clang=$(command -v clang 2>/dev/null || true)
if [ -n "$clang" ] && ! $CC --version 2>/dev/null | grep -q clang; then
  check "$clang"
fi

echo "test-version-macros: all passed"
