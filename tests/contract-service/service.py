#!/usr/bin/python3
# service.py: a test service for LaunchDarkly's SSE contract tests, over
# sse-glib's GIR
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The harness (launchdarkly/sse-contract-tests) drives this service over
# REST: it asks for a client to be created from a JSON configuration, and
# reads what the client receives from the callbacks the service posts back
# to it. Each client is an Sse.EventSource; see README.md beside this file
# for the protocol and how to run the harness against it.
#
#   GET    /             status, with the capabilities
#   DELETE /             quit
#   POST   /             create a stream; answers 201 with Location
#   POST   /streams/N    a command: "listen" or "restart"
#   DELETE /streams/N    close the stream
#
# Usage: service.py [--port PORT] [--all-interfaces] [--verbose]
# With --port 0 the system picks the port. Once listening, the service
# prints one line, "listening on http://HOST:PORT/", on standard output.

import argparse
import json
import os
import re
import signal
import sys

# Before GIO is loaded: the machine's proxy settings have nothing to do with
# a test run on localhost.
os.environ.setdefault('GIO_USE_PROXY_RESOLVER', 'dummy')

import gi  # noqa: E402

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')

from gi.repository import Gio, GLib, Soup, Sse  # noqa: E402

# Every optional feature of the harness that sse-glib has.
CAPABILITIES = [
    'bom',
    'comments',
    'event-type-listeners',
    'headers',
    'last-event-id',
    'post',
    'read-timeout',
    'report',
    'restart',
    'server-directed-shutdown-request',
]

# HTTP methods and header names are tokens (RFC 9110).
TOKEN = re.compile(r"^[-!#$%&'*+.^_`|~0-9A-Za-z]+$")

verbose = False


def log(*args):
    if verbose:
        print('service:', *args, file=sys.stderr, flush=True)


class BadRequest(Exception):
    """A configuration or command that the service refuses with 400."""


def optional(config, name, kind):
    """config[name] if it is present and of the given kind, None if it is
    absent or null; BadRequest otherwise."""
    value = config.get(name)
    if value is not None and not isinstance(value, kind):
        raise BadRequest('"%s" must be a %s' % (name, kind.__name__))
    # JSON true and false are ints to Python; they are not numbers here.
    if kind is int and isinstance(value, bool):
        raise BadRequest('"%s" must be an integer' % name)
    return value


def milliseconds(config, name):
    value = optional(config, name, int)
    if value is not None and not 0 <= value <= 0xffffffff:
        raise BadRequest('"%s" is out of range: %d' % (name, value))
    return value


class Callbacks:
    """Posts one stream's callbacks to the harness, in order: message N+1
    leaves only once the harness answered message N, and the path of each
    carries its number (/1, /2, ...), as the protocol asks."""

    def __init__(self, session, base_url, tag):
        self.session = session
        self.base_url = base_url.rstrip('/')
        self.tag = tag
        self.queue = []
        self.counter = 0
        self.sending = False
        self.cancellable = Gio.Cancellable()

    def post(self, message):
        if self.cancellable.is_cancelled():
            return
        self.queue.append(json.dumps(message).encode('utf-8'))
        self.send_next()

    def send_next(self):
        if self.sending or not self.queue:
            return
        self.counter += 1
        url = '%s/%d' % (self.base_url, self.counter)
        msg = Soup.Message.new('POST', url)
        if msg is None:
            log(self.tag, 'cannot post to callback URL', url)
            self.queue.clear()
            return
        msg.set_request_body_from_bytes('application/json', GLib.Bytes.new(self.queue.pop(0)))
        self.sending = True
        self.session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, self.cancellable,
                                         self.sent, msg)

    def sent(self, session, result, msg):
        try:
            session.send_and_read_finish(result)
            if msg.get_status() >= 300:
                log(self.tag, 'callback', msg.get_uri().to_string(),
                    'answered', msg.get_status())
        except GLib.Error as error:
            if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                return
            log(self.tag, 'callback failed:', error.message)
        self.sending = False
        self.send_next()

    def stop(self):
        """Sends nothing more, not even what is queued."""
        self.queue.clear()
        self.cancellable.cancel()


