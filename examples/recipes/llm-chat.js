// llm-chat.js: stream an answer from an OpenAI-style chat API
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
//   OPENAI_API_KEY=sk-… gjs -m llm-chat.js [--model NAME] BASE-URL PROMPT
//
// The GJS twin of llm-chat.c, as an ES module: POSTs PROMPT to
// BASE-URL/chat/completions with "stream": true, prints the answer as it
// arrives until `data: [DONE]`, and shows the API's own message when it
// refuses the request:
//
//   error: Incorrect API key provided: sk-wr***ng. (HTTP 401)
//
// Exit status: 0 after [DONE], 1 when the answer failed or was cut short,
// 2 for a usage error. With the library in a build tree, set
// GI_TYPELIB_PATH and LD_LIBRARY_PATH to <build>/sse-glib.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import Sse from 'gi://Sse?version=1';
import System from 'system';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// print() ends every line: the answer is written as it comes, unbroken.
const stdout = new Gio.UnixOutputStream({fd: 1, close_fd: false});

function usage() {
    printerr('Usage: gjs -m llm-chat.js [--model NAME] BASE-URL PROMPT');
    System.exit(2);
}

const args = {model: 'gpt-4o-mini', positional: []};
for (let i = 0; i < System.programArgs.length; i++) {
    const arg = System.programArgs[i];
    if ((arg === '--model' || arg === '-m') && i + 1 < System.programArgs.length)
        args.model = System.programArgs[++i];
    else if (arg.startsWith('-'))
        usage();
    else
        args.positional.push(arg);
}
if (args.positional.length !== 2)
    usage();
const [baseUrl, prompt] = args.positional;

const msg = Soup.Message.new('POST', `${baseUrl.replace(/\/$/, '')}/chat/completions`);
if (msg === null) {
    printerr(`error: “${baseUrl}” is not an http or https URL`);
    System.exit(2);
}
const apiKey = GLib.getenv('OPENAI_API_KEY');
if (apiKey)
    msg.get_request_headers().replace('Authorization', `Bearer ${apiKey}`);

const body = JSON.stringify({
    model: args.model,
    stream: true,
    messages: [{role: 'user', content: prompt}],
});
const source = Sse.EventSource.new_for_message(msg);
source.set_request_body('application/json', new GLib.Bytes(encoder.encode(body)));

// A POST is never sent again once a stream opened (reconnect-mode AUTO);
// a request refused with 429 or a server error, before anything was
// generated, is: after Retry-After, at least 1 s, at most 3 times.
source.retry_on_server_error = true;
source.reconnection_time = 1000;
source.max_reconnect_attempts = 3;

const loop = new GLib.MainLoop(null, false);
let printed = false;
let done = false;
let failed = false;

source.connect('event', (_source, event) => {
    const data = event.get_data();
    if (data === '[DONE]') {
        done = true;
        source.close();     // the answer is complete
        return;
    }
    // {"choices": [{"delta": {"content": "Hel"}, …}], …}
    let content;
    try {
        content = JSON.parse(data).choices[0].delta.content;
    } catch {
        return;
    }
    if (typeof content === 'string') {
        stdout.write_all(encoder.encode(content), null);
        printed = true;
    }
});

source.connect('error', (_source, error) => {
    const response = source.get_last_response();
    const responseBody = source.get_last_response_body();
    let message;
    // A refused request: the API says why in the JSON body of its answer,
    // {"error": {"message": "…", "type": "…", "code": …}}.
    if (error.matches(Sse.Error, Sse.Error.HTTP_STATUS) && responseBody !== null) {
        try {
            message = JSON.parse(decoder.decode(responseBody.get_data())).error.message;
        } catch {}
    }
    // status_code, not get_status(): libsoup 3.2's Soup.Status has no 429,
    // and GJS refuses values outside an enumeration.
    if (typeof message === 'string')
        printerr(`error: ${message} (HTTP ${response.status_code})`);
    else
        printerr(`error: ${error.message}`);
    failed = true;
});

source.connect('notify::status', () => {
    switch (source.status) {
    case Sse.Status.CONNECTING:
        failed = false;
        break;
    case Sse.Status.RECONNECTING:
        // Only after a 429 or a 5xx: a stream that opened is never sent again.
        printerr(`retrying in ${source.reconnect_delay} ms`);
        break;
    case Sse.Status.CLOSED:
        if (printed)
            stdout.write_all(encoder.encode('\n'), null);
        if (!done && !failed)
            printerr('error: the answer ended before [DONE]');
        loop.quit();
        break;
    }
});

source.open();
loop.run();
System.exit(done ? 0 : 1);
