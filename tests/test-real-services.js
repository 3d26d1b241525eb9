// test-real-services.js: the streams real services send, from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// An LLM chat stream POSTed once with its body set on the Soup.Message, an
// API's JSON error read in the error handler, and MCP-style resumption
// with a GET and Last-Event-ID. Run with `gjs -m`; the main loop runs until
// a condition holds (no sleeps).

import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import Sse from 'gi://Sse?version=1';

import {assertEqual, guarded, run, runUntil, test} from './gjs-harness.js';

GLib.setenv('GIO_USE_NETWORK_MONITOR', 'base', true);

const CHAT = '{"model": "m", "stream": true}';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Answers each request with the next of the answers given (the last one
// for every later request), recording the requests.
class Server {
    constructor(answers) {
        this.answers = answers;
        this.requests = [];
        this.server = new Soup.Server();
        this.server.add_handler(null, guarded((...args) => this.handle(...args)));
        this.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
        this.port = this.server.get_uris()[0].get_port();
    }

    url(path) {
        return `http://127.0.0.1:${this.port}${path}`;
    }

    handle(server, msg) {
        const headers = msg.get_request_headers();
        const body = msg.get_request_body().flatten().get_data();
        this.requests.push({
            method: msg.get_method(),
            body: body ? decoder.decode(body) : '',
            contentType: headers.get_one('Content-Type'),
            lastEventId: headers.get_one('Last-Event-ID'),
            session: headers.get_one('Mcp-Session-Id'),
        });
        const [status, type, text] =
            this.answers[Math.min(this.requests.length, this.answers.length) - 1];
        msg.set_status(status, null);
        msg.set_response(type, Soup.MemoryUse.COPY, encoder.encode(text));
    }

    close() {
        this.server.disconnect();
    }
}

function chatSource(server) {
    // As a GJS user builds it: the body on the message.
    const msg = Soup.Message.new('POST', server.url('/v1/chat/completions'));
    msg.set_request_body_from_bytes('application/json', new GLib.Bytes(encoder.encode(CHAT)));
    return Sse.EventSource.new_for_message(msg);
}

test('an LLM chat stream is POSTed once', () => {
    const server = new Server([[200, 'text/event-stream',
        'data: {"delta": "Hel"}\n\ndata: {"delta": "lo"}\n\ndata: [DONE]\n\n']]);
    try {
        const source = chatSource(server);
        const events = [];
        const errors = [];
        source.connect('event', guarded((_s, event) => events.push(event.get_data())));
        source.connect('error', guarded((_s, error) => errors.push(error.message)));
        source.open();
        runUntil(() => source.status === Sse.Status.CLOSED, 'the end of the stream');
        assertEqual(events[events.length - 1], '[DONE]', 'the last event');
        assertEqual(errors, [], 'errors');
        assertEqual(server.requests.map(r => [r.method, r.body, r.contentType]),
            [['POST', CHAT, 'application/json']], 'one POST with its body');
    } finally {
        server.close();
    }
});

test("an API's error message, from the error handler", () => {
    const server = new Server([[429, 'application/json',
        '{"error": {"message": "Rate limit reached", "type": "requests"}}']]);
    try {
        const source = chatSource(server);
        const seen = [];
        source.connect('error', guarded(s => {
            const body = s.get_last_response_body();
            // status_code, not get_status(): libsoup 3.2's Soup.Status has
            // no 429, and GJS refuses values outside an enumeration.
            seen.push([s.get_last_response().status_code,
                JSON.parse(decoder.decode(body.get_data())).error.message]);
        }));
        source.open();
        runUntil(() => source.status === Sse.Status.CLOSED, 'the refusal');
        assertEqual(seen, [[429, 'Rate limit reached']], 'what the handler saw');
    } finally {
        server.close();
    }
});

test('MCP-style resumption with RESUME_GET', () => {
    const server = new Server([
        [200, 'text/event-stream', 'id: e1\ndata: {"n": 1}\n\n'],
        [200, 'text/event-stream', 'id: e2\ndata: {"n": 2}\n\n'],
        [200, 'text/event-stream', 'data: {"n": 3}\n\n'],
    ]);
    try {
        const msg = Soup.Message.new('POST', server.url('/mcp'));
        msg.get_request_headers().append('Mcp-Session-Id', 's1');
        msg.set_request_body_from_bytes('application/json',
            new GLib.Bytes(encoder.encode('{"id": 1}')));
        const source = Sse.EventSource.new_for_message(msg);
        source.reconnect_mode = Sse.ReconnectMode.RESUME_GET;
        source.reconnection_time = 1;
        let events = 0;
        source.connect('event', () => events++);
        source.open();
        runUntil(() => events === 3, 'three events');
        source.close();
        assertEqual(server.requests.slice(0, 3).map(r => [r.method, r.body, r.lastEventId, r.session]),
            [['POST', '{"id": 1}', null, 's1'], ['GET', '', 'e1', 's1'], ['GET', '', 'e2', 's1']],
            'a POST, then GETs that resume');
    } finally {
        server.close();
    }
});

run();
