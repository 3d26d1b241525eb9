#!/usr/bin/python3
# token-refresh.py: read a feed that wants a fresh bearer token on every connection
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   token-refresh.py --token-file FILE [--max-events N] URL
#
# The Python twin of token-refresh.c: reads the event stream at URL with
# X-Api-Version on every request (set once, on the template message) and
# the access token that a credential helper keeps fresh in FILE, read again
# before every attempt in prepare-request. Prints one line per event:
#
#   event: tick id=1 data={"n": 1}
#
# Exit status: 0 after N events, 1 when the source gave up (a refused
# token: 401), 2 for a usage error. With the library in a build tree, set
# GI_TYPELIB_PATH and LD_LIBRARY_PATH to <build>/sse-glib.

import argparse
import locale
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
    parser = argparse.ArgumentParser(description='Read a feed with a token.')
    parser.add_argument('-t', '--token-file', required=True)
    parser.add_argument('-n', '--max-events', type=int, default=-1)
    parser.add_argument('url')
    args = parser.parse_args()

    msg = Soup.Message.new('GET', args.url)
    if msg is None:
        print(f'error: “{args.url}” is not an http or https URL', file=sys.stderr)
        return 2
    # Headers that stay the same go on the template, sent with every request.
    msg.get_request_headers().replace('X-Api-Version', '2024-10-01')
    source = Sse.EventSource.new_for_message(msg)

    # Emitted before every attempt, reconnections included, with the request
    # about to be sent: the place for headers that change.
    def on_prepare_request(source, msg):
        try:
            with open(args.token_file, encoding='utf-8') as f:
                token = f.read().strip()
        except OSError as e:
            # Sent without a token, the request is refused, and the error says why.
            print(f'warning: no token: {e}', file=sys.stderr)
            return
        msg.get_request_headers().replace('Authorization', f'Bearer {token}')

    loop = GLib.MainLoop()
    feed = {'events': 0, 'done': False}

    def on_event(source, event):
        print(f'event: {event.get_event_type()} id={event.get_id() or "-"} '
              f'data={event.get_data()}', flush=True)
        feed['events'] += 1
        if 0 < args.max_events <= feed['events']:
            feed['done'] = True
            source.close()

    def on_error(source, error):
        print(f'error: {error.message}', file=sys.stderr)

    def on_status(source, pspec):
        if source.props.status == Sse.Status.CLOSED:
            loop.quit()

    source.connect('prepare-request', on_prepare_request)
    source.connect('event', on_event)
    source.connect('error', on_error)
    source.connect('notify::status', on_status)

    source.open()
    loop.run()
    return 0 if feed['done'] else 1


if __name__ == '__main__':
    sys.exit(main())
