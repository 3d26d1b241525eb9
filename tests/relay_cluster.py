# relay_cluster.py: an origin, relays, nginx and clients as processes, for
# the relay tests (test-relay.py, test-relay-netns.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every process is sse-cat (or nginx), started with a command prefix (to run
# it in a network namespace, say). Their output is read by threads into
# lists of lines, and the tests wait for what they expect with a deadline
# that fails the test: nothing here sleeps to synchronise.

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import nginx_config

TIMEOUT = 30
NGINX = nginx_config.NGINX


def free_port(host='127.0.0.1'):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Lines:
    """The lines of a pipe, read by a thread as they come."""

    def __init__(self, pipe):
        self.lines = []
        self.ended = False
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        for line in pipe:
            with self.changed:
                self.lines.append(line.rstrip('\n'))
                self.changed.notify_all()
        pipe.close()
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def wait(self, condition, what, timeout=TIMEOUT):
        """Waits until condition(lines) is true (returns what it returned),
        or fails saying what it waited for."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                result = condition(self.lines)
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if self.ended or remaining <= 0:
                    raise AssertionError('%s waiting for %s; the lines so far:\n%s' % (
                        'ended' if self.ended else 'timed out', what, '\n'.join(self.lines)))
                self.changed.wait(remaining)

    def wait_for(self, pattern, what=None, timeout=TIMEOUT):
        """The first match of @pattern in a line."""
        regex = re.compile(pattern)

        def find(lines):
            for line in lines:
                match = regex.search(line)
                if match:
                    return match
            return None
        return self.wait(find, what or repr(pattern), timeout)

    def join(self, timeout=TIMEOUT):
        self.thread.join(timeout)


class Process:
    """A process whose standard error (and output, unless given) is read
    line by line."""

    def __init__(self, args, prefix=(), stdin=None, stdout=subprocess.PIPE):
        self.args = list(args)
        self.popen = subprocess.Popen([*prefix, *args], stdin=stdin, stdout=stdout,
                                      stderr=subprocess.PIPE, text=True)
        self.stderr = Lines(self.popen.stderr)
        self.stdout = Lines(self.popen.stdout) if stdout == subprocess.PIPE else None

    @property
    def pid(self):
        return self.popen.pid

    def signal(self, signum):
        if self.popen.poll() is None:
            self.popen.send_signal(signum)

    def wait(self, timeout=TIMEOUT):
        status = self.popen.wait(timeout)
        self.stderr.join()
        if self.stdout is not None:
            self.stdout.join()
        return status

    def stop(self):
        """Ends it, however it is."""
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(TIMEOUT)
        if self.popen.stdin is not None:
            try:
                self.popen.stdin.close()
            except BrokenPipeError:
                pass
        self.stderr.join()
        if self.stdout is not None:
            self.stdout.join()


class SseCat(Process):
    """sse-cat serving (--serve or --relay): its URL is what it says it serves on."""

    def __init__(self, sse_cat, args, prefix=(), stdin=None):
        super().__init__([sse_cat, *args], prefix, stdin=stdin, stdout=subprocess.DEVNULL)
        match = self.stderr.wait_for(r'serving on (http://\S+)', 'serving on')
        self.url = match.group(1)
        self.host, self.port = re.match(r'http://([^/]+):(\d+)/', self.url).groups()


class Origin(SseCat):
    """`sse-cat --serve -`: each line written is an event "event N", id N."""

    def __init__(self, sse_cat, *args, prefix=()):
        super().__init__(sse_cat, ['--serve', '--port', '0', *args, '-'], prefix,
                         stdin=subprocess.PIPE)
        self.sent = 0

    def send(self, count):
        self.popen.stdin.write(''.join('event %d\n' % (self.sent + i)
                                       for i in range(1, count + 1)))
        self.popen.stdin.flush()
        self.sent += count


class Relay(SseCat):
    def __init__(self, sse_cat, origin_url, *args, prefix=()):
        super().__init__(sse_cat, ['--relay', origin_url, '--port', '0', '-v', *args], prefix)


class Client(Process):
    """`sse-cat --json URL`: its events, as they come."""

    def __init__(self, sse_cat, url, *args, prefix=()):
        super().__init__([sse_cat, '--json', *args, url], prefix)

    def events(self):
        return [json.loads(line) for line in self.stdout.lines]

    def wait_events(self, count, timeout=TIMEOUT):
        self.stdout.wait(lambda lines: len(lines) >= count, '%d events' % count, timeout)
        return self.events()


class Nginx:
    """nginx in front of relays, given as (host, port): the first is the
    server, the others are backups, used when it does not answer.
    Buffering off, as for event streams."""

    def __init__(self, relays, listen='127.0.0.1', port=None, prefix=()):
        self.dir = tempfile.mkdtemp(prefix='sse-glib-nginx-')
        self.port = port or free_port(listen)
        self.url = 'http://%s:%d/' % (listen, self.port)
        servers = ''.join('    server %s:%s%s;\n' % (host, port,
                                                    ' max_fails=1 fail_timeout=30s' if i == 0
                                                    else ' backup')
                          for i, (host, port) in enumerate(relays))
        body = f"""  upstream relays {{
{servers}  }}
  server {{
    listen {listen}:{self.port};
    location / {{
      proxy_pass http://relays;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_connect_timeout 5s;
      proxy_next_upstream error timeout;
    }}
  }}
