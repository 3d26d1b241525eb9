#!/usr/bin/python3
# listen.py: print the events of a Server-Sent Events stream as they arrive
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python twin of listen.c: connects to URL with an Sse.EventSource and
# prints every event and every change of status, in the same format:
#
#   status: connecting
#   status: open
#   event: tick id=1 data={"n": 1}
#   status: reconnecting in 312 ms (attempt 1)
#   status: closed
#
#   listen.py [--max-events N] [--last-event-id ID] URL
#
# Exit status: 0 after --max-events events (or Ctrl-C), 1 when the source
# gave up by itself (an error such as a 404 answer).
#
# Uses Debian's /usr/bin/python3, for which PyGObject is installed. With the
# library in a build tree, set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# <build>/sse-glib.

import argparse
import locale
import signal
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Sse', '1')
from gi.repository import GLib, Sse  # noqa: E402

STATUS_NAMES = {
    Sse.Status.CONNECTING: 'connecting',
    Sse.Status.OPEN: 'open',
    Sse.Status.CLOSED: 'closed',
}


def main():
    # The user's language: the library's messages are translated.
    try:
        locale.setlocale(locale.LC_ALL, '')
    except locale.Error:
        pass  # a locale the system does not have: stay in "C"
    parser = argparse.ArgumentParser(description='Print a stream of events.')
    parser.add_argument('-n', '--max-events', type=int, default=-1,
                        help='close and exit after N events')
    parser.add_argument('--last-event-id', help='resume the stream after this event ID')
    parser.add_argument('url')
    args = parser.parse_args()

    loop = GLib.MainLoop()
    source = Sse.EventSource.new(args.url)
    if args.last_event_id is not None:
        source.props.last_event_id = args.last_event_id
    state = {'events': 0, 'done': False}

    def on_event(source, event):
        data = event.get_data().replace('\n', '\\n')
        print(f'event: {event.get_event_type()} id={event.get_id() or "-"} data={data}',
              flush=True)
        state['events'] += 1
        if 0 < args.max_events <= state['events']:
            state['done'] = True
            source.close()      # no event follows this

    def on_error(source, error):
        # error is a GLib.Error: domain (a string), code and message.
        print(f'error: {error.domain} {error.code}: {error.message}', flush=True)

    def on_status(source, pspec):
        status = source.props.status
        if status == Sse.Status.RECONNECTING:
            print(f'status: reconnecting in {source.props.reconnect_delay} ms '
                  f'(attempt {source.props.reconnect_attempt})', flush=True)
        else:
            print(f'status: {STATUS_NAMES[status]}', flush=True)
        if status == Sse.Status.CLOSED:
            loop.quit()

    def on_sigint():
        state['done'] = True
        source.close()
        return GLib.SOURCE_CONTINUE

    source.connect('event', on_event)
    source.connect('error', on_error)
    source.connect('notify::status', on_status)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, on_sigint)

    source.open()
    loop.run()
    return 0 if state['done'] else 1


if __name__ == '__main__':
    sys.exit(main())
