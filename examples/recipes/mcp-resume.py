#!/usr/bin/python3
# mcp-resume.py: call a tool of an MCP server, resuming its answer's stream
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   mcp-resume.py --session-id ID URL TOOL [ARGUMENTS-JSON]
#
# The Python twin of mcp-resume.c: POSTs a JSON-RPC "tools/call" to the MCP
# endpoint URL in session ID, with `Accept: application/json,
# text/event-stream`; when the server ends the answer's stream early, the
# source resumes with a GET and Last-Event-ID (reconnect-mode RESUME_GET),
# never POSTing again; an answer in plain JSON is read too. Prints the
# progress, each reconnection and the result:
#
#   progress: 1/3
#   reconnecting in 50 ms after event 1-1
#   result: Counted to 3.
#
# Exit status: 0 after the result, 1 after an error, 2 for a usage error.
# With the library in a build tree, set GI_TYPELIB_PATH and LD_LIBRARY_PATH
# to <build>/sse-glib.

import argparse
import json
import locale
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')
from gi.repository import GLib, Soup, Sse  # noqa: E402

REQUEST_ID = 1


def main():
    try:
        locale.setlocale(locale.LC_ALL, '')
    except locale.Error:
        pass
    parser = argparse.ArgumentParser(description='Call an MCP tool.')
    parser.add_argument('-s', '--session-id', required=True)
    parser.add_argument('url')
    parser.add_argument('tool')
    parser.add_argument('arguments', nargs='?', default='{}')
    args = parser.parse_args()
    try:
        arguments = json.loads(args.arguments)
    except ValueError:
        arguments = None
    if not isinstance(arguments, dict):
        print('error: the arguments must be a JSON object', file=sys.stderr)
        return 2

    msg = Soup.Message.new('POST', args.url)
    if msg is None:
        print(f'error: “{args.url}” is not an http or https URL', file=sys.stderr)
        return 2
    headers = msg.get_request_headers()
    headers.replace('Accept', 'application/json, text/event-stream')
    headers.replace('Mcp-Session-Id', args.session_id)
    headers.replace('MCP-Protocol-Version', '2025-06-18')
    # Sent once, with the template itself: the source resumes with GETs.
    request = json.dumps({
        'jsonrpc': '2.0', 'id': REQUEST_ID, 'method': 'tools/call',
        'params': {'name': args.tool, 'arguments': arguments, '_meta': {'progressToken': 1}},
    })
    msg.set_request_body_from_bytes('application/json', GLib.Bytes.new(request.encode()))

    source = Sse.EventSource.new_for_message(msg)
    source.props.reconnect_mode = Sse.ReconnectMode.RESUME_GET
    # Five failed attempts in a row end it; an attempt that brought an event
    # starts the count again.
    source.props.max_reconnect_attempts = 5

    loop = GLib.MainLoop()
    call = {'answered': False, 'ok': False, 'failed': False}

    def show_answer(message):
        call['answered'] = True
        error = message.get('error')
        if isinstance(error, dict):
            print(f'error: {error.get("message")} (JSON-RPC error {error.get("code")})',
                  file=sys.stderr)
            call['failed'] = True
            return
        result = message.get('result')
        for item in result.get('content') or [] if isinstance(result, dict) else []:
            if isinstance(item, dict) and isinstance(item.get('text'), str):
                print(f'result: {item["text"]}', flush=True)
        call['ok'] = True

    # One JSON-RPC message from the server: a progress notification, or the
    # answer to the request.
    def handle_message(message):
        if not isinstance(message, dict):
            return
        if message.get('method') == 'notifications/progress':
            params = message.get('params') or {}
            progress, total = params.get('progress'), params.get('total')
            if isinstance(progress, (int, float)) and isinstance(total, (int, float)):
                print(f'progress: {progress:g}/{total:g}', flush=True)
        elif 'method' not in message and message.get('id') == REQUEST_ID:
            show_answer(message)

    # Each event's data is one JSON-RPC message.
    def on_event(source, event):
        data = event.get_data()
        # The server's priming event: an id to resume from, and no message.
        if data == '':
            return
        try:
            message = json.loads(data)
        except ValueError:
            return              # not a JSON-RPC message
        handle_message(message)
        if call['answered']:
            source.close()      # the answer is all we wanted

    def on_error(source, error):
        response = source.get_last_response()
        body = source.get_last_response_body()
        refused = error.matches(Sse.error_quark(), Sse.Error.HTTP_STATUS)
        not_a_stream = error.matches(Sse.error_quark(), Sse.Error.CONTENT_TYPE)
        message = None
        if body is not None and (refused or not_a_stream):
            try:
                message = json.loads(body.get_data())
            except ValueError:
                pass

        # The server answered with one JSON message instead of a stream, as MCP
        # allows: for the source, the wrong content type; the answer is in the
        # body (its first 64 KiB).
        if message is not None and not_a_stream:
            handle_message(message)
            if call['answered']:
                return

        # A refused request: MCP servers say why in a JSON-RPC error,
        # {"jsonrpc": "2.0", "id": null, "error": {"code": …, "message": "…"}}.
        text = None
        if isinstance(message, dict) and refused:
            text = (message.get('error') or {}).get('message')
        if isinstance(text, str):
            print(f'error: {text} (HTTP {response.props.status_code})', file=sys.stderr)
        else:
            print(f'error: {error.message}', file=sys.stderr)
        call['failed'] = True

    def on_status(source, pspec):
        status = source.props.status
        if status == Sse.Status.RECONNECTING:
            print(f'reconnecting in {source.props.reconnect_delay} ms '
                  f'after event {source.props.last_event_id}', flush=True)
        elif status == Sse.Status.CLOSED:
            # RESUME_GET closes when there is no event ID to resume from.
            if not call['answered'] and not call['failed']:
                print('error: the stream ended before the answer, '
                      'with no event ID to resume from', file=sys.stderr)
            loop.quit()

    source.connect('event', on_event)
    source.connect('error', on_error)
    source.connect('notify::status', on_status)

    source.open()
    loop.run()
    return 0 if call['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
