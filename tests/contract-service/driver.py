#!/usr/bin/python3
# driver.py: plays LaunchDarkly's contract-test harness against service.py
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Starts service.py on a free port and drives it over its REST protocol, as
# the harness does. A SoupServer in this process is both the SSE origin the
# service's clients connect to (every request is recorded; the test decides
# what each connection sends and when it ends) and the callback endpoint the
# service reports to. One scenario per capability the service declares, plus
# reconnection, redirects, deletion and bad requests. Every wait runs the
# main loop until the expected thing happened, and fails after DEADLINE_MS.

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from sse_testutil import run_until  # noqa: E402  (before gi: it sets GIO's environment)
import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Soup', '3.0')

from gi.repository import Gio, GLib, Soup  # noqa: E402

SERVICE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'service.py')
DEADLINE_MS = 10000

CAPABILITIES = [
    'bom', 'comments', 'event-type-listeners', 'headers', 'last-event-id',
    'post', 'read-timeout', 'report', 'restart', 'server-directed-shutdown-request',
]


def run_for(milliseconds):
    """Runs the main loop for a while: only to give something that must NOT
    happen the time to happen, never to wait for something that must."""
    done = []
    GLib.timeout_add(milliseconds, lambda: done.append(True))
    run_until(lambda: done, 'the end of the observation window', milliseconds + DEADLINE_MS)


def event(data, event_type='message', last_id=''):
    return {'kind': 'event', 'event': {'type': event_type, 'data': data, 'id': last_id}}


def comment(text):
    return {'kind': 'comment', 'comment': text}


class Connection:
    """One request that reached the origin, and the stream that answers it."""

    def __init__(self, msg, path):
        self.msg = msg
        self.path = path
        self.method = msg.get_method()
        self.headers = {}
        msg.get_request_headers().foreach(
            lambda name, value, *args: self.headers.setdefault(name.lower(), value))
        self.body = msg.get_request_body().flatten().get_data()
        self.finished = False
        msg.connect('finished', self.on_finished)

    def on_finished(self, msg):
        self.finished = True

    def await_closed(self, what):
        """Waits for the client to close the connection. A paused response
        does not notice that by itself; the client sends nothing more on a
        streaming connection, so the socket turning readable means the end
        of the connection."""
        if self.finished:
            return
        closed = []

        def readable(*args):
            closed.append(True)
            return GLib.SOURCE_REMOVE

        source_id = GLib.unix_fd_add_full(
            GLib.PRIORITY_DEFAULT, self.msg.get_socket().get_fd(),
            GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, readable)
        try:
            run_until(lambda: closed or self.finished, what)
        finally:
            if not closed:
                GLib.source_remove(source_id)

    def stream(self):
        self.msg.set_status(Soup.Status.OK, None)
        headers = self.msg.get_response_headers()
        headers.set_encoding(Soup.Encoding.CHUNKED)
        headers.set_content_type('text/event-stream', {'charset': 'utf-8'})
        headers.replace('Cache-Control', 'no-cache')
        self.msg.get_response_body().set_accumulate(False)

    def send(self, data):
        assert not self.finished, 'the client has closed this connection'
        self.msg.get_response_body().append(data)
        self.msg.unpause()

    def end(self):
        """Ends the response cleanly, as the harness's BreakConnection does."""
        assert not self.finished, 'the client has closed this connection'
        self.msg.get_response_body().complete()
        self.msg.unpause()
        run_until(lambda: self.finished, 'the response to end')


