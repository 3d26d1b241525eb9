#!/bin/sh
# check-output.sh: run a program and compare what it prints with a file.
#
#   check-output.sh EXPECTED PROGRAM [ARG...]
#   check-output.sh --stdin INPUT EXPECTED PROGRAM [ARG...]
#
# Exits 0 when standard output matches EXPECTED byte for byte and the program
# exited 0; otherwise prints a unified diff (or the exit status) and exits 1.

set -u

input=/dev/null
if [ "$1" = "--stdin" ]; then
  input=$2
  shift 2
fi
expected=$1
shift

actual=$(mktemp) || exit 1
trap 'rm -f "$actual"' EXIT

"$@" <"$input" >"$actual"
status=$?
if [ "$status" -ne 0 ]; then
  echo "check-output: '$*' exited with status $status" >&2
  exit 1
fi

if ! cmp -s "$expected" "$actual"; then
  echo "check-output: the output of '$*' differs from $expected:" >&2
  diff -u "$expected" "$actual" >&2
  exit 1
fi
