// test-core.js: SseEvent, SseParser and SseEncoder through GObject
// Introspection, as GJS applications use them.
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// An ES module for gjs 1.74: run with `gjs -m test-core.js`, with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the built library (meson
// sets both). Prints one "ok"/"not ok" line per test and exits with status
// 1 if any assertion failed, including one in a signal handler (GJS only
// logs exceptions thrown from callbacks, so every handler is wrapped).

import GLib from 'gi://GLib';
import Sse from 'gi://Sse?version=1';
import System from 'system';

import {assert, assertEqual, assertThrowsGError, fail, guarded, repr, run, test}
    from './gjs-harness.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(text) {
    return encoder.encode(text);
}

// Feeds @data to @parser and returns the events it emitted.
function parse(data, parser = new Sse.Parser()) {
    const events = [];
    const id = parser.connect('event', guarded((_parser, event) => events.push(event)));
    try {
        parser.feed(data);
    } finally {
        parser.disconnect(id);
    }
    return events;
}

// Version --------------------------------------------------------------------

test('/version', () => {
    const [major, minor, micro] = [Sse.MAJOR_VERSION, Sse.MINOR_VERSION, Sse.MICRO_VERSION];
    assertEqual(Sse.get_major_version(), major);
    assertEqual(Sse.get_minor_version(), minor);
    assertEqual(Sse.get_micro_version(), micro);
    assertEqual(`${major}.${minor}.${micro}`, Sse.VERSION_S);
    assert(Sse.check_version(major, minor, micro));
    assert(Sse.check_version(0, 0, 0));
    assert(!Sse.check_version(major, minor, micro + 1));
    assert(!Sse.check_version(major, minor + 1, 0));
    assert(!Sse.check_version(major + 1, 0, 0));
});

// Events ---------------------------------------------------------------------

test('/event/new', () => {
    const event = Sse.Event.new('hello');
    assertEqual(event.get_event_type(), 'message', 'default type');
    assertEqual(event.get_data(), 'hello', 'data');
    assertEqual(event.get_id(), null, 'id');
    assertEqual(event.get_last_event_id(), '', 'last event id');
    assertEqual(event.get_retry(), -1, 'retry');
    assertEqual(event.get_origin(), null, 'origin');
});

test('/event/new-full', () => {
    const event = Sse.Event.new_full('update', 'line 1\nline 2 ✓', -1, '42', 2500);
    assertEqual(event.get_event_type(), 'update', 'type');
    assertEqual(event.get_data(), 'line 1\nline 2 ✓', 'data');
    assertEqual(event.get_data_length(), bytes('line 1\nline 2 ✓').length, 'data length in bytes');
    assertEqual(event.get_id(), '42', 'id');
    assertEqual(event.get_retry(), 2500, 'retry');

    // new_full() makes any input representable: line breaks go away from
    // type and id, CRLF becomes LF in data.
    const cleaned = Sse.Event.new_full('up\ndate', 'a\r\nb', -1, '4\r2', -1);
    assertEqual(cleaned.get_event_type(), 'update', 'cleaned type');
    assertEqual(cleaned.get_data(), 'a\nb', 'cleaned data');
    assertEqual(cleaned.get_id(), '42', 'cleaned id');

    // A null type is "message"; the data length limits the data.
    const defaulted = Sse.Event.new_full(null, 'abcdef', 3, null, -1);
    assertEqual(defaulted.get_event_type(), 'message', 'null type');
    assertEqual(defaulted.get_data(), 'abc', 'data cut at data_len');
});

test('/event/equal-and-hash', () => {
    const a = Sse.Event.new_full(null, 'x', -1, null, -1);
    const b = Sse.Event.new_full('message', 'x', -1, null, -1);
    const c = Sse.Event.new_full(null, 'x', -1, '', -1);
    assert(a.equal(b), 'a null type equals "message"');
    assertEqual(a.hash(), b.hash(), 'equal events hash alike');
    assert(!a.equal(c), 'no id differs from an empty id');
});

