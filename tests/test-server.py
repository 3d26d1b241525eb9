#!/usr/bin/python3
# test-server.py: SseServerStream and SseBroadcaster through GObject
# Introspection, as a Python service uses them: SoupServer handlers written
# in Python, read by a SoupSession client that feeds an SseParser.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the
# freshly built library. Everything is driven by the GLib main loop: a test
# waits for a condition by iterating the main context, with a deadline that
# fails the test instead of hanging.

import os
import socket
import unittest

# Before libsoup loads: the GNOME proxy resolver needs GSettings schemas.
os.environ.setdefault('GIO_USE_PROXY_RESOLVER', 'dummy')

import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')
from gi.repository import Gio, GLib, Soup, Sse  # noqa: E402

DEADLINE_SECONDS = 10


def run_until(condition, what):
    """Iterates the default main context until condition() is true; fails
    the test when the deadline passes first."""
    expired = []

    def on_deadline():
        expired.append(True)
        return GLib.SOURCE_REMOVE

    source = GLib.timeout_add_seconds(DEADLINE_SECONDS, on_deadline)
    context = GLib.MainContext.default()
    try:
        while not condition() and not expired:
            context.iteration(True)
    finally:
        if not expired:
            GLib.source_remove(source)
    if expired:
        raise AssertionError('timed out waiting for ' + what)


