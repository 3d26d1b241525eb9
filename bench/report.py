#!/usr/bin/python3
# report.py: the table of bench/run, from its raw results.
#
#   report.py RESULTS.tsv full|smoke
#
# Each line of RESULTS.tsv is: section, workload, implementation, round, and
# the "impl=… key=value …" line the benchmark program printed (or FAIL).
# Prints Markdown: medians over the rounds, ratios against the peers, and
# each target of issue 5 with PASS or MISS.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import statistics
import sys
from collections import defaultdict

WORKLOADS = ['small', 'json', 'large', 'crlf']

# The peers' figures that issue 5 quotes for its machine, for context.
ISSUE_ESP_MBPS = {'small': 470, 'json': 740, 'large': 1000, 'crlf': 260}
ISSUE_NODE_S = {'small': 0.33, 'json': 0.39, 'large': 0.42}
ISSUE_CURL_S = {'small': 0.01, 'json': 0.03, 'large': 0.08}

# Parser targets: fastest C path and signal path, as multiples of
# eventsource-parser's MB/s.
SINK_TARGET = {'small': 3, 'json': 3, 'large': 5, 'crlf': 3}
SIGNAL_TARGET = {'small': 0.5, 'json': 1, 'large': 1}


def parse(path):
    runs = defaultdict(list)
    fails = defaultdict(int)
    with open(path) as f:
        for line in f:
            section, workload, impl, _round, rest = line.rstrip('\n').split('\t', 4)
            key = (section, workload, impl)
            if rest == 'FAIL':
                fails[key] += 1
                continue
            kv = dict(item.split('=', 1) for item in rest.split())
            runs[key].append(kv)
    return runs, fails


RUNS, FAILS = parse(sys.argv[1])
MODE = sys.argv[2] if len(sys.argv) > 2 else 'full'


def med(section, workload, impl, field):
    vals = [float(r[field]) for r in RUNS.get((section, workload, impl), [])
            if field in r and r[field] != 'nan']
    return statistics.median(vals) if vals else None


def count(section, workload, impl):
    n = len(RUNS.get((section, workload, impl), []))
    f = FAILS.get((section, workload, impl), 0)
    return f' ({f} failed)' if f else ''


def fmt(v, spec, unit=''):
    return '—' if v is None else format(v, spec) + unit


def rate(v):
    """Events/s, compactly."""
    if v is None:
        return '—'
    if v >= 1e6:
        return f'{v / 1e6:.2f} M/s'
    if v >= 1e3:
        return f'{v / 1e3:.1f} k/s'
    return f'{v:.0f}/s'


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def verdict(r, target, higher_is_better=True):
    if r is None or target is None:
        return '—'
    if MODE == 'smoke':
        return '(smoke)'
    ok = r >= target if higher_is_better else r <= target
    return 'PASS' if ok else 'MISS'


def table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join('---' for _ in head) + '|']
    out += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    print('\n'.join(out))
    print()


def has(section):
    return any(k[0] == section for k in list(RUNS) + list(FAILS))


if has('parser'):
    print('### Parser: bytes fed in 64 KiB pieces, in memory (MB/s = 10⁶ bytes/s; events/s)')
    print()
    rows = []
    for w in WORKLOADS:
        sink = med('parser', w, 'sse-glib-sink', 'mb_per_s')
        sig = med('parser', w, 'sse-glib-signal', 'mb_per_s')
        esp = med('parser', w, 'eventsource-parser', 'mb_per_s')
        ev = lambda impl: med('parser', w, impl, 'events_per_s')
        cell = lambda mb, impl: (('—' if mb is None else f"{mb:.0f} MB/s ({rate(ev(impl))})")
                                 + count('parser', w, impl))
        r_sink, r_sig = ratio(sink, esp), ratio(sig, esp)
        rows.append([
            w,
            cell(sink, 'sse-glib-sink'),
            cell(sig, 'sse-glib-signal'),
            cell(esp, 'eventsource-parser') + f" [issue: {ISSUE_ESP_MBPS[w]}]",
            fmt(r_sink, '.2f', '×'), f"≥ {SINK_TARGET[w]}×", verdict(r_sink, SINK_TARGET[w]),
            fmt(r_sig, '.2f', '×'),
            f"≥ {SIGNAL_TARGET[w]}×" if w in SIGNAL_TARGET else '—',
            verdict(r_sig, SIGNAL_TARGET.get(w)),
        ])
    table(['workload', 'sse-glib sink', 'sse-glib signal', 'eventsource-parser',
           'sink ÷ peer', 'target', '', 'signal ÷ peer', 'target', ''], rows)

