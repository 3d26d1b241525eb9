#!/usr/bin/python3
# pull-asyncio.py: pull.py with asyncio, for PyGObject 3.50 or newer
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# From PyGObject 3.50 on, a GIO call made without a callback returns an
# awaitable, and gi.events has an asyncio event loop that runs GLib's main
# loop: `await source.next_event_async()` works (PyGObject still calls
# this support experimental). Debian 12's PyGObject 3.42 has neither: use
# pull.py, with callbacks, there; the test suite skips this program.
#
#   pull-asyncio.py [--max-events N] [--work MS] [--max-queued-bytes BYTES] [--once] URL
#
# Prints and exits as pull.py does.

import argparse
import asyncio
import locale
import signal
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Sse', '1')
from gi.events import GLibEventLoopPolicy  # noqa: E402
from gi.repository import Gio, GLib, Sse  # noqa: E402


def print_event(event):
    data = event.get_data().replace('\n', '\\n')
    print(f'event: {event.get_event_type()} id={event.get_id() or "-"} data={data}',
          flush=True)


async def pull(source, args, cancellable):
    n_events = 0
    try:
        # None: the stream ended (or close()); an error is raised.
        while (event := await source.next_event_async(cancellable)) is not None:
            print_event(event)
            n_events += 1
            if 0 < args.max_events <= n_events:
                source.close()
                return 0
            if args.work > 0:
                # The work on this event: meanwhile the source reads no
                # further ahead than max-queued-bytes.
                await asyncio.sleep(args.work / 1000)
            # A pull whose cancellable is cancelled still gets an event that
            # was waiting (cancelling never loses one): Ctrl-C stops here.
            cancellable.set_error_if_cancelled()
    except GLib.Error as error:
        if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            print('cancelled', flush=True)
            return 0
        print(f'error: {error.domain} {error.code}: {error.message}', flush=True)
        return 1
    print('end', flush=True)
    return 0


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

    source = Sse.EventSource.new(args.url)
    if args.once:
        source.props.reconnect_mode = Sse.ReconnectMode.NEVER
    if args.max_queued_bytes > 0:
        source.props.max_queued_bytes = args.max_queued_bytes

    policy = GLibEventLoopPolicy()
    asyncio.set_event_loop_policy(policy)
    loop = policy.get_event_loop()
    # Ctrl-C cancels the pull under way. (Cancelling the asyncio task
    # instead needs PyGObject 3.56.3 or newer: before, that raises a
    # TypeError.)
    cancellable = Gio.Cancellable()
    loop.add_signal_handler(signal.SIGINT, cancellable.cancel)
    source.open()
    return loop.run_until_complete(pull(source, args, cancellable))


if __name__ == '__main__':
    sys.exit(main())
