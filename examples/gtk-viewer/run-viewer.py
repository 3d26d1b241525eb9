#!/usr/bin/python3
# run-viewer.py: run gtk-viewer under Xvfb against a local feed, and check
# that it shows the events arriving
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   run-viewer.py SERVE VIEWER --rows N [--drop-every D] [--screenshot FILE]
#   run-viewer.py SERVE VIEWER --expect-http-error
#   run-viewer.py SERVE VIEWER --expect-countdown
#
# Starts SERVE (examples/serve) on a free port, reads its URL, starts a
# private X server (Xvfb, which picks a free display number itself and
# tells it with -displayfd, so parallel runs do not collide) and runs
# `VIEWER --url URL/events --exit-after N --screenshot FILE` on it. Waits on
# output lines and process exits, never on sleeps. Checks what the viewer
# prints about its window:
#
# - the status line goes "Closed" (before connecting), "Connecting…", "Open";
#   with --drop-every (serve disconnects every client after every D events)
#   it also shows a "Reconnecting in N s…" countdown, then "Connecting…" and
#   "Open" again;
# - the list shows rows 1 to N (each printed when the list binds it to a
#   widget), whose events are serve's "tick" events with consecutive ids:
#   resumed with Last-Event-ID, none missed, none repeated; and the view
#   has followed them: the rows entirely in view are the newest events,
#   the last one at the bottom;
# - the screenshot is a PNG of the window's size, and GTK logged no
#   critical warning;
# - in every mode: the header bar shows the window's title, and the status
#   line, once drawn, is never cut short (the cause of a failure comes last
#   in it), the last status included.
#
# --expect-http-error points the viewer at serve's /missing (404): the
# status line must end "Closed: <the error>", naming the 404, and the viewer
# exit 1. --expect-countdown points it at a port where nothing listens, with
# --max-attempts 1: "Reconnecting in N s… (<the error>)" must count down one
# second at a time to 1 s (the default reconnection time is 3 s), then
# "Connecting…", then "Closed: <too many attempts> (<connection refused>)".
#
# Exits 77 (skipped) when Xvfb is not installed (Debian package xvfb).

import argparse
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

TIMEOUT = 40

ROW_RE = re.compile(r'^row (\d+): tick id=(\d+) data=(\{.*\})$')
SCREENSHOT_RE = re.compile(r'^screenshot: (.+) \((\d+)x(\d+)\)$')


def fail(message, lines=(), stderr=''):
    print('run-viewer: ' + message, file=sys.stderr)
    if lines:
        print('--- output:', file=sys.stderr)
        for line in lines:
            print('  ' + line, file=sys.stderr)
    if stderr:
        print('--- stderr:\n' + stderr, file=sys.stderr)
    sys.exit(1)


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def check(lines, stderr, rows, drop_every, screenshot):
    statuses = [line[len('status: '):] for line in lines if line.startswith('status: ')]
    if statuses[:3] != ['Closed', 'Connecting…', 'Open']:
        fail('the status line did not go Closed, Connecting…, Open', lines, stderr)
    if drop_every:
        cycles = [i for i, s in enumerate(statuses)
                  if re.fullmatch(r'Reconnecting in \d+ s…', s)
                  and statuses[i + 1:i + 3] == ['Connecting…', 'Open']]
        if not cycles:
            fail('no "Reconnecting in N s…", then Connecting…, Open', lines, stderr)

    shown = {}
    for line in lines:
        row = ROW_RE.match(line)
        if row:
            number, event_id = int(row.group(1)), int(row.group(2))
            if json.loads(row.group(3))['n'] != event_id:
                fail(f'row {number}: the data does not match the id', lines, stderr)
            if number in shown:
                fail(f'row {number} printed twice', lines, stderr)
            shown[number] = event_id
    if sorted(shown) != list(range(1, rows + 1)):
        fail(f'expected rows 1 to {rows}, got {sorted(shown)}', lines, stderr)
    ids = [shown[n] for n in sorted(shown)]
    if ids != list(range(ids[0], ids[0] + rows)):
        fail('the rows are not consecutive events: one was missed or repeated', lines, stderr)

    rows_line = [line for line in lines if line.startswith('rows: ')]
    if not rows_line or int(rows_line[0].split()[1]) < rows:
        fail(f'the list does not hold {rows} rows at the end', lines, stderr)

    if 'view: bottom' not in lines:
        fail('the list did not follow the newest row', lines, stderr)
    visible = [line.split()[1:] for line in lines if line.startswith('visible:')]
    if not visible or len(visible[0]) < min(5, rows):
        fail('fewer than 5 rows entirely in view', lines, stderr)
    if [int(i) for i in visible[0]] != ids[-len(visible[0]):]:
        fail('the rows in view are not the newest events, in order', lines, stderr)

    if screenshot:
        shots = [SCREENSHOT_RE.match(line) for line in lines if line.startswith('screenshot: ')]
        if not shots or not shots[0]:
            fail('no screenshot was saved', lines, stderr)
        width, height = int(shots[0].group(2)), int(shots[0].group(3))
        if width < 400 or height < 300:
            fail(f'the screenshot is too small: {width}x{height}', lines, stderr)
        if png_size(screenshot) != (width, height):
            fail(f'{screenshot} is not a {width}x{height} PNG', lines, stderr)

    if 'CRITICAL' in stderr:
        fail('GTK or GLib logged a critical warning', lines, stderr)