test('/event/new-checked/error', () => {
    const error = assertThrowsGError(() => Sse.Event.new_checked('a\nb', 'x', -1, null, -1),
        Sse.error_quark(), Sse.Error.INVALID_EVENT, 'line break in the type');
    assertEqual(error.code, 1, 'Sse.Error.INVALID_EVENT is 1');
    assertThrowsGError(() => Sse.Event.new_checked(null, 'x', -1, 'id\r', -1),
        Sse.error_quark(), Sse.Error.INVALID_EVENT, 'line break in the id');
    assertThrowsGError(() => Sse.Event.new_checked(null, 'x', -1, null, -2),
        Sse.error_quark(), Sse.Error.INVALID_EVENT, 'negative retry');

    const event = Sse.Event.new_checked('t', 'a\nb', -1, '9', 100);
    assert(event.equal(Sse.Event.new_full('t', 'a\nb', -1, '9', 100)), 'a valid event is made');
});

// Parsing --------------------------------------------------------------------

test('/parser/feed', () => {
    const events = parse(bytes('event: greeting\ndata: hello\nid: 1\n\ndata: x\n\n'));
    assertEqual(events.length, 2, 'number of events');
    assertEqual(events[0].get_event_type(), 'greeting', 'first type');
    assertEqual(events[0].get_data(), 'hello', 'first data');
    assertEqual(events[0].get_id(), '1', 'first id');
    assertEqual(events[1].get_event_type(), 'message', 'second type');
    assertEqual(events[1].get_id(), null, 'second has no id');
    assertEqual(events[1].get_last_event_id(), '1', 'second inherits last event id');
});

test('/parser/feed/pieces', () => {
    // A byte order mark and a UTF-8 character split across feeds, CR LF
    // split across feeds, and a lone CR ending lines.
    const parser = new Sse.Parser();
    const data = [];
    parser.connect('event', guarded((_parser, event) => data.push(event.get_data())));
    for (const piece of [[0xef, 0xbb], [0xbf, ...bytes('data: '), 0xe2, 0x82],
        [0xac, 0x0d], [0x0a, ...bytes('data: 2'), 0x0d, 0x0d]])
        assert(parser.feed(new Uint8Array(piece)), 'feed() returns true');
    assertEqual(data, ['€\n2'], 'events');
});

test('/parser/data-bytes/nul', () => {
    const wire = new Uint8Array([...bytes('data: a'), 0, ...bytes('b\ndata:'), 0, ...bytes('\n\n')]);
    const events = parse(wire);
    assertEqual(events.length, 1, 'number of events');
    const data = events[0].get_data_bytes();
    assert(data instanceof GLib.Bytes, 'get_data_bytes() returns a GLib.Bytes');
    assertEqual(data.get_size(), 5, 'size of the bytes');
    assertEqual(data.toArray(), new Uint8Array([0x61, 0, 0x62, 0x0a, 0]), 'bytes, NUL included');
    assertEqual(events[0].get_data_length(), 5, 'data length');
});

test('/parser/invalid-utf8', () => {
    const events = parse(new Uint8Array([...bytes('data: '), 0xe2, 0x82, 0x78, 0xff, 0x0a, 0x0a]));
    assertEqual(events[0].get_data(), '\ufffdx\ufffd', 'decoded as browsers do');
});

test('/parser/signal/detailed', () => {
    const parser = new Sse.Parser();
    const updates = [];
    const everything = [];
    const never = [];
    parser.connect('event::update', guarded((_parser, event) => updates.push(event.get_data())));
    parser.connect('event', guarded((_parser, event) => everything.push(event.get_event_type())));
    parser.connect('event::never-sent', guarded((_parser, event) => never.push(event)));
    parser.feed(bytes('event: update\ndata: 1\n\ndata: 2\n\nevent: other\ndata: 3\n\n' +
        'event: update\ndata: 4\n\nevent: updates\ndata: 5\n\n'));
    assertEqual(updates, ['1', '4'], 'event::update sees only "update" events');
    assertEqual(everything, ['update', 'message', 'other', 'update', 'updates'],
        'event sees every event');
    assertEqual(never.length, 0, 'event::never-sent sees nothing');
});

