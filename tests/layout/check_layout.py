#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that the sources follow the layering their folders' README.md files state.

Why: the folders (dataplane/core, dataplane, drivers, ctrl/common,
ctrl/config, ctrl/cluster, ctrl/daemon, ctrl/cli, ...) are layers, and each README says
what its layer may include (`**May include:**`) and which system headers it
must never include (`**Never includes:**`). Nothing enforced that, so a
shortcut across layers would pass review unnoticed. This checks, and prints
"ok - ..." / "not ok - ..." lines (tests/run.sh counts them):

  1. every source folder under dataplane/, ctrl/, drivers/ has its rules
  2. quoted includes only reach the folder itself and the allowed folders
  3. no system include matches a `**Never includes:**` pattern
  4. header basenames are unique (the build uses -iquote with bare names)
  5. no .c file is over 600 lines
  6. no header include cycle
  7. no circle between compiled objects (symbols one uses that another
     defines, from `nm -P`), separately for build/obj and build/cli; and
     no call from one folder's object into a folder its README does not
     allow

Exit 1 when anything failed. tests/layout/README.md has the details.
"""

import argparse
import fnmatch
import os
import re
import subprocess
import sys

TOP_FOLDERS = ("dataplane", "ctrl", "drivers")
EXTRA_SEARCH = ("tests/lib",)      # searched when resolving, never ruled
MAX_C_LINES = 600
SOURCE_EXT = (".c", ".h")
# nm -P types of defined global symbols (U is undefined; lowercase = local).
DEFINED_TYPES = set("TDBRVWGSC")
OBJECT_GRAPHS = (  # (label, build subdirectories whose objects form one graph)
    ("build/obj", ("obj/dataplane", "obj/ctrl", "obj/drivers")),
    ("build/cli", ("cli",)),
)

MAY_RE = re.compile(r"^\*\*May include:\*\*(.*)$")
NEVER_RE = re.compile(r"^\*\*Never includes:\*\*(.*)$")
TICK_RE = re.compile(r"`([^`]*)`")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, what):
        self.passed += 1
        print(f"ok - {what}")

    def not_ok(self, what, detail=None, notes=()):
        self.failed += 1
        print(f"not ok - {what}" + (f": {detail}" if detail else ""))
        for n in notes:
            print(f"#   {n}")

    def close(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


# ------------------------------------------------------------ the tree
def sources_in(root, folder):
    """The .c/.h files directly in folder (repo-relative paths), sorted."""
    d = os.path.join(root, folder)
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return []
    return [f"{folder}/{n}" for n in names
            if n.endswith(SOURCE_EXT) and os.path.isfile(os.path.join(d, n))]


def source_folders(root):
    """Every folder under TOP_FOLDERS (itself included) holding .c/.h files."""
    found = []
    for top in TOP_FOLDERS:
        base = os.path.join(root, top)
        for dirpath, dirnames, _ in os.walk(base):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
            if sources_in(root, rel):
                found.append(rel)
    return sorted(found)


def read_rules(root, folder):
    """(may, never) from folder/README.md; may is None without the line.

    may: a set of folders, or "*" for anything. never: a list of globs."""
    path = os.path.join(root, folder, "README.md")
    may, never = None, []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None, []
    for line in lines:
        s = line.strip()
        while s.startswith(("- ", "* ", "+ ")):   # list items
            s = s[2:].lstrip()
        m = MAY_RE.match(s)
        if m:
            toks = [t.strip().strip("/") for t in TICK_RE.findall(m.group(1))]
            if may is None:
                may = set()
            if may != "*":
                may = "*" if "*" in toks else may | {t for t in toks if t}
            continue
        m = NEVER_RE.match(s)
        if m:
            for t in TICK_RE.findall(m.group(1)):
                t = t.strip()
                if t.startswith("<") and t.endswith(">"):
                    t = t[1:-1]
                if t:
                    never.append(t)
    return may, never


def strip_comments(text):
    """The text with C comments blanked, line numbers kept."""
    out, i, n = [], 0, len(text)
    state = None  # None, "block", "line", '"' or "'"
    while i < n:
        c = text[i]
        if state is None:
            if text.startswith("/*", i):
                state, i = "block", i + 2
                out.append("  ")
                continue
            if text.startswith("//", i):
                state = "line"
            elif c in "\"'":
                state = c
        elif state == "block":
            if text.startswith("*/", i):
                state, i = None, i + 2
                out.append("  ")
                continue
            out.append("\n" if c == "\n" else " ")
            i += 1
            continue
        elif state == "line":
            if c == "\n":
                state = None
            else:
                out.append(" ")
                i += 1
                continue
        else:  # in a string or character literal
            if c == "\\":
                out.append(text[i:i + 2])
                i += 2
                continue
            if c == state or c == "\n":
                state = None
        out.append(c)
        i += 1
    return "".join(out)


def includes_of(root, path):
    """[(line number, kind '"' or '<', name)] for each #include in path."""
    try:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    found = []
    # A quoted include's name is inside quotes: match on the raw line, but
    # only where the comment-stripped line still starts a directive.
    raw = text.splitlines()
    for no, line in enumerate(strip_comments(text).splitlines(), 1):
        if re.match(r"^\s*#\s*include\b", line):
            m = INCLUDE_RE.match(raw[no - 1])
            if m:
                found.append((no, m.group(1), m.group(2).strip()))
    return found


