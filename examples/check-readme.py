#!/usr/bin/python3
# check-readme.py: run the README's client snippets, pasted as they are,
# against a local feed
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-readme.py c README SERVE --build-root DIR --pkg-config PKG_CONFIG --cc=CC [--cc=ARG...]
#   check-readme.py python README SERVE --python PYTHON
#   check-readme.py js README SERVE --gjs GJS
#
# Takes the first fenced block of the language from README (```c, ```python,
# ```js): the reader copies those whole. Starts SERVE (examples/serve) on a
# free port, dropping every client after every 3 events, and checks that
#
# - c: the program, built as the README says (cc ... $(pkg-config --cflags
#   --libs sse-glib-1) with meson's uninstalled .pc file), exits 2 with a
#   usage line and nothing else when given no URL; prints serve's ticks with
#   consecutive ids and a reconnection; and exits 1 on a 404, saying so;
# - python: prints the parser's and the encoder's output, then serve's
#   ticks; and ends on a 404 with the error and "closed";
# - js: prints serve's ticks and a reconnection; and ends on a 404, saying
#   so on standard error.
#
# The snippets' URL http://127.0.0.1:8000/events is replaced by serve's.
# No sleeps: each step waits for a line of output or for a process to exit,
# with a deadline.

import argparse
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 20
README_URL = 'http://127.0.0.1:8000/events'


def fail(message, lines=()):
    print('check-readme: ' + message, file=sys.stderr)
    if lines:
        print('--- output:', file=sys.stderr)
        for line in lines:
            print('  ' + line, file=sys.stderr)
    sys.exit(1)


def snippet(readme, language):
    """The first fenced block whose info string is `language`."""
    with open(readme, encoding='utf-8') as f:
        text = f.read()
    match = re.search(r'^```' + re.escape(language) + r'\n(.*?)^```$', text, re.M | re.S)
    if not match:
        fail(f'{readme} has no ```{language} block')
    return match.group(1)


class Serve:
    def __init__(self, serve):
        self.process = subprocess.Popen([serve, '--port', '0', '--interval', '20',
                                         '--drop-every', '3'],
                                        stdout=subprocess.PIPE, text=True)
        first = self.process.stdout.readline()
        if not first.startswith('listening: '):
            self.stop()
            fail(f'serve printed {first!r} instead of its URL')
        self.base = first[len('listening: '):].strip()

    def stop(self):
        self.process.terminate()
        self.process.wait()


class Run:
    """A program whose standard output (or error) is read line by line."""

    def __init__(self, command, env):
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env,
                                        encoding='utf-8', errors='replace')
        self.lines = []
        self.queue = queue.Queue()
        self.err_lines = []
        for name in ('stdout', 'stderr'):
            threading.Thread(target=self.read, args=(name,), daemon=True).start()

    def read(self, name):
        for line in getattr(self.process, name):
            self.queue.put((name, line.rstrip('\n')))
        self.queue.put((name, None))

    def wait_for(self, predicate, what):
        """Reads lines until predicate(stdout lines) is true."""
        ended = 0
        while not predicate(self.lines):
            try:
                name, line = self.queue.get(timeout=TIMEOUT)
            except queue.Empty:
                self.kill()
                fail(f'no {what} within {TIMEOUT} s', self.all_lines())
            if line is None:
                ended += 1
                if ended == 2:
                    self.process.wait()
                    fail(f'exited with status {self.process.returncode} before {what}',
                         self.all_lines())
            elif name == 'stdout':
                self.lines.append(line)
            else:
                self.err_lines.append(line)

    def finish(self, status, what):
        """Waits for the exit, which must be with `status`."""
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            fail(f'did not exit within {TIMEOUT} s ({what})', self.all_lines())
        ended = 0
        while ended < 2:
            name, line = self.queue.get(timeout=TIMEOUT)
            if line is None:
                ended += 1
            elif name == 'stdout':
                self.lines.append(line)
            else:
                self.err_lines.append(line)
        if self.process.returncode != status:
            fail(f'exited with status {self.process.returncode}, not {status} ({what})',
                 self.all_lines())
        for line in self.err_lines:
            if 'CRITICAL' in line or 'WARNING' in line:
                fail('GLib logged a warning or a critical', self.all_lines())

    def kill(self):
        self.process.kill()
        self.process.wait()

    def all_lines(self):
        return self.lines + ['(stderr) ' + line for line in self.err_lines]