test('/parser/signal/disconnect', () => {
    const parser = new Sse.Parser();
    const seen = [];
    const id = parser.connect('event::update', guarded((_parser, event) => seen.push(event.get_data())));
    parser.feed(bytes('event: update\ndata: 1\n\n'));
    parser.disconnect(id);
    parser.feed(bytes('event: update\ndata: 2\n\n'));
    assertEqual(seen, ['1'], 'nothing after disconnect()');
});

test('/parser/signal/comment', () => {
    const parser = new Sse.Parser();
    const comments = [];
    const events = [];
    parser.connect('comment', guarded((_parser, text) => comments.push(text)));
    parser.connect('event', guarded((_parser, event) => events.push(event.get_data())));
    parser.feed(bytes(': keep-alive\n:x\n:\ndata: after\n\n'));
    assertEqual(comments, ['keep-alive', 'x', ''], 'comments, one leading space removed');
    assertEqual(events, ['after'], 'comments are not events');
});

test('/parser/notify', () => {
    const parser = new Sse.Parser();
    const notified = [];
    parser.connect('notify::retry', guarded((p, pspec) => notified.push(`${pspec.name}=${p.retry}`)));
    parser.connect('notify::last-event-id',
        guarded((p, pspec) => notified.push(`${pspec.name}=${p.last_event_id}`)));
    assertEqual(parser.retry, -1, 'retry before any');
    assertEqual(parser.last_event_id, '', 'last-event-id before any');
    assertEqual(parser.max_event_size, Sse.PARSER_DEFAULT_MAX_EVENT_SIZE, 'max-event-size');

    parser.feed(bytes('retry: 2500\nid: 7\n\n'));
    assertEqual(parser.retry, 2500, 'retry');
    assertEqual(parser.get_retry(), 2500, 'get_retry()');
    assertEqual(parser.last_event_id, '7', 'last-event-id');
    assertEqual(notified, ['retry=2500', 'last-event-id=7'], 'notifications');

    // The same values again change nothing, and notify nothing.
    parser.feed(bytes('retry: 2500\nid: 7\n\n'));
    assertEqual(notified.length, 2, 'no notification without a change');

    parser.feed(bytes('retry: 10\n\n'));
    assertEqual(notified, ['retry=2500', 'last-event-id=7', 'retry=10'], 'notify::retry again');
});

test('/parser/seed-last-event-id', () => {
    const parser = new Sse.Parser();
    parser.last_event_id = '41';
    const events = parse(bytes('data: x\n\n'), parser);
    assertEqual(events[0].get_last_event_id(), '41', 'seeded last event id');
    assertEqual(events[0].get_id(), null, 'the event has no id of its own');
});

test('/parser/event-too-large', () => {
    const parser = new Sse.Parser();
    parser.max_event_size = 10;
    const events = [];
    parser.connect('event', guarded((_parser, event) => events.push(event.get_data())));
    assertThrowsGError(() => parser.feed(bytes('data: 0123456789abc\n\ndata: ok\n\n')),
        Sse.error_quark(), Sse.Error.EVENT_TOO_LARGE, 'feed() of a large event');
    assertEqual(events, ['ok'], 'the next event still arrives');
});

test('/parser/finish', () => {
    const parser = new Sse.Parser();
    const events = [];
    parser.connect('event', guarded((_parser, event) => events.push(event)));
    parser.feed(bytes('id: 1\ndata: pending\n'));
    parser.finish();
    parser.feed(bytes('\n'));
    assertEqual(events.length, 0, 'an unfinished event is discarded');
});

