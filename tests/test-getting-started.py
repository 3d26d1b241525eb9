#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a new user runs first: the README's two commands, .ci/install-deps
# and .ci/setup-build, run with stand-ins for apt-get, apt-config,
# dpkg-query, sudo and meson that record what they are asked to do (the
# real ones would install packages and build). Checks the package sets,
# that a re-run is quiet, that another apt's locks are waited for, and that
# the README's commands set up _build once, and again only when packages
# were installed since.
#
# Usage: test-getting-started.py SOURCE-ROOT

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

ROOT = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else None
TIMEOUT = 30

# The stand-ins. Each logs its arguments as a JSON line to $FAKE_LOG.
FAKE_APT_GET = '''\
#!/usr/bin/python3
import fcntl, json, os, sys
root = os.environ['FAKE_ROOT']
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(['apt-get'] + sys.argv[1:]) + '\\n')
if 'update' in sys.argv:
    # As apt 2.6 does: fail at once when another process holds the lock.
    fd = os.open(os.path.join(root, 'lists', 'lock'), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print('E: Could not get lock %s/lists/lock' % root, file=sys.stderr)
        sys.exit(100)
if 'install' in sys.argv:
    packages = [a for a in sys.argv[sys.argv.index('install') + 1:] if not a.startswith('-')
                and '=' not in a]
    with open(os.path.join(root, 'installed'), 'a') as f:
        f.write(''.join(p + '\\n' for p in packages))
    with open(os.path.join(root, 'status'), 'a') as f:
        f.write('changed\\n')
'''

FAKE_DPKG_QUERY = '''\
#!/usr/bin/python3
import os, sys
with open(os.path.join(os.environ['FAKE_ROOT'], 'installed')) as f:
    installed = f.read().split()
if sys.argv[-1] in installed:
    print('install ok installed')
else:
    print('dpkg-query: no packages found matching %s' % sys.argv[-1], file=sys.stderr)
    sys.exit(1)
'''

FAKE_APT_CONFIG = '''\
#!/usr/bin/python3
import os, sys
root = os.environ['FAKE_ROOT']
where = {'Dir::State::lists/d': root + '/lists/', 'Dir::State::status/f': root + '/status'}
args = sys.argv[2:]   # after "shell": NAME KEY pairs
for name, key in zip(args[::2], args[1::2]):
    print("%s='%s'" % (name, where[key]))
'''

FAKE_SUDO = '''\
#!/bin/sh
exec "$@"
'''

FAKE_MESON = '''\
#!/usr/bin/python3
import json, os, sys
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(['meson'] + sys.argv[1:]) + '\\n')
args = sys.argv[1:]
if args[0] == 'setup':
    build = args[-1]
    if '--reconfigure' not in args and os.path.exists(build + '/meson-private/coredata.dat'):
        print('Directory already configured.')   # and eight more lines, really
        sys.exit(0)
    os.makedirs(build + '/meson-private', exist_ok=True)
    os.makedirs(build + '/tools', exist_ok=True)
    for name in ('meson-private/coredata.dat', 'build.ninja'):
        with open(os.path.join(build, name), 'w') as f:
            f.write('configured\\n')
    with open(build + '/tools/sse-cat', 'w') as f:
        f.write('#!/bin/sh\\necho "sse-cat $*" >&2\\n')
    os.chmod(build + '/tools/sse-cat', 0o755)
'''


def write(path, text, mode=0o755):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)


class Sandbox:
    """A directory with the stand-ins on PATH, an empty package database
    and the package lists' lock file."""

    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix='sse-getting-started-')
        test.addCleanup(shutil.rmtree, self.dir)
        self.bin = os.path.join(self.dir, 'bin')
        self.root = os.path.join(self.dir, 'apt')
        os.makedirs(self.bin)
        os.makedirs(os.path.join(self.root, 'lists'))
        for name in ('installed', 'status', 'lists/lock', 'log'):
            write(os.path.join(self.root, name), '', 0o644)
        for name, text in (('apt-get', FAKE_APT_GET), ('dpkg-query', FAKE_DPKG_QUERY),
                           ('apt-config', FAKE_APT_CONFIG), ('sudo', FAKE_SUDO),
                           ('meson', FAKE_MESON)):
            write(os.path.join(self.bin, name), text)
        self.env = dict(os.environ, PATH=self.bin + ':' + os.environ['PATH'],
                        FAKE_ROOT=self.root, FAKE_LOG=os.path.join(self.root, 'log'))

    def calls(self, program=None):
        with open(self.env['FAKE_LOG']) as f:
            calls = [json.loads(line) for line in f]
        self.clear()
        return [c for c in calls if program is None or c[0] == program]

    def clear(self):
        write(self.env['FAKE_LOG'], '', 0o644)

    def install_deps(self, *args, **kwargs):
        return subprocess.run([os.path.join(ROOT, '.ci', 'install-deps'), *args],
                              env=dict(self.env, **kwargs), capture_output=True, text=True,
                              timeout=TIMEOUT)


