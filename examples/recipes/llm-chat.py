#!/usr/bin/python3
# llm-chat.py: stream an answer from an OpenAI-style chat API
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   OPENAI_API_KEY=sk-… llm-chat.py [--model NAME] BASE-URL PROMPT
#
# The Python twin of llm-chat.c: POSTs PROMPT to BASE-URL/chat/completions
# with "stream": true, prints the answer as it arrives until `data: [DONE]`,
# and shows the API's own message when it refuses the request:
#
#   error: Incorrect API key provided: sk-wr***ng. (HTTP 401)
#
# Exit status: 0 after [DONE], 1 when the answer failed or was cut short,
# 2 for a usage error. With the library in a build tree, set
# GI_TYPELIB_PATH and LD_LIBRARY_PATH to <build>/sse-glib.

import argparse
import json
import locale
import os
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('Sse', '1')
from gi.repository import GLib, Soup, Sse  # noqa: E402


def main():
    try:
        locale.setlocale(locale.LC_ALL, '')
    except locale.Error:
        pass
    parser = argparse.ArgumentParser(description='Ask an OpenAI-style chat API.')
    parser.add_argument('-m', '--model', default='gpt-4o-mini')
    parser.add_argument('base_url')
    parser.add_argument('prompt')
    args = parser.parse_args()

    msg = Soup.Message.new('POST', args.base_url.rstrip('/') + '/chat/completions')
    if msg is None:
        print(f'error: “{args.base_url}” is not an http or https URL', file=sys.stderr)
        return 2
    api_key = os.environ.get('OPENAI_API_KEY')
    if api_key:
        msg.get_request_headers().replace('Authorization', f'Bearer {api_key}')

    body = json.dumps({
        'model': args.model,
        'stream': True,
        'messages': [{'role': 'user', 'content': args.prompt}],
    })
    source = Sse.EventSource.new_for_message(msg)
    source.set_request_body('application/json', GLib.Bytes.new(body.encode()))

    # A POST is never sent again once a stream opened (reconnect-mode AUTO);
    # a request refused with 429 or a server error, before anything was
    # generated, is: after Retry-After, at least 1 s, at most 3 times.
    source.props.retry_on_server_error = True
    source.props.reconnection_time = 1000
    source.props.max_reconnect_attempts = 3

    loop = GLib.MainLoop()
    chat = {'printed': False, 'done': False, 'failed': False}

    def on_event(source, event):
        data = event.get_data()
        if data == '[DONE]':
            chat['done'] = True
            source.close()          # the answer is complete
            return
        # {"choices": [{"delta": {"content": "Hel"}, …}], …}
        try:
            content = json.loads(data)['choices'][0]['delta'].get('content')
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return
        if isinstance(content, str):
            print(content, end='', flush=True)
            chat['printed'] = True

    def on_error(source, error):
        response = source.get_last_response()
        body = source.get_last_response_body()
        message = None
        # A refused request: the API says why in the JSON body of its answer,
        # {"error": {"message": "…", "type": "…", "code": …}}.
        if error.matches(Sse.error_quark(), Sse.Error.HTTP_STATUS) and body is not None:
            try:
                message = json.loads(body.get_data())['error']['message']
            except (ValueError, KeyError, TypeError):
                pass
        if isinstance(message, str):
            print(f'error: {message} (HTTP {response.props.status_code})', file=sys.stderr)
        else:
            print(f'error: {error.message}', file=sys.stderr)
        chat['failed'] = True

    def on_status(source, pspec):
        status = source.props.status
        if status == Sse.Status.CONNECTING:
            chat['failed'] = False
        elif status == Sse.Status.RECONNECTING:
            # Only after a 429 or a 5xx: a stream that opened is never sent again.
            print(f'retrying in {source.props.reconnect_delay} ms', file=sys.stderr)
        elif status == Sse.Status.CLOSED:
            if chat['printed']:
                print(flush=True)
            if not chat['done'] and not chat['failed']:
                print('error: the answer ended before [DONE]', file=sys.stderr)
            loop.quit()

    source.connect('event', on_event)
    source.connect('error', on_error)
    source.connect('notify::status', on_status)

    source.open()
    loop.run()
    return 0 if chat['done'] else 1


if __name__ == '__main__':
    sys.exit(main())
