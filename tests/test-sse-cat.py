#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sse-cat end to end: the installed-program behaviour, spawned as a
# subprocess. A small HTTP server from Python's standard library, running in
# a thread, plays the server (an independent implementation, scriptable per
# test); `sse-cat --serve` is checked with `sse-cat` as its client.
#
# Usage: test-sse-cat.py PATH-TO-sse-cat

import http.server
import json
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

SSE_CAT = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else None
TIMEOUT = 30


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def handle_any(self):
        try:
            self.answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away, as clients do

    def answer(self):
        server = self.server
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        server.requests.append({'method': self.command, 'path': self.path,
                                'headers': dict(self.headers.items()), 'body': body})
        answer = server.script(len(server.requests), self)
        if answer is None:
            return  # the script answered by itself
        status, content_type, payload = answer
        self.send_response(status)
        if content_type:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(payload)


class Server(http.server.ThreadingHTTPServer):
    """Answers request number N with script(N, handler) ->
    (status, content type, body bytes), or None when the script wrote the
    answer itself; the connection closes after each answer, which is a
    dropped stream for an SSE client."""

    daemon_threads = True

    def __init__(self, script):
        super().__init__(('127.0.0.1', 0), Handler)
        self.script = script
        self.requests = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d/feed' % self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()


def events_script(body, content_type='text/event-stream'):
    return lambda n, handler: (200, content_type, body)