def installed_by(calls):
    """The packages of the apt-get install call among calls."""
    installs = [c for c in calls if 'install' in c]
    assert len(installs) == 1, calls
    return {a for a in installs[0][installs[0].index('install') + 1:]
            if not a.startswith('-') and '=' not in a}


class InstallDepsTest(unittest.TestCase):
    def test_package_sets(self):
        sets = {}
        for option in ('--build', '--tests', '--all', None):
            box = Sandbox(self)
            result = box.install_deps(*([option] if option else []))
            self.assertEqual(result.returncode, 0, result.stderr)
            sets[option] = installed_by(box.calls('apt-get'))

        build, tests, everything = sets['--build'], sets['--tests'], sets['--all']
        # Building sse-glib and sse-cat, and no more.
        self.assertLessEqual({'meson', 'ninja-build', 'gcc', 'libglib2.0-dev', 'libsoup-3.0-dev',
                              'libjson-glib-dev'}, build)
        for extra in ('chromium', 'xvfb', 'gjs', 'valac', 'python3-gi', 'clang', 'valgrind',
                      'gi-docgen', 'clang-tools-14'):
            self.assertNotIn(extra, build)
        # The tests' extras, without CI's own tools.
        self.assertLess(build, tests)
        self.assertLessEqual({'chromium', 'xvfb', 'gjs', 'valac', 'python3-gi', 'curl',
                              'libgtk-4-dev', 'gettext', 'libxml2-utils'}, tests)
        for extra in ('clang', 'valgrind', 'gi-docgen', 'clang-tools-14'):
            self.assertNotIn(extra, tests)
        # No option: everything, for CI.
        self.assertLess(tests, everything)
        self.assertLessEqual({'clang', 'libclang-rt-14-dev', 'valgrind', 'gi-docgen',
                              'clang-tools-14'}, everything)
        self.assertEqual(sets[None], everything)

    def test_a_second_run_is_one_quiet_line(self):
        box = Sandbox(self)
        self.assertEqual(box.install_deps('--tests').returncode, 0)
        box.clear()
        for option in ('--build', '--tests'):
            result = box.install_deps(option)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertRegex(result.stdout, r'^install-deps: all \d+ packages already installed\n$')
            self.assertEqual(result.stderr, '')
            self.assertEqual(box.calls(), [])

    def test_only_what_is_missing_is_installed(self):
        box = Sandbox(self)
        box.install_deps('--build')
        box.clear()
        result = box.install_deps('--tests')
        self.assertEqual(result.returncode, 0, result.stderr)
        installed = installed_by(box.calls('apt-get'))
        self.assertIn('gjs', installed)
        self.assertNotIn('meson', installed)

    def test_apt_get_waits_for_the_dpkg_lock(self):
        box = Sandbox(self)
        result = box.install_deps('--build')
        self.assertEqual(result.returncode, 0, result.stderr)
        calls = box.calls('apt-get')
        self.assertEqual([('update' in c, 'install' in c) for c in calls],
                         [(True, False), (False, True)])
        for call in calls:
            options = [call[i + 1] for i, a in enumerate(call) if a == '-o']
            self.assertTrue(any(re.fullmatch(r'DPkg::Lock::Timeout=[1-9]\d*', o)
                                for o in options), call)

    def hold_lists_lock(self, box):
        fd = os.open(os.path.join(box.root, 'lists', 'lock'), os.O_RDWR)
        fcntl.lockf(fd, fcntl.LOCK_EX)
        return fd

    def test_update_waits_for_the_package_lists_lock(self):
        # Another apt-get update holds the lists' lock: apt-get update
        # itself would fail at once.
        box = Sandbox(self)
        fd = self.hold_lists_lock(box)
        proc = subprocess.Popen([os.path.join(ROOT, '.ci', 'install-deps'), '--build'],
                                env=box.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.addCleanup(proc.kill)
        line = proc.stderr.readline()
        self.assertIn('waiting for another apt or dpkg to release', line)
        self.assertIn(os.path.join(box.root, 'lists', 'lock'), line)
        os.close(fd)
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)
        calls = box.calls('apt-get')
        # No update was tried while the lock was held.
        self.assertEqual([('update' in c, 'install' in c) for c in calls],
                         [(True, False), (False, True)])

    def test_a_lock_held_too_long_fails(self):
        box = Sandbox(self)
        fd = self.hold_lists_lock(box)
        self.addCleanup(os.close, fd)
        result = box.install_deps('--build', SSE_APT_LOCK_TIMEOUT='1')
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('still locked after 1 s', result.stderr)
        self.assertEqual(box.calls('apt-get'), [])

    def test_usage(self):
        box = Sandbox(self)
        for args in (['--bogus'], ['--build', '--tests']):
            result = box.install_deps(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn('usage:', result.stderr)
        self.assertEqual(box.calls(), [])


def readme_commands():
    """The README's first fenced block's commands, as .ci/run reads them."""
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        block = f.read().split('```', 2)[1]
    return [line for line in block.splitlines()[1:]
            if line.strip() and not line.lstrip().startswith('#')]


class ReadmeCommandsTest(unittest.TestCase):
    def setUp(self):
        self.box = Sandbox(self)
        # A tree with the real .ci/setup-build, and an .ci/install-deps
        # that only says what it was asked for.
        self.tree = os.path.join(self.box.dir, 'tree')
        os.makedirs(os.path.join(self.tree, '.ci'))
        shutil.copy(os.path.join(ROOT, '.ci', 'setup-build'), os.path.join(self.tree, '.ci'))
        write(os.path.join(self.tree, '.ci', 'install-deps'), textwrap.dedent('''\
            #!/bin/sh
            echo "install-deps: all N packages already installed"
            '''))
        self.commands = readme_commands()

    def run_command(self, n):
        result = subprocess.run(['bash', '-c', self.commands[n]], cwd=self.tree,
                                env=self.box.env, capture_output=True, text=True,
                                timeout=TIMEOUT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result, [c[1:] for c in self.box.calls('meson')]

    def packages_installed(self):
        """dpkg's database changed after _build was set up (both in the
        past, so that whatever is written next is newer)."""
        now = time.time()
        os.utime(os.path.join(self.tree, '_build', 'build.ninja'), (now - 100, now - 100))
        os.utime(os.path.join(self.box.root, 'status'), (now - 50, now - 50))

    def test_two_commands(self):
        self.assertEqual(len(self.commands), 2, self.commands)
        self.assertIn('sse-cat --demo', self.commands[0])
        self.assertIn('--build', self.commands[0])
        self.assertIn('meson test -C _build', self.commands[1])
        self.assertIn('--tests', self.commands[1])

    def test_first_command_sets_up_once(self):
        result, meson = self.run_command(0)
        self.assertEqual(meson, [['setup', '_build'], ['compile', '-C', '_build']])
        self.assertIn('sse-cat --demo', result.stderr)

        # Again: no setup, nothing but the install-deps line before the build.
        result, meson = self.run_command(0)
        self.assertEqual(meson, [['compile', '-C', '_build']])
        self.assertEqual(result.stdout, 'install-deps: all N packages already installed\n')

    def test_second_command_reconfigures_when_packages_came(self):
        self.run_command(0)
        # The test extras were installed: meson must look again.
        self.packages_installed()
        result, meson = self.run_command(1)
        self.assertEqual(meson, [['setup', '--reconfigure', '_build'],
                                 ['test', '-C', '_build', '--print-errorlogs']])
        # And not the next time.
        result, meson = self.run_command(1)
        self.assertEqual(meson, [['test', '-C', '_build', '--print-errorlogs']])

    def test_second_command_first(self):
        result, meson = self.run_command(1)
        self.assertEqual(meson, [['setup', '_build'],
                                 ['test', '-C', '_build', '--print-errorlogs']])
        result, meson = self.run_command(0)
        self.assertEqual(meson, [['compile', '-C', '_build']])


if __name__ == '__main__':
    if ROOT is None:
        sys.exit('usage: test-getting-started.py SOURCE-ROOT')
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
