#!/usr/bin/python3
"""Crafted IPv4 options from h1 through the router (run inside the h1 namespace): what h1 gets
back, checked against what Linux answers (tests/integration/oracle/cases_ipv4_options.py
compares them byte for byte).

usage: ip_options.py CASE    exit 0 when the router answered as Linux does
"""
import sys
import time

from scapy.all import ICMP, IP, AsyncSniffer, Ether, Raw, conf, sendp, srp1

conf.verb = 0
ROUTER_MAC = "02:00:00:00:01:01"
H1, R1, R2, H2, H3 = "10.0.1.2", "10.0.1.1", "10.0.2.1", "10.0.2.2", "10.0.3.2"


def addr(a):
    return bytes(int(x) for x in a.split("."))


def frame(dst, opts, ttl=64, ident=0x77):
    """An echo request from h1 with the options opts (bytes, padded with EOL)."""
    opts += b"\0" * (-len(opts) % 4)
    return (Ether(dst=ROUTER_MAC) / IP(src=H1, dst=dst, ttl=ttl, options=[Raw(opts)]) /
            ICMP(id=ident, seq=1) / Raw(b"options" * 4))


def ask(pkt):
    return srp1(pkt, iface="eth0", timeout=2)


def report(what, ok, reply=None):
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if not ok and reply is not None:
        reply.show()
    return ok


def source_route_dropped():
    """LSRR and SSRR, to the router and through it: no answer (counted by the caller)."""
    ok = True
    for kind, name in ((131, "LSRR"), (137, "SSRR")):
        for dst in (R1, H2):
            reply = ask(frame(dst, bytes([kind, 7, 4]) + addr(H3)))
            ok &= report(f"{name} to {dst}: no answer", reply is None, reply)
    return ok


def source_route_followed():
    """An LSRR to the router naming h2: h2 gets it from the router (its slot recording the
    router's p2 address) and answers back along the reversed route, through the router."""
    # not an answer to scapy's eyes: it comes from another address than the one asked
    sniffer = AsyncSniffer(iface="eth0", count=1, timeout=3,
                           lfilter=lambda p: p.haslayer(ICMP) and p[ICMP].type == 0 and
                           p[ICMP].id == 0x77)
    sniffer.start()
    time.sleep(0.5)
    sendp(frame(R1, bytes([131, 7, 4]) + addr(H2)), iface="eth0")
    sniffer.join()
    reply = sniffer.results[0] if sniffer.results else None
    ok = reply is not None and reply.haslayer(ICMP) and reply[ICMP].type == 0
    ok = report("an echo reply from h2 comes back", ok and reply[IP].src == H2, reply)
    if ok:
        # h2 reversed the route: 10.0.2.1 (the router) first, then h1; the router, following
        # it, put its p1 address in the slot it used
        opts = bytes(reply[IP])[20:reply[IP].ihl * 4]
        ok = report("its LSRR was reversed by h2 and followed by the router",
                    opts[:11] == bytes([131, 7, 8]) + addr(R1) + b"\0", reply)
    return ok


def malformed():
    """Parameter problem (12/0) from the router, the pointer on the first bad byte."""
    ok = True
    for opts, ptr, what in ((bytes([7, 7, 3]) + b"\0" * 4, 22, "record route pointer below 4"),
                            (bytes([7, 1, 4, 0]), 20, "option length 1"),
                            (bytes([1, 7, 11, 4]) + b"\0" * 4, 21, "option past the header"),
                            (bytes([68, 12, 13, 0xF0]) + b"\0" * 8, 23, "timestamp overflow 15")):
        reply = ask(frame(H2, opts))
        got = (reply is not None and reply.haslayer(ICMP) and reply[IP].src == R1 and
               reply[ICMP].type == 12 and reply[ICMP].code == 0 and
               bytes(reply[ICMP])[4] == ptr)
        ok &= report(f"{what}: parameter problem, pointer {ptr}", got, reply)
    return ok


def ttl_exceeded_quote():
    """TTL 1 with a record route of 2 slots: time exceeded from the router, carrying the record
    route with the router's address twice (on input, on its error); the quote is the packet as
    Linux holds it then: the first slot filled, its checksum not yet updated."""
    pkt = frame(H2, bytes([7, 11, 4]) + b"\0" * 8, ttl=1)
    reply = ask(pkt)
    if not report("time exceeded from the router", reply is not None and reply.haslayer(ICMP) and
                  reply[IP].src == R1 and reply[ICMP].type == 11, reply):
        return False
    raw = bytes(reply[IP])
    hl = reply[IP].ihl * 4
    ok = report("its options: the record route, both slots the router's",
                raw[20:hl] == bytes([7, 11, 12]) + addr(R1) * 2 + b"\0", reply)
    quote = raw[hl + 8:]
    sent = bytes(pkt[IP])
    ok &= report("the quote: the header as it came but its first slot filled, old checksum",
                 quote[:20] == sent[:20] and quote[20:32] == bytes([7, 11, 8]) + addr(R1) +
                 b"\0" * 5, reply)
    return ok


CASES = {f.__name__: f for f in (source_route_dropped, source_route_followed, malformed,
                                  ttl_exceeded_quote)}
sys.exit(0 if CASES[sys.argv[1]]() else 1)
