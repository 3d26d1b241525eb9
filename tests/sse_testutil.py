# sse_testutil.py: what the Python tests share
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Import it before gi: it makes GIO ignore the network and the proxies of
# the machine that runs the tests.

import os

os.environ['GIO_USE_NETWORK_MONITOR'] = 'base'
os.environ['GIO_USE_PROXY_RESOLVER'] = 'dummy'

import gi  # noqa: E402

gi.require_version('GLib', '2.0')

from gi.repository import GLib  # noqa: E402

TIMEOUT_MS = 30000


def run_until(condition, what, timeout_ms=TIMEOUT_MS):
    """Iterates the default main context until condition() holds; fails
    after timeout_ms, saying what it waited for."""
    context = GLib.MainContext.default()
    expired = []
    source_id = GLib.timeout_add(timeout_ms, lambda: expired.append(True))
    try:
        while not condition():
            if expired:
                raise AssertionError('timed out waiting for ' + what)
            context.iteration(True)
    finally:
        if not expired:
            GLib.source_remove(source_id)