def check_window(lines, stderr):
    if 'title: Event stream viewer' not in lines:
        fail('the header bar does not show the window\'s title', lines, stderr)
    drawn = [i for i, line in enumerate(lines) if line.startswith('status shown: ')]
    if any(lines[i] != 'status shown: whole' for i in drawn):
        fail('the status line was cut short', lines, stderr)
    last_status = max(i for i, line in enumerate(lines) if line.startswith('status: '))
    if not drawn or drawn[-1] < last_status:
        fail('the last status was not drawn', lines, stderr)


def check_http_error(lines, stderr, returncode):
    statuses = [line[len('status: '):] for line in lines if line.startswith('status: ')]
    if returncode != 1:
        fail(f'the viewer exited with status {returncode}, not 1', lines, stderr)
    if statuses[:2] != ['Closed', 'Connecting…'] or len(statuses) != 3:
        fail('expected Closed, Connecting…, then the error', lines, stderr)
    if not statuses[2].startswith('Closed: ') or '404' not in statuses[2]:
        fail('the status line does not show the 404', lines, stderr)


def check_countdown(lines, stderr, returncode):
    statuses = [line[len('status: '):] for line in lines if line.startswith('status: ')]
    if returncode != 1:
        fail(f'the viewer exited with status {returncode}, not 1', lines, stderr)
    if statuses[:2] != ['Closed', 'Connecting…']:
        fail('expected Closed, then Connecting…', lines, stderr)
    countdown = []
    for status in statuses[2:]:
        match = re.fullmatch(r'Reconnecting in (\d+) s… \((.+)\)', status)
        if not match:
            break
        countdown.append(int(match.group(1)))
    rest = statuses[2 + len(countdown):]
    if len(countdown) < 3 or countdown != list(range(countdown[0], 0, -1)):
        fail(f'the countdown is not N s, N-1 s, … 1 s: {countdown}', lines, stderr)
    if len(rest) != 2 or rest[0] != 'Connecting…' or not rest[1].startswith('Closed: '):
        fail('expected Connecting…, then Closed with an error, after the countdown',
             lines, stderr)
    # Why it gave up: the last attempt's own error, not only "Gave up".
    if 'Gave up' not in rest[1] or 'refused' not in rest[1]:
        fail('the last status does not say both that it gave up and why', lines, stderr)


