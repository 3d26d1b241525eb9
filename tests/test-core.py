#!/usr/bin/python3
# test-core.py: SseEvent, SseParser and SseEncoder through GObject
# Introspection, as Python applications use them.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the
# freshly built library.

import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Sse', '1')
from gi.repository import GLib, Sse  # noqa: E402


def parse(data, parser=None):
    """Feeds @data to a parser and returns the events it emitted."""
    parser = parser or Sse.Parser.new()
    events = []
    handler = parser.connect('event', lambda p, e: events.append(e))
    try:
        parser.feed(data)
    finally:
        parser.disconnect(handler)
    return events


class TestVersion(unittest.TestCase):
    def test_get_version(self):
        version = (Sse.get_major_version(), Sse.get_minor_version(), Sse.get_micro_version())
        self.assertEqual(version, (Sse.MAJOR_VERSION, Sse.MINOR_VERSION, Sse.MICRO_VERSION))
        self.assertEqual('%d.%d.%d' % version, Sse.VERSION_S)

    def test_check_version(self):
        major, minor, micro = Sse.MAJOR_VERSION, Sse.MINOR_VERSION, Sse.MICRO_VERSION
        self.assertTrue(Sse.check_version(major, minor, micro))
        self.assertTrue(Sse.check_version(0, 0, 0))
        self.assertFalse(Sse.check_version(major, minor, micro + 1))
        self.assertFalse(Sse.check_version(major, minor + 1, 0))
        self.assertFalse(Sse.check_version(major + 1, 0, 0))


class TestParser(unittest.TestCase):
    def test_feed(self):
        events = parse(b'data: x\n\n')
        self.assertEqual(len(events), 1)
        event = events[0]
        self.assertEqual(event.get_event_type(), 'message')
        self.assertEqual(event.get_data(), 'x')
        self.assertIsNone(event.get_id())
        self.assertEqual(event.get_last_event_id(), '')
        self.assertEqual(event.get_retry(), -1)
        self.assertIsNone(event.get_origin())

    def test_feed_in_pieces(self):
        parser = Sse.Parser.new()
        events = []
        parser.connect('event', lambda p, e: events.append(e.get_data()))
        for piece in (b'\xef\xbb', b'\xbfdata: \xe2\x82', b'\xac\r', b'\ndata: 2\r\r'):
            self.assertTrue(parser.feed(piece))
        self.assertEqual(events, ['\u20ac\n2'])

    def test_data_bytes_with_nul(self):
        events = parse(b'data: a\x00b\ndata:\x00\n\n')
        self.assertEqual(len(events), 1)
        data = events[0].get_data_bytes()
        self.assertIsInstance(data, GLib.Bytes)
        self.assertEqual(data.get_data(), b'a\x00b\n\x00')
        self.assertEqual(events[0].get_data_length(), 5)

    def test_invalid_utf8(self):
        events = parse(b'data: \xe2\x82x\xff\n\n')
        self.assertEqual(events[0].get_data(), '\ufffdx\ufffd')

    def test_detailed_signal(self):
        parser = Sse.Parser.new()
        updates = []
        everything = []
        parser.connect('event::update', lambda p, e: updates.append(e.get_data()))
        parser.connect('event', lambda p, e: everything.append(e.get_event_type()))
        parser.feed(b'event: update\ndata: 1\n\ndata: 2\n\nevent: other\ndata: 3\n\n'
                    b'event: update\ndata: 4\n\n')
        self.assertEqual(updates, ['1', '4'])
        self.assertEqual(everything, ['update', 'message', 'other', 'update'])

    def test_comment_signal(self):
        parser = Sse.Parser.new()
        comments = []
        parser.connect('comment', lambda p, text: comments.append(text))
        parser.feed(b': keep-alive\n:x\n')
        self.assertEqual(comments, ['keep-alive', 'x'])

    def test_properties(self):
        parser = Sse.Parser.new()
        notified = []
        parser.connect('notify::retry', lambda p, pspec: notified.append(pspec.name))
        parser.connect('notify::last-event-id', lambda p, pspec: notified.append(pspec.name))
        self.assertEqual(parser.props.last_event_id, '')
        self.assertEqual(parser.props.retry, -1)
        self.assertEqual(parser.props.max_event_size, 16 * 1024 * 1024)

        parser.feed(b'retry: 2500\nid: 7\n\n')
        self.assertEqual(parser.props.retry, 2500)
        self.assertEqual(parser.props.last_event_id, '7')
        self.assertEqual(notified, ['retry', 'last-event-id'])

    def test_seed_last_event_id(self):
        parser = Sse.Parser.new()
        parser.props.last_event_id = '41'
        events = parse(b'data: x\n\n', parser)
        self.assertEqual(events[0].get_last_event_id(), '41')
        self.assertIsNone(events[0].get_id())

    def test_finish_discards_pending(self):
        parser = Sse.Parser.new()
        events = []
        parser.connect('event', lambda p, e: events.append(e))
        parser.feed(b'id: 1\ndata: pending\n')
        parser.finish()
        parser.feed(b'\n')
        self.assertEqual(events, [])
        self.assertEqual(parser.get_last_event_id(), '')

    def test_event_too_large(self):
        parser = Sse.Parser.new()
        parser.props.max_event_size = 10
        events = []
        parser.connect('event', lambda p, e: events.append(e.get_data()))
        with self.assertRaises(GLib.Error) as cm:
            parser.feed(b'data: 0123456789abc\n\ndata: ok\n\n')
        self.assertTrue(cm.exception.matches(Sse.error_quark(), Sse.Error.EVENT_TOO_LARGE))
        self.assertEqual(cm.exception.code, int(Sse.Error.EVENT_TOO_LARGE))
        self.assertEqual(events, ['ok'])