class Server:
    """A SoupServer on loopback. /stream answers with an SseServerStream made
    by a Python handler; /feed adds the client to an SseBroadcaster."""

    def __init__(self, heartbeat=0, max_queued_bytes=None, listen=None):
        self.soup = Soup.Server()
        self.broadcaster = Sse.Broadcaster.new()
        self.streams = []           # every stream /stream made
        self.heartbeat = heartbeat
        self.max_queued_bytes = max_queued_bytes
        self.on_new_stream = None   # called with each stream of /stream
        self.send_buffer = None     # SO_SNDBUF of the connections of /stream
        self.messages = []          # get_message() of each stream, in the handler
        self.soup.add_handler('/stream', self.handle_stream)
        self.soup.add_handler('/feed', self.handle_feed)
        if listen is None:
            self.soup.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        else:
            listen(self.soup)
        self.url = self.soup.get_uris()[0].to_string().rstrip('/')

    def handle_stream(self, server, msg, path, query):
        if self.send_buffer is not None:
            msg.get_socket().set_option(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
        stream = Sse.ServerStream.new(msg)
        self.messages.append(stream.get_message())
        stream.props.heartbeat_interval = self.heartbeat
        if self.max_queued_bytes is not None:
            stream.props.max_queued_bytes = self.max_queued_bytes
        self.streams.append(stream)
        if self.on_new_stream is not None:
            self.on_new_stream(stream)

    def handle_feed(self, server, msg, path, query):
        stream = self.broadcaster.add_message(msg)
        # None when the stream closed while it was added.
        if stream is not None:
            stream.props.heartbeat_interval = self.heartbeat

    def close(self):
        self.broadcaster.close_all()
        for stream in self.streams:
            stream.close()
        self.soup.disconnect()


class Client:
    """A SoupSession reading one event stream into an SseParser."""

    def __init__(self, url, last_event_id=None):
        self.session = Soup.Session(timeout=0)
        self.msg = Soup.Message.new('GET', url)
        if last_event_id is not None:
            self.msg.get_request_headers().append('Last-Event-ID', last_event_id)
        self.parser = Sse.Parser.new()
        self.events = []
        self.comments = []
        self.errors = []
        self.body = None
        self.eof = False
        self.cancellable = Gio.Cancellable()
        self.parser.connect('event', lambda p, e: self.events.append(e))
        self.parser.connect('comment', lambda p, text: self.comments.append(text))
        self.session.send_async(self.msg, GLib.PRIORITY_DEFAULT, self.cancellable, self._sent)
        run_until(lambda: self.body is not None or self.errors, 'the response headers')
        if self.errors:
            raise self.errors[0]

    def _sent(self, session, result):
        try:
            self.body = session.send_finish(result)
        except GLib.Error as e:
            if not e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                self.errors.append(e)
            return
        self._read()

    def _read(self):
        self.body.read_bytes_async(16384, GLib.PRIORITY_DEFAULT, self.cancellable, self._got)

    def _got(self, body, result):
        try:
            data = body.read_bytes_finish(result)
        except GLib.Error as e:
            if not e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                self.errors.append(e)
            return
        if data.get_size() == 0:
            self.eof = True
            return
        try:
            self.parser.feed(data.get_data())
        except GLib.Error as e:
            self.errors.append(e)
        self._read()

    def event_tuples(self):
        return [(e.get_event_type(), e.get_data(), e.get_id()) for e in self.events]

    def wait_for_events(self, n):
        run_until(lambda: len(self.events) >= n or self.eof or self.errors,
                  '{} events (have {})'.format(n, len(self.events)))
        if self.errors:
            raise self.errors[0]

    def close(self):
        """Goes away: the connection is dropped without a goodbye."""
        self.cancellable.cancel()
        run_until(lambda: self.body is None or not self.body.has_pending(),
                  'the cancelled read')
        if self.body is not None:
            self.body.close()
            self.body = None
        self.session.abort()


class TestServerStream(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.close()
        self.server.close()

    def connect(self, path, last_event_id=None):
        client = Client(self.server.url + path, last_event_id)
        self.clients.append(client)
        return client

    def test_response(self):
        client = self.connect('/stream')
        self.assertEqual(client.msg.get_status(), Soup.Status.OK)
        headers = client.msg.get_response_headers()
        content_type, _params = headers.get_content_type()
        self.assertEqual(content_type, 'text/event-stream')
        self.assertEqual(headers.get_one('Cache-Control'), 'no-cache')
        self.assertEqual(headers.get_one('X-Accel-Buffering'), 'no')
        # The body runs to the end of the connection, unchunked.
        self.assertEqual(headers.get_encoding(), Soup.Encoding.EOF)
        self.assertTrue(headers.header_contains('Connection', 'close'))

        stream, = self.server.streams
        self.assertIsInstance(stream, Sse.ServerStream)
        # The message is there in the handler; once the stream took the
        # connection over, it let go of it.
        self.assertIsInstance(self.server.messages[0], Soup.ServerMessage)
        self.assertIsNone(stream.get_message())
        self.assertIsNone(stream.props.message)
        self.assertEqual(stream.get_last_event_id(), '')
        self.assertFalse(stream.is_closed())

    def test_send(self):
        client = self.connect('/stream')
        stream, = self.server.streams
        self.assertTrue(stream.send('greeting', 'hello', '1'))
        self.assertTrue(stream.send_event(Sse.Event.new_full(None, 'two\nlines ✓', -1, None, -1)))
        self.assertTrue(stream.send_comment('keep-alive'))
        self.assertTrue(stream.send_retry(2500))
        self.assertTrue(stream.send(None, 'last', '2'))
        client.wait_for_events(3)

        self.assertEqual(client.event_tuples(), [
            ('greeting', 'hello', '1'),
            ('message', 'two\nlines ✓', None),
            ('message', 'last', '2'),
        ])
        self.assertEqual(client.events[1].get_last_event_id(), '1')
        self.assertEqual(client.parser.props.retry, 2500)
        # The stream opens with an empty comment, so that the headers go out
        # before the first event.
        self.assertEqual(client.comments, ['', 'keep-alive'])

    def test_last_event_id(self):
        self.connect('/stream', last_event_id='41')
        stream, = self.server.streams
        self.assertEqual(stream.get_last_event_id(), '41')
        self.assertEqual(stream.props.last_event_id, '41')

    def test_close(self):
        client = self.connect('/stream')
        stream, = self.server.streams
        closed = []
        stream.connect('closed', lambda s, error: closed.append(error))
        self.assertTrue(stream.send(None, 'bye', None))
        stream.close()
        self.assertEqual(closed, [None])
        self.assertTrue(stream.is_closed())
        self.assertFalse(stream.send(None, 'too late', None))
        # The response ends properly: the client reads to the end.
        run_until(lambda: client.eof or client.errors, 'the end of the response')
        self.assertEqual(client.errors, [])
        self.assertEqual(client.event_tuples(), [('message', 'bye', None)])
        stream.close()
        self.assertEqual(closed, [None], 'closed is emitted once')

    def test_client_goes_away(self):
        self.server.heartbeat = 10
        client = self.connect('/stream')
        stream, = self.server.streams
        closed = []
        stream.connect('closed', lambda s, error: closed.append(error))
        self.assertTrue(stream.send(None, 'hello', None))
        client.wait_for_events(1)

        self.clients.remove(client)
        client.close()
        # The next heartbeat finds out.
        run_until(lambda: closed, 'the closed signal')
        self.assertEqual(len(closed), 1)
        error = closed[0]
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_CLOSED),
                        error)
        self.assertTrue(error.message)
        self.assertTrue(stream.is_closed())
        self.assertFalse(stream.send(None, 'too late', None))

    def connect_lazy(self):
        """A client that sends its request and never reads a byte, with a
        small receive buffer from the start."""
        # The kernel would take megabytes before anything waits in the
        # process: a small send buffer makes that a few kilobytes.
        self.server.send_buffer = 4096
        uri = GLib.Uri.parse(self.server.url, GLib.UriFlags.NONE)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((uri.get_host(), uri.get_port()))
        sock.sendall('GET /stream HTTP/1.1\r\nHost: {}\r\n\r\n'.format(uri.get_host()).encode())
        n = len(self.server.streams)
        run_until(lambda: len(self.server.streams) > n, 'the request')
        return sock, self.server.streams[-1]

    def send_until(self, stream, data, done):
        """Sends @data every millisecond until done() or the stream closes."""
        sent = []

        def send_more():
            if done() or not stream.send(None, data, str(len(sent) + 1)):
                return GLib.SOURCE_REMOVE
            sent.append(True)
            return GLib.SOURCE_CONTINUE

        source = GLib.timeout_add(1, send_more)
        try:
            run_until(lambda: done() or stream.is_closed(), 'the stream to give up')
        finally:
            if GLib.MainContext.default().find_source_by_id(source):
                GLib.source_remove(source)
        return len(sent)

    def test_slow_client(self):
        self.server.max_queued_bytes = 16 * 1024
        sock, stream = self.connect_lazy()
        stream.props.slow_client_timeout = 100
        self.assertEqual(stream.props.slow_client_policy, Sse.SlowClientPolicy.DISCONNECT)
        events = []
        stream.connect('too-slow', lambda s, queued: events.append(('too-slow', queued)))
        stream.connect('closed', lambda s, error: events.append(('closed', error)))

        sent = self.send_until(stream, 'x' * 1000, lambda: events)
        run_until(lambda: len(events) == 2, 'too-slow, then closed')
        sock.close()

        (too_slow, queued), (closed, error) = events
        self.assertEqual((too_slow, closed), ('too-slow', 'closed'))
        self.assertGreater(queued, 16 * 1024)
        self.assertTrue(error.matches(Sse.error_quark(), Sse.Error.CLIENT_TOO_SLOW), error)
        self.assertTrue(stream.is_closed())
        # The kernel's buffers, the limit, and what came during the
        # timeout: far less than forever.
        self.assertGreater(sent, 0)
        self.assertLess(sent, 10000)

    def test_drop_oldest(self):
        self.server.max_queued_bytes = 16 * 1024
        sock, stream = self.connect_lazy()
        stream.props.slow_client_timeout = 50
        stream.props.slow_client_policy = Sse.SlowClientPolicy.DROP_OLDEST
        stream.props.missed_event_type = 'gap'
        slow = []
        stream.connect('too-slow', lambda s, queued: slow.append(queued))

        self.send_until(stream, 'y' * 1000, lambda: slow)
        self.assertFalse(stream.is_closed())
        self.assertLessEqual(stream.props.queued_bytes, 8 * 1024 + 100)

        # What the client finds when it reads: a "gap" event where the
        # dropped ones were, whose id is the last one dropped.
        parser = Sse.Parser.new()
        received = []
        parser.connect('event', lambda p, e: received.append(e))
        stream.send(None, 'end', 'end')
        sock.setblocking(False)
        raw = bytearray()

        def read():
            try:
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    raw.extend(data)
            except BlockingIOError:
                pass
            body = raw.split(b'\r\n\r\n', 1)
            return len(body) == 2 and body[1].endswith(b'data: end\n\n')

        ticker = GLib.timeout_add(10, lambda: True)
        try:
            run_until(read, 'the rest of the stream')
        finally:
            GLib.source_remove(ticker)
        sock.close()
        parser.feed(raw.split(b'\r\n\r\n', 1)[1])
        gaps = [e for e in received if e.get_event_type() == 'gap']
        self.assertEqual([e.get_data() for e in gaps], ['too-slow'] * len(gaps))
        self.assertGreaterEqual(len(gaps), 1)
        expected = 1
        for event in received[:-1]:
            if event.get_event_type() == 'gap':
                self.assertGreaterEqual(int(event.get_id()), expected)
                expected = int(event.get_id()) + 1
            else:
                self.assertEqual(int(event.get_id()), expected)
                expected += 1


