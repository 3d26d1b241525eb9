#!/usr/bin/python3
# check-pull.py: run a pull program against serve and check what it prints
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-pull.py SERVE SCENARIO [--needs-pygobject X.Y] -- PROGRAM [ARG...]
#
# Starts SERVE (examples/serve) on a free port and runs PROGRAM (pull, or
# python3 with pull.py, or gjs -m with pull.js) with the scenario's
# arguments appended. No sleeps: each step waits for a line of output or
# for a process to exit. The lines must be exactly:
#
#   reconnect  serve drops every client after every 5 events; --max-events
#              12: 12 events with consecutive ids (resumed with
#              Last-Event-ID: none missed, none repeated), exit 0
#   slow       an event every 5 ms, a consumer that works 25 ms on each,
#              --max-queued-bytes 200 (the source stops reading after a
#              few events and reads again when half was taken):
#              --max-events 30 consecutive events all the same, exit 0
#   end        --once, serve drops every client after every 3 events: at
#              most 3 consecutive events, then "end" (the stream ended
#              without a failure: no event, no error), exit 0
#   http-error a 404: "error: sse-error-quark 3: …" alone, exit 1
#   cancel     Ctrl-C (SIGINT) once the first event is printed, while a
#              pull waits for the next: consecutive events, then
#              "cancelled", exit 0
#   cancel-work the same with --work 50: Ctrl-C comes while the program
#              works on an event, and stops it before the next pull
#
# --needs-pygobject X.Y: PROGRAM is Python that needs PyGObject X.Y or
# newer (pull-asyncio.py): it is compiled (a syntax error fails), then the
# check is skipped (exit 77) when the interpreter's PyGObject is older.

import argparse
import json
import re
import signal
import subprocess
import sys

TIMEOUT = 25

EVENT_RE = re.compile(r'^event: tick id=(\d+) data=(\{.*\})$')
ERROR_RE = re.compile(r'^error: (\S+) (\d+): (.+)$')

SCENARIOS = {
    # scenario: (serve's arguments, the program's arguments before the URL, path)
    'reconnect': (['--interval', '20', '--drop-every', '5'], ['--max-events', '12'], 'events'),
    'slow': (['--interval', '5'],
             ['--max-events', '30', '--work', '25', '--max-queued-bytes', '200'], 'events'),
    'end': (['--interval', '20', '--drop-every', '3'], ['--once'], 'events'),
    'http-error': (['--interval', '20'], [], 'missing'),
    'cancel': (['--interval', '20'], [], 'events'),
    'cancel-work': (['--interval', '20'], ['--work', '50'], 'events'),
}


def fail(message, lines=()):
    print('check-pull: ' + message, file=sys.stderr)
    if lines:
        print('--- output:', file=sys.stderr)
        for line in lines:
            print('  ' + line, file=sys.stderr)
    sys.exit(1)


def event_ids(lines):
    """The ids of the event lines, checked against their data."""
    ids = []
    for i, line in enumerate(lines):
        event = EVENT_RE.match(line)
        if not event:
            fail(f'line {i + 1} is not an event: {line!r}', lines)
        n = json.loads(event.group(2))['n']
        if n != int(event.group(1)):
            fail(f'line {i + 1}: the data does not match the id', lines)
        ids.append(n)
    if ids and ids != list(range(ids[0], ids[0] + len(ids))):
        fail('the event ids are not consecutive: an event was missed or repeated', lines)
    return ids


def check(scenario, lines, returncode):
    if scenario in ('reconnect', 'slow'):
        expected = 12 if scenario == 'reconnect' else 30
        if returncode != 0:
            fail(f'exit status {returncode}, not 0', lines)
        if len(event_ids(lines)) != expected:
            fail(f'expected {expected} events', lines)
    elif scenario == 'end':
        if returncode != 0 or not lines or lines[-1] != 'end':
            fail(f'expected events, then "end", and exit status 0 (got {returncode})', lines)
        if len(event_ids(lines[:-1])) > 3:
            fail('more than the 3 events of one connection: it reconnected', lines)
    elif scenario == 'http-error':
        error = ERROR_RE.match(lines[0]) if len(lines) == 1 else None
        if returncode != 1 or not error or error.group(1) != 'sse-error-quark' or \
                error.group(2) != '3':
            fail(f'expected one line "error: sse-error-quark 3: …" and exit status 1 '
                 f'(got {returncode})', lines)
    else:
        if returncode != 0 or not lines or lines[-1] != 'cancelled':
            fail(f'expected events, then "cancelled", and exit status 0 (got {returncode})',
                 lines)
        if not event_ids(lines[:-1]):
            fail('no event before "cancelled"', lines)


def run(program, scenario):
    """Runs PROGRAM against serve; returns its lines and exit status."""
    if scenario.startswith('cancel'):
        process = subprocess.Popen(program, stdout=subprocess.PIPE, encoding='utf-8',
                                   errors='replace')
        lines = []
        first = process.stdout.readline()
        if first:
            lines.append(first.rstrip('\n'))
            # The handler is in place before the first event: Ctrl-C.
            process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
            fail(f'{program} did not exit within {TIMEOUT} s of Ctrl-C',
                 lines + rest.splitlines())
        return lines + rest.splitlines(), process.returncode

    try:
        result = subprocess.run(program, stdout=subprocess.PIPE, encoding='utf-8',
                                errors='replace', timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
        fail(f'{program} did not exit within {TIMEOUT} s', out.splitlines())
    return result.stdout.splitlines(), result.returncode


def needs_pygobject(program, version):
    with open(program[1], encoding='utf-8') as f:
        compile(f.read(), program[1], 'exec')
    wanted = tuple(int(part) for part in version.split('.'))
    found = subprocess.run([program[0], '-c', 'import gi; print(*gi.version_info[:2])'],
                           stdout=subprocess.PIPE, encoding='utf-8', check=True).stdout
    found = tuple(int(part) for part in found.split())
    if found < wanted:
        print(f'check-pull: {program[1]} needs PyGObject {version}; this one is '
              f'{".".join(map(str, found))}: skipped')
        sys.exit(77)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('serve')
    parser.add_argument('scenario', choices=SCENARIOS)
    parser.add_argument('--needs-pygobject')
    argv = sys.argv[1:]
    if '--' not in argv:
        parser.error('give the program to run after --')
    split = argv.index('--')
    args = parser.parse_args(argv[:split])
    program = argv[split + 1:]
    if args.needs_pygobject:
        needs_pygobject(program, args.needs_pygobject)

    serve_args, program_args, path = SCENARIOS[args.scenario]
    serve = subprocess.Popen([args.serve, '--port', '0'] + serve_args, stdout=subprocess.PIPE,
                             text=True)
    try:
        first = serve.stdout.readline()
        if not first.startswith('listening: '):
            fail(f'serve printed {first!r} instead of its URL')
        url = first[len('listening: '):].strip()
        command = program + program_args + [url + path]
        lines, returncode = run(command, args.scenario)
    finally:
        serve.terminate()
        serve.wait()

    check(args.scenario, lines, returncode)
    print(f'check-pull: {args.scenario}: {" ".join(command)}: ok ({len(lines)} lines)')


if __name__ == '__main__':
    main()
