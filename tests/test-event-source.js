// test-event-source.js: SseEventSource through GObject Introspection, as a
// GJS application uses it, against a Soup.Server written in JS with
// Sse.ServerStream and Sse.Broadcaster.
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// An ES module for gjs 1.74: run with `gjs -m test-event-source.js`, with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the built library (meson
// sets both). The main loop runs until a condition holds (no sleeps), and
// a wait fails after 20 s. Prints one "ok"/"not ok" line per test and exits
// with status 1 if any assertion failed, including one in a signal handler
// (GJS only logs exceptions thrown from callbacks, so handlers are wrapped).

import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import Sse from 'gi://Sse?version=1';
import System from 'system';

import {assert, assertEqual, guarded, run, runUntil, test} from './gjs-harness.js';

// The network monitor of the machine has no say here (read when the first
// source opens).
GLib.setenv('GIO_USE_NETWORK_MONITOR', 'base', true);

const STATUS = {
    [Sse.Status.CONNECTING]: 'connecting',
    [Sse.Status.OPEN]: 'open',
    [Sse.Status.RECONNECTING]: 'reconnecting',
    [Sse.Status.CLOSED]: 'closed',
};

// The server -----------------------------------------------------------------
//
// /events     first request: retry 1500, "update" 1, a comment, "message" 2,
//             then the stream ends; a request with Last-Event-ID resumes
//             with "update" (no id) "three" and stays open
// /broadcast  a Sse.Broadcaster with replay: the test sends events and
//             drops clients as it likes; a heartbeat every 50 ms
// /text       200 OK, but text/plain
// anything    404 Not Found

class Server {
    constructor() {
        this.requests = [];
        this.streams = new Set();   // a stream lives as long as it is referenced
        this.broadcaster = new Sse.Broadcaster();
        this.broadcaster.replay_size = 100;
        this.server = new Soup.Server();
        this.server.add_handler(null, guarded((...args) => this.handle(...args)));
        this.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
        this.port = this.server.get_uris()[0].get_port();
    }

    url(path) {
        return `http://127.0.0.1:${this.port}${path}`;
    }

    handle(server, msg, path) {
        const lastEventId = msg.get_request_headers().get_one('Last-Event-ID');
        this.requests.push([path, lastEventId]);

        if (path === '/events') {
            const stream = Sse.ServerStream.new(msg);
            assertEqual(stream.last_event_id, lastEventId ?? '', 'the stream reads Last-Event-ID');
            if (lastEventId === null) {
                stream.send_retry(1500);
                stream.send('update', 'one', '1');
                stream.send_comment('a comment');
                stream.send(null, 'two', '2');
                stream.close();
            } else {
                stream.send('update', 'three', null);
                this.streams.add(stream);
                stream.connect('closed', () => this.streams.delete(stream));
            }
        } else if (path === '/broadcast') {
            const stream = this.broadcaster.add_message(msg);
            stream.heartbeat_interval = 50;
        } else if (path === '/text') {
            msg.set_response('text/plain', Soup.MemoryUse.COPY, new TextEncoder().encode('hello'));
            msg.set_status(200, null);
        } else {
            msg.set_status(404, null);
        }
    }

    close() {
        this.broadcaster.close_all();
        for (const stream of this.streams)
            stream.close();
        this.streams.clear();
        this.server.disconnect();
    }
}

// Records what a source does, in order.
function record(source) {
    const log = {events: [], updates: [], comments: [], statuses: [], errors: [], order: []};
    source.connect('event', guarded((s, event) => {
        assert(s === source, 'the handler gets the source');
        log.events.push([event.get_event_type(), event.get_data(), event.get_id(),
            event.get_last_event_id()]);
        log.order.push(`event ${event.get_data()}`);
    }));
    source.connect('event::update', guarded((_s, event) => {
        assertEqual(event.get_event_type(), 'update', 'event::update only sees updates');
        log.updates.push(event.get_data());
    }));
    source.connect('comment', guarded((_s, text) => log.comments.push(text)));
    source.connect('error', guarded((s, error) => {
        // The error comes while the status is still the failed attempt's.
        log.errors.push({error, status: STATUS[s.status]});
        log.order.push(`error ${error.code}`);
    }));
    source.connect('notify::status', guarded(s => {
        log.statuses.push(STATUS[s.status]);
        log.order.push(`status ${STATUS[s.status]}`);
    }));
    return log;
}

// Tests ----------------------------------------------------------------------

