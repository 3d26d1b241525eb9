#!/usr/bin/python3
# test-event-source.py: SseEventSource through the GIR, from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A small SoupServer in this process serves the streams; the main loop runs
# until a condition holds (no sleeps), and a test fails if it takes longer
# than 30 s.

import gc
import unittest
import weakref

from sse_testutil import run_until  # noqa: E402  (before gi: it sets GIO's environment)
import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')

from gi.repository import GLib, Soup, Sse  # noqa: E402


class Server:
    """Streams /events: the first connection sends two events and ends,
    the next ones resume after Last-Event-ID. /broadcast adds the client to
    a Sse.Broadcaster (heartbeats every 50 ms). /missing answers 404."""

    def __init__(self):
        self.requests = []
        self.broadcaster = Sse.Broadcaster()
        self.server = Soup.Server()
        self.server.add_handler(None, self.handle)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.port = self.server.get_uris()[0].get_port()

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def handle(self, server, msg, path, query):
        headers = msg.get_request_headers()
        self.requests.append((path, headers.get_one('Last-Event-ID')))
        if path == '/broadcast':
            stream = self.broadcaster.add_message(msg)
            stream.props.heartbeat_interval = 50
            return
        if path != '/events':
            msg.set_status(404, None)
            return
        msg.set_status(200, None)
        response_headers = msg.get_response_headers()
        response_headers.set_encoding(Soup.Encoding.CHUNKED)
        response_headers.set_content_type('text/event-stream', None)
        body = msg.get_response_body()
        body.set_accumulate(False)
        if headers.get_one('Last-Event-ID') is None:
            body.append(b'event: update\nid: 1\ndata: one\n\n'
                        b': a comment\n'
                        b'id: 2\ndata: two\n\n')
            body.complete()
        else:
            body.append(b'event: update\ndata: three\n\n')

    def close(self):
        self.broadcaster.close_all()
        self.server.disconnect()


