#!/usr/bin/python3
# test-real-services.py: the streams real services send, from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# An LLM chat stream POSTed once with its body set on the Soup.Message, an
# API's JSON error read in the error handler, MCP-style resumption with a
# GET and Last-Event-ID, and RESEND. A SoupServer in this process answers;
# the main loop runs until a condition holds (no sleeps).

import json
import unittest

from sse_testutil import run_until  # noqa: E402  (before gi: it sets GIO's environment)
import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')

from gi.repository import GLib, Soup, Sse  # noqa: E402

CHAT = b'{"model": "m", "stream": true}'


class Server:
    """Answers each request with the next of the answers given to serve()
    (the last one for every later request), recording the requests."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.server = Soup.Server()
        self.server.add_handler(None, self.handle)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.port = self.server.get_uris()[0].get_port()

    def url(self, path='/'):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def serve(self, *answers):
        self.answers = list(answers)

    def handle(self, server, msg, path, query):
        headers = msg.get_request_headers()
        body = msg.get_request_body().flatten().get_data()
        self.requests.append({
            'method': msg.get_method(),
            'body': bytes(body) if body else b'',
            'headers': {name: headers.get_one(name) for name in (
                'Authorization', 'Content-Type', 'Last-Event-ID', 'Mcp-Session-Id', 'Accept')},
        })
        status, content_type, text = self.answers[min(len(self.requests), len(self.answers)) - 1]
        msg.set_status(status, None)
        msg.set_response(content_type, Soup.MemoryUse.COPY, text)


class TestRealServices(unittest.TestCase):
    def setUp(self):
        self.server = Server()

    def chat_source(self):
        # As a PyGObject user builds it: the body on the message.
        msg = Soup.Message.new('POST', self.server.url('/v1/chat/completions'))
        msg.get_request_headers().append('Authorization', 'Bearer sk-test')
        msg.set_request_body_from_bytes('application/json', GLib.Bytes.new(CHAT))
        return Sse.EventSource.new_for_message(msg)

    def record(self, source):
        log = {'events': [], 'errors': [], 'statuses': []}
        source.connect('event', lambda s, e: log['events'].append(e.get_data()))
        source.connect('error', lambda s, e: log['errors'].append(e))
        source.connect('notify::status', lambda s, p: log['statuses'].append(s.props.status))
        return log

    def test_llm_post_once(self):
        self.server.serve((200, 'text/event-stream',
                           b'data: {"delta": "Hel"}\n\ndata: {"delta": "lo"}\n\ndata: [DONE]\n\n'))
        source = self.chat_source()
        self.assertEqual(source.props.reconnect_mode, Sse.ReconnectMode.AUTO)
        log = self.record(source)
        source.open()
        run_until(lambda: source.props.status == Sse.Status.CLOSED, 'the end')
        self.assertEqual(log['events'][-1], '[DONE]')
        self.assertEqual(log['errors'], [])
        # One POST, with its body: never a second, paid, answer.
        self.assertEqual(len(self.server.requests), 1)
        request = self.server.requests[0]
        self.assertEqual(request['method'], 'POST')
        self.assertEqual(request['body'], CHAT)
        self.assertEqual(request['headers']['Content-Type'], 'application/json')
        self.assertEqual(request['headers']['Authorization'], 'Bearer sk-test')

    def test_api_error_in_handler(self):
        error_body = {'error': {'message': 'Incorrect API key provided', 'code': 'invalid_api_key'}}
        self.server.serve((401, 'application/json', json.dumps(error_body).encode()))
        source = self.chat_source()
        seen = []

        def on_error(source, error):
            response = source.get_last_response()
            body = source.get_last_response_body()
            seen.append((response.get_status(), json.loads(body.get_data())['error']['message'],
                         error.matches(Sse.error_quark(), Sse.Error.HTTP_STATUS)))

        source.connect('error', on_error)
        source.open()
        run_until(lambda: source.props.status == Sse.Status.CLOSED, 'the end')
        self.assertEqual(seen, [(401, 'Incorrect API key provided', True)])
        self.assertEqual(source.get_last_response().get_status(), 401)
        self.assertEqual(len(self.server.requests), 1)

    def test_resume_get(self):
        self.server.serve((200, 'text/event-stream', b'id: e1\ndata: {"n": 1}\n\n'),
                          (200, 'text/event-stream', b'id: e2\ndata: {"n": 2}\n\n'),
                          (200, 'text/event-stream', b'data: {"n": 3}\n\n'))
        msg = Soup.Message.new('POST', self.server.url('/mcp'))
        msg.get_request_headers().append('Mcp-Session-Id', 's1')
        msg.get_request_headers().append('Accept', 'application/json, text/event-stream')
        msg.set_request_body_from_bytes('application/json', GLib.Bytes.new(b'{"id": 1}'))
        source = Sse.EventSource.new_for_message(msg)
        source.props.reconnect_mode = Sse.ReconnectMode.RESUME_GET
        source.props.reconnection_time = 1
        log = self.record(source)
        source.open()
        run_until(lambda: len(log['events']) == 3, 'three events')
        source.close()
        methods = [r['method'] for r in self.server.requests]
        self.assertEqual(methods[:3], ['POST', 'GET', 'GET'])
        self.assertEqual(self.server.requests[0]['body'], b'{"id": 1}')
        for request, last_id in zip(self.server.requests[1:3], ['e1', 'e2']):
            self.assertEqual(request['body'], b'')
            self.assertIsNone(request['headers']['Content-Type'])
            self.assertEqual(request['headers']['Mcp-Session-Id'], 's1')
            self.assertEqual(request['headers']['Last-Event-ID'], last_id)

    def test_resend(self):
        self.server.serve((200, 'text/event-stream', b'id: 1\ndata: a\n\n'),
                          (200, 'text/event-stream', b'data: b\n\n'))
        source = self.chat_source()
        source.props.reconnect_mode = Sse.ReconnectMode.RESEND
        source.set_request_body('application/json', GLib.Bytes.new(CHAT))
        source.props.reconnection_time = 1
        log = self.record(source)
        source.open()
        run_until(lambda: len(log['events']) == 2, 'two events')
        source.close()
        self.assertEqual([r['body'] for r in self.server.requests[:2]], [CHAT, CHAT])
        self.assertEqual(self.server.requests[1]['headers']['Last-Event-ID'], '1')


if __name__ == '__main__':
    unittest.main(verbosity=2)
