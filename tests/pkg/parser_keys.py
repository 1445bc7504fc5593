#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The config keys the parser accepts, one a line, sorted: every string
in a `...keys[] = {...}` array of ctrl/config/ (the lists unknown keys
are refused against), its *_KEYS macros expanded, and the members of
one-member sections (load_one_u32(root, "section", "member", ...)).
Used by tests/pkg/test_man.sh, which wants each in conf/README.md.

    parser_keys.py [DIR]      DIR: ctrl/config
"""
import glob
import re
import sys

src = ""
for f in sorted(glob.glob((sys.argv[1] if len(sys.argv) > 1 else "ctrl/config") + "/*.[ch]")):
    src += open(f, encoding="utf-8").read()
src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
macros = {m.group(1): m.group(2).replace("\\\n", " ")
          for m in re.finditer(r"#define\s+(\w+_KEYS)\s+((?:[^\n]*\\\n)*[^\n]*)", src)}
keys = set()
for m in re.finditer(r"keys\[\]\s*=\s*\{([^}]*)\}", src):
    body = m.group(1)
    for name, value in macros.items():
        body = re.sub(r"\b%s\b" % name, value, body)
    keys.update(re.findall(r'"([A-Za-z0-9_]+)"', body))
for m in re.finditer(r'load_one_u32\(\s*\w+,\s*"(\w+)",\s*"(\w+)"', src):
    keys.update(m.groups())
print("\n".join(sorted(keys)))
