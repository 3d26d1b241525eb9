// test-pull.js: pulling events with `for await`, from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The async generator a JavaScript program writes over
// next_event_async(), promisified with Gio._promisify(). Run with
// `gjs -m`; the main loop runs until the promise settles (no sleeps).

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import Sse from 'gi://Sse?version=1';

import {assertEqual, fail, run, test} from './gjs-harness.js';

GLib.setenv('GIO_USE_NETWORK_MONITOR', 'base', true);
Gio._promisify(Sse.EventSource.prototype, 'next_event_async', 'next_event_finish');

const encoder = new TextEncoder();

// The helper of the "Pulling events" guide.
async function* events(source, cancellable = null) {
    for (;;) {
        const event = await source.next_event_async(cancellable);
        if (event === null)
            return;
        yield event;
    }
}

function runUntilSettled(promise, what) {
    let settled = false, value, error;
    promise.then(v => {
        settled = true;
        value = v;
    }, e => {
        settled = true;
        error = e;
    });
    const context = GLib.MainContext.default();
    let expired = false;
    const id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 20000, () => {
        expired = true;
        return GLib.SOURCE_REMOVE;
    });
    while (!settled) {
        if (expired)
            fail(`timed out waiting for ${what}`);
        context.iteration(true);
    }
    if (!expired)
        GLib.source_remove(id);
    if (error)
        throw error;
    return value;
}

function serve(...answers) {
    const server = new Soup.Server();
    let n = 0;
    server.add_handler(null, (_server, msg) => {
        const [status, text] = answers[Math.min(++n, answers.length) - 1];
        msg.set_status(status, null);
        msg.set_response('text/event-stream', Soup.MemoryUse.COPY, encoder.encode(text));
    });
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    return [server, `http://127.0.0.1:${server.get_uris()[0].get_port()}/`];
}

test('for await over a one-shot stream, in order', () => {
    let text = '';
    for (let i = 1; i <= 50; i++)
        text += `id: ${i}\ndata: ${i}\n\n`;
    const [server, url] = serve([200, text]);
    try {
        const source = Sse.EventSource.new(url);
        source.reconnect_mode = Sse.ReconnectMode.NEVER;
        source.open();
        const seen = runUntilSettled((async () => {
            const data = [];
            for await (const event of events(source))
                data.push(event.get_data());
            return data;
        })(), 'the end of the stream');
        assertEqual(seen, Array.from({length: 50}, (_, i) => `${i + 1}`), 'the events');
    } finally {
        server.disconnect();
    }
});

test('for await across a reconnection, and a failure at the end', () => {
    const [server, url] = serve([200, 'id: 1\ndata: a\n\n'], [200, 'id: 2\ndata: b\n\n'],
        [404, '']);
    try {
        const source = Sse.EventSource.new(url);
        source.reconnection_time = 1;
        source.open();
        const data = [];
        let caught = null;
        runUntilSettled((async () => {
            try {
                for await (const event of events(source))
                    data.push(event.get_data());
            } catch (e) {
                caught = e;
            }
        })(), 'the failure');
        assertEqual(data, ['a', 'b'], 'the events before the failure');
        assertEqual(caught?.matches(Sse.Error, Sse.Error.HTTP_STATUS), true, 'a 404');
    } finally {
        server.disconnect();
    }
});

run();
