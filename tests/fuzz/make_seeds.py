#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the packet fuzzer's hand-made seeds into tests/fuzz/corpus/packet/.

Each seed is a small program in the fuzzer's input language (see the top
of fuzz_packet.c, and tests/fuzz/README.md): whole conversations -
handshakes, data, FIN and RST, replies steered across workers, SNAT
sessions, ICMP and ICMPv6 errors, expiry, configuration changes under
load - so that mutation starts deep inside the dataplane rather than at
"is this Ethernet?". Run it again after
changing the input language; crash inputs in the directory are kept.
"""
import os
import struct
import sys

RAW, BUILD, REPLY, ICMPERR, ADVANCE, CONTROL, BURST, ARP = range(8)
# Indexes into addr_table[] and port_table[] of fuzz_packet_ops.c.
CLI_A, CLI_B, CLI_WAN, GW, VIP, VIP2, WAN_IP, LAN_IP, LIP1, LIP2 = range(10)
RS1, RS2, RS3, IN_AD, IN_EI, POOL1, POOL2, POOL3 = range(10, 18)
P80, P53, P443, P8080, P5353, P8443, P40000 = range(7)
WAN, LAN = 0, 1
W1 = 2  # "where" bit: worker 1
SEL_TCP, SEL_UDP, SEL_ECHO, SEL_ECHO_REPLY, SEL_ICMP, SEL_OTHER = range(6)
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def build(where, sel, src, dst, sport, dport, flags=0, ttl=64, seq=1000,
          ack=0, payload=0, icmp_type=0, mangle=None, fix=False, hosts=False,
          src_bytes=b""):
    op = BUILD | ((1 if mangle else 0) | (2 if fix else 0) | (4 if hosts else 0)) << 3
    b = bytes([op, where, sel])
    if sel == SEL_OTHER:
        b += bytes([icmp_type])  # the protocol number
    if sel not in (SEL_ECHO, SEL_ECHO_REPLY):
        b += bytes([icmp_type])
    if sel == SEL_ICMP:
        b += bytes([0])
    b += bytes([src]) + src_bytes + bytes([dst, sport, dport, flags, ttl ^ 64])
    b += struct.pack(">II", seq, ack) + bytes([payload // 4])
    if mangle:
        b += bytes(mangle)
    return b


def reply(where, index, flags, delta=None, payload=0):
    op = REPLY | ((1 if delta is not None else 0) << 3)
    b = bytes([op, where, index, flags])
    if delta is not None:
        b += struct.pack(">I", delta & 0xffffffff)
    return b + bytes([payload // 2])


def icmperr(index, type_sel, code, src):
    return bytes([ICMPERR, 0, index, type_sel, code, src])


def advance(seconds, ms4=0):
    return bytes([ADVANCE, seconds, ms4])


def control(what):
    return bytes([CONTROL, what])


def burst(n):
    return bytes([BURST, n - 1])


def repeat(n, times=1):
    """Repeat the next operation n * times times (n <= 32, times <= 8)."""
    return bytes([BURST | 1 << 3 | (times - 1) << 4, n - 1])


RANDOM = 23  # addr_table index after the last: four literal bytes follow


def arp(where, op, spa, tpa, mac=1):
    return bytes([ARP, where, op, spa, tpa, mac])


def handshake(where=WAN, cli=CLI_A, cport=P40000):
    return (build(where, SEL_TCP, cli, VIP, cport, P80, SYN)
            + reply(0, 0, SYN | ACK)
            + build(where, SEL_TCP, cli, VIP, cport, P80, ACK, seq=1001, ack=1))


SEEDS = {
    "fullnat-tcp-life": handshake()
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, PSH | ACK, seq=1001, payload=40)
    + reply(0, 0, PSH | ACK, payload=100)
    + reply(0, 0, FIN | ACK)
    + reply(0, 0, FIN | ACK)
    + advance(3),
    "fullnat-rst-in-and-out-of-window": handshake()
    + reply(0, 0, ACK, payload=20)
    + reply(0, 0, RST, delta=0x40000000)
    + reply(0, 1, RST, delta=0)
    + reply(0, 0, ACK),
    "fullnat-steered-reply": build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN)
    + reply(W1, 0, SYN | ACK)
    + build(WAN | W1, SEL_TCP, CLI_A, VIP, P40000, P80, ACK),
    "fullnat-udp": build(WAN, SEL_UDP, CLI_B, VIP, P40000, P53, payload=16)
    + reply(0, 0, 0, payload=40)
    + reply(W1, 1, 0, payload=8)
    + advance(4),
    "fullnat-unresolved-server": build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN)
    + build(WAN, SEL_TCP, CLI_B, VIP, P40000, P80, SYN)
    + build(WAN, SEL_TCP, CLI_WAN, VIP, P40000, P80, SYN)
    + arp(LAN, 2, RS3, LIP1)
    + control(0x80)
    + advance(2),
    "fullnat-icmp-errors": handshake()
    + icmperr(0, 0, 3, RS1)
    + icmperr(1, 1, 0, GW)
    + reply(0, 0, ACK)
    + icmperr(0, 0, 4, CLI_A),
    "fullnat-ttl": build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, ttl=1)
    + handshake()
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, ACK, ttl=1),
    "fullnat-config-under-load": handshake()
    + handshake(cport=P8080)
    + control(0) + control(1) + control(3)
    + reply(0, 0, ACK)
    + build(WAN, SEL_TCP, CLI_B, VIP, P40000, P80, SYN)
    + control(2)
    + reply(0, 0, ACK)
    + control(0x40)
    + build(WAN, SEL_TCP, CLI_B, VIP, P40000, P80, SYN),
    "burst-of-syns": burst(8)
    + b"".join(build(WAN, SEL_TCP, c, VIP, p, P80, SYN)
               for c in (CLI_A, CLI_B) for p in (P40000, P8080, P443, P53))
    + reply(0, 0, SYN | ACK) + reply(0, 3, SYN | ACK),
    "snat-tcp": build(LAN, SEL_TCP, IN_AD, CLI_A, P40000, P80, SYN)
    + reply(0, 0, SYN | ACK)
    + build(LAN, SEL_TCP, IN_AD, CLI_A, P40000, P80, ACK)
    + reply(0, 0, RST),
    "snat-udp-eim": build(LAN, SEL_UDP, IN_EI, CLI_A, P40000, P53, payload=8)
    + reply(0, 0, 0, payload=8)
    + build(WAN, SEL_UDP, CLI_B, POOL3, P53, P40000, payload=4)
    + advance(4),
    "snat-icmp-echo": build(LAN, SEL_ECHO, IN_AD, CLI_A, P40000, P40000, payload=8)
    + reply(0, 0, 0)
    + icmperr(0, 1, 0, GW),
    "snat-hairpin": build(LAN, SEL_UDP, IN_EI, CLI_A, P40000, P53)
    + build(LAN, SEL_UDP, IN_AD, POOL3, P5353, P40000),
    "flood-fills-ports": repeat(32, 3)
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN)
    + repeat(32, 2) + reply(0, 0, SYN | ACK)
    + advance(3),
    "flood-fills-table": repeat(32, 2)
    + build(LAN, SEL_UDP, IN_AD, CLI_A, P40000, P53, payload=4, hosts=True)
    + repeat(32, 2)
    + build(LAN | W1, SEL_UDP, IN_AD, CLI_B, P8080, P53, payload=4, hosts=True),
    "flood-fills-steering-ring": repeat(32, 2)
    + build(LAN | W1, SEL_UDP, RS1, LIP1, P5353, 6, payload=8) + bytes([0]),
    "snat-host-limit": repeat(4)
    + build(LAN, SEL_UDP, IN_AD, CLI_A, P40000, P53, payload=4),
    "no-route": build(WAN, SEL_ECHO, RANDOM, VIP, P40000, P80, src_bytes=bytes([10, 1, 2, 3])),
    "local-echo-and-arp": build(WAN, SEL_ECHO, CLI_A, VIP, P40000, P80, payload=32)
    + build(LAN, SEL_ECHO, RS1, LIP1, P40000, P80)
    + arp(WAN, 1, GW, VIP) + arp(LAN, 1, RS1, LIP2) + arp(WAN, 2, CLI_WAN, WAN_IP),
    "malformed-classes": build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, mangle=[1, 30])
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, mangle=[2, 3], fix=True)
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, mangle=[2, 7], fix=True)
    + build(WAN, SEL_UDP, CLI_A, VIP, P40000, P53, mangle=[3, 0x21], fix=True)
    + build(WAN, SEL_UDP, CLI_A, VIP, P40000, P53, mangle=[4, 0xff], fix=True)
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, mangle=[5, 0xf0], fix=True)
    + build(WAN, SEL_UDP, CLI_A, VIP, P40000, P53, mangle=[6, 20], fix=True)
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, mangle=[7, 0x61], fix=True)
    + build(WAN, SEL_TCP, CLI_A, VIP, P40000, P80, SYN | FIN)
    + build(WAN, SEL_OTHER, CLI_A, VIP, P40000, P80, icmp_type=47)
    + build(WAN, SEL_ICMP, CLI_A, VIP, P40000, P80, icmp_type=13)
    + build(WAN | 8, SEL_TCP, CLI_A, VIP, P40000, P80, SYN, mangle=[1, 60]),
}

# ---- IPv6 (fuzz_packet6.c): BUILD with option 8, kinds 0-5 ----
# Indexes into addr6_table[] of fuzz_packet6.c.
C6_A, C6_B, C6_WAN, LL, WAN6, LAN6, VIP6, ALL_NODES, SOL_NODE, ALL_ROUTERS = range(10)
UNSPEC, LOOP6, MAPPED, RS6, LL2 = range(10, 15)
SEL6_TCP, SEL6_UDP, SEL6_ECHO, SEL6_NDP, SEL6_ICMP, SEL6_OTHER = range(6)
NS, NA, RS, RA, REDIRECT = range(5)  # ndp_types[]
HBH, ROUTING, DSTOPTS, FRAG = range(4)


def chain(*types):
    """The chain byte: its length, then two bits per header, first first."""
    b = len(types)
    for i, t in enumerate(types):
        b |= t << (2 + 2 * i)
    return b


def build6(where, sel, src, dst, sport=P40000, dport=P80, flags=0, hop=255,
           seq=1000, ack=0, payload=0, kind=0, code=0, target=None, ext=(),
           units=0, mangle=None, fix=False):
    op = BUILD | (8 | (1 if mangle else 0) | (2 if fix else 0)) << 3
    b = bytes([op, where, sel])
    if sel == SEL6_OTHER:
        b += bytes([kind])  # the next header
    elif sel == SEL6_NDP:
        b += bytes([kind])  # index into ndp_types[]
    elif sel == SEL6_ICMP:
        b += bytes([kind, code])
    b += bytes([src, dst])
    if sel == SEL6_NDP:
        b += bytes([target if target is not None else WAN6])
    b += bytes([sport, dport, flags, hop ^ 255])
    b += struct.pack(">II", seq, ack) + bytes([payload // 4, chain(*ext), units])
    if mangle:
        b += bytes(mangle)
    return b


SEEDS.update({
    "v6-tcp-udp-echo": build6(WAN, SEL6_TCP, C6_WAN, WAN6, flags=SYN)
    + build6(WAN, SEL6_TCP, C6_A, VIP6, flags=SYN, payload=8)
    + build6(LAN, SEL6_UDP, RS6, LAN6, dport=P53, payload=16)
    + build6(WAN, SEL6_ECHO, C6_WAN, WAN6, payload=32)
    + build6(WAN, SEL6_ICMP, C6_A, WAN6, kind=129)
    + build6(WAN, SEL6_ICMP, C6_A, WAN6, kind=2, payload=48)
    + build6(WAN, SEL6_OTHER, C6_A, WAN6, kind=132, payload=8),  # SCTP
    "v6-ndp": build6(WAN, SEL6_NDP, LL, SOL_NODE, kind=NS, target=WAN6)
    + build6(WAN, SEL6_NDP, C6_WAN, WAN6, kind=NS, target=WAN6)
    + build6(WAN, SEL6_NDP, LL, SOL_NODE, kind=NS, target=WAN6, hop=64)
    + build6(WAN, SEL6_NDP, UNSPEC, SOL_NODE, kind=NS, target=WAN6)
    + build6(WAN, SEL6_NDP, LL, WAN6, kind=NA, target=C6_WAN)
    + build6(WAN, SEL6_NDP, C6_WAN, WAN6, kind=NA, target=C6_WAN)
    + build6(WAN, SEL6_NDP, LL, ALL_NODES, kind=RA)
    + build6(LAN, SEL6_NDP, LL2, ALL_ROUTERS, kind=RS)
    + build6(WAN, SEL6_NDP, LL, WAN6, kind=REDIRECT, target=LL2),
    "v6-ext-chains": build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, ext=(HBH, DSTOPTS))
    + build6(WAN, SEL6_UDP, C6_A, WAN6, ext=(HBH, ROUTING, DSTOPTS), units=1)
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, ext=(ROUTING,), units=0x80)
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, ext=(DSTOPTS, HBH))
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, ext=(DSTOPTS, DSTOPTS, DSTOPTS))
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, ext=(HBH, DSTOPTS), units=31)
    + build6(WAN, SEL6_ECHO, C6_A, WAN6, ext=(FRAG,), units=0x20)
    + build6(WAN, SEL6_UDP, C6_A, WAN6, ext=(DSTOPTS, FRAG), units=0x40),
    "v6-martians": build6(WAN, SEL6_TCP, UNSPEC, WAN6, flags=SYN)
    + build6(WAN, SEL6_TCP, LOOP6, WAN6, flags=SYN)
    + build6(WAN, SEL6_TCP, ALL_NODES, WAN6, flags=SYN)
    + build6(WAN, SEL6_UDP, LL, WAN6, dport=P53)
    + build6(WAN, SEL6_TCP, MAPPED, WAN6, flags=SYN)
    + build6(WAN, SEL6_TCP, C6_A, LOOP6, flags=SYN),
    "v6-malformed": build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, mangle=[1, 50])
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, mangle=[2, 200], fix=True)
    + build6(WAN, SEL6_UDP, C6_A, WAN6, dport=P53, mangle=[3, 0])
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, ext=(HBH,), mangle=[4, 40], fix=True)
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, mangle=[5, 0x30], fix=True)
    + build6(WAN, SEL6_UDP, C6_A, WAN6, dport=P53, mangle=[5, 2], fix=True)
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, mangle=[6, 20], fix=True)
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN, mangle=[7, 0x41])
    + build6(WAN, SEL6_TCP, C6_A, WAN6, flags=SYN | FIN),
})


# ---- REPLY and ICMPERR about v6 frames (fuzz_packet6.c) ----
# REPLY option 2 answers a v6 frame too; ICMPERR option 1 makes an
# ICMPv6 error about one (a v4 frame still gets the v4 forms).
DU6, PTB6, TE6, PP6 = range(4)  # err6_types[]
MTU_1280, MTU_1500, MTU_1400, MTU_1300, MTU_1279, MTU_1000 = range(6)  # ptb_mtus[]
FROM_PEER, FROM_ROUTER, FROM_SELF = 0, 1, 2  # pick_from6(); 3: the table
ROUTER_GW, ROUTER_FAR, ROUTER_LAN = range(3)  # routers6[]


def reply6(where, index, flags, delta=None, payload=0):
    op = REPLY | ((1 if delta is not None else 0) | 2) << 3
    b = bytes([op, where, index, flags])
    if delta is not None:
        b += struct.pack(">I", delta & 0xffffffff)
    return b + bytes([payload // 2])


def icmperr6(index, type_sel, code=0, word=0, frm=FROM_PEER, router=0,
             quote=None, bad_csum=None, hop=None, where=0):
    op = ICMPERR | (1 | (2 if quote else 0) | (4 if bad_csum else 0)
                    | (8 if hop is not None else 0)) << 3
    b = bytes([op, where, index, type_sel, code, word, frm | router << 2])
    if quote:
        b += bytes([quote - 1])
    if bad_csum:
        b += bytes([bad_csum])
    if hop is not None:
        b += bytes([hop])
    return b


RS6_UNRESOLVED = 17  # addr6_table[]: 2001:db8:1::12, no static neighbor


def handshake6(dport=P80, cli=C6_A):
    """Client SYN, server SYN-ACK, client ACK: sent frames are then, latest
    first, the ACK to the server, the SYN-ACK to the client, the SYN. A
    SYN held for the unresolved server (NS out) is let go by its NA."""
    return (build6(WAN, SEL6_TCP, cli, VIP6, dport=dport, flags=SYN)
            + build6(LAN, SEL6_NDP, LL2, LAN6, kind=NA, target=RS6_UNRESOLVED)
            + control(0x80)
            + reply6(0, 0, SYN | ACK)
            + build6(WAN, SEL6_TCP, cli, VIP6, dport=dport, flags=ACK, seq=1001, ack=1))


def to_server(dport=P80, cli=C6_A):
    """Client data: Sluice's latest frame is then the one to the server."""
    return build6(WAN, SEL6_TCP, cli, VIP6, dport=dport, flags=PSH | ACK, seq=1001,
                  ack=1, payload=8)


