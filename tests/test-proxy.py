#!/usr/bin/python3
# test-proxy.py: SseEventSource behind nginx, over TLS and HTTP/2, and over
# HTTP/1.1, when the origin dies in the middle of a stream
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# An origin in a thread of this process streams numbered events (chunked,
# so that dying without the last chunk is an error to nginx); nginx proxies
# it with proxy_buffering off. When the origin drops its connection, nginx
# closes the client's HTTP/1.1 connection, but over HTTP/2 it only resets
# the stream (RST_STREAM), which libsoup 3.2 does not report to the reader:
# the source then notices by its read timeout. Either way it reconnects with
# Last-Event-ID and every event arrives exactly once, in order.
#
# Skips (exit status 77) when nginx is not installed.

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import nginx_config  # noqa: E402
from sse_testutil import run_until  # noqa: E402  (before gi: it sets GIO's environment)
import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')

from gi.repository import Gio, Soup, Sse  # noqa: E402

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')
NGINX = nginx_config.NGINX


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Origin(threading.Thread):
    """Streams "id: N / data: N" every 20 ms, from the one after the
    request's Last-Event-ID, chunked. kill() drops the connection under
    way without the last chunk, as a crashed process would."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.requests = []
        self.lock = threading.Lock()
        self.kill_event = threading.Event()
        self.stopping = False

    def kill(self):
        self.kill_event.set()

    def stop(self):
        self.stopping = True
        self.kill_event.set()
        self.listener.close()

    def run(self):
        while not self.stopping:
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
        last_id = None
        for line in head.decode('latin-1').split('\r\n')[1:]:
            name, _, value = line.partition(':')
            if name.strip().lower() == 'last-event-id':
                last_id = int(value.strip())
        with self.lock:
            self.requests.append(last_id)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n'
                     b'Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n')
        n = (last_id or 0) + 1
        try:
            while not self.kill_event.is_set():
                block = b'id: %d\ndata: %d\n\n' % (n, n)
                conn.sendall(b'%x\r\n%s\r\n' % (len(block), block))
                n += 1
                self.kill_event.wait(0.02)
        except OSError:
            pass
        self.kill_event.clear()
        # Gone without the last chunk.
        conn.close()


class Nginx:
    def __init__(self, origin_port):
        self.dir = tempfile.mkdtemp(prefix='sse-glib-nginx-')
        self.tls_port = free_port()
        self.plain_port = free_port()
        body = f"""  server {{
    listen 127.0.0.1:{self.tls_port} ssl http2;
    listen 127.0.0.1:{self.plain_port};
    ssl_certificate {CERTS}/server.pem;
    ssl_certificate_key {CERTS}/server-key.pem;
    location / {{
      proxy_pass http://127.0.0.1:{origin_port};
      proxy_http_version 1.1;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
  }}
"""
        config = nginx_config.config(self.dir, body)
        path = os.path.join(self.dir, 'nginx.conf')
        with open(path, 'w') as f:
            f.write(config)
        self.process = subprocess.Popen([NGINX, '-e', os.path.join(self.dir, 'error.log'),
                                         '-c', path],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in (self.tls_port, self.plain_port):
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(('127.0.0.1', port), timeout=1).close()
                    break
                except OSError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError('nginx did not start: ' +
                                             self.process.stderr.read().decode())
                    time.sleep(0.02)

    def close(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipIf(NGINX is None, 'nginx is not installed')
class TestProxy(unittest.TestCase):
    def setUp(self):
        self.origin = Origin()
        self.origin.start()
        self.nginx = Nginx(self.origin.port)

    def tearDown(self):
        self.nginx.close()
        self.origin.stop()

    def follow(self, url, read_timeout):
        source = Sse.EventSource.new(url)
        database = Gio.TlsFileDatabase.new(os.path.join(CERTS, 'ca.pem'))
        source.get_session().set_tls_database(database)
        source.props.read_timeout = read_timeout
        source.props.reconnection_time = 10
        log = {'ids': [], 'errors': [], 'versions': []}

        def on_status(source, pspec):
            if source.props.status == Sse.Status.OPEN:
                log['versions'].append(source.get_last_response().get_http_version())

        source.connect('event', lambda s, e: log['ids'].append(int(e.get_id())))
        source.connect('error', lambda s, e: log['errors'].append(e))
        source.connect('notify::status', on_status)
        source.open()
        return source, log

    def kill_and_resume(self, url, read_timeout, version):
        source, log = self.follow(url, read_timeout)
        run_until(lambda: len(log['ids']) >= 5, 'five events')
        self.origin.kill()
        run_until(lambda: len(self.origin.requests) == 2 and len(log['ids']) >= log['ids'][-1] >= 1
                  and log['ids'][-1] > self.origin.requests[1] + 3, 'events after the reconnection')
        source.close()

        # Every event exactly once, in order, across the reconnection, which
        # resumed from the last one received.
        self.assertEqual(log['ids'], list(range(1, len(log['ids']) + 1)))
        self.assertIsNone(self.origin.requests[0])
        self.assertGreaterEqual(self.origin.requests[1], 5)
        self.assertEqual(log['versions'], [version, version])
        return log

    def test_http2_reset_stream(self):
        # Over TLS and HTTP/2, the reset is seen by the read timeout.
        log = self.kill_and_resume('https://127.0.0.1:%d/' % self.nginx.tls_port, 1000,
                                   Soup.HTTPVersion.HTTP_2_0)
        self.assertEqual(len(log['errors']), 1)
        self.assertTrue(log['errors'][0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT),
                        log['errors'][0].message)

    def test_http1_connection_closed(self):
        # Over HTTP/1.1 the loss is seen at once: no read timeout needed
        # (the default of 5 minutes would fail this test).
        log = self.kill_and_resume('http://127.0.0.1:%d/' % self.nginx.plain_port, 300000,
                                   Soup.HTTPVersion.HTTP_1_1)
        for error in log['errors']:
            self.assertFalse(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT),
                             error.message)


if __name__ == '__main__':
    if NGINX is None:
        print('nginx is not installed (Debian: nginx-light): skipped')
        sys.exit(77)
    unittest.main(verbosity=2)
