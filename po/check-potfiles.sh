#!/bin/sh
# check-potfiles.sh: every C file of the library and tools that marks a
# message for translation (_(), N_(), C_(), NC_()) is in po/POTFILES.in.
#
#   check-potfiles.sh SOURCE_ROOT

set -u
cd "$1" || exit 1

status=0
for f in sse-glib/*.c tools/*.c; do
  [ -f "$f" ] || continue
  if grep -Eq '(^|[^A-Za-z0-9_])N?C?_ ?\(' "$f" && ! grep -qx "$f" po/POTFILES.in; then
    echo "check-potfiles: $f has translatable messages but is not in po/POTFILES.in" >&2
    status=1
  fi
done
exit $status
