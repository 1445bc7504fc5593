#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The config keys the parser accepts, against conf/README.md's Reference
table. A key is every string in a `...keys[] = {...}` array of
ctrl/config/ (the lists unknown keys are refused against), its *_KEYS
macros expanded, and the members of one-member sections
(load_one_u32(root, "section", "member", ...)). Where the array is handed
to a call right after its section's name (sl_config_sub_object(o,
"timers", timer_keys, ...), sl_config_each(root, "peers", true,
peer_keys, ...)) the key is "section.key", and the table must name it so:
two adjacent parts of a key path in its first column (`cluster.timers.
heartbeat_ms` holds timers.heartbeat_ms), or both names in backquotes in
one row (`vips[]`: ... `real_servers[]`: `ip`, ...). Otherwise any
backquoted name of the table will do. Used by tests/pkg/test_man.sh.

    parser_keys.py [DIR]             the keys, one a line: section.key or key
    parser_keys.py --missing README  each key README's table does not name,
                                     with the file that accepts it
"""
import glob
import re
import sys


def parser_keys(directory):
    """(key, file) pairs; key is "section.key" when the section is known."""
    found = []
    files = sorted(glob.glob(directory + "/*.[ch]"))
    texts = {f: re.sub(r"/\*.*?\*/", "", open(f, encoding="utf-8").read(), flags=re.S)
             for f in files}
    macros = {}
    for src in texts.values():
        for m in re.finditer(r"#define\s+(\w+_KEYS)\s+((?:[^\n]*\\\n)*[^\n]*)", src):
            macros[m.group(1)] = m.group(2).replace("\\\n", " ")
    for f, src in texts.items():
        arrays = list(re.finditer(r"(\w*keys)\[\]\s*=\s*\{([^}]*)\}", src))
        for i, m in enumerate(arrays):
            name, body = m.groups()
            for macro, value in macros.items():
                body = re.sub(r"\b%s\b" % macro, value, body)
            # A local `keys` is used before the next array; a named one anywhere.
            scope = src[m.end():arrays[i + 1].start()] if name == "keys" and i + 1 < len(arrays) \
                else src[m.end():] if name == "keys" else src
            use = re.search(r'"(\w+)"\s*,\s*(?:(?:true|false)\s*,\s*)?%s\b' % name, scope)
            for key in re.findall(r'"([A-Za-z0-9_]+)"', body):
                found.append((f"{use.group(1)}.{key}" if use else key, f))
        for m in re.finditer(r'load_one_u32\(\s*\w+,\s*"(\w+)",\s*"(\w+)"', src):
            found.append((f"{m.group(1)}.{m.group(2)}", f))
    return sorted(set(found))


def documented(readme):
    """(adjacent part pairs of the first column's paths, each row's names)."""
    ref = open(readme, encoding="utf-8").read().split("## Reference", 1)[1].split("\n## ", 1)[0]
    pairs, rows = set(), []
    for line in ref.splitlines():
        if not line.startswith("| `"):
            continue
        cells = line.split("|")
        first = re.findall(r"`([^`]+)`", cells[1])
        base = first[0].rsplit(".", 1)[0] if first and "." in first[0] else ""
        for k in first:
            parts = (base + k if k.startswith(".") else k).replace("[]", "").split(".")
            pairs.update(zip(parts, parts[1:]))
        rows.append(set(re.findall(r"[A-Za-z0-9_]+", " ".join(re.findall(r"`([^`]+)`", line)))))
    return pairs, rows


def missing(readme, directory="ctrl/config"):
    pairs, rows = documented(readme)
    names = set().union(*rows)
    out = []
    for key, f in parser_keys(directory):
        if "." in key:
            section, leaf = key.split(".")
            ok = (section, leaf) in pairs or any(section in r and leaf in r for r in rows)
        else:
            ok = key in names
        if not ok:
            out.append(f"{key} ({f})")
    return out


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--missing":
        print("\n".join(missing(sys.argv[2])))
    else:
        keys = parser_keys(sys.argv[1] if len(sys.argv) > 1 else "ctrl/config")
        print("\n".join(sorted({k for k, _ in keys})))


main()