if has('drip'):
    size = next((int(r['data_bytes']) for k, v in RUNS.items() if k[0] == 'drip' for r in v), 0)
    print(f'### drip: one {size / 1048576:g} MiB data line, fed in 512-byte pieces against fed whole (ms)')
    print()
    rows = []
    for impl, name in (('sse-glib-sink', 'sse-glib (sink)'), ('eventsource-parser', 'eventsource-parser')):
        if not any(k[2] == impl and k[0] == 'drip' for k in list(RUNS) + list(FAILS)):
            continue
        piece = med('drip', '512', impl, 'seconds')
        whole = med('drip', '0', impl, 'seconds')
        r = ratio(piece, whole)
        target = 1.5 if impl == 'sse-glib-sink' else None
        rows.append([name, fmt(piece and piece * 1e3, '.2f') + count('drip', '512', impl),
                     fmt(whole and whole * 1e3, '.2f') + count('drip', '0', impl),
                     fmt(r, '.2f', '×'), '≤ 1.5×' if target else '—',
                     verdict(r, target, higher_is_better=False)])
    table(['parser', '512-byte feeds', 'whole', 'ratio', 'target', ''], rows)

if has('e2e'):
    src = 'bench-server /f/ (smoke)' if MODE == 'smoke' else 'nginx on loopback'
    print(f'### End to end: {src} → last event received (seconds; events/s)')
    print()
    rows = []
    for w in WORKLOADS:
        ss = med('e2e', w, 'sse-glib', 'seconds')
        ns = med('e2e', w, 'node-eventsource', 'seconds')
        cs = med('e2e', w, 'curl', 'seconds')
        se = med('e2e', w, 'sse-glib', 'events_per_s')
        ne = med('e2e', w, 'node-eventsource', 'events_per_s')
        r_node = ratio(se, ne)
        # Byte rates: the same file, so the ratio of rates is curl's time
        # over sse-glib's.
        r_curl = ratio(cs, ss)
        issue = f" [issue: {ISSUE_NODE_S[w]}]" if w in ISSUE_NODE_S else ''
        cissue = f" [issue: {ISSUE_CURL_S[w]}]" if w in ISSUE_CURL_S else ''
        rows.append([
            w,
            ('—' if ss is None else f"{ss:.3f} s ({rate(se)})") + count('e2e', w, 'sse-glib'),
            ('—' if ns is None else f"{ns:.3f} s ({rate(ne)})") + count('e2e', w, 'node-eventsource') + issue,
            fmt(cs, '.3f', ' s') + count('e2e', w, 'curl') + cissue,
            fmt(r_node, '.2f', '×'), '≥ 2×', verdict(r_node, 2),
            fmt(r_curl, '.2f', '×'),
            '≥ 0.5×' if w == 'large' else '—',
            verdict(r_curl, 0.5) if w == 'large' else '—',
        ])
    table(['workload', 'sse-glib', 'Node eventsource', 'curl (ceiling)',
           'sse-glib ÷ Node (events/s)', 'target', '', 'sse-glib ÷ curl (bytes/s)', 'target', ''], rows)