def line_count(root, path):
    with open(os.path.join(root, path), "rb") as f:
        return sum(1 for _ in f)


class Resolver:
    def __init__(self, root, folders, rules):
        self.root = root
        self.folders = folders                  # product folders
        self.search = folders + [f for f in EXTRA_SEARCH
                                 if os.path.isdir(os.path.join(root, f))]
        self.rules = rules

    def exists(self, rel):
        return os.path.isfile(os.path.join(self.root, rel))

    def resolve(self, src, name):
        """(path or None, allowed, folder it came from) for src's "name"."""
        own = os.path.dirname(src)
        may = self.rules.get(own, (None, []))[0] or set()
        rel = os.path.normpath(f"{own}/{name}").replace(os.sep, "/")
        if not rel.startswith("../") and self.exists(rel):
            # Inside its own folder (or below it) is always fine; a "../"
            # escape is judged by where it lands.
            if rel.startswith(own + "/"):
                return rel, True, own
            where = self._folder_of(rel)
            return rel, may == "*" or where in may, where
        if may != "*":
            for a in sorted(may):
                cand = os.path.normpath(f"{a}/{name}").replace(os.sep, "/")
                if self.exists(cand):
                    return cand, True, a
        for f in self.search:
            cand = os.path.normpath(f"{f}/{name}").replace(os.sep, "/")
            if self.exists(cand):
                return cand, may == "*", f
        return None, False, None

    def _folder_of(self, rel):
        best = None
        for f in self.search:
            if rel.startswith(f + "/") and (best is None or len(f) > len(best)):
                best = f
        return best or os.path.dirname(rel)


# ------------------------------------------------------------ graphs
def tarjan(nodes, edges):
    """Strongly connected components (iterative Tarjan). edges: node -> iterable."""
    index, low, on_stack = {}, {}, set()
    stack, sccs, counter = [], [], 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(sorted(comp))
    return sccs


# ------------------------------------------------------------ checks
def rule_line_count(root, folder):
    """How many rule lines folder/README.md has, of either kind; more than
    one of a kind would be merged, so count them to refuse that."""
    may = never = 0
    try:
        with open(os.path.join(root, folder, "README.md"), encoding="utf-8",
                  errors="replace") as f:
            for line in f:
                s = line.strip().lstrip("-*+ ").strip()
                may += bool(MAY_RE.match(s))
                never += bool(NEVER_RE.match(s))
    except OSError:
        return 0
    return 3 if may > 1 or never > 1 else may + never


def check_rules_present(root, folders, rules, rep):
    for f in folders:
        if not os.path.isfile(os.path.join(root, f, "README.md")):
            rep.not_ok(f"{f}: has its layering rules",
                       f"no {f}/README.md (it needs a **May include:** line)")
        elif rules[f][0] is None:
            rep.not_ok(f"{f}: has its layering rules",
                       f"{f}/README.md has no **May include:** line")
        elif rule_line_count(root, f) > 2:
            rep.not_ok(f"{f}: has its layering rules",
                       f"{f}/README.md has more than one **May include:** or "
                       "**Never includes:** line (one of each, so none widens "
                       "the rules unseen)")
        else:
            rep.ok(f"{f}: has its layering rules ({f}/README.md)")


