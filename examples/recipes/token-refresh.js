// token-refresh.js: read a feed that wants a fresh bearer token on every connection
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
//   gjs -m token-refresh.js --token-file FILE [--max-events N] URL
//
// The GJS twin of token-refresh.c, as an ES module: reads the event stream
// at URL with X-Api-Version on every request (set once, on the template
// message) and the access token that a credential helper keeps fresh in
// FILE, read again before every attempt in prepare-request. Prints one
// line per event:
//
//   event: tick id=1 data={"n": 1}
//
// Exit status: 0 after N events, 1 when the source gave up (a refused
// token: 401), 2 for a usage error. With the library in a build tree, set
// GI_TYPELIB_PATH and LD_LIBRARY_PATH to <build>/sse-glib.

import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import Sse from 'gi://Sse?version=1';
import System from 'system';

const decoder = new TextDecoder();

function usage() {
    printerr('Usage: gjs -m token-refresh.js --token-file FILE [--max-events N] URL');
    System.exit(2);
}

const args = {tokenFile: null, maxEvents: -1, url: null};
const argv = System.programArgs;
for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--token-file' || argv[i] === '-t') && i + 1 < argv.length)
        args.tokenFile = argv[++i];
    else if ((argv[i] === '--max-events' || argv[i] === '-n') && i + 1 < argv.length)
        args.maxEvents = Number.parseInt(argv[++i], 10);
    else if (argv[i].startsWith('-') || args.url !== null)
        usage();
    else
        args.url = argv[i];
}
if (args.url === null || args.tokenFile === null || Number.isNaN(args.maxEvents))
    usage();

const msg = Soup.Message.new('GET', args.url);
if (msg === null) {
    printerr(`error: “${args.url}” is not an http or https URL`);
    System.exit(2);
}
// Headers that stay the same go on the template, sent with every request.
msg.get_request_headers().replace('X-Api-Version', '2024-10-01');
const source = Sse.EventSource.new_for_message(msg);

// Emitted before every attempt, reconnections included, with the request
// about to be sent: the place for headers that change.
source.connect('prepare-request', (_source, request) => {
    let token;
    try {
        const [, contents] = GLib.file_get_contents(args.tokenFile);
        token = decoder.decode(contents).trim();
    } catch (e) {
        // Sent without a token, the request is refused, and the error says why.
        printerr(`warning: no token: ${e.message}`);
        return;
    }
    request.get_request_headers().replace('Authorization', `Bearer ${token}`);
});

const loop = new GLib.MainLoop(null, false);
let nEvents = 0;
let done = false;

source.connect('event', (_source, event) => {
    print(`event: ${event.get_event_type()} id=${event.get_id() ?? '-'} data=${event.get_data()}`);
    if (args.maxEvents > 0 && ++nEvents >= args.maxEvents) {
        done = true;
        source.close();
    }
});

source.connect('error', (_source, error) => {
    printerr(`error: ${error.message}`);
});

source.connect('notify::status', () => {
    if (source.status === Sse.Status.CLOSED)
        loop.quit();
});

source.open();
loop.run();
System.exit(done ? 0 : 1);