class Origin:
    """The harness's side: /stream/NAME answers event streams,
    /status/CODE/NAME answers CODE with no body, /redirect/CODE/NAME
    redirects to /stream/NAME (or, for NAME "missing", answers without a
    Location), and /callback/NAME/N receives the service's callbacks."""

    def __init__(self):
        self.connections = {}
        self.callbacks = {}
        self.callback_paths = {}
        self.server = Soup.Server()
        self.server.add_handler(None, self.handle)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.port = self.server.get_uris()[0].get_port()

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def handle(self, server, msg, path, query):
        parts = path.split('/')
        if len(parts) == 4 and parts[1] == 'callback':
            name, counter = parts[2], parts[3]
            self.callback_paths.setdefault(name, []).append(int(counter))
            body = msg.get_request_body().flatten().get_data()
            self.callbacks.setdefault(name, []).append(json.loads(body.decode('utf-8')))
            msg.set_status(Soup.Status.ACCEPTED, None)
            return
        if len(parts) == 3 and parts[1] == 'stream':
            connection = Connection(msg, path)
            self.connections.setdefault(parts[2], []).append(connection)
            connection.stream()
            return
        if len(parts) == 4 and parts[1] == 'status':
            self.connections.setdefault(parts[3], []).append(Connection(msg, path))
            msg.set_status(int(parts[2]), None)
            return
        if len(parts) == 4 and parts[1] == 'redirect':
            self.connections.setdefault('redirect-' + parts[3], []).append(Connection(msg, path))
            msg.set_status(int(parts[2]), None)
            if parts[3] != 'missing':
                msg.get_response_headers().replace('Location', '/stream/' + parts[3])
            return
        msg.set_status(Soup.Status.NOT_FOUND, None)

    def await_connection(self, name, number=1):
        """The number-th connection to /stream/NAME, once it arrived."""
        run_until(lambda: len(self.connections.get(name, [])) >= number,
                  'connection %d to %s' % (number, name))
        return self.connections[name][number - 1]

    def await_callbacks(self, name, count):
        run_until(lambda: len(self.callbacks.get(name, [])) >= count,
                  '%d callbacks for %s (have %r)' % (count, name, self.callbacks.get(name)))
        return self.callbacks[name]

    def close(self):
        self.server.disconnect()


class Service:
    """service.py in a subprocess, and a client for its REST protocol."""

    def __init__(self):
        self.process = Gio.Subprocess.new([sys.executable, SERVICE, '--port', '0'],
                                          Gio.SubprocessFlags.STDOUT_PIPE)
        stdout = Gio.DataInputStream.new(self.process.get_stdout_pipe())
        lines = []
        stdout.read_line_async(GLib.PRIORITY_DEFAULT, None,
                               lambda s, r: lines.append(s.read_line_finish_utf8(r)[0]))
        run_until(lambda: lines, 'the service to listen')
        prefix = 'listening on '
        if not lines[0] or not lines[0].startswith(prefix):
            self.process.force_exit()
            raise AssertionError('the service did not start: %r' % (lines[0],))
        self.base_url = lines[0][len(prefix):].rstrip('/')
        self.session = Soup.Session(timeout=DEADLINE_MS // 1000)

    def request(self, method, path_or_url, body=None, raw=None):
        """Sends a request to the service; returns (status, headers, body)."""
        url = path_or_url if path_or_url.startswith('http') else self.base_url + path_or_url
        msg = Soup.Message.new(method, url)
        if body is not None:
            raw = json.dumps(body).encode('utf-8')
        if raw is not None:
            msg.set_request_body_from_bytes('application/json', GLib.Bytes.new(raw))
        result = []

        def done(session, res):
            try:
                result.append(session.send_and_read_finish(res).get_data())
            except GLib.Error as error:
                result.append(error)

        self.session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, None, done)
        run_until(lambda: result, method + ' ' + url)
        if isinstance(result[0], GLib.Error):
            raise AssertionError('%s %s: %s' % (method, url, result[0].message))
        return msg.get_status(), msg.get_response_headers(), result[0]

    def quit(self):
        """DELETE /, then the service must exit with status 0."""
        status, _, _ = self.request('DELETE', '/')
        exited = []
        self.process.wait_async(None, lambda p, r: exited.append(p.wait_finish(r)))
        run_until(lambda: exited, 'the service to exit')
        return status, self.process.get_if_exited() and self.process.get_exit_status()

    def kill(self):
        self.process.force_exit()