if has('pull'):
    src = 'bench-server /f/ (smoke)' if MODE == 'smoke' else 'nginx on loopback'
    print(f'### Pull against signal: end to end, {src} → last event (ns/event; events/s)')
    print()
    rows = []
    for w in WORKLOADS:
        sig = med('pull', w, 'sse-glib-signal', 'ns_per_event')
        pul = med('pull', w, 'sse-glib-pull', 'ns_per_event')
        sig_mb = med('pull', w, 'sse-glib-signal', 'seconds')
        pul_mb = med('pull', w, 'sse-glib-pull', 'seconds')
        data = next((float(r['data_bytes']) for r in RUNS.get(('pull', w, 'sse-glib-signal'), [])), None)
        mbps = lambda secs: None if secs is None or data is None else data / secs / 1e6
        cell = lambda ns, secs, impl: (('—' if ns is None else
                                        f"{ns:,.0f} ns ({rate(1e9 / ns)}, {mbps(secs):,.0f} MB/s)")
                                       + count('pull', w, impl))
        rows.append([w, cell(sig, sig_mb, 'sse-glib-signal'), cell(pul, pul_mb, 'sse-glib-pull'),
                     fmt(ratio(pul, sig), '.2f', '×'),
                     fmt(None if pul is None or sig is None else pul - sig, ',.0f', ' ns')])
    table(['workload', 'signal', 'pull', 'pull ÷ signal (time)', 'pull − signal, per event'], rows)

if has('pull-rss'):
    secs = next((float(r['seconds']) for k, v in RUNS.items() if k[0] == 'pull-rss' for r in v), 0)
    print(f'### A slow consumer: a server writes 4 KiB events (or 34-byte ones) as fast as its '
          f'socket takes them; the consumer takes 10, then one every millisecond (or none) for '
          f'{secs:.1f} s')
    print()
    rows = []
    names = {
        'pull-1ms': 'pulls, one a ms',
        'pull-stopped': 'pulls, then stops',
        'pull-1ms-256k': 'pulls, one a ms',
        'pull-stopped-34b': 'pulls, then stops; 34-byte events (21 bytes counted)',
        'signal-queue-1ms': 'signal into its own queue, one a ms',
    }
    def mib(v):
        if v is None:
            return '—'
        return f'{v / 1024:,.0f} KiB' if v < 1048576 else f'{v / 1048576:,.1f} MiB'
    for name, label in names.items():
        impl = 'sse-glib-signal-queue' if name.startswith('signal') else 'sse-glib-pull'
        key = ('pull-rss', name, impl)
        if key not in RUNS and key not in FAILS:
            continue
        bound = med(*key, 'max_queued_bytes')
        consumed = med(*key, 'consumed')
        written = med(*key, 'written_during_bytes')
        ahead = med(*key, 'ahead_bytes')
        base = med(*key, 'rss_base_kib')
        top = med(*key, 'rss_max_kib')
        growth = med(*key, 'rss_growth_kib')
        capped = med(*key, 'capped')
        after = med(*key, 'capped_after_s')
        note = f' (stopped reading at the cap, after {after:.2f} s)' if capped else ''
        rows.append([label + count(*key),
                     mib(bound) if bound else 'none',
                     fmt(consumed and consumed - 1010, ',.0f'),
                     mib(written) + note, mib(ahead),
                     f'{mib(base and base * 1024)} → {mib(top and top * 1024)}',
                     mib(growth and growth * 1024)])
    table(['consumer', 'max-queued-bytes', 'events taken in the slow part', 'server wrote meanwhile',
           'written, not yet taken, at the end', 'RSS before open() → at most', 'RSS growth'], rows)