def free_port():
    """A port on which nothing listens (bound, then closed at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('serve')
    parser.add_argument('viewer')
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--rows', type=int)
    group.add_argument('--expect-http-error', action='store_true')
    group.add_argument('--expect-countdown', action='store_true')
    parser.add_argument('--drop-every', type=int, default=0)
    parser.add_argument('--screenshot')
    args = parser.parse_args()

    xvfb = shutil.which('Xvfb')
    if xvfb is None:
        print('run-viewer: skipped: Xvfb is needed (Debian package xvfb)')
        sys.exit(77)

    serve_args = [args.serve, '--port', '0', '--interval', '40']
    if args.drop_every:
        serve_args += ['--drop-every', str(args.drop_every)]

    with tempfile.TemporaryDirectory(prefix='gtk-viewer-') as tmp:
        runtime_dir = os.path.join(tmp, 'runtime')
        os.mkdir(runtime_dir, 0o700)
        env = dict(os.environ,
                   GDK_BACKEND='x11',
                   GSK_RENDERER='cairo',          # no GPU in a virtual X server
                   GTK_A11Y='none',               # no accessibility bus here
                   NO_AT_BRIDGE='1',
                   DBUS_SESSION_BUS_ADDRESS='disabled:',
                   GSETTINGS_BACKEND='memory',
                   GIO_USE_PROXY_RESOLVER='dummy',
                   XDG_RUNTIME_DIR=runtime_dir,
                   XDG_CONFIG_HOME=os.path.join(tmp, 'config'),
                   XDG_CACHE_HOME=os.path.join(tmp, 'cache'),
                   LC_ALL='C.UTF-8')

        # A private X server; it writes its display number on the pipe
        # once it accepts connections.
        read_fd, write_fd = os.pipe()
        x_server = subprocess.Popen([xvfb, '-displayfd', str(write_fd), '-screen', '0',
                                     '1024x768x24', '-nolisten', 'tcp'],
                                    pass_fds=[write_fd], stderr=subprocess.DEVNULL)
        os.close(write_fd)
        serve = None
        try:
            with os.fdopen(read_fd) as display_pipe:
                display = display_pipe.readline().strip()
            if not display.isdigit():
                fail('Xvfb did not start')
            env['DISPLAY'] = ':' + display

            serve = subprocess.Popen(serve_args, stdout=subprocess.PIPE, text=True)
            first = serve.stdout.readline()
            if not first.startswith('listening: '):
                fail(f'serve printed {first!r} instead of its URL')
            url = first[len('listening: '):].strip() + 'events'
            if args.expect_http_error:
                url = first[len('listening: '):].strip() + 'missing'
            elif args.expect_countdown:
                url = f'http://127.0.0.1:{free_port()}/events'

            command = [args.viewer, '--url', url, '--exit-after', str(args.rows or 1)]
            if args.expect_countdown:
                command += ['--max-attempts', '1']
            # Written in the private directory first, and moved into place
            # once checked: runs in parallel never see a half-written file.
            screenshot = os.path.join(tmp, 'screenshot.png') if args.screenshot else None
            if screenshot:
                command += ['--screenshot', screenshot]
            try:
                result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env, timeout=TIMEOUT)
            except subprocess.TimeoutExpired as e:
                out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
                err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or '')
                fail(f'the viewer did not exit within {TIMEOUT} s', out.splitlines(), err)
        finally:
            for process in (serve, x_server):
                if process is not None:
                    process.terminate()
                    process.wait()

        check_result(args, result, screenshot)


def check_result(args, result, screenshot):
    lines = result.stdout.splitlines()
    check_window(lines, result.stderr)
    if args.expect_http_error or args.expect_countdown:
        if args.expect_http_error:
            check_http_error(lines, result.stderr, result.returncode)
        else:
            check_countdown(lines, result.stderr, result.returncode)
        if 'CRITICAL' in result.stderr:
            fail('GTK or GLib logged a critical warning', lines, result.stderr)
        print('run-viewer: ok: ' + ' | '.join(lines))
        return
    if result.returncode != 0:
        fail(f'the viewer exited with status {result.returncode}', lines, result.stderr)
    check(lines, result.stderr, args.rows, args.drop_every, screenshot)
    if screenshot:
        partial = f'{args.screenshot}.{os.getpid()}.part'
        shutil.copyfile(screenshot, partial)
        os.replace(partial, args.screenshot)
    print(f'run-viewer: ok: {args.rows} rows shown'
          + (f', screenshot in {args.screenshot}' if args.screenshot else ''))


if __name__ == '__main__':
    main()
