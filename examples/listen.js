// listen.js: print the events of a Server-Sent Events stream as they arrive
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS twin of listen.c, as an ES module: connects to URL with an
// Sse.EventSource and prints every event and every change of status, in the
// same format:
//
//   status: connecting
//   status: open
//   event: tick id=1 data={"n": 1}
//   status: reconnecting in 312 ms (attempt 1)
//   status: closed
//
//   gjs -m listen.js [--max-events N] [--last-event-id ID] URL
//
// Exit status: 0 after --max-events events (or Ctrl-C), 1 when the source
// gave up by itself (an error such as a 404 answer), 2 for a usage error.
// With the library in a build tree, set GI_TYPELIB_PATH and LD_LIBRARY_PATH
// to <build>/sse-glib.

import GLib from 'gi://GLib';
import Sse from 'gi://Sse?version=1';
import System from 'system';

function usage(message) {
    printerr(`${message}\nUsage: gjs -m listen.js [--max-events N] [--last-event-id ID] URL`);
    System.exit(2);
}

function parseArgs(argv) {
    const args = {maxEvents: -1, lastEventId: null, url: null};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--max-events' || arg === '-n')
            args.maxEvents = Number.parseInt(argv[++i], 10);
        else if (arg === '--last-event-id')
            args.lastEventId = argv[++i];
        else if (arg.startsWith('-'))
            usage(`Unknown option ${arg}`);
        else if (args.url === null)
            args.url = arg;
        else
            usage('Give one URL');
    }
    if (args.url === null || Number.isNaN(args.maxEvents))
        usage('Give one URL');
    return args;
}

const args = parseArgs(System.programArgs);
const loop = new GLib.MainLoop(null, false);
const source = Sse.EventSource.new(args.url);
if (args.lastEventId !== null)
    source.last_event_id = args.lastEventId;

let nEvents = 0;
let done = false;

source.connect('event', (_source, event) => {
    const data = event.get_data().replaceAll('\n', '\\n');
    print(`event: ${event.get_event_type()} id=${event.get_id() ?? '-'} data=${data}`);
    nEvents++;
    if (args.maxEvents > 0 && nEvents >= args.maxEvents) {
        done = true;
        source.close();     // no event follows this
    }
});

// error is a GLib.Error: its domain is a quark (a number), its code one of
// the domain's enumeration, such as Sse.Error.HTTP_STATUS.
source.connect('error', (_source, error) => {
    print(`error: ${GLib.quark_to_string(error.domain)} ${error.code}: ${error.message}`);
});

source.connect('notify::status', () => {
    switch (source.status) {
    case Sse.Status.CONNECTING:
        print('status: connecting');
        break;
    case Sse.Status.OPEN:
        print('status: open');
        break;
    case Sse.Status.RECONNECTING:
        print(`status: reconnecting in ${source.reconnect_delay} ms (attempt ${source.reconnect_attempt})`);
        break;
    default:
        print('status: closed');
        loop.quit();
        break;
    }
});

GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
    done = true;
    source.close();
    return GLib.SOURCE_CONTINUE;
});

source.open();
loop.run();
if (!done)
    System.exit(1);
