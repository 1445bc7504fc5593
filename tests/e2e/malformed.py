#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send malformed frames to Sluice's wan port and check the drop counters.

Runs inside the client namespace (tests/e2e/test_malformed.sh), with scapy,
which only /usr/bin/python3 can import. For each case: read
`sluicectl --json stats`, send the frame COPIES times, then wait (bounded)
until result.drops.<reason> grew by at least COPIES. Prints "ok - ..." /
"not ok - ..." lines; exits 1 when any check failed.
"""
import argparse
import json
import subprocess
import sys
import time

from scapy.all import (ARP, ICMP, IP, TCP, UDP, AsyncSniffer, Ether, IPOption_NOP,
                       Raw, conf, sendp)
from scapy.layers.inet import IPerror, TCPerror
from scapy.utils import checksum

conf.verb = 0

ap = argparse.ArgumentParser()
ap.add_argument("--iface", default="cli0")
ap.add_argument("--src-mac", required=True)
ap.add_argument("--dst-mac", required=True)
ap.add_argument("--src", default="198.18.0.1")
ap.add_argument("--vip", default="198.18.0.100")
ap.add_argument("--vport", type=int, default=80)
ap.add_argument("--sluicectl", required=True)
ap.add_argument("--socket", required=True)
ap.add_argument("--copies", type=int, default=3)
ap.add_argument("--cases", default="", help="comma-separated case keys (default: all)")
ap.add_argument("--skip", default="", help="comma-separated case keys not to run")
ap.add_argument("--no-ttl", action="store_true", help="skip the TTL 1 / ICMP time exceeded check")
a = ap.parse_args()

fails = 0


def report(ok, desc, detail=""):
    global fails
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok:
        fails += 1
        if detail:
            print("#   " + detail)
    sys.stdout.flush()


def stats():
    out = subprocess.run([a.sluicectl, "-s", a.socket, "--json", "stats"],
                         capture_output=True, text=True, timeout=15)
    if out.returncode != 0:
        raise RuntimeError(f"sluicectl stats: exit {out.returncode}: {out.stderr.strip()}")
    r = json.loads(out.stdout)
    if "ok" in r and "result" in r:
        r = r["result"]
    return r


def drops():
    return stats()["drops"]


def eth():
    return Ether(src=a.src_mac, dst=a.dst_mac)


def ip(**kw):
    return IP(src=a.src, dst=a.vip, **kw)


sport = [41000]


def syn(**kw):
    sport[0] += 1
    kw.setdefault("flags", "S")
    return TCP(sport=sport[0], dport=a.vport, seq=1000, **kw)


def good_csum(pkt, layer):
    """The checksum scapy would compute for `layer` in pkt."""
    return Ether(bytes(pkt))[layer].chksum


def frame_ip_bad_csum():
    p = eth() / ip() / syn()
    c = good_csum(p, IP)
    p[IP].chksum = c ^ 0x1111
    return p


def frame_tcp_bad_csum():
    p = eth() / ip() / syn()
    c = good_csum(p, TCP)
    p[TCP].chksum = c ^ 0x1111
    return p


def frame_truncated_tcp():
    # A correct IP header whose payload is 10 bytes of a 20-byte TCP header.
    tcp10 = bytes(syn())[:10]
    return eth() / ip(proto=6) / Raw(tcp10)


def frame_truncated_udp():
    udp4 = bytes(UDP(sport=41999, dport=53))[:4]
    return eth() / ip(proto=17) / Raw(udp4)


def frame_truncated_ip():
    return Ether(src=a.src_mac, dst=a.dst_mac, type=0x0800) / Raw(bytes(ip() / syn())[:10])


def frame_ihl4():
    # IHL 4 (16 bytes) with the checksum right over those 16 bytes.
    return eth() / ip(ihl=4) / syn()


def frame_bad_version():
    return eth() / ip(version=6) / syn()


def frame_len_below_header():
    return eth() / ip(len=16) / syn()


def frame_icmp_quote_proto99():
    # An ICMP error quoting a protocol nobody speaks (VPP #3728's case).
    inner = IP(src=a.vip, dst=a.src, proto=99) / Raw(b"q" * 8)
    return eth() / ip(proto=1) / ICMP(type=3, code=3) / Raw(bytes(inner))


def arp_not_ours():
    return Ether(src=a.src_mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=a.src_mac, psrc=a.src, pdst="198.18.0.77")


def arp_malformed():
    # hlen 7 for Ethernet: not an ARP Sluice can parse.
    return Ether(src=a.src_mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwlen=7, hwsrc=a.src_mac, psrc=a.src, pdst=a.vip)


# key: (description, frame builder, acceptable reasons, required?) -- the
# extras check reasons drop.h names beyond the required list.
CASES = {
    "ip_truncated": ("truncated IP header (10 bytes)", frame_truncated_ip, ["ip_truncated"], True),
    "ihl4": ("IHL < 5", frame_ihl4, ["ip_bad_ihl"], True),
    "options": ("IP options (IHL 6)", lambda: eth() / ip(options=[IPOption_NOP()] * 4) / syn(),
                ["ip_options"], True),
    "ip_csum": ("bad IP checksum", frame_ip_bad_csum, ["ip_bad_checksum"], True),
    "tcp_csum": ("bad TCP checksum", frame_tcp_bad_csum, ["l4_bad_checksum"], True),
    "frag_first": ("first fragment (MF set)", lambda: eth() / ip(flags="MF") / syn(),
                   ["ip_fragment"], True),
    "frag_later": ("non-first fragment (offset 64)",
                   lambda: eth() / ip(frag=8, proto=6) / Raw(b"x" * 24), ["ip_fragment"], True),
    "proto99": ("unknown protocol 99", lambda: eth() / ip(proto=99) / Raw(b"x" * 20),
                ["unknown_proto"], True),
    "tcp_truncated": ("truncated TCP header", frame_truncated_tcp, ["l4_truncated"], True),
    "udp_truncated": ("truncated UDP header", frame_truncated_udp, ["l4_truncated"], False),
    "version6": ("IP version 6 in an IPv4 frame", frame_bad_version, ["ip_bad_version"], False),
    "len_short": ("IP total length below the header", frame_len_below_header,
                  ["ip_bad_length", "ip_truncated"], False),
    "ethertype": ("unsupported ethertype 0x88b5",
                  lambda: Ether(src=a.src_mac, dst=a.dst_mac, type=0x88B5) / Raw(b"\x00" * 46),
                  ["l2_unsupported"], False),
    "other_mac": ("a SYN to the VIP for another host's MAC",
                  lambda: Ether(src=a.src_mac, dst="02:00:00:00:00:99") / ip() / syn(),
                  ["l2_other_host"], True),
    "arp_not_ours": ("ARP request for an address not Sluice's", arp_not_ours, ["arp_not_ours"], False),
    "arp_hlen": ("ARP with hardware length 7", arp_malformed, ["arp_malformed"], False),
    "martian_src": ("source address 127.0.0.1", lambda: eth() / IP(src="127.0.0.1", dst=a.vip) / syn(),
                    ["ip_bad_address"], True),
    "syn_fin": ("TCP SYN+FIN", lambda: eth() / ip() / syn(flags="SF"), ["tcp_bad_flags"], True),
    "port0": ("TCP to port 0", lambda: eth() / ip() / TCP(sport=41997, dport=0, flags="S"),
              ["l4_bad_port"], True),
    "tcp_doff15": ("TCP data offset 60 in a 20-byte segment",
                   lambda: eth() / ip() / syn(dataofs=15), ["l4_truncated"], True),
    "icmp_quote_proto99": ("ICMP error quoting protocol 99", frame_icmp_quote_proto99,
                           ["icmp_unsupported", "icmp_bad_quote"], True),
    "no_service": ("SYN to the VIP on a port with no service",
                   lambda: eth() / ip() / TCP(sport=41900, dport=81, flags="S"),
                   ["no_service", "not_local"], False),
}


def wait_growth(before, reasons, want, secs=4.0):
    deadline = time.time() + secs
    while True:
        now = drops()
        grew = {k: now.get(k, 0) - before.get(k, 0) for k in reasons}
        if sum(grew.values()) >= want or time.time() > deadline:
            return grew, now
        time.sleep(0.2)


d0 = drops()
only = [k for k in a.cases.split(",") if k] if a.cases else list(CASES)
skip = set(k for k in a.skip.split(",") if k)
unknown = [k for k in only + sorted(skip) if k not in CASES]
if unknown:
    sys.exit(f"malformed.py: unknown case(s) {unknown}; known: {sorted(CASES)}")
run = [k for k in only if k not in skip]
missing = [r for k in run for r in CASES[k][2] if r not in d0]
report(not missing, "stats drops lists every reason the cases use",
       f"missing: {sorted(set(missing))}")

for key in run:
    desc, build, reasons, required = CASES[key]
    frame = build()
    before = drops()
    sendp([frame] * a.copies, iface=a.iface)
    grew, now = wait_growth(before, reasons, a.copies)
    total = sum(grew.values())
    others = {k: now.get(k, 0) - before.get(k, 0) for k in now
              if k not in reasons and now.get(k, 0) != before.get(k, 0)}
    tag = "" if required else " [extra]"
    report(total >= a.copies,
           f"{desc}: drops.{'|'.join(reasons)} grew by {total} (sent {a.copies}){tag}",
           f"other drop counters that moved: {others}")

if a.no_ttl:
    sys.exit(1 if fails else 0)

# TTL 1 towards the VIP: dropped as ttl_exceeded and answered with ICMP time
# exceeded quoting our packet.
sn = AsyncSniffer(iface=a.iface, store=True,
                  lfilter=lambda p: p.haslayer(ICMP) and p[IP].dst == a.src and p[ICMP].type == 11)
sn.start()
time.sleep(0.5)
before = drops()
probe = syn()
probe_sport = probe.sport
sendp([eth() / ip(ttl=1) / probe] * a.copies, iface=a.iface)
grew, now = wait_growth(before, ["ttl_exceeded"], a.copies)
time.sleep(0.5)
got = sn.stop() or []
report(grew["ttl_exceeded"] >= a.copies,
       f"TTL 1 to the VIP: drops.ttl_exceeded grew by {grew['ttl_exceeded']} (sent {a.copies})")
quoted = [p for p in got if p.haslayer(IPerror) and p[IPerror].dst == a.vip
          and p.haslayer(TCPerror) and p[TCPerror].sport == probe_sport]
report(len(quoted) >= 1,
       f"TTL 1 to the VIP: ICMP time exceeded came back quoting the packet "
       f"({len(got)} time-exceeded, {len(quoted)} quoting it"
       + (f", from {got[0][IP].src}" if got else "") + ")")
if got:
    raw = bytes(got[0].original)[14:]
    ihl = (raw[0] & 0x0F) * 4
    tot = int.from_bytes(raw[2:4], "big")
    ok = checksum(raw[:ihl]) == 0 and checksum(raw[ihl:tot]) == 0
    report(ok, "ICMP time exceeded has correct IP and ICMP checksums")

sys.exit(1 if fails else 0)