def check_includes(root, folders, rules, resolver, rep):
    """Checks 2 and 3; returns the quoted-include graph for check 6."""
    graph = {}
    for folder in folders:
        may, never = rules[folder]
        ruled = may is not None
        quoted_bad, system_bad = [], []
        for src in sources_in(root, folder):
            graph.setdefault(src, {})
            for no, kind, name in includes_of(root, src):
                if kind == "<":
                    for pat in never:
                        if fnmatch.fnmatchcase(name, pat):
                            system_bad.append(
                                f"{src}:{no} includes <{name}>, which {folder} "
                                f"never includes (README rule <{pat}>)")
                            break
                    continue
                path, allowed, where = resolver.resolve(src, name)
                if path:
                    graph[src].setdefault(path, (no, name))
                if not ruled:
                    continue
                if path is None:
                    if not name.endswith(".skel.h"):
                        quoted_bad.append(f'{src}:{no} includes "{name}", '
                                          "which is in no source folder (unresolved)")
                elif not allowed:
                    quoted_bad.append(f'{src}:{no} includes "{name}" from {where}, '
                                      f"which {folder} may not include (README rule)")
        if not ruled:
            continue  # check 1 already failed it
        if quoted_bad:
            for b in quoted_bad:
                rep.not_ok(b)
        else:
            rep.ok(f"{folder}: includes follow its README")
        if system_bad:
            for b in system_bad:
                rep.not_ok(b)
        else:
            what = ", ".join(f"<{p}>" for p in never) or "nothing"
            rep.ok(f"{folder}: system includes follow its README (never: {what})")
    return graph


def check_unique_headers(root, folders, rep):
    seen = {}
    for f in folders + [x for x in EXTRA_SEARCH if os.path.isdir(os.path.join(root, x))]:
        for src in sources_in(root, f):
            if src.endswith(".h"):
                seen.setdefault(os.path.basename(src), []).append(src)
    dups = {b: p for b, p in seen.items() if len(p) > 1}
    for b, paths in sorted(dups.items()):
        rep.not_ok(f"header {b} is not unique", ", ".join(paths))
    if not dups:
        rep.ok(f"header basenames are unique ({len(seen)} headers)")


def check_lengths(root, folders, rep):
    long_ = []
    total = 0
    for f in folders:
        for src in sources_in(root, f):
            if src.endswith(".c"):
                total += 1
                n = line_count(root, src)
                if n > MAX_C_LINES:
                    long_.append((src, n))
    for src, n in long_:
        rep.not_ok(f"{src} is {n} lines, over {MAX_C_LINES}")
    if not long_:
        rep.ok(f"no .c file over {MAX_C_LINES} lines ({total} files)")


def check_cycles(graph, rep):
    nodes = sorted(graph)
    edges = {v: set(graph[v]) for v in nodes}
    bad = 0
    for comp in tarjan(nodes, edges):
        members = set(comp)
        if len(comp) == 1 and comp[0] not in edges.get(comp[0], ()):
            continue
        bad += 1
        notes = []
        for v in comp:
            for w, (no, name) in sorted(graph[v].items()):
                if w in members:
                    notes.append(f'{v}:{no} includes "{name}" ({w})')
        rep.not_ok("include cycle", ", ".join(comp), notes)
    if not bad:
        rep.ok(f"no include cycle among {len(nodes)} files")


def nm_symbols(objs):
    """({obj: (defined, undefined)}, problems): global symbols from nm -P.

    One nm run for all (loading the LTO plugin per run is the slow part);
    on failure, one run per object to say which one nm cannot read."""
    def run(files):
        try:
            out = subprocess.run(["nm", "-P", "-A"] + files, capture_output=True,
                                 text=True, check=False)
        except OSError as e:
            return None, f"cannot run nm: {e}"
        if out.returncode != 0:
            return None, f"nm -P failed: {out.stderr.strip()}"
        return out.stdout, None

    text, problem = run(objs)
    if text is None:
        problems = []
        for o in objs:
            _, p = run([o])
            if p:
                problems.append(f"{o}: {p}")
        return {}, problems or [problem]
    syms = {o: (set(), set()) for o in objs}
    for line in text.splitlines():
        obj, sep, rest = line.partition(": ")
        parts = rest.split()
        if not sep or obj not in syms or len(parts) < 2:
            continue
        sym, typ = parts[0], parts[1]
        if typ == "U":
            syms[obj][1].add(sym)
        elif typ in DEFINED_TYPES:
            syms[obj][0].add(sym)
    problems = [f"{o}: a slim LTO object, nm sees none of its symbols "
                "(build with -ffat-lto-objects)"
                for o, (d, u) in syms.items() if "__gnu_lto_slim" in d | u]
    return syms, problems


