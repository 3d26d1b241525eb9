#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Independent clients against sse-glib's server side: a real browser's
# EventSource (headless Chromium) and curl, both reading examples/serve,
# whose feed drops every client every few events. Each must receive every
# event exactly once, in order, through the reconnections (browsers resend
# Last-Event-ID and SseBroadcaster replays what they missed).
#
# Usage: test-browser.py PATH-TO-examples/serve
# Skips (exit 77) a client that is not installed, saying so.

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SERVE = sys.argv.pop(1) if len(sys.argv) > 1 else None
TIMEOUT = 60


class Server:
    """Runs examples/serve on a free port and reads what it prints."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([SERVE, '--port', '0', *args],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith('listening: '), line
        self.url = line.split(' ', 1)[1].strip()

    def wait_for_report(self):
        line = self.proc.stdout.readline()
        assert line.startswith('report: '), repr(line)
        return json.loads(line.split(' ', 1)[1])

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()


def find_chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserTest(unittest.TestCase):
    def test_eventsource_reconnects_without_losing_events(self):
        chromium = find_chromium()
        if chromium is None:
            self.skipTest('Chromium is not installed (apt-get install chromium): '
                          'the browser check did not run')

        expect = 12
        server = Server('--interval', '50', '--drop-every', '4')
        self.addCleanup(server.close)

        profile = tempfile.mkdtemp(prefix='sse-glib-chromium-')
        self.addCleanup(shutil.rmtree, profile, ignore_errors=True)
        browser = subprocess.Popen(
            [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
             '--no-first-run', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--user-data-dir=' + profile,
             '%s?expect=%d' % (server.url, expect)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop_browser():
            browser.terminate()
            try:
                browser.wait(10)
            except subprocess.TimeoutExpired:
                browser.kill()
                browser.wait()
        self.addCleanup(stop_browser)

        report = server.wait_for_report()
        ids = [int(event['id']) for event in report['received']]
        ticks = [event['n'] for event in report['received']]

        # The page joined a running feed: it sees consecutive events from
        # wherever it came in, each once, through the forced disconnections.
        first = ids[0]
        self.assertEqual(ids, list(range(first, first + expect)))
        self.assertEqual(ticks, ids)
        # It was disconnected (every 4 events of the feed) and came back.
        self.assertGreaterEqual(report['opens'], 2)
        self.assertIn('Chrome', report['userAgent'])


class CurlTest(unittest.TestCase):
    def read_stream(self, url, last_event_id=None, count=5):
        """Runs curl -N on the feed; returns (headers, the first ids)."""
        args = [shutil.which('curl'), '-N', '-s', '-i']
        if last_event_id is not None:
            args += ['-H', 'Last-Event-ID: %s' % last_event_id]
        proc = subprocess.Popen(args + [url], stdout=subprocess.PIPE, text=True)
        try:
            status = proc.stdout.readline()
            self.assertRegex(status, r'^HTTP/1\.1 200')
            headers = {}
            for line in proc.stdout:
                if line in ('\r\n', '\n'):
                    break
                name, _, value = line.partition(':')
                headers[name.strip().lower()] = value.strip()
            ids = []
            for line in proc.stdout:
                if line.startswith('id: '):
                    ids.append(int(line[4:]))
                    if len(ids) == count:
                        break
            return headers, ids
        finally:
            proc.terminate()
            proc.wait()
            proc.stdout.close()

    def test_curl_reads_and_resumes_the_stream(self):
        if shutil.which('curl') is None:
            self.skipTest('curl is not installed: the curl check did not run')

        server = Server('--interval', '20')
        self.addCleanup(server.close)

        headers, ids = self.read_stream(server.url + 'events')
        self.assertEqual(headers['content-type'], 'text/event-stream')
        self.assertEqual(headers['cache-control'], 'no-cache')
        self.assertEqual(headers['x-accel-buffering'], 'no')
        # No framing: the body runs to the end of the connection.
        self.assertNotIn('transfer-encoding', headers)
        self.assertNotIn('content-length', headers)
        self.assertEqual(headers['connection'], 'close')
        first = ids[0]
        self.assertEqual(ids, list(range(first, first + 5)))

        # A client that says it saw an event gets exactly what followed it.
        _, resumed = self.read_stream(server.url + 'events', last_event_id=first + 1)
        self.assertEqual(resumed, list(range(first + 2, first + 7)))


if __name__ == '__main__':
    if SERVE is None:
        sys.exit('usage: test-browser.py PATH-TO-SERVE')
    result = unittest.main(exit=False, verbosity=2).result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and len(result.skipped) == result.testsRun:
        sys.exit(77)
    sys.exit(0)
