#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Results of `make bench-e2e` (tests/perf/e2e.sh); standard library only.

  e2e_report.py record --round R --mode M --label L --wrk WRK_OUT
                       --iperf A.json B.json --httpd LOG1 LOG2
                       --cps-obs JSON --bulk-obs JSON
      parse one mode's run (wrk text, iperf3 -J, e2e_httpd's "served N",
      the CPU/counter observations) and print it as one JSON line

  e2e_report.py report --results FILE.jsonl --json OUT --modes M... [...]
      per mode the median over the rounds of each figure (the mean for the
      CPU and counter observations), print the table (each figure and the
      ratio to the kernel) and the observations, write OUT
"""
import argparse
import json
import re
import statistics
import sys


def parse_wrk(path):
    text = open(path, errors="replace").read()
    out = {"cps": 0.0, "requests": 0, "errors": 0, "latency_ms": None}
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if m:
        out["cps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["errors"] += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["errors"] += int(m.group(1))
    m = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", text)
    if m:
        out["latency_ms"] = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
    if not out["requests"]:
        out["errors"] = max(out["errors"], 1)
        out["wrk_output"] = text[-400:]
    return out


def parse_iperf(path):
    try:
        r = json.load(open(path))
        end = r["end"]
        return {"bps": end["sum_received"]["bits_per_second"],
                "retransmits": end["sum_sent"].get("retransmits", 0)}
    except (OSError, ValueError, KeyError) as e:
        return {"bps": 0.0, "retransmits": 0, "error": "%s: %s" % (path, e)}


def parse_served(path):
    try:
        m = re.search(r"served (\d+)", open(path).read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def deltas(obs):
    """Counters after minus before, per second of the measurement."""
    b, a = obs.get("stats_before") or {}, obs.get("stats_after") or {}
    el = obs.get("elapsed") or 1.0
    d = {}
    for k, v in a.items():
        if isinstance(v, (int, float)) and k != "conntrack_count":
            d[k] = round((v - b.get(k, 0)) / el, 1)
    if "conntrack_count" in a:
        d["conntrack_count_end"] = a["conntrack_count"]
    return {"elapsed": round(el, 2), "cpu": obs.get("cpu"), "proc": obs.get("proc"),
            "per_second": d}


def record(a):
    w = parse_wrk(a.wrk)
    ip = [parse_iperf(p) for p in a.iperf]
    rec = {
        "round": a.round, "mode": a.mode, "label": a.label,
        "cps": w["cps"], "cps_requests": w["requests"], "cps_errors": w["errors"],
        "cps_latency_ms": w["latency_ms"],
        "served": [parse_served(p) for p in a.httpd],
        "bulk_gbps": sum(x["bps"] for x in ip) / 1e9,
        "bulk_streams_gbps": [round(x["bps"] / 1e9, 3) for x in ip],
        "bulk_retransmits": sum(x["retransmits"] for x in ip),
        "cps_obs": deltas(json.loads(a.cps_obs)),
        "bulk_obs": deltas(json.loads(a.bulk_obs)),
    }
    errs = [x["error"] for x in ip if "error" in x]
    if errs:
        rec["bulk_errors"] = errs
    if "wrk_output" in w:
        rec["wrk_output"] = w["wrk_output"]
    print(json.dumps(rec))


def mean(xs):
    xs = [x for x in xs if x is not None]
    return statistics.mean(xs) if xs else None


def mean_dict(ds):
    ds = [d for d in ds if d]
    if not ds:
        return None
    keys = sorted(set().union(*ds))
    return {k: round(mean([d.get(k) for d in ds]), 1) for k in keys}


def report(a):
    runs = [json.loads(l) for l in open(a.results) if l.strip()]
    modes = []
    for m in a.modes:
        rs = [r for r in runs if r["mode"] == m]
        if not rs:
            continue
        mo = {"mode": m, "label": rs[0]["label"], "rounds": len(rs),
              "cps": round(statistics.median([r["cps"] for r in rs]), 1),
              "cps_per_round": [round(r["cps"], 1) for r in rs],
              "cps_errors": sum(r["cps_errors"] for r in rs),
              "cps_latency_ms": round(mean([r["cps_latency_ms"] for r in rs]) or 0, 3),
              "bulk_gbps": round(statistics.median([r["bulk_gbps"] for r in rs]), 3),
              "bulk_gbps_per_round": [round(r["bulk_gbps"], 3) for r in rs],
              "bulk_retransmits": sum(r["bulk_retransmits"] for r in rs)}
        for kind in ("cps", "bulk"):
            obs = [r[kind + "_obs"] for r in rs]
            mo[kind + "_cpu"] = mean_dict([o["cpu"] for o in obs])
            mo[kind + "_process_cpu"] = mean_dict([o["proc"] for o in obs])
            mo[kind + "_counters_per_s"] = mean_dict([o["per_second"] for o in obs])
        mo["served_per_server"] = [r["served"] for r in rs]
        modes.append(mo)
    base = next((m for m in modes if m["mode"] == "kernel"), None)
    for m in modes:
        m["cps_ratio_to_kernel"] = round(m["cps"] / base["cps"], 3) if base and base["cps"] else None
        m["bulk_ratio_to_kernel"] = (round(m["bulk_gbps"] / base["bulk_gbps"], 3)
                                     if base and base["bulk_gbps"] else None)
    out = {"cpu": a.cpu_model, "cpus": a.cpus, "seconds_per_measurement": a.seconds,
           "rounds": max((m["rounds"] for m in modes), default=0),
           "wrk_connections": a.conns,
           "sluice_idle": {"sleep_us": a.idle[0], "empty_polls": a.idle[1]},
           "background_cpu_before": json.loads(a.background), "loadavg_before": a.loadavg,
           "modes": modes, "runs": runs}
    with open(a.json, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")

    def ratio(v):
        return "%.2f" % v if v is not None else "-"

    print()
    print("bench-e2e: median of %d round(s), %ss per measurement, %s CPU(s), wrk -c%s; "
          "background before: %.0f%% busy, loadavg %s"
          % (out["rounds"], a.seconds, a.cpus, a.conns,
             out["background_cpu_before"]["busy"], a.loadavg))
    print()
    print("| mode | conn/s | ratio to kernel | Gbit/s (2 streams) | ratio to kernel |")
    print("|---|---:|---:|---:|---:|")
    for m in modes:
        print("| %s | %.0f | %s | %.2f | %s |" % (m["label"], m["cps"], ratio(m["cps_ratio_to_kernel"]),
                                                m["bulk_gbps"], ratio(m["bulk_ratio_to_kernel"])))
    print()
    print("per round: " + "; ".join("%s conn/s %s, Gbit/s %s" % (m["mode"], m["cps_per_round"],
                                                              m["bulk_gbps_per_round"]) for m in modes))
    print()
    print("What the machine did (CPU %% of all %s CPUs; process %% of one CPU):" % a.cpus)
    for m in modes:
        for kind in ("cps", "bulk"):
            c = m[kind + "_cpu"] or {}
            line = "  %-18s %-4s busy %5.1f%% (user %4.1f, sys %4.1f, softirq %4.1f)" % (
                m["label"], kind, c.get("busy", 0), c.get("user", 0), c.get("system", 0), c.get("softirq", 0))
            p = m[kind + "_process_cpu"]
            if p:
                line += "; sluice user %.0f%% sys %.0f%%" % (p["user"], p["system"])
            ct = m[kind + "_counters_per_s"] or {}
            if m["mode"] != "kernel":
                sleeps = sum(v for k, v in ct.items() if k.endswith("_idle_sleeps"))
                rx = sum(v for k, v in ct.items() if k.endswith("_rx_packets"))
                steer = sum(v for k, v in ct.items() if k.endswith("_steered_out"))
                drops = sum(v for k, v in ct.items() if k.endswith("_drops"))
                ring = sum(v for k, v in ct.items() if k.startswith("ring_drops_"))
                line += "; rx %.0f pkt/s, idle_sleeps %.0f/s, steered %.0f/s, drops %.0f/s, ring drops %.0f/s" % (
                    rx, sleeps, steer, drops, ring)
                if "lbkernel_IpInReceives" in ct:
                    line += "; P-lb kernel IP input %.0f pkt/s (tapped copies it drops)" % ct["lbkernel_IpInReceives"]
            else:
                rx = ct.get("wan0_rx_packets", 0) + ct.get("lan0_rx_packets", 0)
                line += "; rx %.0f pkt/s, drops %.0f/s" % (
                    rx, ct.get("wan0_rx_drop", 0) + ct.get("lan0_rx_drop", 0))
            line += "; TCP: retransmits (client+servers) %.0f/s, servers' out-of-order %.0f/s" % (
                ct.get("cli_RetransSegs", 0) + ct.get("rs_RetransSegs", 0), ct.get("rs_TCPOFOQueue", 0))
            print(line)
        if m["cps_errors"] or m["bulk_retransmits"]:
            print("  %-18s wrk errors %d, iperf3 retransmits %d" % (m["label"], m["cps_errors"], m["bulk_retransmits"]))
    print()
    print("wrote %s" % a.json)
    bad = [r for r in runs if not r["cps"] or not r["bulk_gbps"] or r.get("bulk_errors")]
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--round", type=int, required=True)
    r.add_argument("--mode", required=True)
    r.add_argument("--label", required=True)
    r.add_argument("--wrk", required=True)
    r.add_argument("--iperf", nargs="+", required=True)
    r.add_argument("--httpd", nargs="+", default=[])
    r.add_argument("--cps-obs", required=True)
    r.add_argument("--bulk-obs", required=True)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--json", required=True)
    s.add_argument("--modes", nargs="+", required=True)
    s.add_argument("--seconds", type=float, default=0)
    s.add_argument("--conns", type=int, default=0)
    s.add_argument("--idle", nargs=2, type=int, default=[0, 0])
    s.add_argument("--background", default="{}")
    s.add_argument("--loadavg", default="")
    s.add_argument("--cpus", type=int, default=0)
    s.add_argument("--cpu-model", default="")
    a = p.parse_args()
    if a.cmd == "record":
        record(a)
        return 0
    return report(a)


if __name__ == "__main__":
    sys.exit(main())