def to_client(dport=P80, cli=C6_A):
    """Client data and the server's answer: the latest is to the client."""
    return to_server(dport, cli) + reply6(0, 0, PSH | ACK, payload=8)


SEEDS.update({
    # FNAT66: errors from the server side about a packet to the server
    # (relayed to the client from the VIP), from the client side about one
    # to the client (to the server from the local address); each about
    # the latest frame, made just before it.
    "v6-fnat66-icmp-errors": handshake6()
    + to_server() + icmperr6(0, PTB6, word=MTU_1400)
    + to_server() + icmperr6(0, PTB6, word=MTU_1279, frm=FROM_ROUTER, router=ROUTER_LAN)
    + to_server() + icmperr6(0, DU6, code=4)
    + to_server() + icmperr6(0, TE6, frm=FROM_ROUTER, router=ROUTER_LAN)
    + to_server() + icmperr6(0, PTB6, word=MTU_1400, quote=40)
    + to_server() + icmperr6(0, PTB6, word=MTU_1400, quote=60)
    + to_server() + icmperr6(0, DU6, code=4, bad_csum=0x11)
    + to_server() + icmperr6(0, DU6, code=4, hop=1)
    + to_server() + icmperr6(0, DU6, code=4, frm=FROM_SELF)
    + to_server() + icmperr6(0, DU6, code=4, where=1)
    + to_client() + icmperr6(0, PTB6, word=MTU_1300)
    + to_client() + icmperr6(0, DU6, code=3, frm=FROM_ROUTER, router=ROUTER_FAR)
    + to_client() + icmperr6(0, TE6, code=1, frm=FROM_ROUTER, router=ROUTER_GW)
    + to_client() + icmperr6(0, PP6, code=0, word=6),
    # NAT64: the v4 side's errors (ICMPERR's v4 form about the frame to
    # the v4 server) become ICMPv6 to the client; the client's ICMPv6
    # errors about a packet to it become ICMP to the server.
    "v6-nat64-icmp-errors": handshake6(dport=P443)
    + to_server(P443) + icmperr(0, 0, 4, RS1)
    + to_server(P443) + icmperr(0, 0, 3, RS1)
    + to_server(P443) + icmperr(0, 1, 0, LIP1)
    + to_server(P443) + icmperr(0, 2, 0, RS1)
    + to_client(P443) + icmperr6(0, PTB6, word=MTU_1500)
    + to_client(P443) + icmperr6(0, PTB6, word=MTU_1280)
    + to_client(P443) + icmperr6(0, PTB6, word=MTU_1279)
    + to_client(P443) + icmperr6(0, DU6, code=4)
    + to_client(P443) + icmperr6(0, DU6, code=0, frm=FROM_ROUTER, router=ROUTER_FAR)
    + to_client(P443) + icmperr6(0, TE6, code=0, frm=FROM_ROUTER, router=ROUTER_GW)
    + to_client(P443) + icmperr6(0, PP6, code=1, word=6)
    + to_client(P443) + icmperr6(0, PP6, code=0, word=7)
    + to_client(P443) + icmperr6(0, PP6, code=0, word=200)
    + to_client(P443) + icmperr6(0, DU6, code=0xf5)
    + to_client(P443) + icmperr6(0, DU6, code=4, quote=44),
    # Replies to v6 frames: UDP through FNAT66 and NAT64, an RST.
    "v6-replies": build6(WAN, SEL6_UDP, C6_B, VIP6, dport=P53, payload=16)
    + reply6(0, 0, 0, payload=40)
    + build6(WAN, SEL6_UDP, C6_B, VIP6, dport=P8443, payload=16)
    + reply6(0, 0, 0, payload=8)
    + icmperr6(0, DU6, code=4)
    + handshake6()
    + reply6(0, 1, RST, delta=0)
    + advance(4),
})

def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "packet")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
