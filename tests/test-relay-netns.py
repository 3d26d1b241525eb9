#!/usr/bin/python3
# test-relay-netns.py: the failover of test-relay.py across network
# namespaces, with loss and delay on the client's link
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Each of the origin, the two relays and the client has a network namespace
# of its own, linked by a veth pair to the namespace of nginx, which routes
# between them:
#
#   origin 10.77.1.2 ─┐
#   relay1 10.77.2.2 ─┼─ nginx (10.77.N.1) ─── client 10.77.4.2
#   relay2 10.77.3.2 ─┘                     (tc netem: delay, loss)
#
# The relay serving the client is killed mid-stream; every event arrives
# exactly once, in order. Where the kernel has no netem qdisc, the loss is
# made by a BPF filter that sends packets at random to a class that drops
# them, without delay (said on standard error).
#
# Skips (exit status 77), saying why, where namespaces cannot be made: not
# root (no CAP_NET_ADMIN), no `ip` or `tc` (Debian: iproute2), or no nginx.
#
# Usage: test-relay-netns.py PATH-TO-sse-cat

import os
import re
import shutil
import signal
import subprocess
import sys
import unittest

from relay_cluster import NGINX, fail_over

SSE_CAT = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else None
ROLES = ('origin', 'relay1', 'relay2', 'client')
PORT = 8000          # a fresh namespace has every port free

# The client's link: 40 ms ± 10 ms each way, and 3% of the packets lost.
NETEM = ['delay', '40ms', '10ms', 'loss', '3%']
# Without netem: cBPF (SKF_AD_RANDOM) returning -1 (the filter's class, which
# drops) for a random 3% of the packets, and 0 (no match: the default class)
# for the others.
LOSS_THRESHOLD = int(0.97 * 2 ** 32)
LOSS_BYTECODE = '4,32 0 0 4294963256,53 0 1 %d,6 0 0 4294967295,6 0 0 0,' % LOSS_THRESHOLD


def why_no_namespaces():
    """Why network namespaces cannot be made here, or None."""
    if NGINX is None:
        return 'nginx is not installed (Debian: nginx-light)'
    for tool in ('ip', 'tc'):
        if shutil.which(tool) is None:
            return '`%s` is not installed (Debian: iproute2)' % tool
    if os.geteuid() != 0:
        return 'making network namespaces needs root (CAP_NET_ADMIN)'
    name = 'sse-probe-%d' % os.getpid()
    result = subprocess.run(['ip', 'netns', 'add', name], capture_output=True, text=True)
    if result.returncode != 0:
        return 'cannot make a network namespace: ' + result.stderr.strip()
    subprocess.run(['ip', 'netns', 'del', name], check=True)
    return None


def run(*args):
    subprocess.run(args, check=True, capture_output=True, text=True)


class Network:
    def __init__(self):
        self.prefix = 'sse%d' % os.getpid()
        self.namespaces = []
        self.impairment = None

    def ns(self, role):
        return '%s-%s' % (self.prefix, role)

    def exec_prefix(self, role):
        return ('ip', 'netns', 'exec', self.ns(role))

    def address(self, role):
        if role == 'lb':
            return '10.77.4.1'      # where the client reaches nginx
        return '10.77.%d.2' % (ROLES.index(role) + 1)

    def make(self):
        hub = self.ns('lb')
        run('ip', 'netns', 'add', hub)
        self.namespaces.append(hub)
        run('ip', '-n', hub, 'link', 'set', 'lo', 'up')
        run('ip', 'netns', 'exec', hub, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward')
        for i, role in enumerate(ROLES, 1):
            ns = self.ns(role)
            run('ip', 'netns', 'add', ns)
            self.namespaces.append(ns)
            run('ip', '-n', ns, 'link', 'set', 'lo', 'up')
            hub_end, role_end = self.veth(role)
            run('ip', 'link', 'add', hub_end, 'netns', hub, 'type', 'veth',
                'peer', 'name', role_end, 'netns', ns)
            run('ip', '-n', hub, 'addr', 'add', '10.77.%d.1/24' % i, 'dev', hub_end)
            run('ip', '-n', ns, 'addr', 'add', '10.77.%d.2/24' % i, 'dev', role_end)
            run('ip', '-n', hub, 'link', 'set', hub_end, 'up')
            run('ip', '-n', ns, 'link', 'set', role_end, 'up')
            run('ip', '-n', ns, 'route', 'add', 'default', 'via', '10.77.%d.1' % i)
        hub_end, client_end = self.veth('client')
        self.impairment = self.impair(hub, hub_end) and self.impair(self.ns('client'), client_end)

    def veth(self, role):
        i = ROLES.index(role) + 1
        return 'v%sh%d' % (os.getpid(), i), 'v%sp%d' % (os.getpid(), i)

    def impair(self, ns, dev):
        """Loss and delay on what @dev sends; says what it could do."""
        tc = ('ip', 'netns', 'exec', ns, 'tc')
        if subprocess.run([*tc, 'qdisc', 'add', 'dev', dev, 'root', 'netem', *NETEM],
                          capture_output=True).returncode == 0:
            return 'netem ' + ' '.join(NETEM)
        try:
            run(*tc, 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10')
            run(*tc, 'class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10',
                'htb', 'rate', '1gbit')
            run(*tc, 'class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:20',
                'htb', 'rate', '1gbit')
            run(*tc, 'qdisc', 'add', 'dev', dev, 'parent', '1:20', 'pfifo', 'limit', '0')
            run(*tc, 'filter', 'add', 'dev', dev, 'parent', '1:', 'bpf', 'bytecode',
                LOSS_BYTECODE, 'classid', '1:20')
            return 'no netem qdisc in this kernel: 3% loss by a BPF filter, no delay'
        except subprocess.CalledProcessError:
            return None

    def dropped(self):
        """How many packets the client's link dropped, both ways."""
        total = 0
        for role, dev in zip(('lb', 'client'), self.veth('client')):
            stats = subprocess.run(['ip', 'netns', 'exec', self.ns(role), 'tc', '-s', 'qdisc',
                                    'show', 'dev', dev], capture_output=True, text=True).stdout
            # Each qdisc's "(dropped N, ...)"; the root's counts its children's.
            counts = [int(n) for n in re.findall(r'\(dropped (\d+),', stats)]
            total += max(counts, default=0)
        return total

    def remove(self):
        for ns in reversed(self.namespaces):
            subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)


class NetnsFailoverTest(unittest.TestCase):
    def setUp(self):
        self.network = Network()
        self.addCleanup(self.network.remove)
        self.network.make()
        print('\nthe client\'s link: %s' % (self.network.impairment or
                                            'neither netem nor a BPF filter could be set up: '
                                            'no loss, no delay'), file=sys.stderr)

    def fail_over(self, kill_signal):
        network = self.network
        result = fail_over(self, SSE_CAT, kill_signal, prefix=network.exec_prefix,
                           listen=network.address, port=lambda role: PORT)
        print('the client\'s link dropped %d packets' % network.dropped(), file=sys.stderr)
        return result

    def test_the_relay_crashes(self):
        status, relays = self.fail_over(signal.SIGKILL)
        self.assertEqual(status, -signal.SIGKILL)

    def test_the_relay_is_stopped(self):
        status, relays = self.fail_over(signal.SIGTERM)
        self.assertEqual(status, 0, relays[0].stderr.lines)


if __name__ == '__main__':
    if SSE_CAT is None:
        sys.exit('usage: test-relay-netns.py PATH-TO-sse-cat')
    reason = why_no_namespaces()
    if reason is not None:
        print('skipped: %s' % reason)
        sys.exit(77)
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
