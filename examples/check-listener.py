#!/usr/bin/python3
# check-listener.py: run a listen example against a local feed and check
# what it prints
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-listener.py SERVE [--drop-every N]
#                     (--events N | --error DOMAIN:CODE [--error-contains TEXT])
#                     -- PROGRAM [ARG...]
#
# Starts SERVE (examples/serve) on a free port, reads the URL it prints
# ("listening: URL") and runs PROGRAM with every "@URL@" in its arguments
# replaced by that URL. No sleeps: each step waits for a line of output or
# for a process to exit.
#
# --events N: PROGRAM must print "status: connecting" then "status: open",
#   exactly N events whose ids are consecutive numbers (serve's "tick"
#   events, resumed with Last-Event-ID across reconnections, so none is
#   missed or repeated), no error, and end with "status: closed", exit 0.
#   With --drop-every N (given to serve too: it disconnects every client
#   after every N events), there must be at least one full reconnection
#   cycle: "status: reconnecting in MS ms (attempt A)", "status:
#   connecting", "status: open".
# --error DOMAIN:CODE: PROGRAM must print exactly "status: connecting",
#   "error: DOMAIN CODE: ...", "status: closed", and exit 1. With
#   --error-contains, the error's message must contain TEXT (as UTF-8: a
#   program that prints through GLib without setting its locale turns
#   every non-ASCII character into "?").

import argparse
import json
import re
import subprocess
import sys

TIMEOUT = 25

EVENT_RE = re.compile(r'^event: tick id=(\d+) data=(\{.*\})$')
RECONNECTING_RE = re.compile(r'^status: reconnecting in (\d+) ms \(attempt (\d+)\)$')
ERROR_RE = re.compile(r'^error: (\S+) (\d+): (.+)$')


def fail(message, lines=()):
    print('check-listener: ' + message, file=sys.stderr)
    if lines:
        print('--- output:', file=sys.stderr)
        for line in lines:
            print('  ' + line, file=sys.stderr)
    sys.exit(1)


def check_events(lines, n_events, drop_every):
    if drop_every and n_events <= drop_every:
        fail('--events must be more than --drop-every to see a reconnection')
    if lines[:2] != ['status: connecting', 'status: open']:
        fail('the output does not start with connecting, then open', lines)
    if lines[-1] != 'status: closed':
        fail('the output does not end with "status: closed"', lines)

    ids = []
    reconnections = 0
    for i, line in enumerate(lines):
        event = EVENT_RE.match(line)
        reconnecting = RECONNECTING_RE.match(line)
        if event:
            n = json.loads(event.group(2))['n']
            if n != int(event.group(1)):
                fail(f'line {i + 1}: the data does not match the id', lines)
            ids.append(n)
        elif reconnecting:
            # serve asks for retry: 250, and the backoff never waits less
            # than the reconnection time.
            if int(reconnecting.group(1)) < 250:
                fail(f'line {i + 1}: reconnects sooner than serve\'s retry: 250', lines)
            if lines[i + 1:i + 3] != ['status: connecting', 'status: open']:
                fail(f'line {i + 1}: not followed by connecting, then open', lines)
            reconnections += 1
        elif line not in ('status: connecting', 'status: open', 'status: closed'):
            fail(f'line {i + 1}: unexpected: {line!r}', lines)

    if len(ids) != n_events:
        fail(f'expected {n_events} events, got {len(ids)}', lines)
    if ids != list(range(ids[0], ids[0] + n_events)):
        fail('the event ids are not consecutive: an event was missed or repeated', lines)
    if lines.count('status: closed') != 1:
        fail('"status: closed" more than once', lines)
    if drop_every and reconnections == 0:
        fail('serve dropped the connection, but the program did not reconnect', lines)


def check_error(lines, domain, code, contains):
    if len(lines) != 3 or lines[0] != 'status: connecting' or lines[2] != 'status: closed':
        fail('expected connecting, an error, closed', lines)
    error = ERROR_RE.match(lines[1])
    if not error or error.group(1) != domain or error.group(2) != code:
        fail(f'expected an error {domain} {code}', lines)
    if contains is not None and contains not in error.group(3):
        fail(f'the error message does not contain {contains!r}', lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('serve')
    parser.add_argument('--drop-every', type=int, default=0)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--events', type=int)
    group.add_argument('--error')
    parser.add_argument('--error-contains')
    argv = sys.argv[1:]
    if '--' not in argv:
        parser.error('give the program to run after --')
    split = argv.index('--')
    args = parser.parse_args(argv[:split])
    program = argv[split + 1:]

    serve_args = [args.serve, '--port', '0', '--interval', '20']
    if args.drop_every:
        serve_args += ['--drop-every', str(args.drop_every)]
    serve = subprocess.Popen(serve_args, stdout=subprocess.PIPE, text=True)
    try:
        first = serve.stdout.readline()
        if not first.startswith('listening: '):
            fail(f'serve printed {first!r} instead of its URL')
        url = first[len('listening: '):].strip()

        command = [arg.replace('@URL@', url) for arg in program]
        try:
            result = subprocess.run(command, stdout=subprocess.PIPE,
                                    encoding='utf-8', errors='replace',
                                    timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
            fail(f'{command} did not exit within {TIMEOUT} s', out.splitlines())
    finally:
        serve.terminate()
        serve.wait()

    lines = result.stdout.splitlines()
    if args.events is not None:
        if result.returncode != 0:
            fail(f'{command} exited with status {result.returncode}, not 0', lines)
        check_events(lines, args.events, args.drop_every)
    else:
        if result.returncode != 1:
            fail(f'{command} exited with status {result.returncode}, not 1', lines)
        domain, _, code = args.error.partition(':')
        check_error(lines, domain, code, args.error_contains)

    print(f'check-listener: {" ".join(command)}: ok ({len(lines)} lines)')


if __name__ == '__main__':
    main()
