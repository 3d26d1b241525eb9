#!/usr/bin/python3
# test-pull.py: pulling events with next_event_async(), from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Debian 12's PyGObject (3.42) cannot await GIO calls: pulls are made with
# callbacks, as a Python program on it does. The main loop runs until a
# condition holds (no sleeps).

import unittest

from sse_testutil import run_until  # noqa: E402  (before gi: it sets GIO's environment)
import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')

from gi.repository import Gio, GLib, Soup, Sse  # noqa: E402


class Server:
    """Answers each request with the next of the answers given (the last
    one for every later request)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = 0
        self.server = Soup.Server()
        self.server.add_handler(None, self.handle)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.url = 'http://127.0.0.1:%d/' % self.server.get_uris()[0].get_port()

    def handle(self, server, msg, path, query):
        self.requests += 1
        status, text = self.answers[min(self.requests, len(self.answers)) - 1]
        msg.set_status(status, None)
        msg.set_response('text/event-stream', Soup.MemoryUse.COPY, text)


def pull_all(source):
    """Pulls until the end, with callbacks; returns (data list, error)."""
    state = {'data': [], 'error': None, 'done': False}

    def on_event(src, result):
        try:
            event = src.next_event_finish(result)
        except GLib.Error as e:
            state['error'] = e
            state['done'] = True
            return
        if event is None:
            state['done'] = True
            return
        state['data'].append(event.get_data())
        src.next_event_async(None, on_event)

    source.next_event_async(None, on_event)
    run_until(lambda: state['done'], 'the end of the stream')
    return state['data'], state['error']


class TestPull(unittest.TestCase):
    def test_one_shot_in_order(self):
        server = Server((200, b''.join(b'id: %d\ndata: %d\n\n' % (i, i) for i in range(1, 51))))
        source = Sse.EventSource.new(server.url)
        source.props.reconnect_mode = Sse.ReconnectMode.NEVER
        self.assertEqual(source.props.max_queued_bytes, 4 * 1024 * 1024)
        source.open()
        data, error = pull_all(source)
        self.assertIsNone(error)
        self.assertEqual(data, [str(i) for i in range(1, 51)])

    def test_through_reconnect(self):
        server = Server((200, b'id: 1\ndata: a\n\nid: 2\ndata: b\n\n'),
                        (200, b'id: 3\ndata: c\n\n'),
                        (204, b''))
        source = Sse.EventSource.new(server.url)
        source.props.reconnection_time = 1
        source.open()
        data, error = pull_all(source)
        # The 204 ends it: that is the server saying "stop", an error.
        self.assertEqual(data, ['a', 'b', 'c'])
        self.assertTrue(error.matches(Sse.error_quark(), Sse.Error.HTTP_STATUS), error.message)

    def test_cancel_then_next(self):
        server = Server((200, b'data: kept\n\n'))
        source = Sse.EventSource.new(server.url)
        source.props.reconnect_mode = Sse.ReconnectMode.NEVER
        cancellable = Gio.Cancellable()
        results = []

        def on_cancelled(src, result):
            try:
                results.append(src.next_event_finish(result))
            except GLib.Error as e:
                results.append(e)

        # Cancelled before anything came: the event is the next pull's.
        source.next_event_async(cancellable, on_cancelled)
        cancellable.cancel()
        run_until(lambda: results, 'the cancelled pull')
        self.assertTrue(results[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        source.open()
        data, error = pull_all(source)
        self.assertEqual(data, ['kept'])
        self.assertIsNone(error)

    def test_close_while_pending(self):
        server = Server((200, b''))
        source = Sse.EventSource.new(server.url)
        results = []
        source.next_event_async(None, lambda src, res: results.append(src.next_event_finish(res)))
        source.open()
        source.close()
        run_until(lambda: results, 'the pull to end')
        self.assertEqual(results, [None])


if __name__ == '__main__':
    unittest.main(verbosity=2)