class Stream:
    """One SSE client of the harness: an Sse.EventSource configured from the
    harness's JSON, reporting to its callback URL."""

    def __init__(self, config, callback_session):
        if not isinstance(config, dict):
            raise BadRequest('the configuration must be a JSON object')
        stream_url = optional(config, 'streamUrl', str)
        callback_url = optional(config, 'callbackUrl', str)
        if not stream_url or not callback_url:
            raise BadRequest('"streamUrl" and "callbackUrl" are required')
        self.tag = optional(config, 'tag', str) or stream_url
        method = optional(config, 'method', str) or 'GET'
        body = optional(config, 'body', str)
        headers = optional(config, 'headers', dict) or {}
        last_event_id = optional(config, 'lastEventId', str)
        initial_delay = milliseconds(config, 'initialDelayMs')
        read_timeout = milliseconds(config, 'readTimeoutMs')

        if not TOKEN.match(method):
            raise BadRequest('bad method: %r' % method)
        if last_event_id and any(c in last_event_id for c in '\0\r\n'):
            raise BadRequest('"lastEventId" cannot be sent as a header: %r' % last_event_id)
        if GLib.Uri.peek_scheme(callback_url) not in ('http', 'https'):
            raise BadRequest('bad callback URL: %r' % callback_url)
        try:
            template = Soup.Message.new(method, stream_url)
        except TypeError:
            template = None
        if template is None or GLib.Uri.peek_scheme(stream_url) not in ('http', 'https'):
            raise BadRequest('bad stream URL: %r' % stream_url)

        content_type = None
        request_headers = template.get_request_headers()
        for name, value in headers.items():
            if not TOKEN.match(name):
                raise BadRequest('bad header name: %r' % name)
            if not isinstance(value, str) or any(c in value for c in '\0\r\n'):
                raise BadRequest('header %r must be a string on one line' % name)
            if name.lower() == 'content-type':
                # It describes the body: it goes with it.
                content_type = value
            else:
                request_headers.append(name, value)

        self.source = Sse.EventSource.new_for_message(template)
        if body is not None:
            self.source.set_request_body(content_type or 'text/plain',
                                         GLib.Bytes.new(body.encode('utf-8')))
        elif content_type is not None:
            request_headers.append('Content-Type', content_type)
        # The harness expects a POST or REPORT body to be sent again on
        # every reconnection; that is RESEND, which libraries that have
        # reconnect-mode only do when asked (older ones always do).
        if hasattr(Sse, 'ReconnectMode'):
            self.source.props.reconnect_mode = Sse.ReconnectMode.RESEND
        if initial_delay is not None:
            self.source.props.reconnection_time = initial_delay
        if read_timeout is not None:
            self.source.props.read_timeout = read_timeout
        if last_event_id:
            self.source.props.last_event_id = last_event_id

        self.callbacks = Callbacks(callback_session, callback_url, self.tag)
        self.listening = set()
        self.handlers = [
            self.source.connect('comment', self.on_comment),
            self.source.connect('error', self.on_error),
        ]
        # The browser's model, which the "event-type-listeners" capability
        # announces: "message" events always, other types once listened to.
        self.listen('message')
        log(self.tag, 'opening', method, stream_url)
        self.source.open()

    def listen(self, event_type):
        if event_type in self.listening:
            return
        self.listening.add(event_type)
        self.handlers.append(self.source.connect('event::' + event_type, self.on_event))

    def on_event(self, source, event):
        self.callbacks.post({
            'kind': 'event',
            'event': {
                'type': event.get_event_type(),
                'data': event.get_data(),
                # The stream's last event ID, as a browser's MessageEvent
                # has it: it carries over to events without an id: field.
                'id': event.get_last_event_id(),
            },
        })

    def on_comment(self, source, text):
        self.callbacks.post({'kind': 'comment', 'comment': text})

    def on_error(self, source, error):
        log(self.tag, 'error:', error.message)
        self.callbacks.post({'kind': 'error', 'error': error.message})

    def command(self, params):
        if not isinstance(params, dict):
            raise BadRequest('a command must be a JSON object')
        command = params.get('command')
        if command == 'restart':
            # What the client does when the server drops the connection,
            # at once: the last event ID is kept across close() and open().
            self.source.close()
            self.source.open()
        elif command == 'listen':
            listen = params.get('listen')
            event_type = listen.get('type') if isinstance(listen, dict) else None
            if not isinstance(event_type, str) or not event_type:
                raise BadRequest('"listen" needs a "type"')
            self.listen(event_type)
        else:
            raise BadRequest('unknown command: %r' % (command,))

    def close(self):
        for handler in self.handlers:
            self.source.disconnect(handler)
        self.handlers = []
        self.source.close()
        self.callbacks.stop()


