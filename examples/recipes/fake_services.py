#!/usr/bin/python3
# fake_services.py: a local stand-in for the services the recipes talk to
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One HTTP server (Python's http.server, nothing else) that answers like
#
# - an OpenAI-style chat API: POST /v1/chat/completions with a JSON body
#   and "stream": true, answered with `data: {chunk}` events and a last
#   `data: [DONE]`; a wrong key gets 401 and a rate limit 429 with
#   Retry-After, each with the API's JSON error {"error": {"message": …}};
# - an MCP server (streamable HTTP): POST /mcp with a JSON-RPC
#   "tools/call", answered with a stream that starts with a priming event
#   (an id and empty data, and `retry: 50`) and that the server closes
#   after every two events, as SEP-1699's polling does; the client resumes
#   with GET /mcp and Last-Event-ID. A session it does not know gets 404;
#   an Accept that does not list both JSON and event streams, 406;
# - a feed that wants a bearer token, GET /feed: `tick` events with ids, two
#   per connection; before it ends each connection, the server renews the
#   token in the token file (as a credential helper would), and only the
#   newest token is accepted; X-Api-Version must be sent.
#
# Every request is recorded (method, path, headers, body, time) for
# check-recipe.py, which imports this file. Run by hand to try the recipes:
#
#   /usr/bin/python3 examples/recipes/fake_services.py --port 8000 --token-file /tmp/token
#
# The scenarios (--scenario) make the services misbehave in the ways
# check-recipe.py tests: rate-limit (the first chat request gets 429 with
# Retry-After: 2), hold (the chat stream stays open after [DONE]), cut (it
# ends before [DONE]), no-id (the MCP stream has no event ids), json (the
# MCP server answers with one JSON message instead of a stream).

import argparse
import http.server
import json
import os
import socket
import threading
import time

API_KEY = 'sk-test-key'
SESSION_ID = 'session-1'
PROTOCOL_VERSION = '2025-06-18'
API_VERSION = '2024-10-01'
RETRY_MS = 50
RETRY_AFTER = 2
HOLD_TIMEOUT = 60


def mask(key):
    """An API key as OpenAI's error messages show it."""
    return key[:5] + '***' + key[-2:] if len(key) > 7 else '***'


class Services(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scenario='ok', token_file=None, port=0, verbose=False):
        super().__init__(('127.0.0.1', port), Handler)
        self.scenario = scenario
        self.verbose = verbose
        self.token_file = token_file
        self.lock = threading.Lock()
        self.requests = []
        self.chat_requests = 0
        self.token_number = 0
        self.mcp_streams = {}   # stream number -> [(event id, data)]
        self.client_closed = threading.Event()
        if token_file is not None:
            self.renew_token()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server_port}'

    def record(self, request):
        with self.lock:
            self.requests.append(request)

    # The feed's token, renewed in the file as a credential helper would.

    def current_token(self):
        return f'token-{self.token_number}'

    def renew_token(self):
        with self.lock:
            self.token_number += 1
            token = self.current_token()
        # Written whole, then renamed: a reader never sees half a token.
        tmp = self.token_file + '.new'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(token + '\n')
        os.replace(tmp, self.token_file)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'fake-services/1'

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass   # a client that went away between two requests

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def read_request(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        request = {
            'method': self.command,
            'path': self.path,
            'headers': {name: value for name, value in self.headers.items()},
            'body': body,
            'time': time.monotonic(),
        }
        self.server.record(request)
        return request

    def header(self, request, name):
        for key, value in request['headers'].items():
            if key.lower() == name.lower():
                return value
        return None

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def dispatch(self):
        request = self.read_request()
        path = self.path.split('?')[0]
        try:
            if path == '/v1/chat/completions':
                self.chat(request)
            elif path == '/mcp':
                self.mcp(request)
            elif path == '/feed':
                self.feed(request)
            else:
                self.send_text(404, '404 page not found\n')
        except (BrokenPipeError, ConnectionResetError):
            # The client closed first: what a client that stops reading does.
            self.server.client_closed.set()
            self.close_connection = True

    # Answers -------------------------------------------------------------

    def send_bytes(self, status, content_type, body, headers=()):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_text(self, status, text):
        self.send_bytes(status, 'text/plain; charset=utf-8', text.encode())

    def send_json(self, status, value, headers=()):
        self.send_bytes(status, 'application/json', json.dumps(value).encode(), headers)

    def api_error(self, status, message, type_, code=None, headers=()):
        self.send_json(status, {'error': {'message': message, 'type': type_, 'code': code}},
                       headers)

    def rpc_error(self, status, code, message):
        self.send_json(status, {'jsonrpc': '2.0', 'id': None,
                                'error': {'code': code, 'message': message}})

    def start_stream(self):
        self.send_response(200)
        self.send_header('Content-Type', 'text/event-stream')
        self.send_header('Cache-Control', 'no-cache')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()

    def send_chunk(self, text):
        data = text.encode()
        self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b'0\r\n\r\n')
        self.wfile.flush()

    def wait_for_client_close(self):
        """Holds the connection open until the client closes it."""
        self.connection.settimeout(HOLD_TIMEOUT)
        try:
            if self.rfile.read(1) == b'':
                self.server.client_closed.set()
        except (socket.timeout, OSError):
            pass
        self.close_connection = True

    # The chat API ------------------------------------------------------------

    def chat(self, request):
        if request['method'] != 'POST':
            self.api_error(405, 'Method not allowed', 'invalid_request_error')
            return
        authorization = self.header(request, 'Authorization') or ''
        if not authorization.startswith('Bearer '):
            self.api_error(401, "You didn't provide an API key.", 'invalid_request_error')
            return
        key = authorization[len('Bearer '):]
        if key != API_KEY:
            self.api_error(401, f'Incorrect API key provided: {mask(key)}.',
                           'invalid_request_error', 'invalid_api_key')
            return
        if (self.header(request, 'Content-Type') or '').split(';')[0] != 'application/json':
            self.api_error(400, 'The body must be JSON (Content-Type: application/json).',
                           'invalid_request_error')
            return
        try:
            body = json.loads(request['body'])
            prompt = body['messages'][-1]['content']
            model = body['model']
        except (ValueError, KeyError, IndexError, TypeError):
            self.api_error(400, 'We could not parse the JSON body of your request.',
                           'invalid_request_error')
            return
        if body.get('stream') is not True:
            self.api_error(400, 'This server only streams: set "stream": true.',
                           'invalid_request_error')
            return

        with self.server.lock:
            self.server.chat_requests += 1
            first = self.server.chat_requests == 1
        if self.server.scenario == 'rate-limit' and first:
            self.api_error(429, 'Rate limit reached for requests.', 'requests',
                           'rate_limit_exceeded', headers=[('Retry-After', str(RETRY_AFTER))])
            return

        self.start_stream()
        answer = chat_answer(prompt)
        pieces = [answer[i:i + 5] for i in range(0, len(answer), 5)]
        deltas = [{'role': 'assistant', 'content': ''}] + [{'content': p} for p in pieces]
        if self.server.scenario == 'cut':
            deltas = deltas[:3]
        for delta in deltas:
            self.send_chunk('data: %s\n\n' % json.dumps(chat_chunk(model, delta, None)))
        if self.server.scenario == 'cut':
            self.end_stream()
            return
        self.send_chunk('data: %s\n\n' % json.dumps(chat_chunk(model, {}, 'stop')))
        self.send_chunk('data: [DONE]\n\n')
        if self.server.scenario == 'hold':
            self.wait_for_client_close()
        else:
            self.end_stream()

    # MCP ---------------------------------------------------------------------

    def mcp(self, request):
        accept = [t.strip().split(';')[0] for t in (self.header(request, 'Accept') or '').split(',')]
        session = self.header(request, 'Mcp-Session-Id')
        if request['method'] == 'POST' and not {'application/json', 'text/event-stream'} <= set(accept):
            self.rpc_error(406, -32600, 'Not Acceptable: the client must accept both '
                           'application/json and text/event-stream')
        elif request['method'] == 'GET' and 'text/event-stream' not in accept:
            self.rpc_error(406, -32600, 'Not Acceptable: the client must accept text/event-stream')
        elif session is None:
            self.rpc_error(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
        elif session != SESSION_ID:
            self.rpc_error(404, -32001, 'Session not found')
        elif self.header(request, 'MCP-Protocol-Version') != PROTOCOL_VERSION:
            self.rpc_error(400, -32000, 'Bad Request: unsupported MCP-Protocol-Version')
        elif request['method'] == 'POST':
            self.mcp_post(request)
        elif request['method'] == 'GET':
            self.mcp_resume(request)
        else:
            self.rpc_error(405, -32000, 'Method not allowed')

    def mcp_post(self, request):
        if (self.header(request, 'Content-Type') or '').split(';')[0] != 'application/json':
            self.rpc_error(400, -32700, 'Parse error: the body must be application/json')
            return
        try:
            message = json.loads(request['body'])
            method = message['method']
            params = message.get('params', {})
        except (ValueError, KeyError, TypeError):
            self.rpc_error(400, -32700, 'Parse error')
            return
        if message.get('jsonrpc') != '2.0' or 'id' not in message or method != 'tools/call':
            self.rpc_error(400, -32600, 'Invalid Request: this server knows only tools/call')
            return

        with self.server.lock:
            number = len(self.server.mcp_streams) + 1
        messages = tool_call(message['id'], params)
        if self.server.scenario == 'json':
            # MCP allows one JSON answer instead of a stream.
            self.send_json(200, messages[-1])
            return
        if self.server.scenario == 'no-id':
            # Without ids, a stream that the server closes cannot be resumed.
            self.start_stream()
            self.send_chunk('data: %s\n\n' % json.dumps(messages[0]))
            self.end_stream()
            return
        # The priming event (an id, empty data) first, then one id a message.
        events = [(f'{number}-0', '')] + [(f'{number}-{i + 1}', json.dumps(m))
                                          for i, m in enumerate(messages)]
        with self.server.lock:
            self.server.mcp_streams[number] = events
        self.send_events(events, 0, retry=True)

    def mcp_resume(self, request):
        last_id = self.header(request, 'Last-Event-ID')
        if last_id is None:
            # This server offers no stream of its own to a GET.
            self.rpc_error(405, -32000, 'Method not allowed: no Last-Event-ID to resume from')
            return
        number, _, _ = last_id.partition('-')
        with self.server.lock:
            events = self.server.mcp_streams.get(int(number) if number.isdigit() else 0)
        ids = [event_id for event_id, _ in events or []]
        if last_id not in ids:
            self.rpc_error(400, -32000, f'Bad Request: unknown Last-Event-ID {last_id!r}')
            return
        self.send_events(events, ids.index(last_id) + 1, retry=False)

    def send_events(self, events, start, retry):
        """Sends at most two of events from start, then ends the stream (polling)."""
        self.start_stream()
        for event_id, data in events[start:start + 2]:
            block = f'id: {event_id}\n'
            if retry:
                block += f'retry: {RETRY_MS}\n'
                retry = False
            block += f'data: {data}\n\n'
            self.send_chunk(block)
        self.end_stream()

    # The feed ----------------------------------------------------------------

    def feed(self, request):
        expected = 'Bearer ' + self.server.current_token()
        authorization = self.header(request, 'Authorization')
        if request['method'] != 'GET':
            self.api_error(405, 'Method not allowed', 'invalid_request_error')
        elif authorization != expected:
            self.api_error(401, 'The access token expired or is not valid.', 'invalid_token',
                           headers=[('WWW-Authenticate', 'Bearer error="invalid_token"')])
        elif self.header(request, 'X-Api-Version') != API_VERSION:
            self.api_error(400, f'Send X-Api-Version: {API_VERSION}.', 'invalid_request_error')
        else:
            last_id = self.header(request, 'Last-Event-ID') or '0'
            first = int(last_id) + 1 if last_id.isdigit() else 1
            self.start_stream()
            self.send_chunk(f'retry: {RETRY_MS}\n\n')
            for n in range(first, first + 2):
                self.send_chunk(f'event: tick\nid: {n}\ndata: {{"n": {n}}}\n\n')
            # The token runs out: the next connection must bring the new one.
            self.server.renew_token()
            self.end_stream()


def chat_answer(prompt):
    return f'You said: {prompt}'


def chat_chunk(model, delta, finish_reason):
    return {
        'id': 'chatcmpl-1', 'object': 'chat.completion.chunk', 'created': 1700000000,
        'model': model,
        'choices': [{'index': 0, 'delta': delta, 'finish_reason': finish_reason}],
    }


def tool_call(request_id, params):
    """The JSON-RPC messages that answer a tools/call: progress, then the result."""
    name = params.get('name')
    arguments = params.get('arguments') or {}
    token = (params.get('_meta') or {}).get('progressToken')
    if name != 'count' or not isinstance(arguments.get('to'), int):
        return [{'jsonrpc': '2.0', 'id': request_id,
                 'error': {'code': -32602, 'message': f'Unknown tool: {name}'}}]
    to = arguments['to']
    messages = []
    if token is not None:
        messages += [{'jsonrpc': '2.0', 'method': 'notifications/progress',
                      'params': {'progressToken': token, 'progress': n, 'total': to}}
                     for n in range(1, to + 1)]
    messages.append({'jsonrpc': '2.0', 'id': request_id,
                     'result': {'content': [{'type': 'text', 'text': f'Counted to {to}.'}]}})
    return messages


def main():
    parser = argparse.ArgumentParser(description='Fake chat, MCP and feed services.')
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument('--token-file', default='token',
                        help='where the feed keeps its current token (default: ./token)')
    parser.add_argument('--scenario', default='ok',
                        choices=['ok', 'rate-limit', 'hold', 'cut', 'no-id', 'json'])
    args = parser.parse_args()
    services = Services(args.scenario, os.path.abspath(args.token_file), args.port, verbose=True)
    print(f'listening: {services.url}/', flush=True)
    print(f'  chat: {services.url}/v1 (OPENAI_API_KEY={API_KEY})', flush=True)
    print(f'  MCP: {services.url}/mcp (session {SESSION_ID})', flush=True)
    print(f'  feed: {services.url}/feed (token in {services.token_file})', flush=True)
    try:
        services.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