test('/event-source/defaults', () => {
    const source = Sse.EventSource.new('http://127.0.0.1:1/feed');
    assertEqual(source.status, Sse.Status.CLOSED, 'status');
    assertEqual(source.url, 'http://127.0.0.1:1/feed', 'url');
    assertEqual(source.get_url(), 'http://127.0.0.1:1/feed', 'get_url()');
    assertEqual(source.last_event_id, '', 'last-event-id');
    assertEqual(source.reconnection_time, 3000, 'reconnection-time');
    assertEqual(source.max_reconnection_time, 30000, 'max-reconnection-time');
    assertEqual(source.max_reconnect_attempts, -1, 'max-reconnect-attempts');
    assertEqual(source.get_session().timeout, 0, 'the own session has no I/O timeout');
    assertEqual(Sse.EVENT_SOURCE_HEALTHY_TIME, 5000, 'SSE_EVENT_SOURCE_HEALTHY_TIME');

    // Set from JS, to resume after a restart.
    const notified = [];
    source.connect('notify::last-event-id', s => notified.push(s.last_event_id));
    source.last_event_id = 'resume-here';
    assertEqual(source.get_last_event_id(), 'resume-here', 'last-event-id set from JS');
    assertEqual(notified, ['resume-here'], 'notify::last-event-id');

    // A session of our own, with the construct-only property.
    const session = new Soup.Session({timeout: 0});
    const given = new Sse.EventSource({url: 'http://127.0.0.1:1/feed', session});
    assert(given.get_session() === session, 'the given session is used');
});

test('/event-source/reconnect-cycle', () => {
    const server = new Server();
    try {
        const source = Sse.EventSource.new(server.url('/events'));
        const log = record(source);
        const backoffs = [];
        source.set_backoff_func(guarded((s, attempt, reconnectionTime) => {
            assert(s === source, 'the backoff function gets the source');
            backoffs.push([attempt, reconnectionTime, STATUS[s.status]]);
            log.order.push(`backoff ${attempt}`);
            return 10;
        }));

        source.open();
        // open() has moved to connecting before it returns.
        assertEqual(log.statuses, ['connecting'], 'status right after open()');
        runUntil(() => log.events.length === 3, 'three events');

        assertEqual(log.events, [
            ['update', 'one', '1', '1'],
            ['message', 'two', '2', '2'],
            ['update', 'three', null, '2'],
        ], 'events, with their ids and the last event ID');
        assertEqual(log.updates, ['one', 'three'], 'event::update');
        // Each stream starts with an empty comment, which gets the headers
        // out at once.
        assertEqual(log.comments, ['', 'a comment', ''], 'comments');
        // The stream ended normally: no error, one reconnection, with the
        // delay the JS function returned (not the 1500 ms the server asked
        // for, which it was given).
        assertEqual(log.errors.length, 0, 'no error for a stream that ends');
        assertEqual(backoffs, [[1, 1500, 'open']], 'the backoff function was called once');
        assertEqual(source.reconnection_time, 1500, 'retry: from the server');
        assertEqual(source.reconnect_attempt, 1, 'reconnect-attempt');
        assertEqual(source.reconnect_delay, 10, 'reconnect-delay is what the JS function returned');
        assertEqual(log.order, [
            'status connecting', 'status open', 'event one', 'event two',
            'backoff 1', 'status reconnecting',
            'status connecting', 'status open', 'event three',
        ], 'the order of things');
        assertEqual(server.requests, [['/events', null], ['/events', '2']],
            'the reconnection sent Last-Event-ID');
        assertEqual(source.last_event_id, '2', 'last-event-id');

        source.close();
        assertEqual(source.status, Sse.Status.CLOSED, 'closed at once');
        assertEqual(log.statuses.at(-1), 'closed', 'notify::status for close()');
        assertEqual(log.errors.length, 0, 'close() emits no error');
    } finally {
        server.close();
    }
});

test('/event-source/broadcaster-replay', () => {
    // A full cycle through a Broadcaster: events, the server drops every
    // client, more events while the client is away, and the client comes
    // back with Last-Event-ID and gets exactly what it missed.
    const server = new Server();
    try {
        const source = Sse.EventSource.new(server.url('/broadcast'));
        const log = record(source);
        source.set_backoff_func(() => 20);

        source.open();
        runUntil(() => server.broadcaster.n_streams === 1, 'the client to be added');
        for (let i = 1; i <= 3; i++)
            server.broadcaster.send('tick', `${i}`, `${i}`);
        runUntil(() => log.events.length === 3, 'three events');

        server.broadcaster.close_all();
        assertEqual(server.broadcaster.n_streams, 0, 'no client after close_all()');
        server.broadcaster.send('tick', '4', '4');
        server.broadcaster.send('tick', '5', '5');
        runUntil(() => log.events.length === 5, 'the missed events, replayed');
        server.broadcaster.send('tick', '6', '6');
        runUntil(() => log.events.length === 6, 'a live event after the replay');

        assertEqual(log.events.map(e => e[1]), ['1', '2', '3', '4', '5', '6'],
            'every event exactly once, in order');
        assertEqual(server.requests, [['/broadcast', null], ['/broadcast', '3']],
            'requests');
        assertEqual(log.statuses, ['connecting', 'open', 'reconnecting', 'connecting', 'open'],
            'notify::status through the cycle');
        assertEqual(log.errors.length, 0, 'no error');
        source.close();
    } finally {
        server.close();
    }
});

