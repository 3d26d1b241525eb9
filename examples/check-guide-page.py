#!/usr/bin/python3
# check-guide-page.py: check that the code of a guide page is the code of
# the programs the tests run
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-guide-page.py PAGE DIR [--ignore NAME]...
#
# For docs/recipes.md and examples/recipes, docs/pulling.md and
# examples/pull. Every ```c, ```python and ```js block of PAGE must be an
# excerpt of the file of DIR that the page named last before the block, as
# `examples/DIR/NAME` (DIR's own name), in the block's language: its lines,
# in order, are lines of the file, one run of consecutive lines between
# elisions (a line `/* … */`, `# …` or `// …`, alone), each run the same
# lines as in the file or all of them dedented by the same amount. And
# every program of DIR (its .c, .py and .js files but the checks, check-*,
# and the files given with --ignore) must have at least one block on the
# page. So the page cannot show code that the tests do not run.

import os
import re
import sys

LANGUAGES = {'c': '.c', 'python': '.py', 'js': '.js'}
ELISIONS = {'/* … */', '# …', '// …'}
FILE_RE = None      # examples/DIR/NAME, set by main()
PREFIX = None       # examples/DIR/


def blocks(page):
    """(line number, language, lines, file named last before it) of each fenced block."""
    with open(page, encoding='utf-8') as f:
        lines = f.read().split('\n')
    named = None
    i = 0
    while i < len(lines):
        fence = re.match(r'^```(\S*)\s*$', lines[i])
        if not fence:
            for match in FILE_RE.finditer(lines[i]):
                named = match.group(1)
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and lines[i] != '```':
            i += 1
        if i == len(lines):
            raise SystemExit(f'{page}:{start + 1}: the block is not closed')
        yield start + 1, fence.group(1), lines[start + 1:i], named
        i += 1


def segments(code):
    run = []
    for line in code:
        if line.strip() in ELISIONS:
            if run:
                yield run
            run = []
        else:
            run.append(line)
    if run:
        yield run


def match_at(source, at, run):
    """Whether run is source[at:at + len(run)], all dedented by one indent."""
    if at + len(run) > len(source):
        return False
    first = source[at]
    if not first.endswith(run[0]):
        return False
    indent = first[:len(first) - len(run[0])]
    if indent.strip() != '':
        return False
    for line, expected in zip(source[at:at + len(run)], run):
        if expected == '' and line.strip() == '':
            continue
        if line != indent + expected:
            return False
    return True


def check_excerpt(source, code):
    """None when code is an excerpt of source, else the first run not found."""
    at = 0
    for run in segments(code):
        for start in range(at, len(source)):
            if match_at(source, start, run):
                at = start + len(run)
                break
        else:
            return run
    return None


def main():
    global FILE_RE, PREFIX
    argv = sys.argv[1:]
    ignored = set()
    while len(argv) >= 2 and argv[-2] == '--ignore':
        ignored.add(argv[-1])
        argv = argv[:-2]
    if len(argv) != 2:
        raise SystemExit('Usage: check-guide-page.py PAGE DIR [--ignore NAME]...')
    page, directory = argv
    PREFIX = 'examples/' + os.path.basename(os.path.normpath(directory)) + '/'
    FILE_RE = re.compile(re.escape(PREFIX) + r'([\w.-]+\.(?:c|py|js))\b')
    programs = sorted(name for name in os.listdir(directory)
                      if os.path.splitext(name)[1] in LANGUAGES.values() and
                      not name.startswith('check-') and name not in ignored)
    shown = set()
    errors = []

    for line, language, code, named in blocks(page):
        if language not in LANGUAGES:
            continue
        where = f'{page}:{line}'
        if named is None:
            errors.append(f'{where}: no {PREFIX}NAME before this ```{language} block')
            continue
        if not named.endswith(LANGUAGES[language]):
            errors.append(f'{where}: a ```{language} block after {PREFIX}{named}')
            continue
        path = os.path.join(directory, named)
        if not os.path.exists(path):
            errors.append(f'{where}: {PREFIX}{named} does not exist')
            continue
        with open(path, encoding='utf-8') as f:
            source = f.read().split('\n')
        missing = check_excerpt(source, code)
        if missing is not None:
            errors.append(f'{where}: these lines are not in {PREFIX}{named} '
                          f'(in this order, after the ones before):\n    ' +
                          '\n    '.join(missing))
            continue
        shown.add(named)

    for name in programs:
        if name not in shown:
            errors.append(f'{page}: no block shows {PREFIX}{name}')

    if errors:
        for error in errors:
            print('check-guide-page: ' + error, file=sys.stderr)
        sys.exit(1)
    print(f'check-guide-page: {page}: every block is in the programs, '
          f'and all {len(programs)} programs are shown: ok')


if __name__ == '__main__':
    main()
