// mcp-resume.js: call a tool of an MCP server, resuming its answer's stream
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
//   gjs -m mcp-resume.js --session-id ID URL TOOL [ARGUMENTS-JSON]
//
// The GJS twin of mcp-resume.c, as an ES module: POSTs a JSON-RPC
// "tools/call" to the MCP endpoint URL in session ID, with
// `Accept: application/json, text/event-stream`; when the server ends the
// answer's stream early, the source resumes with a GET and Last-Event-ID
// (reconnect-mode RESUME_GET), never POSTing again; an answer in plain JSON
// is read too. Prints the progress, each reconnection and the result:
//
//   progress: 1/3
//   reconnecting in 50 ms after event 1-1
//   result: Counted to 3.
//
// Exit status: 0 after the result, 1 after an error, 2 for a usage error.
// With the library in a build tree, set GI_TYPELIB_PATH and LD_LIBRARY_PATH
// to <build>/sse-glib.

import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import Sse from 'gi://Sse?version=1';
import System from 'system';

const REQUEST_ID = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function usage() {
    printerr('Usage: gjs -m mcp-resume.js --session-id ID URL TOOL [ARGUMENTS-JSON]');
    System.exit(2);
}

let sessionId = null;
const positional = [];
const argv = System.programArgs;
for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--session-id' || argv[i] === '-s') && i + 1 < argv.length)
        sessionId = argv[++i];
    else if (argv[i].startsWith('-'))
        usage();
    else
        positional.push(argv[i]);
}
if (sessionId === null || positional.length < 2 || positional.length > 3)
    usage();
const [url, tool, argumentsJson = '{}'] = positional;
let toolArguments;
try {
    toolArguments = JSON.parse(argumentsJson);
} catch {}
if (typeof toolArguments !== 'object' || toolArguments === null || Array.isArray(toolArguments)) {
    printerr('error: the arguments must be a JSON object');
    System.exit(2);
}

const msg = Soup.Message.new('POST', url);
if (msg === null) {
    printerr(`error: “${url}” is not an http or https URL`);
    System.exit(2);
}
const headers = msg.get_request_headers();
headers.replace('Accept', 'application/json, text/event-stream');
headers.replace('Mcp-Session-Id', sessionId);
headers.replace('MCP-Protocol-Version', '2025-06-18');
// Sent once, with the template itself: the source resumes with GETs.
const request = JSON.stringify({
    jsonrpc: '2.0', id: REQUEST_ID, method: 'tools/call',
    params: {name: tool, arguments: toolArguments, _meta: {progressToken: 1}},
});
msg.set_request_body_from_bytes('application/json', new GLib.Bytes(encoder.encode(request)));

const source = Sse.EventSource.new_for_message(msg);
source.reconnect_mode = Sse.ReconnectMode.RESUME_GET;
// Five failed attempts in a row end it; an attempt that brought an event
// starts the count again.
source.max_reconnect_attempts = 5;

const loop = new GLib.MainLoop(null, false);
let answered = false;
let ok = false;
let failed = false;

function showAnswer(message) {
    answered = true;
    if (typeof message.error === 'object' && message.error !== null) {
        printerr(`error: ${message.error.message} (JSON-RPC error ${message.error.code})`);
        failed = true;
        return;
    }
    for (const item of message.result?.content ?? []) {
        if (typeof item?.text === 'string')
            print(`result: ${item.text}`);
    }
    ok = true;
}

// One JSON-RPC message from the server: a progress notification, or the
// answer to the request.
function handleMessage(message) {
    if (typeof message !== 'object' || message === null)
        return;
    if (message.method === 'notifications/progress') {
        const {progress, total} = message.params ?? {};
        if (typeof progress === 'number' && typeof total === 'number')
            print(`progress: ${progress}/${total}`);
    } else if (!('method' in message) && message.id === REQUEST_ID) {
        showAnswer(message);
    }
}

// Each event's data is one JSON-RPC message.
source.connect('event', (_source, event) => {
    const data = event.get_data();
    // The server's priming event: an id to resume from, and no message.
    if (data === '')
        return;
    let message;
    try {
        message = JSON.parse(data);
    } catch {
        return;     // not a JSON-RPC message
    }
    handleMessage(message);
    if (answered)
        source.close();     // the answer is all we wanted
});

source.connect('error', (_source, error) => {
    const response = source.get_last_response();
    const body = source.get_last_response_body();
    const refused = error.matches(Sse.Error, Sse.Error.HTTP_STATUS);
    const notAStream = error.matches(Sse.Error, Sse.Error.CONTENT_TYPE);
    let message = null;
    if (body !== null && (refused || notAStream)) {
        try {
            message = JSON.parse(decoder.decode(body.get_data()));
        } catch {}
    }

    // The server answered with one JSON message instead of a stream, as MCP
    // allows: for the source, the wrong content type; the answer is in the
    // body (its first 64 KiB).
    if (message !== null && notAStream) {
        handleMessage(message);
        if (answered)
            return;
    }

    // A refused request: MCP servers say why in a JSON-RPC error,
    // {"jsonrpc": "2.0", "id": null, "error": {"code": …, "message": "…"}}.
    const text = refused ? message?.error?.message : undefined;
    // status_code, not get_status(): libsoup 3.2's Soup.Status lacks some
    // codes (429), and GJS refuses values outside an enumeration.
    if (typeof text === 'string')
        printerr(`error: ${text} (HTTP ${response.status_code})`);
    else
        printerr(`error: ${error.message}`);
    failed = true;
});

source.connect('notify::status', () => {
    switch (source.status) {
    case Sse.Status.RECONNECTING:
        print(`reconnecting in ${source.reconnect_delay} ms after event ${source.last_event_id}`);
        break;
    case Sse.Status.CLOSED:
        // RESUME_GET closes when there is no event ID to resume from.
        if (!answered && !failed)
            printerr('error: the stream ended before the answer, with no event ID to resume from');
        loop.quit();
        break;
    }
});

source.open();
loop.run();
System.exit(ok ? 0 : 1);