class Service:

    def __init__(self, loop, port, all_interfaces):
        self.loop = loop
        self.streams = {}
        self.next_id = 1
        # Callbacks are short requests; a callback must never wait behind
        # another stream's (libsoup allows 2 connections per host by default).
        self.callback_session = Soup.Session(timeout=30, max_conns=64,
                                             max_conns_per_host=64)
        self.server = Soup.Server()
        self.server.add_handler(None, self.handle)
        options = Soup.ServerListenOptions.IPV4_ONLY
        if all_interfaces:
            self.server.listen_all(port, options)
        else:
            self.server.listen_local(port, options)
        self.port = self.server.get_uris()[0].get_port()

    # Answers are 200 or 201 rather than 204: libsoup 3.2's server closes
    # the connection after some 204 answers that follow a POST, and the
    # harness's next request on that kept-alive connection then fails with
    # "connection reset by peer".

    def handle(self, server, msg, path, query):
        method = msg.get_method()
        try:
            if path == '/':
                self.handle_root(msg, method)
            elif path.startswith('/streams/'):
                self.handle_stream(msg, method, path[len('/streams/'):])
            else:
                msg.set_status(Soup.Status.NOT_FOUND, None)
        except BadRequest as error:
            log('400:', error)
            msg.set_status(Soup.Status.BAD_REQUEST, None)
            msg.set_response('text/plain', Soup.MemoryUse.COPY,
                             (str(error) + '\n').encode('utf-8'))

    def handle_root(self, msg, method):
        if method in ('GET', 'HEAD'):
            reply(msg, Soup.Status.OK, {'name': 'sse-glib', 'capabilities': CAPABILITIES})
        elif method == 'POST':
            stream = Stream(read_json(msg), self.callback_session)
            stream_id = str(self.next_id)
            self.next_id += 1
            self.streams[stream_id] = stream
            msg.get_response_headers().replace('Location', '/streams/' + stream_id)
            msg.set_status(Soup.Status.CREATED, None)
        elif method == 'DELETE':
            log('asked to quit')
            msg.set_status(Soup.Status.OK, None)
            # Quit once the answer is out.
            msg.connect('finished', lambda m: self.quit())
        else:
            msg.set_status(Soup.Status.METHOD_NOT_ALLOWED, None)

    def handle_stream(self, msg, method, stream_id):
        stream = self.streams.get(stream_id)
        if stream is None:
            msg.set_status(Soup.Status.NOT_FOUND, None)
        elif method == 'POST':
            stream.command(read_json(msg))
            msg.set_status(Soup.Status.OK, None)
        elif method == 'DELETE':
            del self.streams[stream_id]
            stream.close()
            msg.set_status(Soup.Status.OK, None)
        else:
            msg.set_status(Soup.Status.METHOD_NOT_ALLOWED, None)

    def quit(self):
        for stream in self.streams.values():
            stream.close()
        self.streams.clear()
        self.loop.quit()
        return GLib.SOURCE_REMOVE


def read_json(msg):
    data = msg.get_request_body().flatten().get_data()
    try:
        return json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest('the body is not JSON: %s' % error)


def reply(msg, status, value):
    msg.set_status(status, None)
    msg.set_response('application/json', Soup.MemoryUse.COPY,
                     json.dumps(value).encode('utf-8'))


def main():
    global verbose

    parser = argparse.ArgumentParser(
        description='A test service for LaunchDarkly\'s SSE contract tests, '
                    'over sse-glib.')
    parser.add_argument('--port', type=int, default=8000,
                        help='the port to listen on, 0 for any (default: 8000)')
    parser.add_argument('--all-interfaces', action='store_true',
                        help='listen on every interface, not only on 127.0.0.1 '
                             '(for a harness in a container)')
    parser.add_argument('--verbose', '-v', action='store_true',
                        help='log streams and errors on standard error')
    args = parser.parse_args()
    verbose = args.verbose

    loop = GLib.MainLoop()
    try:
        service = Service(loop, args.port, args.all_interfaces)
    except GLib.Error as error:
        print('service.py: cannot listen on port %d: %s' % (args.port, error.message),
              file=sys.stderr)
        return 1
    for signum in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, service.quit)
    print('listening on http://%s:%d/' % ('0.0.0.0' if args.all_interfaces else '127.0.0.1',
                                          service.port), flush=True)
    loop.run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