def run(*args, timeout=TIMEOUT, **kwargs):
    return subprocess.run([SSE_CAT, *args], capture_output=True, text=True, timeout=timeout,
                          **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class SseCatTest(unittest.TestCase):
    def serve(self, script):
        server = Server(script)
        self.addCleanup(server.stop)
        return server

    # Output formats ----------------------------------------------------

    STREAM = (b'event: update\nid: 1\ndata: {"n": 1}\n\n'
              b': a comment\n'
              b'data: two\ndata: lines\n\n'
              b'data: three\n\n')

    def test_text_output(self):
        server = self.serve(events_script(self.STREAM))
        result = run('--max-events', '2', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout,
                         '[update] id=1\n  {"n": 1}\n[message]\n  two\n  lines\n')
        self.assertIn('open', result.stderr)

    def test_json_output(self):
        server = self.serve(events_script(self.STREAM))
        result = run('--json', '--max-events', '3', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual(lines, [
            {'type': 'update', 'data': '{"n": 1}', 'id': '1', 'last_event_id': '1'},
            {'type': 'message', 'data': 'two\nlines', 'id': None, 'last_event_id': '1'},
            {'type': 'message', 'data': 'three', 'id': None, 'last_event_id': '1'},
        ])

    def test_raw_output(self):
        server = self.serve(events_script(self.STREAM))
        result = run('--raw', '--max-events', '3', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout,
                         'event: update\nid: 1\ndata: {"n": 1}\n\n'
                         'data: two\ndata: lines\n\n'
                         'data: three\n\n')

    # What reaches the server ------------------------------------------

    def test_headers_method_and_body_reach_the_server(self):
        server = self.serve(events_script(b'data: ok\n\n'))
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
            f.write('{"prompt": "hello"}')
        self.addCleanup(os.unlink, f.name)

        result = run('-H', 'Authorization: Bearer s3cret', '-H', 'X-Custom:  spaced ',
                     '-H', 'Content-Type: application/json', '-d', '@' + f.name,
                     '--max-events', '1', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        request = server.requests[0]
        self.assertEqual(request['method'], 'POST')
        self.assertEqual(request['headers']['Authorization'], 'Bearer s3cret')
        self.assertEqual(request['headers']['X-Custom'], 'spaced')
        self.assertEqual(request['headers']['Content-Type'], 'application/json')
        self.assertEqual(request['headers']['Accept'], 'text/event-stream')
        self.assertEqual(request['body'], b'{"prompt": "hello"}')

    def test_method_and_inline_data(self):
        server = self.serve(events_script(b'data: ok\n\n'))
        result = run('-X', 'PUT', '-d', 'a=1', '--max-events', '1', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(server.requests[0]['method'], 'PUT')
        self.assertEqual(server.requests[0]['body'], b'a=1')

    def test_content_type_of_the_body(self):
        # Without -H 'Content-Type: ...': JSON objects and arrays go as
        # JSON (what a streaming API such as an LLM's expects), anything
        # else as a form, like curl -d; -H chooses.
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
            f.write('{\n  "model": "m",\n  "stream": true\n}\n')
        self.addCleanup(os.unlink, f.name)
        for args, content_type in (
                (['-d', '{"model": "m", "stream": true}'], 'application/json'),
                (['-d', '@' + f.name], 'application/json'),
                (['-d', ' [1, 2]'], 'application/json'),
                (['-d', 'a=1&b=2'], 'application/x-www-form-urlencoded'),
                (['-d', '{"unfinished": '], 'application/x-www-form-urlencoded'),
                (['-d', '42'], 'application/x-www-form-urlencoded'),
                (['-d', ''], 'application/x-www-form-urlencoded'),
                (['-H', 'Content-Type: text/plain', '-d', '{"a": 1}'], 'text/plain'),
                (['-H', 'content-type: application/x-ndjson', '-d', '[1]'],
                 'application/x-ndjson')):
            server = self.serve(events_script(b'data: ok\n\n'))
            result = run(*args, '--max-events', '1', server.url)
            self.assertEqual(result.returncode, 0, (args, result.stderr))
            self.assertEqual(server.requests[0]['method'], 'POST')
            self.assertEqual(server.requests[0]['headers']['Content-Type'], content_type, args)

    def test_body_and_last_event_id_resent_on_reconnect(self):
        # Each answer ends the stream: with --reconnect-mode=resend, sse-cat
        # reconnects, sending the body again and the id it saw last.
        def script(n, handler):
            return 200, 'text/event-stream', b'retry: 10\nid: %d\ndata: event %d\n\n' % (n, n)
        server = self.serve(script)
        result = run('-d', 'payload', '--reconnect-mode=resend', '--max-events', '3', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.requests), 3)
        self.assertEqual([r['body'] for r in server.requests], [b'payload'] * 3)
        self.assertNotIn('Last-Event-ID', server.requests[0]['headers'])
        self.assertEqual(server.requests[1]['headers']['Last-Event-ID'], '1')
        self.assertEqual(server.requests[2]['headers']['Last-Event-ID'], '2')
        self.assertRegex(result.stderr, r'(?m)^sse-cat: the server ended the stream; '
                                        r'reconnecting in \d+ ms \(attempt 1\)$')
        self.assertNotIn('lost', result.stderr)
        self.assertNotIn('could not connect', result.stderr)

    # Reconnect modes ---------------------------------------------------

    def test_post_is_sent_once(self):
        # An LLM chat stream: POST, chunks, [DONE], and the server ends the
        # response. Sending it again would pay for a new answer: -d sends
        # once, and the end of the stream is the end.
        chunks = (b'retry: 10\n\n'
                  b'data: {"choices": [{"delta": {"content": "Hel"}}]}\n\n'
                  b'data: {"choices": [{"delta": {"content": "lo"}}]}\n\n'
                  b'data: [DONE]\n\n')
        server = self.serve(events_script(chunks))
        result = run('-d', '{"model": "m", "stream": true}', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(server.requests[0]['method'], 'POST')
        self.assertEqual(server.requests[0]['body'], b'{"model": "m", "stream": true}')
        self.assertEqual(result.stdout.count('[message]'), 3)
        self.assertTrue(result.stdout.endswith('[message]\n  [DONE]\n'), result.stdout)
        self.assertEqual(result.stderr.splitlines()[-1], 'sse-cat: the server ended the stream')
        self.assertNotIn('reconnecting', result.stderr)

    def test_other_methods_are_sent_once(self):
        server = self.serve(events_script(b'retry: 10\ndata: x\n\n'))
        result = run('-X', 'PUT', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([r['method'] for r in server.requests], ['PUT'])

    def test_broken_post_stream_is_not_resent(self):
        # The stream breaks off in the middle of its announced length: an
        # error, and no second POST.
        def script(n, handler):
            handler.send_response(200)
            handler.send_header('Content-Type', 'text/event-stream')
            handler.send_header('Content-Length', '1000')
            handler.end_headers()
            handler.wfile.write(b'retry: 10\n\ndata: partial\n\n')
            handler.close_connection = True
            return None
        server = self.serve(script)
        result = run('-d', '{"stream": true}', server.url)
        self.assertFailsWith(result, 'was lost', server.url,
                             '; a POST request is not sent again (see --reconnect-mode)')
        self.assertEqual(result.stdout, '[message]\n  partial\n')
        self.assertEqual(len(server.requests), 1)
        self.assertNotIn('reconnecting', result.stderr)

    def test_resume_get(self):
        # MCP's streamable HTTP: the POST's stream ends, and the client
        # resumes with a GET that carries Last-Event-ID and the
        # application's headers, but no body.
        def script(n, handler):
            if n == 1:
                return 200, 'text/event-stream', b'retry: 10\n\nid: 7\ndata: first\n\n'
            return 200, 'text/event-stream', b'id: 8\ndata: second\n\n'
        server = self.serve(script)
        result = run('--reconnect-mode=resume-get', '-H', 'Mcp-Session-Id: s1',
                     '-d', '{"jsonrpc": "2.0"}', '--max-events', '2', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message] id=7\n  first\n[message] id=8\n  second\n')
        self.assertEqual(len(server.requests), 2)
        post, get = server.requests
        self.assertEqual(post['method'], 'POST')
        self.assertEqual(post['body'], b'{"jsonrpc": "2.0"}')
        self.assertNotIn('Last-Event-ID', post['headers'])
        self.assertEqual(get['method'], 'GET')
        self.assertEqual(get['body'], b'')
        self.assertEqual(get['headers']['Last-Event-ID'], '7')
        self.assertEqual(get['headers']['Mcp-Session-Id'], 's1')
        self.assertNotIn('Content-Type', get['headers'])
        self.assertNotIn('Content-Length', get['headers'])

    def test_resume_get_without_an_id(self):
        # Nothing to resume from: one request, a normal end that says why.
        server = self.serve(events_script(b'retry: 10\ndata: only\n\n'))
        result = run('--reconnect-mode=resume-get', '-d', '{}', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(result.stderr.splitlines()[-1],
                         'sse-cat: the server ended the stream, and sent no event ID to '
                         'resume from')

    def test_never_on_get(self):
        server = self.serve(events_script(b'id: 1\ndata: x\n\n'))
        result = run('--reconnect-mode=never', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message] id=1\n  x\n')
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(result.stderr.splitlines()[-1], 'sse-cat: the server ended the stream')

    def test_reconnect_mode_usage_errors(self):
        for args, fragment in ((['--reconnect-mode=bogus'], '“bogus” is not a reconnect mode'),
                               (['--reconnect-mode', 'RESEND'], 'not a reconnect mode'),
                               (['--no-reconnect', '--reconnect-mode=resend'],
                                '--no-reconnect means --reconnect-mode=never')):
            result = run(*args, 'http://127.0.0.1:1/')
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(fragment, result.stderr, args)
        # --no-reconnect is never, which may be said twice.
        server = self.serve(events_script(b'retry: 10\ndata: x\n\n'))
        result = run('--no-reconnect', '--reconnect-mode=never', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.requests), 1)

    def test_no_reconnect_still_retries_a_server_error(self):
        # A 429 refuses the request before anything was generated: with
        # --retry-on-server-error it goes again, even with --no-reconnect;
        # the stream that follows is read once.
        def script(n, handler):
            if n == 1:
                body = b'{"error": {"message": "Rate limit reached", "type": "requests"}}'
                handler.send_response(429)
                handler.send_header('Content-Type', 'application/json')
                handler.send_header('Retry-After', '0')
                handler.send_header('Content-Length', str(len(body)))
                handler.send_header('Connection', 'close')
                handler.end_headers()
                handler.wfile.write(body)
                return None
            return 200, 'text/event-stream', b'data: answer\n\n'
        server = self.serve(script)
        result = run('--no-reconnect', '--retry-on-server-error', '-d', '{"stream": true}',
                     server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message]\n  answer\n')
        self.assertEqual([r['method'] for r in server.requests], ['POST', 'POST'])
        self.assertEqual([r['body'] for r in server.requests], [b'{"stream": true}'] * 2)
        # The retry says why, and the API's own words follow.
        lines = result.stderr.splitlines()
        i = next(i for i, line in enumerate(lines) if 'did not open the stream' in line)
        self.assertIn('429', lines[i])
        self.assertEqual(lines[i + 1],
                         '  {"error": {"message": "Rate limit reached", "type": "requests"}}')
        self.assertEqual(lines[-1], 'sse-cat: the server ended the stream')

    def test_no_reconnect_without_retry_gives_up_on_a_server_error(self):
        server = self.serve(lambda n, h: (429, 'text/plain', b'slow down'))
        result = run('--no-reconnect', server.url)
        self.assertFailsWith(result, '429')
        self.assertEqual(len(server.requests), 1)

    # The body of a refused answer -------------------------------------

    def test_refused_answer_prints_the_api_message(self):
        body = (b'{\n  "error": {\n    "message": "Incorrect API key provided: sk-xx.",\n'
                b'    "type": "invalid_request_error",\n    "code": "invalid_api_key"\n  }\n}\n')
        server = self.serve(lambda n, h: (401, 'application/json; charset=utf-8', body))
        result = run('-d', '{"stream": true}', '-H', 'Authorization: Bearer sk-xx', server.url)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(len(server.requests), 1)
        lines = result.stderr.splitlines()
        status = lines.index(next(line for line in lines if '401' in line))
        self.assertTrue(lines[status].startswith('sse-cat: '), lines[status])
        # Under the status line, indented, as the server sent it.
        self.assertEqual(lines[status + 1:],
                         ['  ' + line for line in body.decode().rstrip('\n').split('\n')])

    def refused_body_lines(self, body, *args, content_type='text/plain'):
        """The lines sse-cat prints after the status line of a 403 with
        @body."""
        server = self.serve(lambda n, h: (403, content_type, body))
        result = run(*args, server.url)
        self.assertFailsWith(result, '403')
        lines = result.stderr.splitlines()
        status = max(i for i, line in enumerate(lines) if line.startswith('sse-cat: '))
        return lines[status + 1:]

    def test_refused_body_is_cut_after_20_lines(self):
        body = ''.join('line %d\n' % i for i in range(1, 101)).encode()
        lines = self.refused_body_lines(body)
        self.assertEqual(lines, ['  line %d' % i for i in range(1, 21)]
                         + ['  … (the rest is not shown)'])
        # -v shows it all.
        lines = self.refused_body_lines(body, '-v')
        self.assertEqual(lines, ['  line %d' % i for i in range(1, 101)])

    def test_refused_body_is_cut_after_2_kib(self):
        # One long line, of two-byte characters: cut between characters.
        lines = self.refused_body_lines(('é' * 3000).encode())
        self.assertEqual(lines, ['  ' + 'é' * 1024, '  … (the rest is not shown)'])
        lines = self.refused_body_lines(b'a' * 1000 + b'\n' + b'b' * 2000)
        self.assertEqual(lines, ['  ' + 'a' * 1000, '  ' + 'b' * 1047,
                                 '  … (the rest is not shown)'])

    def test_refused_body_is_sanitised(self):
        # Escape sequences (CSI as ESC [ and as C1), a bell, a backspace, a
        # right-to-left override, CR LF and a tab, invalid UTF-8: nothing
        # reaches the terminal that could rewrite it.
        body = (b'\x1b[2J\x1b[31mred\x1b[0m\r\n\x07bell\tand\x08tab\r\n'
                b'\xc2\x9b31m \xe2\x80\xaeevil\n\xff end\r\n\r\n')
        lines = self.refused_body_lines(body)
        self.assertEqual(lines, ['  \ufffd[2J\ufffd[31mred\ufffd[0m',
                                 '  \ufffdbell and\ufffdtab',
                                 '  \ufffd31m \ufffdevil',
                                 '  \ufffd end'])

    def test_refused_body_not_text(self):
        lines = self.refused_body_lines(b'\x89PNG\r\n\x1a\n\0\0\0', content_type='image/png')
        self.assertEqual(lines, ['  (a body of type “image/png”, not shown)'])
        lines = self.refused_body_lines(b'\x89PNG\r\n\x1a\n\0\0\0', content_type=None)
        self.assertEqual(lines, ['  (a body that is not text, not shown)'])
        # Only whitespace: nothing to show.
        self.assertEqual(self.refused_body_lines(b' \r\n\n'), [])

    # URLs the library refuses -----------------------------------------

    def test_invalid_urls(self):
        # Each refused with the problem named, in one line, as a usage
        # error, and nothing sent: with a GET and with a POST (whose
        # message libsoup parses more leniently).
        for url, message in (
                ('http://127.0.0.1:99999/',
                 'The port in “http://127.0.0.1:99999/” is not a number from 1 to 65535'),
                ('http://127.0.0.1:0/',
                 'The port in “http://127.0.0.1:0/” is not a number from 1 to 65535'),
                ('http://:80/', '“http://:80/” has no host name'),
                ('http://this is invalid/',
                 'The host in “http://this%20is%20invalid/” is not a valid host name or '
                 'address'),
                ('http://[::1/', 'The host in “http://[::1/” is not a valid host name or '
                                 'address'),
                ('ftp://example.com/',
                 '“ftp://example.com/” is not an http or https URL; an event source needs one'),
                ('not a url',
                 '“not a url” is not an absolute URL; give one such as '
                 'https://example.org/events'),
                ('', 'No URL was given; an event source needs an http or https URL')):
            for args in ([], ['-d', '{}']):
                result = run(*args, url)
                self.assertEqual(result.returncode, 2, (url, args, result.stderr))
                self.assertEqual(result.stderr, 'sse-cat: %s\n' % message, (url, args))
                self.assertEqual(result.stdout, '')

    def test_last_event_id_option(self):
        server = self.serve(events_script(b'data: ok\n\n'))
        result = run('--last-event-id', 'abc-42', '--max-events', '1', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(server.requests[0]['headers']['Last-Event-ID'], 'abc-42')

    def test_verbose_shows_headers(self):
        server = self.serve(events_script(b'data: ok\n\n'))
        result = run('-v', '--max-events', '1', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('> GET ' + server.url, result.stderr)
        self.assertIn('< 200', result.stderr)
        self.assertIn('< Content-Type: text/event-stream', result.stderr)

    # Ends and failures ----------------------------------------------

    def assertFailsWith(self, result, *fragments):
        """Exit status 1, and the last status line (the body of a refused
        answer may follow it) says why."""
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stderr.strip().splitlines()
        last = [line for line in lines if line.startswith('sse-cat: ')][-1]
        for line in lines[lines.index(last) + 1:]:
            self.assertTrue(line.startswith('  '), result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, last)

    def test_204_is_a_normal_end(self):
        server = self.serve(lambda n, h: (204, None, b''))
        result = run(server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '')

    def test_404_fails(self):
        server = self.serve(lambda n, h: (404, 'text/plain', b'nope'))
        result = run(server.url)
        self.assertFailsWith(result, '404')
        self.assertTrue(result.stderr.endswith('404 Not Found; an event stream needs 200 OK\n'
                                               '  nope\n'), result.stderr)
        self.assertEqual(len(server.requests), 1)

    def test_server_error_fails_or_is_retried(self):
        server = self.serve(lambda n, h: (503, 'text/plain', b'busy'))
        self.assertFailsWith(run(server.url), '503')

        def script(n, handler):
            if n < 3:
                return 503, 'text/plain', b'busy'
            return 200, 'text/event-stream', b'data: finally\n\n'
        server = self.serve(script)
        result = run('--retry-on-server-error', '--max-events', '1', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message]\n  finally\n')
        self.assertEqual(len(server.requests), 3)
        # Each retry says why: the server answered, but no stream.
        self.assertRegex(result.stderr, r'(?m)^sse-cat: the server did not open the stream; '
                                        r'reconnecting in \d+ ms \(attempt 2\): .*503')
        self.assertNotIn('lost', result.stderr)
        self.assertNotIn('could not connect', result.stderr)

    def test_wrong_content_type_fails(self):
        server = self.serve(events_script(b'data: x\n\n', content_type='text/html'))
        self.assertFailsWith(run(server.url), 'text/html')

    def test_connection_refused_fails(self):
        url = 'http://127.0.0.1:%d/' % free_port()
        result = run('--no-reconnect', url)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr.strip().splitlines()[-1], r'^sse-cat: .*(refused|connect)')

    def reconnecting_lines(self, *args, count=1):
        """Runs sse-cat until it printed `count` "reconnecting" lines, then
        interrupts it; returns those lines."""
        proc = subprocess.Popen([SSE_CAT, *args], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.kill)
        lines = []
        while len(lines) < count:
            line = proc.stderr.readline()
            self.assertNotEqual(line, '', 'sse-cat exited: %s' % lines)
            if 'reconnecting in' in line:
                lines.append(line.rstrip('\n'))
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 130)
        return lines

    def test_status_line_says_why_it_could_not_connect(self):
        # Nothing ever connected: the status line says so, and why.
        url = 'http://127.0.0.1:%d/' % free_port()
        line, = self.reconnecting_lines(url)
        self.assertRegex(line, r'^sse-cat: could not connect; reconnecting in \d+ ms '
                               r'\(attempt 1\): .*' + re.escape(url) + r'.*[Rr]efused')

    def test_status_line_says_why_the_connection_was_lost(self):
        # An open stream broken off in the middle of its announced length.
        def script(n, handler):
            handler.send_response(200)
            handler.send_header('Content-Type', 'text/event-stream')
            handler.send_header('Content-Length', '1000')
            handler.end_headers()
            handler.wfile.write(b'retry: 10\ndata: one\n\n')
            handler.close_connection = True
            return None
        server = self.serve(script)
        line, = self.reconnecting_lines(server.url)
        self.assertRegex(line, r'^sse-cat: connection lost; reconnecting in \d+ ms '
                               r'\(attempt 1\): .*' + re.escape(server.url))

    def test_an_event_too_large_is_reported_and_skipped(self):
        big = b'data: ' + b'x' * (17 * 1024 * 1024) + b'\n\n'
        server = self.serve(events_script(big + b'data: small\n\n'))
        result = run('--max-events', '1', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message]\n  small\n')
        self.assertRegex(result.stderr, r'(?m)^sse-cat: .*(large|MiB|bytes)')

    def test_no_reconnect_after_a_clean_end(self):
        # The server ends the stream: with --no-reconnect that is the end.
        server = self.serve(events_script(b'data: x\n\n'))
        result = run('--no-reconnect', server.url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message]\n  x\n')
        self.assertIn('the server ended the stream', result.stderr)
        self.assertEqual(len(server.requests), 1)

    # TLS -------------------------------------------------------------

    def serve_tls(self, stream):
        """An HTTPS server with tests/certs/server.pem (signed by the test CA
        ca.pem, for 127.0.0.1); counts the connections it accepts, TLS
        handshakes that fail included."""
        certs = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(certs, 'server.pem'),
                                os.path.join(certs, 'server-key.pem'))
        server = self.serve(events_script(stream))
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
        server.connections = 0
        get_request = server.get_request

        def counting_get_request():
            server.connections += 1
            return get_request()
        server.get_request = counting_get_request
        server.handle_error = lambda request, address: None  # refused handshakes
        return server, os.path.join(certs, 'ca.pem'), \
            'https://127.0.0.1:%d/feed' % server.server_address[1]

    def test_tls_untrusted_fails_once(self):
        # Certificates are checked by default: the test CA is nobody's.
        server, ca, url = self.serve_tls(b'data: secret\n\n')
        result = run(url)
        self.assertFailsWith(result, 'certificate')
        self.assertEqual(result.stdout, '')
        self.assertEqual(server.requests, [])
        self.assertEqual(server.connections, 1)   # no retry loop

    def test_tls_cacert(self):
        server, ca, url = self.serve_tls(b'id: 1\ndata: secret\n\n')
        result = run('--cacert', ca, '--max-events', '1', url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message] id=1\n  secret\n')

    def test_tls_cacert_relative_path(self):
        # As --help shows it: a file in the current directory.
        # glib-networking only takes an absolute path.
        server, ca, url = self.serve_tls(b'id: 1\ndata: secret\n\n')
        result = run('--cacert', os.path.basename(ca), '--max-events', '1', url,
                     cwd=os.path.dirname(ca))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, '[message] id=1\n  secret\n')
        self.assertNotIn('WARNING', result.stderr)

    def test_tls_cacert_unreadable(self):
        result = run('--cacert', '/nonexistent/ca.pem', 'https://127.0.0.1:1/')
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('/nonexistent/ca.pem', result.stderr)

    def test_too_many_attempts(self):
        # Every attempt fails: a server that accepts and hangs up without
        # answering. --no-reconnect gives up after the first, saying why.
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)
        self.addCleanup(listener.close)

        def hang_up():
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                conn.recv(65536)
                conn.close()
        threading.Thread(target=hang_up, daemon=True).start()

        url = 'http://127.0.0.1:%d/' % listener.getsockname()[1]
        result = run('--no-reconnect', url)
        self.assertEqual(result.returncode, 1, result.stderr)
        last = result.stderr.strip().splitlines()[-1]
        self.assertTrue(last.startswith('sse-cat: '), last)
        self.assertIn(url, last)
        self.assertNotIn('max-reconnect-attempts', last)

    def silent_server(self):
        """A URL whose server accepts connections and never answers."""
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)
        self.addCleanup(listener.close)
        return 'http://127.0.0.1:%d/' % listener.getsockname()[1]

    def test_connect_timeout(self):
        url = self.silent_server()
        result = run('--connect-timeout', '0.3', '--no-reconnect', url)
        self.assertFailsWith(result, url, 'did not answer within 300 ms')

    def test_connect_timeout_applies_to_every_attempt(self):
        url = self.silent_server()
        line, = self.reconnecting_lines('--connect-timeout', '0.2', url)
        self.assertRegex(line, r'^sse-cat: could not connect; reconnecting in \d+ ms '
                               r'\(attempt 1\): .*did not answer within 200 ms')

    def test_usage_errors(self):
        for args, fragment in (([], 'No URL'),
                               (['-X', 'BAD METHOD', 'http://127.0.0.1/'],
                                '“BAD METHOD” is not a valid HTTP method'),
                               (['-X', '', 'http://127.0.0.1/'], 'not a valid HTTP method'),
                               (['-H', 'no-colon', 'http://127.0.0.1/'], 'Name: value'),
                               (['--json', '--raw', 'http://127.0.0.1/'], 'together'),
                               (['--connect-timeout', '-1', 'http://127.0.0.1/'],
                                '--connect-timeout'),
                               (['--connect-timeout', 'soon', 'http://127.0.0.1/'],
                                'connect-timeout'),
                               (['--read-timeout', '-2', 'http://127.0.0.1/'],
                                '--read-timeout'),
                               (['--connect-timeout', '1e10', 'http://127.0.0.1/'],
                                '--connect-timeout'),
                               (['--bogus'], 'bogus')):
            result = run(*args)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(fragment, result.stderr, args)

    def test_help_and_version(self):
        result = run('--help')
        self.assertEqual(result.returncode, 0)
        self.assertIn('--max-events', result.stdout)
        self.assertIn('--connect-timeout=SECONDS', result.stdout)
        self.assertIn('--reconnect-mode=MODE', result.stdout)
        for mode in ('auto', 'resend', 'resume-get', 'never'):
            self.assertIn(mode, result.stdout)
        self.assertIn('first 20 lines or 2 KiB', result.stdout)
        self.assertIn('application/json when it is a JSON object or array', result.stdout)
        self.assertIn('application/x-www-form-urlencoded', result.stdout)
        self.assertIn('Exit status', result.stdout)
        result = run('--help-server')
        self.assertIn('--serve', result.stdout)
        result = run('--version')
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r'^sse-cat \d+\.\d+\.\d+')

    def test_ctrl_c_closes_cleanly(self):
        def script(n, handler):
            # A stream that never ends: headers, one event, then silence.
            handler.send_response(200)
            handler.send_header('Content-Type', 'text/event-stream')
            handler.end_headers()
            handler.wfile.write(b'data: waiting\n\n')
            handler.wfile.flush()
            handler.server.stop_event.wait(TIMEOUT)
            return 200, None, b''
        server = self.serve(script)
        server.stop_event = threading.Event()
        self.addCleanup(server.stop_event.set)

        proc = subprocess.Popen([SSE_CAT, server.url], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.assertEqual(proc.stdout.readline(), '[message]\n')
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 130, err)
        self.assertInterrupted(err)

    def assertInterrupted(self, stderr):
        """Standard error holds sse-cat's own lines only (no GLib warning or
        critical), the last one saying it was interrupted."""
        lines = [line for line in stderr.splitlines() if line]
        for line in lines:
            self.assertTrue(line.startswith('sse-cat: '), stderr)
        self.assertEqual(lines[-1], 'sse-cat: interrupted', stderr)

    def test_ctrl_c_stops_the_demo(self):
        proc = subprocess.Popen([SSE_CAT, '--demo'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.kill)
        self.assertIn('demo: a feed of', proc.stderr.readline())
        self.assertTrue(proc.stdout.readline().startswith('[tick]'))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 130, err)
        self.assertInterrupted(err)
        self.assertNotIn('none lost', err)

    def test_ctrl_c_stops_serving(self):
        proc = subprocess.Popen([SSE_CAT, '--serve', '--port', '0', '-'],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.kill)
        self.assertIn('serving on http://127.0.0.1:', proc.stderr.readline())
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 130, err)
        self.assertInterrupted(err)
        self.assertEqual(out, '')

    # --serve and --demo ---------------------------------------------

    def start_server(self, *args, **kwargs):
        """Starts `sse-cat --serve ARGS`; returns the process and its URL.
        Standard error is read line by line by the test (serve_lines)."""
        kwargs.setdefault('stdout', subprocess.DEVNULL)
        server = subprocess.Popen([SSE_CAT, '--serve', '--port', '0', *args],
                                  stderr=subprocess.PIPE, text=True, **kwargs)
        self.addCleanup(server.wait)
        self.addCleanup(lambda: server.poll() is None and server.send_signal(signal.SIGINT))
        line = server.stderr.readline()
        self.assertIn('serving on http://127.0.0.1:', line)
        return server, line.split('serving on ', 1)[1].strip()

    def file_of_lines(self, *lines):
        with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
            f.write(''.join(line + '\n' for line in lines))
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_serve_a_file(self):
        path = self.file_of_lines('first line', 'second line', 'third line')
        server, url = self.start_server(path)
        self.assertIn('end of input after 3 events', server.stderr.readline())

        # The file was read before any client came: each still gets all of
        # it, with the line numbers as ids.
        for _ in range(2):
            result = run('--json', '--max-events', '3', url)
            self.assertEqual(result.returncode, 0, result.stderr)
            events = [json.loads(line) for line in result.stdout.splitlines()]
            self.assertEqual([(e['id'], e['data']) for e in events],
                             [('1', 'first line'), ('2', 'second line'), ('3', 'third line')])

        # One that says it saw event 1 gets exactly what followed.
        result = run('--json', '--max-events', '2', '--last-event-id', '1', url)
        self.assertEqual(result.returncode, 0, result.stderr)
        events = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([(e['id'], e['data']) for e in events],
                         [('2', 'second line'), ('3', 'third line')])

    def test_serve_keeps_the_latest_replay_size_lines(self):
        path = self.file_of_lines('one', 'two', 'three', 'four')
        server, url = self.start_server('--replay-size', '2', path)
        self.assertIn('end of input after 4 events', server.stderr.readline())
        # A new client gets the last two lines, and nothing before them:
        # the stream is read until the server ends it (SIGTERM).
        client = subprocess.Popen([SSE_CAT, '--raw', '--no-reconnect', url],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(client.kill)
        self.assertEqual([client.stdout.readline() for _ in range(6)],
                         ['id: 3\n', 'data: three\n', '\n', 'id: 4\n', 'data: four\n', '\n'])
        server.send_signal(signal.SIGTERM)
        self.assertEqual(client.stdout.read(), '')
        self.assertEqual(client.wait(TIMEOUT), 0)
        self.assertEqual(server.wait(TIMEOUT), 0)
        # A client whose event is no longer kept is told it missed some.
        server, url = self.start_server('--replay-size', '2', path)
        self.assertIn('end of input after 4 events', server.stderr.readline())
        result = run('--json', '--max-events', '1', '--last-event-id', '1', url)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout),
                         {'type': 'missed', 'data': 'unknown-last-event-id', 'id': '4',
                          'last_event_id': '4'})

    def test_serve_stdin_keeps_serving_after_the_input_ends(self):
        server = subprocess.Popen([SSE_CAT, '--serve', '--port', '0', '-'],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        self.addCleanup(server.wait)
        self.addCleanup(server.send_signal, signal.SIGINT)
        url = server.stderr.readline().split('serving on ', 1)[1].strip()

        client = subprocess.Popen([SSE_CAT, '--raw', '--max-events', '2', url],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait until the client is connected, then write two lines and
        # close standard input.
        self.assertIn('open', client.stderr.readline() + client.stderr.readline())
        server.stdin.write('alpha\nbeta\n')
        server.stdin.close()
        out, err = client.communicate(timeout=TIMEOUT)
        self.assertEqual(client.returncode, 0, err)
        self.assertEqual(out, 'id: 1\ndata: alpha\n\nid: 2\ndata: beta\n\n')
        self.assertIn('end of input', server.stderr.readline())
        # Still serving.
        self.assertIsNone(server.poll())

    def stop_serving_with_a_client(self, signum):
        """Serves 20,000 lines to a client that keeps up, then stops the
        server with @signum; returns the server's exit status and the rest
        of its standard error, once the client saw its stream end."""
        n = 20000
        server, url = self.start_server('--retry', '150', '-', stdin=subprocess.PIPE)
        out = tempfile.TemporaryFile('w+')
        self.addCleanup(out.close)
        client = subprocess.Popen([SSE_CAT, '--raw', url], stdout=out, stderr=subprocess.PIPE,
                                  text=True)
        self.addCleanup(client.wait)
        self.addCleanup(lambda: client.poll() is None and client.kill())
        self.assertIn('open', client.stderr.readline() + client.stderr.readline())

        server.stdin.write(''.join('line %d %s\n' % (i, 'x' * 100) for i in range(1, n + 1)))
        server.stdin.close()
        self.assertIn('end of input after %d events' % n, server.stderr.readline())
        server.send_signal(signum)

        # The stream ends cleanly, after the last event, and the client
        # tries again after the time --retry gave.
        while True:
            line = client.stderr.readline()
            self.assertNotEqual(line, '', 'the client exited')
            if 'reconnecting' in line:
                break
        self.assertEqual(line, 'sse-cat: the server ended the stream; reconnecting in 150 ms '
                               '(attempt 1)\n')
        status = server.wait(TIMEOUT)
        client.send_signal(signal.SIGINT)
        client.wait(TIMEOUT)
        out.seek(0)
        ids = [int(line[4:]) for line in out if line.startswith('id: ')]
        self.assertEqual(ids, list(range(1, n + 1)))
        return status, server.stderr.read()

    def test_sigterm_ends_every_stream_after_what_was_sent(self):
        status, stderr = self.stop_serving_with_a_client(signal.SIGTERM)
        self.assertEqual(status, 0, stderr)
        self.assertEqual(stderr, 'sse-cat: terminated; ending every stream\n')

    def test_ctrl_c_ends_every_stream_after_what_was_sent(self):
        status, stderr = self.stop_serving_with_a_client(signal.SIGINT)
        self.assertEqual(status, 130, stderr)
        self.assertEqual(stderr, '\nsse-cat: interrupted\n')

    def test_serve_listens_with_the_system_backlog(self):
        # Clients that all connect at once (after a restart) are not
        # dropped: the accept queue is as long as the system allows.
        if shutil.which('ss') is None:
            self.skipTest('ss (iproute2) is not installed')
        server, url = self.start_server('-', stdin=subprocess.PIPE)
        port = url.rstrip('/').rsplit(':', 1)[1]
        listening = subprocess.run(['ss', '-Hltn', 'sport = :' + port], capture_output=True,
                                   text=True, check=True).stdout.split()
        with open('/proc/sys/net/core/somaxconn') as f:
            somaxconn = int(f.read())
        # LISTEN, Recv-Q, Send-Q (the backlog), the addresses.
        self.assertEqual(listening[0], 'LISTEN')
        self.assertEqual(int(listening[2]), somaxconn)

    def test_serve_raises_the_open_file_limit(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard <= 256:
            self.skipTest('the hard open-file limit is %d' % hard)
        server, url = self.start_server(
            '-', stdin=subprocess.PIPE,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)))
        with open('/proc/%d/limits' % server.pid) as f:
            line = next(line for line in f if line.startswith('Max open files'))
        self.assertEqual(line.split()[3:5], [str(hard), str(hard)])

    def test_serve_usage_errors(self):
        for args, fragment in ((['--replay-size', '-1'], '--replay-size must be between 0 and'),
                               (['--retry', '-2'], '--retry must be a number of milliseconds'),
                               (['--port', '70000'], 'The port must be between 0 and 65535'),
                               (['--listen', 'here'], '“here” is not an IP address')):
            result = run('--serve', *args, '/dev/null')
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(fragment, result.stderr, args)

    def test_demo(self):
        result = run('--demo', timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len([l for l in result.stdout.splitlines() if l.startswith('[tick]')]), 12)
        # The feed asks for retry: 500, and every connection made progress:
        # each reconnection waits exactly that, counted from 1 again.
        reconnecting = [l for l in result.stderr.splitlines() if 'reconnecting' in l]
        self.assertEqual(reconnecting, ['sse-cat: the server ended the stream; reconnecting in '
                                        '500 ms (attempt 1)'] * 2)
        self.assertIn('Last-Event-ID: 4', result.stderr)
        self.assertIn('Last-Event-ID: 8', result.stderr)
        self.assertIn('none lost and none repeated', result.stderr)


if __name__ == '__main__':
    if SSE_CAT is None:
        sys.exit('usage: test-sse-cat.py PATH-TO-sse-cat')
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