test('/event-source/error/http-status', () => {
    const server = new Server();
    try {
        const source = Sse.EventSource.new(server.url('/missing'));
        const log = record(source);
        source.open();
        runUntil(() => source.status === Sse.Status.CLOSED, 'the source to close');

        assertEqual(log.errors.length, 1, 'one error');
        const {error, status} = log.errors[0];
        assert(error instanceof GLib.Error, 'the error is a GLib.Error');
        assertEqual(error.domain, Sse.error_quark(), 'domain');
        assertEqual(GLib.quark_to_string(error.domain), 'sse-error-quark', 'domain name');
        assertEqual(error.code, Sse.Error.HTTP_STATUS, 'code');
        assert(error.matches(Sse.error_quark(), Sse.Error.HTTP_STATUS), 'matches()');
        assert(error.matches(Sse.Error, Sse.Error.HTTP_STATUS), 'matches() with the enum');
        assert(error.message.includes('404'), `the message names the status: ${error.message}`);
        assertEqual(status, 'connecting', 'status while the error is emitted');
        assertEqual(log.order, ['status connecting', 'error 3', 'status closed'],
            'a 404 closes the source for good');
        assertEqual(server.requests.length, 1, 'no retry');
    } finally {
        server.close();
    }
});

test('/event-source/error/content-type', () => {
    const server = new Server();
    try {
        const source = Sse.EventSource.new(server.url('/text'));
        const log = record(source);
        source.open();
        runUntil(() => source.status === Sse.Status.CLOSED, 'the source to close');
        assertEqual(log.errors.length, 1, 'one error');
        assert(log.errors[0].error.matches(Sse.Error, Sse.Error.CONTENT_TYPE),
            `CONTENT_TYPE, got ${log.errors[0].error}`);
        assert(log.errors[0].error.message.includes('text/plain'), 'the message names the type');
    } finally {
        server.close();
    }
});

test('/event-source/error/too-many-attempts', () => {
    // Nothing listens on the port any more: every attempt fails with a
    // G_IO_ERROR, then the source gives up.
    const server = new Server();
    const url = server.url('/events');
    server.close();

    const source = Sse.EventSource.new(url);
    const log = record(source);
    const attempts = [];
    source.max_reconnect_attempts = 2;
    source.set_backoff_func((_s, attempt) => {
        attempts.push(attempt);
        return 1;
    });
    source.open();
    runUntil(() => source.status === Sse.Status.CLOSED, 'the source to give up');

    const errors = log.errors.map(({error}) => [GLib.quark_to_string(error.domain), error.code]);
    assertEqual(errors.length, 4, `three failed attempts and the final error: ${errors}`);
    for (const [domain] of errors.slice(0, 3))
        assertEqual(domain, 'g-io-error-quark', 'a failed connection is a G_IO_ERROR');
    assertEqual(errors[3], ['sse-error-quark', Sse.Error.TOO_MANY_ATTEMPTS], 'the final error');
    assertEqual(attempts, [1, 2], 'the backoff counts the attempts');
    assertEqual(log.statuses, ['connecting', 'reconnecting', 'connecting', 'reconnecting',
        'connecting', 'closed'], 'statuses');
});

test('/event-source/gc', () => {
    const server = new Server();
    try {
        // Open sources dropped by JS, with signal handlers and a backoff
        // function (replaced once: the first closure is freed then):
        // collected, their connections closed, their handlers silent.
        let events = 0, statusCalls = 0;
        for (let i = 0; i < 5; i++) {
            let source = Sse.EventSource.new(server.url('/broadcast'));
            source.connect('event', () => events++);
            source.connect('notify::status', () => statusCalls++);
            source.set_backoff_func(() => 1000);
            source.set_backoff_func(s => s.reconnection_time);
            source.open();
            source = null;
        }
        runUntil(() => server.broadcaster.n_streams === 5, 'five clients');
        server.broadcaster.send('tick', '1', '1');
        runUntil(() => events === 5, 'one event for each client');
        const statusCallsBefore = statusCalls;

        System.gc();
        // The server notices that the clients went away at its next
        // heartbeat (50 ms here).
        runUntil(() => server.broadcaster.n_streams === 0,
            'the collected sources to close their connections');
        server.broadcaster.send('tick', '2', '2');
        assertEqual(events, 5, 'no event after collection');
        assertEqual(statusCalls, statusCallsBefore, 'no notify::status after collection');

        // Events outlive their source.
        let source = Sse.EventSource.new(server.url('/events'));
        const kept = [];
        source.connect('event', (_s, event) => kept.push(event));
        source.set_backoff_func(() => 0);
        source.open();
        runUntil(() => kept.length === 3, 'three events');
        source = null;
        System.gc();
        assertEqual(kept.map(e => [e.get_data(), e.get_last_event_id()]),
            [['one', '1'], ['two', '2'], ['three', '2']], 'events after their source is gone');
    } finally {
        server.close();
    }
    System.gc();
});

run();