def check_call_direction(root, label, name, edges, example, rep):
    """A call from one folder into another must be one its README allows,
    as for includes (a prototype written by hand dodges the include check).
    Folders without rules (a test tree) are not judged here."""
    rules, bad = {}, []
    for a in sorted(edges):
        fa = os.path.dirname(name[a])
        if fa not in rules:
            rules[fa] = read_rules(root, fa)[0]
        may = rules[fa]
        for b in sorted(edges[a]):
            fb = os.path.dirname(name[b])
            if fb == fa or may is None or may == "*" or fb in may:
                continue
            bad.append(f"{name[a]} -> {name[b]} ({example[(a, b)]}): "
                       f"{fa}/README.md does not allow {fb}")
    if bad:
        rep.not_ok(f"{label}: calls between folders follow their READMEs",
                   f"{len(bad)} call(s) into a folder not allowed", bad[:20])
    else:
        rep.ok(f"{label}: calls between folders follow their READMEs")


def check_objects(root, build, rep):
    for label, subdirs in OBJECT_GRAPHS:
        objs = []
        for sub in subdirs:
            for dirpath, dirnames, files in os.walk(os.path.join(build, sub)):
                dirnames.sort()
                objs += [os.path.join(dirpath, n) for n in sorted(files)
                         if n.endswith(".o")]
        if not objs:
            where = ", ".join(os.path.join(build, s) for s in subdirs)
            rep.not_ok(f"{label}: no symbol circle", f"no object under {where} (build first)")
            continue
        base = os.path.join(build, label.split("/", 1)[1])
        name = {o: os.path.relpath(o, base)[:-2] for o in objs}
        # An object whose source is gone (moved or deleted since the last
        # build) is left over, not part of the program: leave it out.
        stale = [o for o in objs if not any(
            os.path.isfile(os.path.join(root, name[o] + ext)) for ext in (".c", ".S"))]
        if stale:
            print(f"# {label}: left out {len(stale)} object(s) without a source in "
                  f"{root}: " + ", ".join(name[o] for o in stale))
            objs = [o for o in objs if o not in stale]
        if not objs:
            rep.not_ok(f"{label}: no symbol circle",
                       f"no object with a source under {base} (build first)")
            continue
        syms, problems = nm_symbols(objs)
        defs, uses = {}, {}
        for o in objs:
            d, uses[o] = syms.get(o, (set(), set()))
            for s in d:
                defs.setdefault(s, []).append(o)
        if problems:
            rep.not_ok(f"{label}: objects readable by nm -P", problems[0], problems[1:])
            continue
        edges, example = {}, {}
        for o in objs:
            for s in sorted(uses[o]):
                for d in defs.get(s, ()):
                    if d != o:
                        edges.setdefault(o, set()).add(d)
                        example.setdefault((o, d), s)
        check_call_direction(root, label, name, edges, example, rep)
        bad = 0
        for comp in tarjan(objs, edges):
            if len(comp) < 2:
                continue
            bad += 1
            members = set(comp)
            notes = [f"{name[a]} -> {name[b]} ({example[(a, b)]})"
                     for a in comp for b in sorted(edges.get(a, ())) if b in members]
            rep.not_ok(f"{label}: symbol circle among {len(comp)} objects",
                       ", ".join(name[o] for o in comp), notes)
        if not bad:
            rep.ok(f"{label}: no symbol circle among {len(objs)} objects")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(here)),
                    help="repository root (default: two levels above this script)")
    ap.add_argument("--build", default=None,
                    help="build directory with the objects (default: ROOT/build)")
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--no-objects", action="store_true",
                      help="skip the object check (7)")
    only.add_argument("--objects-only", action="store_true",
                      help="run only the object check (7)")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    build = os.path.abspath(args.build or os.path.join(root, "build"))
    rep = Report()

    if not args.objects_only:
        folders = source_folders(root)
        if not folders:
            rep.not_ok("source folders found", f"none under {root}")
            return rep.close()
        rules = {f: read_rules(root, f) for f in folders}
        resolver = Resolver(root, folders, rules)
        check_rules_present(root, folders, rules, rep)
        graph = check_includes(root, folders, rules, resolver, rep)
        check_unique_headers(root, folders, rep)
        check_lengths(root, folders, rep)
        check_cycles(graph, rep)
    if not args.no_objects:
        check_objects(root, build, rep)
    return rep.close()


if __name__ == "__main__":
    sys.exit(main())