// Encoding -------------------------------------------------------------------

test('/encoder/event', () => {
    const enc = new Sse.Encoder();
    assertEqual(enc.line_ending, Sse.LineEnding.LF, 'default line ending');
    const wire = enc.encode_event(Sse.Event.new_full('update', 'a\nb', -1, '7', 3000));
    assert(wire instanceof GLib.Bytes, 'encode_event() returns a GLib.Bytes');
    assertEqual(decoder.decode(wire.toArray()),
        'event: update\nid: 7\nretry: 3000\ndata: a\ndata: b\n\n', 'wire format');

    enc.line_ending = Sse.LineEnding.CRLF;
    assertEqual(enc.get_line_ending(), Sse.LineEnding.CRLF, 'get_line_ending()');
    assertEqual(decoder.decode(enc.encode_event(Sse.Event.new(' x')).toArray()),
        'data:  x\r\n\r\n', 'CRLF, leading space kept');
});

test('/encoder/comment-and-retry', () => {
    const enc = new Sse.Encoder();
    assertEqual(decoder.decode(enc.encode_comment('a\nb').toArray()), ': ab\n', 'comment');
    assertEqual(decoder.decode(enc.encode_comment(null).toArray()), ':\n', 'empty comment');
    assertEqual(decoder.decode(enc.encode_retry(5000).toArray()), 'retry: 5000\n\n', 'retry');
});

test('/encoder/round-trip', () => {
    const enc = new Sse.Encoder();
    const originals = [
        Sse.Event.new('hello'),
        Sse.Event.new(''),
        Sse.Event.new_full('update', ' spaced\r\n\nlines ', -1, '', 0),
        Sse.Event.new_full('\ufeff😀', '\ufeff:😀\n:', -1, 'id:😀', 2 ** 40),
    ];
    for (const lineEnding of [Sse.LineEnding.LF, Sse.LineEnding.CRLF]) {
        enc.line_ending = lineEnding;
        for (const original of originals) {
            const wire = enc.encode_event(original).toArray();
            const what = `round trip of ${repr(decoder.decode(wire))}`;
            const events = parse(wire);
            assertEqual(events.length, 1, `${what}: number of events`);
            assert(events[0].equal(original), `${what}: equal()`);
            assertEqual(events[0].get_event_type(), original.get_event_type(), `${what}: type`);
            assertEqual(events[0].get_data(), original.get_data(), `${what}: data`);
            assertEqual(events[0].get_id(), original.get_id(), `${what}: id`);
            assertEqual(events[0].get_retry(), original.get_retry(), `${what}: retry`);
        }
    }
});

// Memory ---------------------------------------------------------------------

test('/gc', () => {
    // Events outlive the parser that made them; parsers whose handlers
    // capture them (a reference cycle through a closure) are collected.
    let kept = [];
    for (let i = 0; i < 200; i++) {
        const parser = new Sse.Parser();
        parser.connect('event', guarded((p, event) => {
            if (p !== parser)
                fail('the handler got another parser');
            kept.push(event);
        }));
        parser.connect('notify::retry', guarded(() => {}));
        parser.feed(bytes(`retry: ${i}\nid: ${i}\ndata: event ${i}\n\n`));
        // Unfinished input held by the parser when it goes away.
        parser.feed(bytes('data: never finished'));
    }
    System.gc();
    System.gc();
    assertEqual(kept.length, 200, 'one event per parser');
    kept.forEach((event, i) => {
        assertEqual(event.get_data(), `event ${i}`, 'data after collection');
        assertEqual(event.get_data_bytes().toArray(), bytes(`event ${i}`), 'bytes after collection');
    });
    const bytesAlone = kept[0].get_data_bytes();
    kept = null;
    System.gc();
    assertEqual(decoder.decode(bytesAlone.toArray()), 'event 0', 'GLib.Bytes outlives its event');
});

run();
