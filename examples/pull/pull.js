// pull.js: take the events of a stream one at a time, at the program's pace
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS twin of pull.c, as an ES module: next_event_async() made into a
// promise with Gio._promisify(), an async generator over it, and
// `for await`. Prints each event as listen does, then "end", "cancelled"
// (Ctrl-C) or the error the source gave up with:
//
//   event: tick id=1 data={"n": 1}
//   end
//
//   gjs -m pull.js [--max-events N] [--work MS] [--max-queued-bytes BYTES] [--once] URL
//
// Exit status: 0 after --max-events events, at the end or on Ctrl-C, 1 when
// the source gave up (a 404 answer, say), 2 for a usage error. With the
// library in a build tree, set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
// <build>/sse-glib.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Sse from 'gi://Sse?version=1';
import System from 'system';

// Once per program: next_event_async() then returns a promise when it is
// called without a callback.
Gio._promisify(Sse.EventSource.prototype, 'next_event_async', 'next_event_finish');

// The events of a source, in order, for `for await`. The loop ends when
// the stream ends (or close()); it throws the error the source gave up
// with, or Gio.IOErrorEnum.CANCELLED.
async function* events(source, cancellable = null) {
    for (;;) {
        const event = await source.next_event_async(cancellable);
        if (event === null)
            return;
        yield event;
    }
}

function usage(message) {
    printerr(`${message}\nUsage: gjs -m pull.js [--max-events N] [--work MS] ` +
        '[--max-queued-bytes BYTES] [--once] URL');
    System.exit(2);
}

function parseArgs(argv) {
    const args = {maxEvents: -1, work: 0, maxQueuedBytes: 0, once: false, url: null};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--max-events' || arg === '-n')
            args.maxEvents = Number.parseInt(argv[++i], 10);
        else if (arg === '--work' || arg === '-w')
            args.work = Number.parseInt(argv[++i], 10);
        else if (arg === '--max-queued-bytes')
            args.maxQueuedBytes = Number.parseInt(argv[++i], 10);
        else if (arg === '--once')
            args.once = true;
        else if (arg.startsWith('-'))
            usage(`Unknown option ${arg}`);
        else if (args.url === null)
            args.url = arg;
        else
            usage('Give one URL');
    }
    if (args.url === null || [args.maxEvents, args.work, args.maxQueuedBytes].some(Number.isNaN))
        usage('Give one URL');
    return args;
}

// The work on an event: a timer stands for it here.
function work(ms) {
    return new Promise(resolve => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

function printEvent(event) {
    const data = event.get_data().replaceAll('\n', '\\n');
    print(`event: ${event.get_event_type()} id=${event.get_id() ?? '-'} data=${data}`);
}

async function pull(source, args, cancellable) {
    let nEvents = 0;
    try {
        for await (const event of events(source, cancellable)) {
            printEvent(event);
            if (++nEvents === args.maxEvents) {
                source.close();
                return 0;
            }
            // Meanwhile the source reads no further ahead than max-queued-bytes.
            if (args.work > 0)
                await work(args.work);
            // A pull whose cancellable is cancelled still gets an event that
            // was waiting (cancelling never loses one): Ctrl-C stops here.
            cancellable.set_error_if_cancelled();
        }
    } catch (e) {
        if (e instanceof GLib.Error && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)) {
            print('cancelled');
            return 0;
        }
        if (!(e instanceof GLib.Error))
            throw e;
        print(`error: ${GLib.quark_to_string(e.domain)} ${e.code}: ${e.message}`);
        return 1;
    }
    print('end');
    return 0;
}

const args = parseArgs(System.programArgs);
const loop = new GLib.MainLoop(null, false);
const cancellable = new Gio.Cancellable();
const source = Sse.EventSource.new(args.url);
if (args.once)
    source.reconnect_mode = Sse.ReconnectMode.NEVER;
if (args.maxQueuedBytes > 0)
    source.max_queued_bytes = args.maxQueuedBytes;

GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
    cancellable.cancel();
    return GLib.SOURCE_CONTINUE;
});

let status = 1;
source.open();
pull(source, args, cancellable).then(s => {
    status = s;
}, e => {
    logError(e);
}).finally(() => loop.quit());
loop.run();
System.exit(status);
