#!/usr/bin/python3
"""A UDP datagram as IP fragments, sent from a host, and the fragments a capture holds
(fragments.sh).

usage: fragments.py send SRC DST PORT SIZE FRAGSIZE ROUTER_MAC [reverse] [first|rest|nolast]
                                                                [ttl=N] [overlap] [fl=vary] [id=N]
           SIZE bytes of UDP payload to DST:PORT (IPv4 or IPv6, as DST), in fragments of
           FRAGSIZE bytes of IP payload (a multiple of 8), TTL/hop limit 64 (or N),
           identification 0x4242, through eth0; "reverse": the last fragment first; "first":
           the first fragment alone, "rest": all but the first, "nolast": all but the last;
           "overlap": one more fragment, second, across the first two (FRAGSIZE - 8, FRAGSIZE
           bytes); "fl=vary": IPv6, each fragment with a flow label of its own (RSS spreads them
           over queues); "id=N": identification N (the fragments of a datagram left behind
           would be taken for this one's). Prints them as "show" does.
       fragments.py show PCAP [any]
           one line per fragment of identification 0x4242 (any: of any identification), in
           the capture's order:
           "offset length more-fragments ttl" (offset and length: bytes of fragment payload)
"""
import sys

from scapy.all import IP, UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw, conf, rdpcap, sendp

conf.verb = 0
FRAG_ID = 0x4242


def show(frags):
    for f in frags:
        print(" ".join(str(v) for v in f))


def fragments(src, dst, port, size, fragsize, ttl, overlap=False, vary_fl=False, frag_id=FRAG_ID):
    """(offset, length, more, ttl, packet) of each fragment, in order."""
    v6 = ":" in dst
    whole = (IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)) / UDP(sport=40000, dport=port)
    payload = bytes(whole / Raw(b"f" * size))[40 if v6 else 20 :]
    out = []
    offsets = list(range(0, len(payload), fragsize))
    if overlap:  # past the end of the first, the only one there: an overlap, not a duplicate
        offsets.insert(1, fragsize - 8)
    for i, off in enumerate(offsets):
        chunk = payload[off : off + fragsize]
        more = int(off + fragsize < len(payload))
        if v6:
            pkt = (IPv6(src=src, dst=dst, hlim=ttl, fl=i + 1 if vary_fl else 0)
                   / IPv6ExtHdrFragment(nh=17, offset=off // 8, m=more, id=frag_id) / Raw(chunk))
        else:
            pkt = (IP(src=src, dst=dst, ttl=ttl, id=frag_id, proto=17, frag=off // 8,
                      flags="MF" if more else 0) / Raw(chunk))
        out.append((off, len(chunk), more, ttl, pkt))
    return out


def captured(path, any_id=False):
    for p in rdpcap(path):
        if IPv6ExtHdrFragment in p and (any_id or p[IPv6ExtHdrFragment].id == FRAG_ID):
            h = p[IPv6ExtHdrFragment]
            yield h.offset * 8, len(h.payload), h.m, p[IPv6].hlim
        elif IP in p and (any_id or p[IP].id == FRAG_ID) and (p[IP].frag or p[IP].flags.MF):
            yield p[IP].frag * 8, p[IP].len - p[IP].ihl * 4, int(p[IP].flags.MF), p[IP].ttl


if sys.argv[1] == "send":
    src, dst, port, size, fragsize, mac = sys.argv[2:8]
    opts = sys.argv[8:]
    ttl = next((int(o[4:]) for o in opts if o.startswith("ttl=")), 64)
    frag_id = next((int(o[3:], 0) for o in opts if o.startswith("id=")), FRAG_ID)
    frags = fragments(src, dst, int(port), int(size), int(fragsize), ttl, "overlap" in opts,
                      "fl=vary" in opts, frag_id)
    if "first" in opts:
        frags = frags[:1]
    if "rest" in opts:
        frags = frags[1:]
    if "nolast" in opts:
        frags = frags[:-1]
    if "reverse" in opts:
        frags.reverse()
    eth = Ether(dst=mac, type=0x86DD if ":" in dst else 0x0800)
    sendp([eth / f[4] for f in frags], iface="eth0")
    show(f[:4] for f in frags)
else:
    show(captured(sys.argv[2], sys.argv[3:] == ["any"]))