def ticks(lines, pattern):
    """The ids of the tick lines, which must be consecutive."""
    ids = [int(m.group(1)) for m in map(re.compile(pattern).match, lines) if m]
    if ids and ids != list(range(ids[0], ids[0] + len(ids))):
        fail('the ticks are not consecutive: one was missed or repeated', lines)
    return ids


def check_client(run, tick_pattern, reconnecting=True):
    def done(lines):
        return len(ticks(lines, tick_pattern)) >= 5 and (
            not reconnecting or any(line.startswith('reconnecting in ') for line in lines))
    run.wait_for(done, '5 ticks and a reconnection')
    run.kill()


def check_c(args, code, serve):
    env = dict(os.environ,
               PKG_CONFIG_PATH=os.path.join(args.build_root, 'meson-uninstalled'))
    with tempfile.TemporaryDirectory(prefix='check-readme-') as tmp:
        source = os.path.join(tmp, 'listen.c')
        program = os.path.join(tmp, 'listen')
        with open(source, 'w', encoding='utf-8') as f:
            f.write(code)
        flags = subprocess.run([args.pkg_config, '--cflags', '--libs', 'sse-glib-1'],
                               env=env, capture_output=True, text=True, check=True).stdout
        build = subprocess.run(args.cc + ['-o', program, source] + flags.split(),
                               capture_output=True, text=True)
        if build.returncode != 0:
            fail('the C snippet does not build', build.stderr.splitlines())

        run = Run([program], env)
        run.finish(2, 'no URL given')
        if run.lines or len(run.err_lines) != 1 or 'URL' not in run.err_lines[0]:
            fail('without a URL, expected one usage line on standard error', run.all_lines())

        check_client(Run([program, serve.base + 'events'], env), r'^tick #(\d+): \{')

        run = Run([program, serve.base + 'missing'], env)
        run.finish(1, 'a 404')
        if not any('404' in line for line in run.err_lines):
            fail('the 404 was not reported', run.all_lines())


def check_python(args, code, serve):
    def run_with(url):
        # Unbuffered, as on a terminal: lines come as they are printed.
        return Run([args.python, '-c', code.replace(README_URL, url)],
                   dict(os.environ, PYTHONUNBUFFERED='1'))

    run = run_with(serve.base + 'events')
    run.wait_for(lambda lines: len(ticks(lines, r'^tick (\d+) \{')) >= 3, '3 ticks')
    run.kill()
    expected = ['greeting hello', 'event: update', 'id: 42', 'data: line 1', 'data: line 2', '',
                'connecting', 'open']
    if run.lines[:len(expected)] != expected:
        fail(f'expected the parser\'s and the encoder\'s output, then connecting and open: '
             f'{expected}', run.lines)

    run = run_with(serve.base + 'missing')
    run.finish(0, 'a 404')
    if run.lines[-1:] != ['closed'] or not any('404' in line for line in run.lines):
        fail('a 404 must print the error, then "closed", and end the script', run.lines)


def check_js(args, code, serve):
    def run_with(url):
        path = os.path.join(tmp, 'listen.js')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(code.replace(README_URL, url))
        return Run([args.gjs, '-m', path], os.environ)

    with tempfile.TemporaryDirectory(prefix='check-readme-') as tmp:
        check_client(run_with(serve.base + 'events'), r'^tick (\d+): \{')

        run = run_with(serve.base + 'missing')
        run.finish(0, 'a 404')
        if not any('404' in line for line in run.err_lines):
            fail('the 404 was not reported', run.all_lines())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('language', choices=['c', 'python', 'js'])
    parser.add_argument('readme')
    parser.add_argument('serve')
    parser.add_argument('--build-root')
    parser.add_argument('--pkg-config')
    parser.add_argument('--cc', action='append', default=[])
    parser.add_argument('--python')
    parser.add_argument('--gjs')
    args = parser.parse_args()

    code = snippet(args.readme, args.language)
    serve = Serve(args.serve)
    try:
        {'c': check_c, 'python': check_python, 'js': check_js}[args.language](args, code, serve)
    finally:
        serve.stop()
    print(f'check-readme: the ```{args.language} block of {args.readme}: ok')


if __name__ == '__main__':
    main()