class TestBroadcaster(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.broadcaster = self.server.broadcaster
        self.clients = []
        self.added = []
        self.removed = []
        self.broadcaster.connect('stream-added', lambda b, s: self.added.append(s))
        self.broadcaster.connect('stream-removed', lambda b, s, e: self.removed.append((s, e)))

    def tearDown(self):
        for client in self.clients:
            client.close()
        self.server.close()

    def connect(self, last_event_id=None):
        n = len(self.added)
        client = Client(self.server.url + '/feed', last_event_id)
        self.clients.append(client)
        run_until(lambda: len(self.added) > n, 'stream-added')
        return client

    def test_fan_out(self):
        notified = []
        self.broadcaster.connect('notify::n-streams',
                                 lambda b, pspec: notified.append(b.props.n_streams))
        a = self.connect()
        b = self.connect()
        self.assertEqual(self.broadcaster.get_n_streams(), 2)
        self.assertEqual(notified, [1, 2])

        self.broadcaster.send('tick', '1', '1')
        self.broadcaster.send_event(Sse.Event.new_full(None, 'a\nb', -1, '2', -1))
        self.broadcaster.send_comment('between')
        self.broadcaster.send('tick', '3', '3')
        expected = [('tick', '1', '1'), ('message', 'a\nb', '2'), ('tick', '3', '3')]
        for client in (a, b):
            client.wait_for_events(3)
            self.assertEqual(client.event_tuples(), expected)
            self.assertIn('between', client.comments)

    def test_replay(self):
        self.broadcaster.props.replay_size = 10
        first = self.connect()
        for i in range(1, 6):
            self.broadcaster.send(None, 'event {}'.format(i), str(i))
        first.wait_for_events(5)
        self.assertEqual([e.get_id() for e in first.events], ['1', '2', '3', '4', '5'])

        # Reconnecting after event 3: exactly 4 and 5 are replayed, before
        # anything new.
        resumed = self.connect(last_event_id='3')
        self.assertEqual(self.added[-1].get_last_event_id(), '3')
        unknown = self.connect(last_event_id='no-such-id')
        fresh = self.connect()
        self.broadcaster.send(None, 'event 6', '6')

        resumed.wait_for_events(3)
        self.assertEqual([(e.get_data(), e.get_id()) for e in resumed.events],
                         [('event 4', '4'), ('event 5', '5'), ('event 6', '6')])
        fresh.wait_for_events(1)
        self.assertEqual([e.get_id() for e in fresh.events], ['6'])
        # An id the broadcaster does not keep: told so first.
        unknown.wait_for_events(2)
        self.assertEqual(unknown.event_tuples(), [('missed', 'unknown-last-event-id', '5'),
                                                  ('message', 'event 6', '6')])
        first.wait_for_events(6)
        self.assertEqual(len(first.events), 6)

    def test_replay_size_bounds_what_is_kept(self):
        self.broadcaster.props.replay_size = 2
        for i in range(1, 6):
            self.broadcaster.send(None, str(i), str(i))
        # Event 3 was forgotten: the client is told that it missed events,
        # and given the newest id.
        gone = self.connect(last_event_id='3')
        kept = self.connect(last_event_id='4')
        self.broadcaster.send(None, '6', '6')
        kept.wait_for_events(2)
        gone.wait_for_events(2)
        self.assertEqual([e.get_id() for e in kept.events], ['5', '6'])
        self.assertEqual(gone.event_tuples(), [('missed', 'unknown-last-event-id', '5'),
                                               ('message', '6', '6')])

    def test_missed_event_type(self):
        self.assertEqual(self.broadcaster.props.missed_event_type, 'missed')
        self.broadcaster.props.replay_size = 5
        self.broadcaster.props.missed_event_type = 'resync'
        self.broadcaster.send(None, '1', '1')
        told = self.connect(last_event_id='0')
        self.assertEqual(self.added[-1].props.missed_event_type, 'resync')
        self.broadcaster.set_missed_event_type(None)
        self.assertIsNone(self.broadcaster.get_missed_event_type())
        untold = self.connect(last_event_id='0')
        self.broadcaster.send(None, '2', '2')
        told.wait_for_events(2)
        untold.wait_for_events(1)
        self.assertEqual(told.event_tuples(), [('resync', 'unknown-last-event-id', '1'),
                                               ('message', '2', '2')])
        self.assertEqual(untold.event_tuples(), [('message', '2', '2')])

    def test_add_message_closed_while_added(self):
        # A handler of stream-added closes it: add_message() gives None,
        # not a stream that is gone.
        returned = []
        self.broadcaster.connect('stream-added', lambda b, stream: stream.close())

        def handle(server, msg, path, query):
            returned.append(self.broadcaster.add_message(msg))

        self.server.soup.add_handler('/closing', handle)
        client = Client(self.server.url + '/closing')
        self.clients.append(client)
        run_until(lambda: returned, 'the handler')
        self.assertEqual(returned, [None])
        self.assertEqual(self.broadcaster.props.n_streams, 0)
        run_until(lambda: client.eof or client.errors, 'the end of the response')

    def test_stream_removed_when_client_goes_away(self):
        self.server.heartbeat = 10
        staying = self.connect()
        leaving = self.connect()
        leaving_stream = self.added[1]
        closed = []
        leaving_stream.connect('closed', lambda s, error: closed.append(error))
        self.broadcaster.send(None, 'both', '1')
        leaving.wait_for_events(1)

        self.clients.remove(leaving)
        leaving.close()
        run_until(lambda: self.removed and closed, 'stream-removed and closed')

        (stream, error), = self.removed
        self.assertIs(stream, leaving_stream)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_CLOSED),
                        error)
        self.assertEqual(len(closed), 1)
        self.assertTrue(closed[0].matches(Gio.io_error_quark(),
                                          Gio.IOErrorEnum.CONNECTION_CLOSED))
        self.assertEqual(self.broadcaster.props.n_streams, 1)

        # The other client goes on.
        self.broadcaster.send(None, 'one left', '2')
        staying.wait_for_events(2)
        self.assertEqual([e.get_data() for e in staying.events], ['both', 'one left'])

    def test_remove_and_close_all(self):
        a = self.connect()
        b = self.connect()
        self.broadcaster.remove_stream(self.added[0])
        self.assertEqual(self.removed, [(self.added[0], None)])
        self.assertEqual(self.broadcaster.props.n_streams, 1)
        # Removed is not closed: the application still owns that stream.
        self.assertFalse(self.added[0].is_closed())
        self.assertTrue(self.added[0].send(None, 'direct', None))
        a.wait_for_events(1)
        self.assertEqual([e.get_data() for e in a.events], ['direct'])

        self.broadcaster.close_all()
        self.assertEqual(self.broadcaster.props.n_streams, 0)
        self.assertEqual([s for s, e in self.removed], [self.added[0], self.added[1]])
        self.assertIsNone(self.removed[1][1])
        run_until(lambda: b.eof or b.errors, 'the end of the response')
        self.assertEqual(b.errors, [])
        self.added[0].close()

    def test_drain(self):
        a = self.connect()
        b = self.connect()
        for i in range(1, 501):
            self.broadcaster.send(None, 'z' * 1000, str(i))
        results = []
        self.broadcaster.drain_async(None, lambda b, result: results.append(
            b.drain_finish(result)))
        self.assertEqual(self.broadcaster.props.n_streams, 0)
        run_until(lambda: results, 'the drain')
        self.assertEqual(results, [True])
        for client in (a, b):
            run_until(lambda: client.eof or client.errors, 'the end of the response')
            self.assertEqual(client.errors, [])
            self.assertEqual(len(client.events), 500)
            self.assertEqual(client.events[-1].get_id(), '500')

        cancellable = Gio.Cancellable()
        errors = []

        def finished(broadcaster, result):
            try:
                broadcaster.drain_finish(result)
            except GLib.Error as e:
                errors.append(e)

        self.broadcaster.drain_async(cancellable, finished)
        cancellable.cancel()
        run_until(lambda: errors, 'the cancelled drain')
        self.assertTrue(errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


class TestListen(unittest.TestCase):
    def test_listen_local(self):
        backlog = Sse.server_get_listen_backlog()
        try:
            with open('/proc/sys/net/core/somaxconn') as f:
                self.assertEqual(backlog, int(f.read()))
        except OSError:
            self.assertGreater(backlog, 0)

        server = Server(listen=lambda soup: Sse.server_listen_local(
            soup, 0, Soup.ServerListenOptions.IPV4_ONLY))
        listener, = server.soup.get_listeners()
        self.assertEqual(listener.get_listen_backlog(), backlog)
        client = Client(server.url + '/feed')
        run_until(lambda: server.broadcaster.props.n_streams == 1, 'the stream')
        server.broadcaster.send(None, 'hello', '1')
        client.wait_for_events(1)
        self.assertEqual(client.event_tuples(), [('message', 'hello', '1')])
        client.close()
        server.close()

    def test_listen_address_and_all(self):
        address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
        server = Server(listen=lambda soup: Sse.server_listen(soup, address, 0))
        listener, = server.soup.get_listeners()
        self.assertEqual(listener.get_listen_backlog(), Sse.server_get_listen_backlog())
        server.close()

        every = Soup.Server()
        self.assertTrue(Sse.server_listen_all(every, 0, Soup.ServerListenOptions.IPV4_ONLY))
        listener, = every.get_listeners()
        self.assertEqual(listener.get_local_address().get_address().to_string(), '0.0.0.0')
        every.disconnect()

        with self.assertRaises(GLib.Error) as caught:
            Sse.server_listen_local(Soup.Server(), 0, Soup.ServerListenOptions.HTTPS)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.INVALID_ARGUMENT))


if __name__ == '__main__':
    unittest.main(verbosity=2)