class TestEventSource(unittest.TestCase):

    def setUp(self):
        self.server = Server()

    def tearDown(self):
        self.server.close()

    def test_defaults(self):
        source = Sse.EventSource.new(self.server.url('/events'))
        self.assertEqual(source.props.status, Sse.Status.CLOSED)
        self.assertEqual(source.get_url(), self.server.url('/events'))
        self.assertEqual(source.props.last_event_id, '')
        self.assertEqual(source.props.reconnection_time, 3000)
        self.assertEqual(source.props.max_reconnection_time, 30000)
        self.assertEqual(source.props.max_reconnect_attempts, -1)
        self.assertEqual(source.props.connect_timeout, 30000)
        self.assertEqual(source.props.read_timeout, 300000)
        self.assertFalse(source.props.retry_on_server_error)
        self.assertEqual(source.get_session().props.timeout, 0)
        self.assertEqual(Sse.EVENT_SOURCE_HEALTHY_TIME, 5000)

        source.props.last_event_id = 'resume-here'
        self.assertEqual(source.get_last_event_id(), 'resume-here')

    def test_given_session(self):
        session = Soup.Session(timeout=0)
        source = Sse.EventSource(url=self.server.url('/events'), session=session)
        self.assertIs(source.get_session(), session)

    def test_events_and_reconnect(self):
        source = Sse.EventSource.new(self.server.url('/events'))
        events, updates, comments, statuses, errors, backoffs = [], [], [], [], [], []

        def backoff(source, attempt, reconnection_time):
            backoffs.append((attempt, reconnection_time))
            return 10

        source.set_backoff_func(backoff)
        source.connect('event', lambda s, e: events.append(
            (e.get_event_type(), e.get_data(), e.get_id(), e.get_last_event_id(),
             e.get_origin())))
        source.connect('event::update', lambda s, e: updates.append(e.get_data()))
        source.connect('comment', lambda s, text: comments.append(text))
        source.connect('error', lambda s, error: errors.append(error))
        source.connect('notify::status', lambda s, pspec: statuses.append(s.props.status))

        source.open()
        run_until(lambda: len(events) == 3, 'three events')

        origin = 'http://127.0.0.1:%d' % self.server.port
        self.assertEqual(events, [
            ('update', 'one', '1', '1', origin),
            ('message', 'two', '2', '2', origin),
            ('update', 'three', None, '2', origin),
        ])
        self.assertEqual(updates, ['one', 'three'])
        self.assertEqual(comments, ['a comment'])
        # The stream ended normally: no error, one reconnection, with the
        # backoff written in Python.
        self.assertEqual(errors, [])
        self.assertEqual(backoffs, [(1, 3000)])
        self.assertEqual(statuses, [Sse.Status.CONNECTING, Sse.Status.OPEN,
                                    Sse.Status.RECONNECTING,
                                    Sse.Status.CONNECTING, Sse.Status.OPEN])
        self.assertEqual(self.server.requests, [('/events', None), ('/events', '2')])
        self.assertEqual(source.props.reconnect_attempt, 1)
        self.assertEqual(source.props.reconnect_delay, 10)
        self.assertEqual(source.props.last_event_id, '2')

        source.close()
        self.assertEqual(source.props.status, Sse.Status.CLOSED)

    def test_http_error(self):
        source = Sse.EventSource.new(self.server.url('/missing'))
        errors, statuses = [], []
        source.connect('error', lambda s, error: errors.append(error))
        source.connect('notify::status', lambda s, pspec: statuses.append(s.props.status))

        source.open()
        run_until(lambda: source.props.status == Sse.Status.CLOSED, 'the source to close')

        self.assertEqual(len(errors), 1)
        self.assertTrue(errors[0].matches(Sse.error_quark(), Sse.Error.HTTP_STATUS))
        self.assertEqual(errors[0].domain, 'sse-error-quark')
        self.assertEqual(errors[0].code, int(Sse.Error.HTTP_STATUS))
        self.assertIn('404', errors[0].message)
        self.assertEqual(statuses, [Sse.Status.CONNECTING, Sse.Status.CLOSED])

    def test_post_body(self):
        msg = Soup.Message.new('POST', self.server.url('/events'))
        msg.get_request_headers().append('X-Token', 'abc')
        source = Sse.EventSource.new_for_message(msg)
        # Sent again to reconnect: not the default for a POST.
        source.props.reconnect_mode = Sse.ReconnectMode.RESEND
        body = GLib.Bytes.new(b'{"stream": true}')
        source.set_request_body('application/json', body)
        self.assertEqual(source.get_request_body().get_data(), b'{"stream": true}')
        self.assertEqual(source.get_request_content_type(), 'application/json')

        prepared = []
        source.connect('prepare-request',
                       lambda s, m: prepared.append(m.get_request_headers().get_one('X-Token')))
        events = []
        source.connect('event', lambda s, e: events.append(e.get_data()))
        source.set_backoff_func(lambda *args: 0)
        source.open()
        run_until(lambda: len(events) == 3, 'three events')
        self.assertEqual(prepared, ['abc', 'abc'])
        source.close()

    def test_gc(self):
        # Open sources dropped by Python, with signal handlers and a backoff
        # function: collected, their connections closed, their handlers
        # silent, and the Python callables they held freed.
        class Backoff:
            def __call__(self, source, attempt, reconnection_time):
                return reconnection_time

        calls = []
        backoffs = []
        sources = []
        for i in range(5):
            source = Sse.EventSource.new(self.server.url('/broadcast'))
            source.connect('event', lambda s, e: calls.append(e.get_data()))
            source.connect('notify::status', lambda s, pspec: calls.append(s.props.status))
            replaced = Backoff()
            source.set_backoff_func(replaced)
            backoff = Backoff()
            source.set_backoff_func(backoff)
            backoffs += [weakref.ref(replaced), weakref.ref(backoff)]
            source.open()
            sources.append(source)
        del source, replaced, backoff
        run_until(lambda: self.server.broadcaster.props.n_streams == 5, 'five clients')
        self.server.broadcaster.send('tick', 'one', '1')
        run_until(lambda: calls.count('one') == 5, 'one event for each client')
        self.assertEqual([ref() is None for ref in backoffs], [True, False] * 5,
                         'a replaced backoff function is freed')

        calls.clear()
        del sources
        gc.collect()
        self.assertEqual([ref() for ref in backoffs], [None] * 10,
                         'the backoff functions are freed with their source')
        # The server notices at its next heartbeat that the clients went.
        run_until(lambda: self.server.broadcaster.props.n_streams == 0,
                  'the collected sources to close their connections')
        self.server.broadcaster.send('tick', 'two', '2')
        self.assertEqual(calls, [])

        # Events outlive their source.
        source = Sse.EventSource.new(self.server.url('/events'))
        kept = []
        source.connect('event', lambda s, e: kept.append(e))
        source.set_backoff_func(lambda *args: 0)
        source.open()
        run_until(lambda: len(kept) == 3, 'three events')
        del source
        gc.collect()
        self.assertEqual([(e.get_data(), e.get_last_event_id()) for e in kept],
                         [('one', '1'), ('two', '2'), ('three', '2')])


if __name__ == '__main__':
    unittest.main(verbosity=2)
