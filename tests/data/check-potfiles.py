#!/usr/bin/env python3
# Fails when a source file marks strings for translation but po/POTFILES.in does not
# list it, or when POTFILES.in lists a file that does not exist.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.').resolve()
potfiles = root / 'po' / 'POTFILES.in'

listed = set()
for line in potfiles.read_text(encoding='utf-8').splitlines():
    line = line.strip()
    if line and not line.startswith('#'):
        listed.add(line)

c_marks = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)\s*\(')
ui_marks = re.compile(r'translatable\s*=\s*"(yes|true|1)"')

marked = set()
for path in sorted((root / 'src').rglob('*')):
    if not path.is_file():
        continue
    rel = path.relative_to(root).as_posix()
    if path.suffix in ('.c', '.h'):
        text = path.read_text(encoding='utf-8', errors='replace')
        # Ignore comments and the gettext macros' own definitions.
        text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        text = re.sub(r'//[^\n]*', '', text)
        if c_marks.search(text):
            marked.add(rel)
    elif path.suffix == '.ui':
        if ui_marks.search(path.read_text(encoding='utf-8', errors='replace')):
            marked.add(rel)
for path in sorted((root / 'data').glob('*.in')):
    marked.add(path.relative_to(root).as_posix())

missing = sorted(marked - listed)
stale = sorted(f for f in listed if not (root / f).is_file())

for f in missing:
    print(f'po/POTFILES.in: {f} has translatable strings but is not listed')
for f in stale:
    print(f'po/POTFILES.in: {f} is listed but does not exist')
if missing or stale:
    sys.exit(1)
print(f'po/POTFILES.in lists all {len(marked)} files with translatable strings')