if has('latency'):
    print('### Latency: one small event per millisecond, send → `event` handler (µs)')
    print()
    rows = []
    for impl, name in (('sse-glib', 'sse-glib'), ('node-eventsource', 'Node eventsource')):
        key = ('latency', 'tick', impl)
        if key not in RUNS and key not in FAILS:
            continue
        p50 = med('latency', 'tick', impl, 'p50_us')
        p99 = med('latency', 'tick', impl, 'p99_us')
        mx = med('latency', 'tick', impl, 'max_us')
        n = RUNS[key][0]['events'] if RUNS.get(key) else '?'
        target = 1000 if impl == 'sse-glib' else None
        rows.append([name, n, fmt(p50, '.0f'), fmt(p99, '.0f') + count(*key), fmt(mx, '.0f'),
                     'p99 ≤ 1000' if target else '—', verdict(p99, target, higher_is_better=False)])
    table(['client', 'events', 'p50', 'p99', 'max', 'target', ''], rows)

if has('scale'):
    print('### Scale: idle open sources in one process, then one broadcast to all')
    print()
    rows = []
    for key in sorted((k for k in set(RUNS) | set(FAILS) if k[0] == 'scale'),
                      key=lambda k: (k[2] != 'sse-glib', k)):
        _, n, impl = key
        kib = med(*key, 'kib_per_source')
        bmax = med(*key, 'broadcast_max_ms')
        bp50 = med(*key, 'broadcast_p50_ms')
        open_ms = med(*key, 'open_all_ms')
        fanout = med(*key, 'server_fanout_ms')
        mine = impl == 'sse-glib'
        rows.append([impl, n, fmt(kib, '.1f') + count(*key), fmt(open_ms, '.0f'),
                     fmt(bp50, '.2f'), fmt(bmax, '.2f'), fmt(fanout, '.2f'),
                     '≤ 40 KiB' if mine else '— [issue: ~80]',
                     verdict(kib, 40, higher_is_better=False) if mine else '—',
                     '≤ 50 ms' if mine else '— [issue: ~71]',
                     verdict(bmax, 50, higher_is_better=False) if mine else '—'])
    table(['client', 'sources', 'KiB RSS per source', 'open all (ms)', 'broadcast p50 (ms)',
           'broadcast to all (ms)', 'of which server fan-out (ms)', 'target', '', 'target', ''], rows)

if has('server'):
    print('### Server: subscribers connecting in one burst, idle, then one broadcast to all')
    print()
    rows = []
    glib_all = None
    keys = sorted((k for k in set(RUNS) | set(FAILS) if k[0] == 'server'),
                  key=lambda k: (k[2] != 'sse-glib', k))
    for key in keys:
        if key[2] == 'sse-glib':
            glib_all = med(*key, 'broadcast_all_ms')
    peer_all = next((med(*k, 'broadcast_all_ms') for k in keys if k[2] == 'better-sse'), None)
    for key in keys:
        _, n, impl = key
        served = med(*key, 'connect_all_ms')
        served_p50 = med(*key, 'connect_p50_ms')
        kib = med(*key, 'kib_per_subscriber')
        bp50 = med(*key, 'broadcast_p50_ms')
        ball = med(*key, 'broadcast_all_ms')
        mine = impl == 'sse-glib'
        r_peer = ratio(peer_all, glib_all) if mine else None
        rows.append([impl, n, fmt(served, '.0f') + count(*key), fmt(served_p50, '.0f'),
                     fmt(kib, '.2f'), fmt(bp50, '.1f'), fmt(ball, '.1f'),
                     '≤ 5000 ms' if mine else '—',
                     verdict(served, 5000, higher_is_better=False) if mine else '—',
                     '≤ 12 KiB' if mine else '—',
                     verdict(kib, 12, higher_is_better=False) if mine else '—',
                     '≤ 100 ms' if mine else '—',
                     verdict(ball, 100, higher_is_better=False) if mine else '—',
                     fmt(r_peer, '.2f', '×') if mine else '—',
                     verdict(r_peer, 1) if mine and r_peer is not None else '—'])
    table(['server', 'subscribers', 'all served (ms)', 'p50 served (ms)',
           'KiB RSS per idle subscriber', 'broadcast p50 (ms)', 'broadcast to all (ms)',
           'target', '', 'target', '', 'target', '', 'better-sse ÷ sse-glib (to all)', '> 1×'], rows)