class TestContractService(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.origin = Origin()
        cls.service = Service()

    @classmethod
    def tearDownClass(cls):
        try:
            status, exit_status = cls.service.quit()
            assert status == 200, 'DELETE / answered %d' % status
            assert exit_status == 0, 'the service exited with %r' % exit_status
        finally:
            cls.service.kill()
            cls.origin.close()

    def setUp(self):
        # One name per test: its stream path, callback path and tag.
        self.name = self.id().rsplit('.', 1)[1]

    def create(self, name=None, stream_path=None, **config):
        """Asks the service for a client; returns its resource path."""
        name = name or self.name
        params = {
            'streamUrl': self.origin.url(stream_path or '/stream/' + name),
            'callbackUrl': self.origin.url('/callback/' + name),
            'tag': name,
        }
        params.update(config)
        status, headers, _ = self.service.request('POST', '/', params)
        self.assertEqual(status, 201)
        location = headers.get_one('Location')
        self.assertRegex(location, r'^/streams/[0-9]+$')
        return location

    def delete(self, stream):
        status, _, _ = self.service.request('DELETE', stream)
        self.assertEqual(status, 200)

    def command(self, stream, params):
        status, _, _ = self.service.request('POST', stream, params)
        return status

    def assert_callbacks(self, expected, name=None):
        """Waits for len(expected) callbacks, then checks them and their
        numbers (1, 2, ... in the order they arrived)."""
        name = name or self.name
        got = self.origin.await_callbacks(name, len(expected))
        self.assertEqual(got, expected)
        self.assertEqual(self.origin.callback_paths[name], list(range(1, len(expected) + 1)))

    def assert_error_callback(self, message):
        self.assertEqual(sorted(message), ['error', 'kind'])
        self.assertEqual(message['kind'], 'error')
        self.assertIsInstance(message['error'], str)
        self.assertNotEqual(message['error'], '')

    # The protocol ---------------------------------------------------------

    def test_status(self):
        status, headers, body = self.service.request('GET', '/')
        self.assertEqual(status, 200)
        self.assertEqual(headers.get_content_type()[0], 'application/json')
        info = json.loads(body.decode('utf-8'))
        self.assertEqual(info['capabilities'], CAPABILITIES)

    def test_default_request_and_ordered_callbacks(self):
        stream = self.create()
        connection = self.origin.await_connection(self.name)
        self.assertEqual(connection.method, 'GET')
        self.assertEqual(connection.headers['accept'], 'text/event-stream')
        self.assertEqual(connection.headers['cache-control'], 'no-cache')
        self.assertNotIn('last-event-id', connection.headers)
        self.assertEqual(connection.body, b'')

        # A hundred events in one write: a hundred callbacks, in order,
        # numbered 1 to 100.
        connection.send(b''.join(b'data: message %d\n\n' % i for i in range(100)))
        self.assert_callbacks([event('message %d' % i) for i in range(100)])
        self.delete(stream)

    def test_delete_stream(self):
        stream = self.create()
        connection = self.origin.await_connection(self.name)
        connection.send(b'data: before\n\n')
        self.assert_callbacks([event('before')])
        self.delete(stream)
        # The client let go of the connection.
        connection.await_closed('the client to close its connection')
        self.assertEqual(self.service.request('DELETE', stream)[0], 404)
        self.assertEqual(self.command(stream, {'command': 'restart'}), 404)
        self.assertEqual(self.origin.callbacks[self.name], [event('before')])

    def test_bad_requests(self):
        def create(raw):
            return self.service.request('POST', '/', raw=raw)[0]

        callback = self.origin.url('/callback/' + self.name)
        stream_url = self.origin.url('/stream/' + self.name)
        self.assertEqual(create(b'not json'), 400)
        self.assertEqual(create(b'[]'), 400)
        self.assertEqual(create(b'{}'), 400)
        self.assertEqual(create(json.dumps({'callbackUrl': callback}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': 5, 'callbackUrl': callback}).encode()),
                         400)
        self.assertEqual(create(json.dumps({'streamUrl': 'not a url',
                                            'callbackUrl': callback}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'readTimeoutMs': 'soon'}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'headers': {'x': 1}}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'headers': {'x y': 'z'}}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'headers': {'x': 'a\r\nb: c'}}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'method': 'GE T'}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'lastEventId': 'a\nb'}).encode()), 400)
        self.assertEqual(create(json.dumps({'streamUrl': stream_url, 'callbackUrl': callback,
                                            'initialDelayMs': True}).encode()), 400)
        self.assertEqual(self.command('/streams/999999', {'command': 'restart'}), 404)
        self.assertEqual(self.service.request('DELETE', '/streams/999999')[0], 404)
        self.assertEqual(self.service.request('GET', '/elsewhere')[0], 404)

        stream = self.create()
        self.origin.await_connection(self.name)
        self.assertEqual(self.command(stream, {'command': 'fly'}), 400)
        self.assertEqual(self.command(stream, {'command': 'listen'}), 400)
        self.assertEqual(self.command(stream, {'command': 'listen', 'listen': {}}), 400)
        self.delete(stream)
        # None of the refused requests opened a connection.
        self.assertEqual(len(self.origin.connections[self.name]), 1)

    # One scenario per capability --------------------------------------------

    def test_bom(self):
        stream = self.create()
        connection = self.origin.await_connection(self.name)
        connection.send(b'\xef\xbb')
        connection.send(b'\xbfdata: Hello\n\n')
        # Only the first BOM of the stream is dropped.
        connection.send(b'data: \xef\xbb\xbfSecond\n\n')
        self.assert_callbacks([event('Hello'), event('\ufeffSecond')])
        self.delete(stream)

    def test_comments(self):
        stream = self.create()
        connection = self.origin.await_connection(self.name)
        connection.send(b':Hello\n')
        self.assert_callbacks([comment('Hello')])
        connection.send(b'data: event\n: spaced\n\n:World\n')
        self.assert_callbacks([comment('Hello'), comment('spaced'), event('event'),
                               comment('World')])
        self.delete(stream)

    def test_event_type_listeners(self):
        stream = self.create()
        connection = self.origin.await_connection(self.name)
        # Not listened to yet: not reported (the marker after it is).
        connection.send(b'event: greeting\ndata: unheard\n\ndata: marker\n\n')
        self.assert_callbacks([event('marker')])

        self.assertEqual(self.command(stream, {'command': 'listen',
                                               'listen': {'type': 'greeting'}}), 200)
        # Listening twice reports each event once.
        self.assertEqual(self.command(stream, {'command': 'listen',
                                               'listen': {'type': 'greeting'}}), 200)
        connection.send(b'event: greeting\nid: abc\ndata: Hello\n\n'
                        b'event: other\ndata: unheard\n\n'
                        b'data: default\n\n')
        self.assert_callbacks([event('marker'), event('Hello', 'greeting', 'abc'),
                               event('default', last_id='abc')])
        self.delete(stream)

    def test_headers(self):
        stream = self.create(headers={'header-name-1': 'value-1',
                                      'authorization': 'Bearer secret'})
        connection = self.origin.await_connection(self.name)
        self.assertEqual(connection.headers['header-name-1'], 'value-1')
        self.assertEqual(connection.headers['authorization'], 'Bearer secret')
        self.assertEqual(connection.headers['accept'], 'text/event-stream')
        self.assertEqual(connection.method, 'GET')
        connection.send(b'data: ok\n\n')
        self.assert_callbacks([event('ok')])
        self.delete(stream)

    def test_last_event_id(self):
        stream = self.create(lastEventId='abc', initialDelayMs=0)
        first = self.origin.await_connection(self.name)
        self.assertEqual(first.headers['last-event-id'], 'abc')
        # As if it had come in an id: field.
        first.send(b'data: Hello\n\n')
        self.assert_callbacks([event('Hello', last_id='abc')])
        first.end()
        second = self.origin.await_connection(self.name, 2)
        self.assertEqual(second.headers['last-event-id'], 'abc')
        self.delete(stream)
        self.assertEqual(self.origin.callbacks[self.name], [event('Hello', last_id='abc')])

    def request_with_body(self, method, headers, content_type):
        body = '{"hello": "world"}'
        stream = self.create(method=method, body=body, headers=headers, initialDelayMs=0)
        first = self.origin.await_connection(self.name)
        self.assertEqual(first.method, method)
        self.assertEqual(first.body, body.encode())
        self.assertEqual(first.headers['content-type'], content_type)
        self.assertEqual(first.headers['x-custom'], 'kept')
        self.assertNotIn('last-event-id', first.headers)
        first.send(b'id: 1\ndata: a\n\n')
        self.assert_callbacks([event('a', last_id='1')])

        # The harness expects the whole request again on reconnection.
        first.end()
        second = self.origin.await_connection(self.name, 2)
        self.assertEqual(second.method, method)
        self.assertEqual(second.body, body.encode())
        self.assertEqual(second.headers['content-type'], content_type)
        self.assertEqual(second.headers['x-custom'], 'kept')
        self.assertEqual(second.headers['last-event-id'], '1')
        second.send(b'data: b\n\n')
        self.assert_callbacks([event('a', last_id='1'), event('b', last_id='1')])
        self.delete(stream)

    def test_post(self):
        self.request_with_body('POST', {'content-type': 'application/json; charset=utf-8',
                                        'x-custom': 'kept'},
                               'application/json; charset=utf-8')

    def test_report(self):
        # Without a content type of the caller's, the body is text/plain.
        self.request_with_body('REPORT', {'x-custom': 'kept'}, 'text/plain')

    def test_read_timeout(self):
        stream = self.create(readTimeoutMs=300, initialDelayMs=0)
        first = self.origin.await_connection(self.name)
        first.send(b'data: Hello\n\n')
        # Then nothing: the client gives up on the silent connection,
        # reports it, drops it and connects again.
        got = self.origin.await_callbacks(self.name, 2)
        self.assertEqual(got[0], event('Hello'))
        self.assert_error_callback(got[1])
        first.await_closed('the client to drop the silent connection')
        second = self.origin.await_connection(self.name, 2)
        self.assertEqual(second.method, 'GET')
        self.delete(stream)
        # The second connection may have timed out too before the DELETE
        # reached the service; nothing but such errors may follow.
        for message in self.origin.callbacks[self.name][2:]:
            self.assert_error_callback(message)

    def test_restart(self):
        stream = self.create(initialDelayMs=0)
        first = self.origin.await_connection(self.name)
        first.send(b'id: abc\ndata: Hello\n\n')
        self.assert_callbacks([event('Hello', last_id='abc')])

        self.assertEqual(self.command(stream, {'command': 'restart'}), 200)
        second = self.origin.await_connection(self.name, 2)
        first.await_closed('the client to drop the first connection')
        # As after a dropped connection: it resumes after the last event.
        self.assertEqual(second.headers['last-event-id'], 'abc')
        second.send(b'data: Thanks\n\n')
        # A restart is no error.
        self.assert_callbacks([event('Hello', last_id='abc'), event('Thanks', last_id='abc')])
        self.delete(stream)

    def test_server_directed_shutdown_request(self):
        stream = self.create(stream_path='/status/204/' + self.name, initialDelayMs=0)
        got = self.origin.await_callbacks(self.name, 1)
        self.assert_error_callback(got[0])
        self.assertIn('204', got[0]['error'])
        # With a reconnection time of 0 a reconnection would follow at
        # once: give it half a second to show up, which it must not.
        run_for(500)
        self.assertEqual(len(self.origin.connections[self.name]), 1)
        self.assertEqual(len(self.origin.callbacks[self.name]), 1)
        self.delete(stream)

    # Reconnection ------------------------------------------------------------

    def test_reconnect_with_last_event_id(self):
        stream = self.create(initialDelayMs=0)
        first = self.origin.await_connection(self.name)
        # The unterminated block at the end never becomes an event, and
        # its id is not taken.
        first.send(b'id: abc\ndata: Hello\n\ndata: World\n\nid: def\ndata: Goodbye')
        self.assert_callbacks([event('Hello', last_id='abc'), event('World', last_id='abc')])
        first.end()

        second = self.origin.await_connection(self.name, 2)
        self.assertEqual(second.headers['last-event-id'], 'abc')
        second.send(b'data: We meet again\n\n')
        # An empty id resets the last event ID: no header next time.
        second.send(b'id\ndata: reset\n\n')
        second.end()
        third = self.origin.await_connection(self.name, 3)
        self.assertNotIn('last-event-id', third.headers)
        third.send(b'data: fresh\n\n')
        # A stream that ends cleanly is no error.
        self.assert_callbacks([event('Hello', last_id='abc'), event('World', last_id='abc'),
                               event('We meet again', last_id='abc'), event('reset'),
                               event('fresh')])
        self.delete(stream)

    def test_redirect(self):
        stream = self.create(stream_path='/redirect/307/' + self.name)
        connection = self.origin.await_connection(self.name)
        self.assertEqual(len(self.origin.connections['redirect-' + self.name]), 1)
        connection.send(b'data: hello\n\n')
        self.assert_callbacks([event('hello')])
        self.delete(stream)

    def test_redirect_without_location(self):
        stream = self.create(stream_path='/redirect/301/missing')
        got = self.origin.await_callbacks(self.name, 1)
        self.assert_error_callback(got[0])
        self.delete(stream)


if __name__ == '__main__':
    unittest.main(verbosity=2)