class TestEvent(unittest.TestCase):
    def test_new(self):
        event = Sse.Event.new('hello')
        self.assertEqual(event.get_event_type(), 'message')
        self.assertEqual(event.get_data(), 'hello')

    def test_new_full_cleans(self):
        event = Sse.Event.new_full('up\ndate', 'a\r\nb', -1, '4\r2', 5)
        self.assertEqual(event.get_event_type(), 'update')
        self.assertEqual(event.get_data(), 'a\nb')
        self.assertEqual(event.get_id(), '42')
        self.assertEqual(event.get_retry(), 5)

    def test_new_checked_error(self):
        with self.assertRaises(GLib.Error) as cm:
            Sse.Event.new_checked('a\nb', 'x', -1, None, -1)
        error = cm.exception
        self.assertEqual(error.domain, 'sse-error-quark')
        self.assertEqual(error.code, int(Sse.Error.INVALID_EVENT))
        self.assertTrue(error.matches(Sse.error_quark(), Sse.Error.INVALID_EVENT))
        self.assertTrue(error.message)

        with self.assertRaises(GLib.Error) as cm:
            Sse.Event.new_checked(None, 'x', -1, 'id\r', -1)
        self.assertTrue(cm.exception.matches(Sse.error_quark(), Sse.Error.INVALID_EVENT))

    def test_new_checked_ok(self):
        event = Sse.Event.new_checked('t', 'line 1\nline 2', -1, '9', 100)
        self.assertTrue(event.equal(Sse.Event.new_full('t', 'line 1\nline 2', -1, '9', 100)))

    def test_equal_and_hash(self):
        a = Sse.Event.new_full(None, 'x', -1, None, -1)
        b = Sse.Event.new_full('message', 'x', -1, None, -1)
        c = Sse.Event.new_full(None, 'x', -1, '', -1)
        self.assertTrue(a.equal(b))
        self.assertEqual(a.hash(), b.hash())
        self.assertFalse(a.equal(c))


class TestEncoder(unittest.TestCase):
    def test_encode_event(self):
        encoder = Sse.Encoder.new()
        event = Sse.Event.new_full('update', 'a\nb', -1, '7', 3000)
        wire = encoder.encode_event(event).get_data()
        self.assertEqual(wire, b'event: update\nid: 7\nretry: 3000\ndata: a\ndata: b\n\n')

    def test_encode_crlf(self):
        encoder = Sse.Encoder.new()
        encoder.props.line_ending = Sse.LineEnding.CRLF
        self.assertEqual(encoder.get_line_ending(), Sse.LineEnding.CRLF)
        wire = encoder.encode_event(Sse.Event.new(' x')).get_data()
        self.assertEqual(wire, b'data:  x\r\n\r\n')

    def test_encode_comment_and_retry(self):
        encoder = Sse.Encoder.new()
        self.assertEqual(encoder.encode_comment('a\nb').get_data(), b': ab\n')
        self.assertEqual(encoder.encode_retry(5000).get_data(), b'retry: 5000\n\n')

    def test_round_trip(self):
        encoder = Sse.Encoder.new()
        originals = [
            Sse.Event.new('hello'),
            Sse.Event.new(''),
            Sse.Event.new_full('update', ' spaced\r\n\nlines ', -1, '', 0),
            Sse.Event.new_full('\ufeff\U0001F600', '\ufeff:\U0001F600', -1, 'id:\U0001F600', 2 ** 62),
        ]
        for line_ending in (Sse.LineEnding.LF, Sse.LineEnding.CRLF):
            encoder.props.line_ending = line_ending
            for original in originals:
                wire = encoder.encode_event(original).get_data()
                events = parse(wire)
                self.assertEqual(len(events), 1, wire)
                self.assertTrue(events[0].equal(original), wire)
                self.assertEqual(events[0].get_data(), original.get_data())
                self.assertEqual(events[0].get_event_type(), original.get_event_type())
                self.assertEqual(events[0].get_id(), original.get_id())
                self.assertEqual(events[0].get_retry(), original.get_retry())


if __name__ == '__main__':
    unittest.main(verbosity=2)
