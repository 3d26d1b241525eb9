#!/usr/bin/python3
# test-relay.py: sse-cat --relay, on loopback: the origin's ids, clients
# that are ahead of the relay, the relay's own reconnection, draining, and
# failover behind nginx
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The origin is `sse-cat --serve -` fed by the test (line N is "event N"
# with the id N), or a Python origin that the test can cut off. The
# failover tests need nginx (Debian: nginx-light) and are skipped without
# it.
#
# Usage: test-relay.py PATH-TO-sse-cat

import os
import signal
import socket
import subprocess
import sys
import threading
import unittest

from relay_cluster import (NGINX, TIMEOUT, Client, Origin, Relay, assert_exactly_once,
                           fail_over)

SSE_CAT = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else None


class CuttableOrigin(threading.Thread):
    """An origin in this process: "id: N / data: event N" for N from 1 to
    `count`, from the one after the request's Last-Event-ID, with retry: 50,
    as far as send_until() allows; then the connection stays open, until
    cut() drops it. Records each request's Last-Event-ID (None when it has
    none) and Authorization header."""

    def __init__(self, count):
        super().__init__(daemon=True)
        self.count = count
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.url = 'http://127.0.0.1:%d/' % self.listener.getsockname()[1]
        self.requests = []
        self.authorizations = []
        self.changed = threading.Condition()
        self.release = 0         # send events up to this one
        self.cutting = False
        self.stopping = False

    def send_until(self, n):
        with self.changed:
            self.release = n
            self.changed.notify_all()

    def cut(self):
        with self.changed:
            self.cutting = True
            self.changed.notify_all()

    def stop(self):
        self.listener.close()
        with self.changed:
            self.stopping = self.cutting = True
            self.changed.notify_all()

    def run(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        head = b''
        while b'\r\n\r\n' not in head:
            data = conn.recv(4096)
            if not data:
                conn.close()
                return
            head += data
        headers = {}
        for line in head.decode('latin-1').split('\r\n')[1:]:
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        last_id = int(headers['last-event-id']) if 'last-event-id' in headers else None
        with self.changed:
            self.requests.append(last_id)
            self.authorizations.append(headers.get('authorization'))
            self.changed.notify_all()
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n'
                     b'Cache-Control: no-cache\r\nConnection: close\r\n\r\nretry: 50\n\n')
        n = (last_id or 0) + 1
        try:
            while True:
                with self.changed:
                    while (n > self.release or n > self.count) and not self.cutting:
                        self.changed.wait()
                    if self.cutting:
                        self.cutting = self.stopping
                        break
                conn.sendall(b'id: %d\ndata: event %d\n\n' % (n, n))
                n += 1
        except OSError:
            pass
        conn.close()


class RelayTest(unittest.TestCase):
    def origin(self, *args):
        origin = Origin(SSE_CAT, *args)
        self.addCleanup(origin.stop)
        return origin

    def relay(self, url, *args):
        relay = Relay(SSE_CAT, url, *args)
        self.addCleanup(relay.stop)
        return relay

    def client(self, url, *args):
        client = Client(SSE_CAT, url, *args)
        self.addCleanup(client.stop)
        return client

    def assertCleanStderr(self, process, last):
        """Only sse-cat's own lines (no GLib warning or critical), the last
        one @last."""
        lines = [line for line in process.stderr.lines if line]
        for line in lines:
            self.assertTrue(line.startswith(('sse-cat: ', '> ', '< ')), lines)
        self.assertEqual(lines[-1], last, lines)

    def test_the_origins_ids_and_everything_kept_for_a_new_client(self):
        origin = self.origin()
        relay = self.relay(origin.url)
        relay.stderr.wait_for('^sse-cat: open$', 'the relay subscribed')
        origin.send(3)
        # A client that comes later gets what the relay kept, with the
        # origin's ids, then what comes next.
        client = self.client(relay.url, '--max-events', '5')
        client.wait_events(3)
        origin.send(2)
        self.assertEqual(client.wait(), 0, client.stderr.lines)
        assert_exactly_once(self, client.events(), 5)

    def test_a_client_ahead_of_the_relay_waits_for_its_event(self):
        # The client saw event 3 elsewhere; this relay has only 1 yet. It
        # must get 4 and 5, and neither 2 nor 3 again nor a "missed".
        origin = self.origin()
        relay = self.relay(origin.url)
        relay.stderr.wait_for('^sse-cat: open$', 'the relay subscribed')
        origin.send(1)
        first = self.client(relay.url, '--max-events', '1')
        first.wait_events(1)

        client = self.client(relay.url, '--last-event-id', '3', '--max-events', '2')
        relay.stderr.wait_for('a client waits for event “3”, which has not come from the '
                              'origin yet')
        origin.send(4)
        self.assertEqual(client.wait(), 0, client.stderr.lines)
        self.assertEqual([(e['type'], e['id'], e['data']) for e in client.events()],
                         [('message', '4', 'event 4'), ('message', '5', 'event 5')])

    def test_an_id_that_never_comes_is_a_missed_event(self):
        origin = self.origin()
        relay = self.relay(origin.url, '--wait-for-origin', '0.2')
        relay.stderr.wait_for('^sse-cat: open$', 'the relay subscribed')
        origin.send(2)
        first = self.client(relay.url, '--max-events', '2')
        first.wait_events(2)

        # Told it missed events, and given the newest id, then the next.
        client = self.client(relay.url, '--last-event-id', 'elsewhere', '--max-events', '2')
        client.wait_events(1)
        origin.send(1)
        self.assertEqual(client.wait(), 0, client.stderr.lines)
        self.assertEqual([(e['type'], e['id'], e['data']) for e in client.events()],
                         [('missed', '2', 'unknown-last-event-id'), ('message', '3', 'event 3')])
        relay.stderr.wait_for('event “elsewhere” did not come from the origin within 0.2 s')

    def test_the_relays_own_reconnection_is_invisible_to_its_clients(self):
        # The relay loses the origin twice; it resumes with its
        # Last-Event-ID (and the headers it was given) each time, and its
        # client gets every event once.
        origin = CuttableOrigin(60)
        origin.start()
        self.addCleanup(origin.stop)
        relay = self.relay(origin.url, '-H', 'Authorization: Bearer relay-token')
        client = self.client(relay.url, '--max-events', '60')
        relay.stderr.wait_for(r'client \S+ connected', 'the client')

        for cut_after in (20, 40):
            origin.send_until(cut_after)
            client.wait_events(cut_after)
            origin.cut()
            with origin.changed:
                origin.changed.wait_for(lambda: len(origin.requests) == cut_after // 20 + 1,
                                        TIMEOUT)
        origin.send_until(60)
        self.assertEqual(client.wait(), 0, client.stderr.lines)
        assert_exactly_once(self, client.events(), 60)
        self.assertEqual(origin.requests, [None, 20, 40])
        self.assertEqual(origin.authorizations, ['Bearer relay-token'] * 3)
        # The client kept its one connection.
        self.assertFalse(any('reconnecting' in line for line in client.stderr.lines))

    def test_sigterm_ends_the_streams_and_the_relay(self):
        origin = self.origin()
        relay = self.relay(origin.url, '--retry', '100')
        relay.stderr.wait_for('^sse-cat: open$', 'the relay subscribed')
        client = self.client(relay.url)
        origin.send(50)
        client.wait_events(50)
        relay.signal(signal.SIGTERM)
        self.assertEqual(relay.wait(), 0)
        self.assertCleanStderr(relay, 'sse-cat: terminated; ending every stream')
        client.stderr.wait_for('^sse-cat: the server ended the stream; reconnecting in 100 ms '
                               r'\(attempt 1\)$')
        assert_exactly_once(self, client.events(), 50)

    def test_ctrl_c_ends_the_streams_and_the_relay(self):
        origin = self.origin()
        relay = self.relay(origin.url)
        client = self.client(relay.url)
        relay.stderr.wait_for(r'client \S+ connected', 'the client')
        relay.signal(signal.SIGINT)
        self.assertEqual(relay.wait(), 130)
        self.assertCleanStderr(relay, 'sse-cat: interrupted')
        client.stderr.wait_for('^sse-cat: the server ended the stream; reconnecting')

    def test_an_origin_that_refuses_ends_the_relay(self):
        # A 404 is not to be retried: the relay says why, ends its
        # clients' streams and exits with 1.
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(4)
        self.addCleanup(listener.close)

        def answer_404():
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n'
                         b'Connection: close\r\n\r\nnope')
            conn.close()
        threading.Thread(target=answer_404, daemon=True).start()
        relay = Relay(SSE_CAT, 'http://127.0.0.1:%d/feed' % listener.getsockname()[1])
        self.addCleanup(relay.stop)
        self.assertEqual(relay.wait(), 1)
        self.assertTrue(any('404 Not Found' in line for line in relay.stderr.lines),
                        relay.stderr.lines)

    def test_usage_errors(self):
        for args, fragment in ((['--serve'], '--relay cannot be used with --serve or --demo'),
                               (['--demo'], '--relay cannot be used with --serve or --demo'),
                               (['http://127.0.0.1:1/other'], '--relay takes no other URL or '
                                                              'file'),
                               (['-d', '{}'], '-d cannot be used with --relay'),
                               (['--json'], '--json cannot be used with --relay'),
                               (['--max-events', '3'], '--max-events cannot be used with '
                                                       '--relay'),
                               (['--no-reconnect'], '--no-reconnect cannot be used with '
                                                    '--relay'),
                               (['--wait-for-origin', '-1'], '--wait-for-origin must be '
                                                             'between 0 and'),
                               (['--replay-size', '-1'], '--replay-size must be between'),
                               (['--port', '-1'], 'The port must be between 0 and 65535')):
            result = subprocess.run([SSE_CAT, '--relay', 'http://127.0.0.1:1/', *args],
                                    capture_output=True, text=True, timeout=TIMEOUT)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(fragment, result.stderr, args)


@unittest.skipIf(NGINX is None, 'nginx is not installed (Debian: nginx-light)')
class FailoverTest(unittest.TestCase):
    """Origin → two relays → nginx → a client: the relay serving the
    client goes, the client resumes at the other one."""

    def test_the_relay_crashes(self):
        status, relays = fail_over(self, SSE_CAT, signal.SIGKILL)
        self.assertEqual(status, -signal.SIGKILL)

    def test_the_relay_is_stopped(self):
        # SIGTERM: the relay drains, and exits with 0.
        status, relays = fail_over(self, SSE_CAT, signal.SIGTERM)
        self.assertEqual(status, 0, relays[0].stderr.lines)
        self.assertEqual(relays[0].stderr.lines[-1], 'sse-cat: terminated; ending every stream')


if __name__ == '__main__':
    if SSE_CAT is None:
        sys.exit('usage: test-relay.py PATH-TO-sse-cat')
    result = unittest.main(exit=False, verbosity=2).result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and len(result.skipped) == result.testsRun:
        sys.exit(77)
