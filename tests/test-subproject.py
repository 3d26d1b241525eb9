#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sse-glib as a meson subproject, the way docs/subproject.md tells a user to
# do it: the wrap file, meson.build and main.c are taken from that page, so
# the page cannot drift from what works. The project is set up with
# --force-fallback-for=sse-glib-1 (so an installed sse-glib cannot stand
# in), once as is and once with -Ddefault_library=static, built and run.
# Checked each time: the program prints the version of this tree and the
# event that the library parsed; the
# subproject built the library in the form asked for, and nothing that the
# page's default_options turn off (no sse-cat, no examples, no typelib, no
# tests) nor the benchmark; json-glib, which only sse-cat needs, was not
# even looked for.
#
# Usage: test-subproject.py SOURCE-ROOT VERSION MESON

import os
import re
import subprocess
import sys
import tempfile
import unittest

SOURCE_ROOT, VERSION, MESON = (sys.argv.pop(1) for _ in range(3)) if len(sys.argv) > 3 else (None,) * 3
TIMEOUT = 240


def doc_blocks(path):
    """The fenced code blocks of a Markdown file, as (language, text)."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return re.findall(r'^```(\w*)\n(.*?)^```$', text, flags=re.M | re.S)


def one_block(blocks, language, marker):
    found = [text for lang, text in blocks if lang == language and marker in text]
    if len(found) != 1:
        raise AssertionError(f'docs/subproject.md has {len(found)} {language} blocks '
                             f'with {marker!r}, not one')
    return found[0]


class Subproject(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        blocks = doc_blocks(os.path.join(SOURCE_ROOT, 'docs', 'subproject.md'))
        cls.wrap = one_block(blocks, 'ini', '[wrap-git]')
        cls.meson_build = one_block(blocks, 'meson', "project('feed-reader'")
        cls.main_c = one_block(blocks, 'c', 'SSE_VERSION_S')

        cls.tmp = tempfile.TemporaryDirectory(prefix='sse-glib-subproject.')
        cls.project = os.path.join(cls.tmp.name, 'feed-reader')
        subprojects = os.path.join(cls.project, 'subprojects')
        os.makedirs(subprojects)
        for name, text in (('meson.build', cls.meson_build), ('main.c', cls.main_c),
                           ('subprojects/sse-glib.wrap', cls.wrap)):
            with open(os.path.join(cls.project, name), 'w', encoding='utf-8') as f:
                f.write(text)
        # The wrap's directory is there already, so meson fetches nothing:
        # it is this source tree.
        os.symlink(os.path.abspath(SOURCE_ROOT), os.path.join(subprojects, 'sse-glib'))

        # Nothing from the outer build may reach the inner one.
        cls.env = {k: v for k, v in os.environ.items()
                   if not k.startswith(('MESON', 'PKG_CONFIG', 'LD_LIBRARY_PATH',
                                        'GI_TYPELIB_PATH'))}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_cmd(self, *args, cwd=None):
        result = subprocess.run(args, cwd=cwd or self.project, env=self.env, timeout=TIMEOUT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(result.returncode, 0,
                         f'{" ".join(args)} failed:\n{result.stdout[-4000:]}')
        return result.stdout

    def build_and_check(self, name, *options):
        build = os.path.join(self.project, name)
        self.run_cmd(MESON, 'setup', build, '--force-fallback-for=sse-glib-1', *options)
        self.run_cmd(MESON, 'compile', '-C', build)

        output = self.run_cmd(os.path.join(build, 'feed-reader'))
        self.assertEqual(output, f'built against sse-glib {VERSION}\ngreeting: hello\n')

        inner = os.path.join(build, 'subprojects', 'sse-glib')
        with open(os.path.join(build, 'meson-logs', 'meson-log.txt'), encoding='utf-8') as f:
            log = f.read()
        self.assertIn('Dependency sse-glib-1 found: YES', log)
        self.assertFalse('json-glib' in log, 'json-glib was looked for: sse-cat is configured')
        for path in ('tools', 'examples', 'bench', 'tests'):
            self.assertFalse(os.path.exists(os.path.join(inner, path)),
                             f'the subproject configured {path}/')
        built = os.listdir(os.path.join(inner, 'sse-glib'))
        self.assertNotIn('Sse-1.typelib', built)
        return build, built

    def test_shared(self):
        build, built = self.build_and_check('build-shared')
        self.assertIn('libsse-glib-1.so', built)
        self.assertNotIn('libsse-glib-1.a', built)
        needed = self.run_cmd('ldd', os.path.join(build, 'feed-reader'))
        self.assertIn(os.path.join(build, 'subprojects', 'sse-glib', 'sse-glib',
                                   'libsse-glib-1.so.0'), needed)

    def test_static(self):
        build, built = self.build_and_check('build-static', '-Ddefault_library=static')
        self.assertIn('libsse-glib-1.a', built)
        self.assertFalse([f for f in built if f.startswith('libsse-glib-1.so')],
                         f'a shared library was built: {built}')
        needed = self.run_cmd('ldd', os.path.join(build, 'feed-reader'))
        # It printed the parsed event, so the library is in the program.
        self.assertNotIn('libsse-glib', needed)


if __name__ == '__main__':
    if SOURCE_ROOT is None:
        sys.exit('usage: test-subproject.py SOURCE-ROOT VERSION MESON')
    unittest.main(verbosity=2)
