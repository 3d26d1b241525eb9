#!/usr/bin/python3
# pull.py: take the events of a stream one at a time, at the program's pace
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python twin of pull.c, with callbacks: Debian 12's PyGObject (3.42)
# cannot await GIO calls (pull-asyncio.py does, with PyGObject 3.50 or
# newer). Prints each event as listen does, then "end", "cancelled" (Ctrl-C)
# or the error the source gave up with:
#
#   event: tick id=1 data={"n": 1}
#   end
#
#   pull.py [--max-events N] [--work MS] [--max-queued-bytes BYTES] [--once] URL
#
# Exit status: 0 after --max-events events, at the end or on Ctrl-C, 1 when
# the source gave up (a 404 answer, say), 2 for a usage error.
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
gi.require_version('Gio', '2.0')
gi.require_version('Sse', '1')
from gi.repository import Gio, GLib, Sse  # noqa: E402


def print_event(event):
    data = event.get_data().replace('\n', '\\n')
    print(f'event: {event.get_event_type()} id={event.get_id() or "-"} data={data}',
          flush=True)


def main():
    try:
        locale.setlocale(locale.LC_ALL, '')
    except locale.Error:
        pass  # a locale the system does not have: stay in "C"
    parser = argparse.ArgumentParser(description='Take the events of a stream.')
    parser.add_argument('-n', '--max-events', type=int, default=-1,
                        help='close and exit after N events')
    parser.add_argument('-w', '--work', type=int, default=0,
                        help='work on each event for MS milliseconds')
    parser.add_argument('--max-queued-bytes', type=int, default=0,
                        help='keep at most this much for the program')
    parser.add_argument('--once', action='store_true', help='read one stream: do not reconnect')
    parser.add_argument('url')
    args = parser.parse_args()

    loop = GLib.MainLoop()
    cancellable = Gio.Cancellable()
    source = Sse.EventSource.new(args.url)
    if args.once:
        source.props.reconnect_mode = Sse.ReconnectMode.NEVER
    if args.max_queued_bytes > 0:
        source.props.max_queued_bytes = args.max_queued_bytes
    state = {'events': 0, 'failed': False}

    def finish(error):
        if error is None:
            print('end', flush=True)
        elif error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            print('cancelled', flush=True)
        else:
            print(f'error: {error.domain} {error.code}: {error.message}', flush=True)
            state['failed'] = True
        loop.quit()

    def on_next_event(source, result):
        try:
            event = source.next_event_finish(result)
        except GLib.Error as error:
            finish(error)       # the source gave up, or the pull was cancelled
            return
        if event is None:
            finish(None)        # the stream ended (or close())
            return

        print_event(event)
        state['events'] += 1
        if 0 < args.max_events <= state['events']:
            source.close()
            loop.quit()
            return

        # The work on this event; the next one is asked for when it is done.
        if args.work > 0:
            GLib.timeout_add(args.work, work_done)
        else:
            pull_next()

    def work_done():
        pull_next()
        return GLib.SOURCE_REMOVE

    def pull_next():
        # A pull whose cancellable is cancelled still gets an event that was
        # waiting (cancelling never loses one): Ctrl-C stops the loop here.
        try:
            cancellable.set_error_if_cancelled()
        except GLib.Error as error:
            finish(error)
            return
        source.next_event_async(cancellable, on_next_event)

    def on_sigint():
        cancellable.cancel()
        return GLib.SOURCE_CONTINUE

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, on_sigint)

    # The first pull, before the main loop runs: from now on the source
    # keeps every event for the pulls.
    source.open()
    pull_next()
    loop.run()
    return 1 if state['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