"""
        config = nginx_config.config(self.dir, body, worker_connections=256)
        path = os.path.join(self.dir, 'nginx.conf')
        with open(path, 'w') as f:
            f.write(config)
        self.process = Process([NGINX, '-e', os.path.join(self.dir, 'error.log'), '-c', path],
                               prefix, stdout=subprocess.DEVNULL)
        # Up once it accepts a connection (in its namespace: ask it there).
        self.wait_listening(listen, prefix)

    def wait_listening(self, host, prefix):
        probe = ('import socket, sys, time\n'
                 'deadline = time.monotonic() + %d\n'
                 'while True:\n'
                 '    try:\n'
                 '        socket.create_connection((%r, %d), timeout=1).close()\n'
                 '        break\n'
                 '    except OSError:\n'
                 '        if time.monotonic() > deadline: sys.exit(1)\n'
                 '        time.sleep(0.02)\n' % (TIMEOUT, host, self.port))
        if subprocess.run([*prefix, '/usr/bin/python3', '-c', probe]).returncode != 0:
            raise AssertionError('nginx did not start:\n' + '\n'.join(self.process.stderr.lines))

    def close(self):
        self.process.signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def assert_exactly_once(test, events, count):
    """Events 1..count, each once, in order, with the origin's ids."""
    test.assertEqual([(e['type'], e['id'], e['data']) for e in events],
                     [('message', str(i), 'event %d' % i) for i in range(1, count + 1)])


def fail_over(test, sse_cat, kill_signal, prefix=lambda role: (), listen=lambda role: '127.0.0.1',
              port=lambda role: free_port(), count=300, step=5):
    """Origin → two relays → nginx (the second relay a backup) → a client;
    the relay serving the client gets @kill_signal mid-stream. Every event
    arrives exactly once, in order, and the client resumed from the
    second relay. @prefix, @listen and @port say where each role runs
    ('origin', 'relay1', 'relay2', 'lb', 'client'). The origin sends @step
    events at a time, the next ones when the client has them. Returns the
    first relay's exit status and both relays."""
    origin = Origin(sse_cat, '--listen', listen('origin'), prefix=prefix('origin'))
    test.addCleanup(origin.stop)
    relay1 = Relay(sse_cat, origin.url, '--listen', listen('relay1'), '--retry', '100',
                   prefix=prefix('relay1'))
    test.addCleanup(relay1.stop)
    relay1.stderr.wait_for('^sse-cat: open$', 'relay1 subscribed to the origin')
    relay2_port = port('relay2')
    nginx = Nginx([(relay1.host, relay1.port), (listen('relay2'), relay2_port)],
                  listen=listen('lb'), port=port('lb'), prefix=prefix('lb'))
    test.addCleanup(nginx.close)

    client = Client(sse_cat, nginx.url, '--max-events', str(count), prefix=prefix('client'))
    test.addCleanup(client.stop)
    relay1.stderr.wait_for(r'client \S+ connected', 'the client at relay1')

    def stream(until):
        while origin.sent < until:
            origin.send(min(step, until - origin.sent))
            client.wait_events(origin.sent)

    third = count // 3
    stream(third)

    # relay2 comes late, and resumes after event 10: a relay that numbered
    # the events itself would not know the client's last id.
    relay2 = Relay(sse_cat, origin.url, '--last-event-id', '10', '--listen', listen('relay2'),
                   '--port', str(relay2_port), '--retry', '100', prefix=prefix('relay2'))
    test.addCleanup(relay2.stop)
    relay2.stderr.wait_for('^sse-cat: open$', 'relay2 subscribed to the origin')
    stream(2 * third)

    # Events on their way when relay1 goes, and more after.
    origin.send(step)
    relay1.signal(kill_signal)
    status = relay1.wait()
    stream(count)

    test.assertEqual(client.wait(), 0, '\n'.join(client.stderr.lines))
    assert_exactly_once(test, client.events(), count)

    # It resumed at relay2, from an event that relay1 had served it, and
    # said the stream was lost or ended.
    match = relay2.stderr.wait_for(r'client \S+ connected \(Last-Event-ID: “(\d+)”\)',
                                   'the client at relay2')
    test.assertGreaterEqual(int(match.group(1)), 2 * third)
    test.assertTrue(any('reconnecting in' in line for line in client.stderr.lines),
                    client.stderr.lines)
    return status, (relay1, relay2)
