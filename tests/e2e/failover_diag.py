#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What test_cluster_failover.sh reads from its snapshots (the nodes'
`sluicectl --json conn list` and `cluster status`, taken just before the
kill and after the load) and from echo_load.py's ready file and summary.

  failover_diag.py copies DIR V
      the victim's long-lived connections (its own entries, by client port
      from DIR/ready) and, for each survivor, those it holds no identical
      copy of (client, local address and port, server): JSON
      {"victim_long": N, "missing": {"nI": [client, ...]}}.
  failover_diag.py explain DIR V
      why connections broke, as "# " lines for the test's log: each broken
      connection's entries on every node before and after the kill, the
      router's next hop for it now (DIR/nexthops), the resets the router
      saw (DIR/rst.txt), its route changes (DIR/routes.log); each node's
      sync counters before and after.

DIR holds before-conns-nI.json, before-status-nI.json, after-*.json (the
survivors), ready, summary.json. Node I's local address is 198.18.3.(10+I)
(scripts/lab_cluster.sh).
"""
import datetime
import json
import os
import sys

NODES = (1, 2, 3)


def lip(i):
    return f"198.18.3.{10 + i}"


def load(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def conns(d, tag, i):
    """Node i's connections at snapshot tag, by client "ip:port"."""
    r = load(d, f"{tag}-conns-n{i}.json") or {}
    return {c["client"]: c for c in r.get("connections", [])}


def long_ports(d):
    with open(os.path.join(d, "ready")) as f:
        lines = f.read().split("\n")
    return [p for p in lines[1].split()] if len(lines) > 1 else []


def same(a, b):
    return all(a[k] == b[k] for k in ("client", "local", "rs"))


def copies(d, v):
    ports = set(long_ports(d))
    mine = {k: c for k, c in conns(d, "before", v).items()
            if k.rsplit(":", 1)[1] in ports and c["local"].startswith(lip(v) + ":")}
    missing = {}
    for s in NODES:
        if s == v:
            continue
        held = conns(d, "before", s)
        missing[f"n{s}"] = sorted(k for k, c in mine.items()
                                  if k not in held or not same(held[k], c))
    print(json.dumps({"victim_long": len(mine), "missing": missing}))


def entry_text(i, c):
    if c is None:
        return "none"
    who = "own" if c["local"].startswith(lip(i) + ":") else \
        "copy of n" + str(int(c["local"].split(":")[0].rsplit(".", 1)[1]) - 10)
    return (f"{who}: local {c['local']} rs {c['rs']} {c['state']} "
            f"age {c['age_s']} s, expires in {c['expires_in_s']} s")


def explain_conn(d, v, b, nexthops):
    port = str(b["port"])
    print(f"# L{b['cid']:03d} client port {port}: {b['why']} "
          f"({b['at_ms']} ms after the kill)")
    locals_ = set()
    for tag in ("before", "after"):
        for i in NODES:
            if tag == "after" and i == v:
                continue
            found = [c for k, c in conns(d, tag, i).items() if k.rsplit(":", 1)[1] == port]
            locals_.update(c["local"] for c in found)
            print(f"#   {tag} the kill, n{i}: " +
                  ("; ".join(entry_text(i, c) for c in found) if found else "no entry"))
    hop = nexthops.get(port, "?")
    node = f" (n{int(hop.rsplit('.', 1)[1]) - 20})" if hop.startswith("198.18.0.2") else ""
    print(f"#   the router's next hop for it now: {hop}{node}")
    keys = [f".{port}:", f".{port} "] + [f"{a.replace(':', '.')}:" for a in locals_] + \
        [f"{a.replace(':', '.')} " for a in locals_]
    rst = [ln for ln in read_lines(d, "rst.txt") if any(k in ln for k in keys)]
    for ln in rst[:8]:
        print(f"#   reset seen by the router: {ln}")
    if not rst:
        print("#   no reset for it seen by the router")


def read_lines(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return [ln.rstrip() for ln in f]
    except OSError:
        return []


def counters(d, tag, i):
    st = load(d, f"{tag}-status-n{i}.json")
    if st is None:
        return
    w = st.get("workers") or {}
    print(f"#   {tag}, n{i} workers: " + " ".join(f"{k}={x}" for k, x in sorted(w.items())))
    for p in st.get("peers", []):
        c = {k: x for k, x in sorted(p.get("counters", {}).items()) if x}
        print(f"#   {tag}, n{i} peer {p['name']}: {p.get('state')}, holds "
              f"{p.get('connections_held')}; " + " ".join(f"{k}={x}" for k, x in c.items()))
    s = load(d, f"{tag}-stats-n{i}.json") or {}
    drops = {k: x for k, x in sorted(s.get("drops", {}).items()) if x}
    tot = s.get("totals", {})
    print(f"#   {tag}, n{i} drops: " + (" ".join(f"{k}={x}" for k, x in drops.items()) or "none") +
          "; " + " ".join(f"{k}={tot.get(k)}" for k in ("conns_flushed", "resets_sent")))


def route_changes(d):
    """The router's route changes (DIR/routes.log, `ip -tshort monitor
    route`) for the VIP and the local addresses, relative to the kill."""
    try:
        kill = float(open(os.path.join(d, "kill")).read().split()[0])
    except (OSError, ValueError, IndexError):
        kill = None
    shown = False
    for ln in read_lines(d, "routes.log"):
        if ln.startswith("["):
            stamp, _, rest = ln[1:].partition("] ")
            try:
                t = datetime.datetime.fromisoformat(stamp).timestamp()
                ev = f"{(t - kill) * 1000:+.0f} ms" if kill else stamp
            except ValueError:
                ev = stamp
            dst = rest.removeprefix("Deleted ").split(" ")[0]
            shown = dst.startswith(("198.18.2.", "198.18.3."))
            if shown:
                print(f"#   {ev}: {rest}")
        elif shown and ln.startswith(("\t", " ")):
            print(f"#     {ln.strip()}")


def explain(d, v):
    s = load(d, "summary.json") or {}
    nexthops = dict(ln.split(" ", 1) for ln in read_lines(d, "nexthops") if " " in ln)
    for b in s.get("long", {}).get("broken_list", []):
        explain_conn(d, v, b, nexthops)
    print("# the router's route changes (ms from the kill):")
    route_changes(d)
    print("# sync counters:")
    for tag in ("before", "after"):
        for i in NODES:
            counters(d, tag, i)


def main():
    cmd, d, v = sys.argv[1], sys.argv[2], int(sys.argv[3])
    copies(d, v) if cmd == "copies" else explain(d, v)


if __name__ == "__main__":
    main()
