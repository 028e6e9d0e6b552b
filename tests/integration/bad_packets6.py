#!/usr/bin/python3
"""Sends crafted and malformed IPv6 frames from h1 to the router or across it, as bad_packets.py.

usage: bad_packets6.py CASE ROUTER_MAC   (run inside the h1 namespace)

A case that Linux answers exits 0 if the router's answer is the ICMPv6 message Linux sends
(type, code, pointer or MTU, source); a case that is dropped sends 5 frames and exits 0, the
caller checks the drop counter.
"""
import struct
import sys
import time

from scapy.all import (AsyncSniffer, HBHOptUnknown, ICMPv6EchoRequest, IPv6, IPv6ExtHdrHopByHop, UDP,
                       Ether, Raw, conf, sendp)

conf.verb = 0
case, router_mac = sys.argv[1], sys.argv[2]
H1, H2, R1 = "2001:db8:1::2", "2001:db8:2::2", "2001:db8:1::1"
eth = Ether(dst=router_mac, type=0x86DD)


def ip6(dst=H2, nh=17, hlim=64):
    """A fixed header; with_payload() sets its payload length."""
    return IPv6(src=H1, dst=dst, nh=nh, hlim=hlim)


def opts_header(nh, options):
    """A hop-by-hop or destination options header with these option bytes, padded to 8."""
    body = bytes(options)
    pad = (-(len(body) + 2)) % 8
    if pad == 1:
        body += b"\x00"
    elif pad > 1:
        body += bytes([1, pad - 2]) + b"\x00" * (pad - 2)
    return bytes([nh, (len(body) + 2) // 8 - 1]) + body


def unknown_option(otype):
    return [otype, 4, 0, 0, 0, 0]


udp = bytes(UDP(sport=4000, dport=4001) / Raw(b"x" * 16))


def with_payload(hdr, chain):
    pkt = hdr / Raw(chain)
    pkt[IPv6].plen = len(chain)
    return pkt


def sniffed(pkt, src, types):
    """Sends pkt and returns the first ICMPv6 message of one of these types from src, or None."""
    sniffer = AsyncSniffer(iface="eth0", filter=f"icmp6 and src host {src}")
    sniffer.start()
    time.sleep(0.5)
    sendp(eth / pkt, iface="eth0")
    time.sleep(1)
    for p in sniffer.stop():
        if p.haslayer(IPv6) and p[IPv6].nh == 58 and bytes(p[IPv6].payload)[0] in types:
            return p
    return None


def answer(pkt, want_type, want_code, want_pointer=None, want_src=R1):
    """Sends pkt and checks the router's ICMPv6 answer."""
    reply = sniffed(pkt, want_src, (1, 2, 3, 4))
    if reply is None:
        print("no answer")
        return False
    icmp = bytes(reply[IPv6].payload)
    t, c = icmp[0], icmp[1]
    data = struct.unpack("!I", icmp[4:8])[0]
    print(f"ICMPv6 type {t} code {c} data {data} from {reply[IPv6].src}")
    return t == want_type and c == want_code and (want_pointer is None or data == want_pointer)


def dstopts_chain(n, last_nh=17):
    """n destination options headers (PadN only), the last naming last_nh."""
    chain = b""
    for i in range(n):
        chain += opts_header(60 if i < n - 1 else last_nh, [1, 4, 0, 0, 0, 0])
    return chain


drops = {
    # ip6_rcv_core(): payload length beyond the frame
    "bad_payload_length": eth / Raw(bytes(IPv6(src=H1, dst=H2, nh=17, plen=400)) + udp),
    "truncated_header": eth / Raw(bytes(IPv6(src=H1, dst=H2))[:20]),
    "bad_version": eth / Raw(b"\x40" + bytes(IPv6(src=H1, dst=H2) / UDP())[1:]),
    "multicast_source": eth / IPv6(src="ff02::1", dst=H2) / UDP(),
    "loopback_destination": eth / IPv6(src=H1, dst="::1") / UDP(),
    # forwarding walks the hop-by-hop options only: more than 8 options there
    "too_many_options": eth / with_payload(ip6(nh=0), opts_header(17, unknown_option(0x1e) * 9) + udp),
    # the whole chain of a packet for us: 9 destination options headers, over the bound of 8
    "long_chain": eth / with_payload(ip6(dst=R1, nh=60), dstopts_chain(9) + udp),
    # a header that says it is longer than the packet
    "truncated_ext_header": eth / with_payload(ip6(dst=R1, nh=60), bytes([17, 4]) + b"\x01\x02\x00\x00\x00\x00"),
    # an option of type 01xxxxxx: discard silently
    "option_discard": eth / with_payload(ip6(nh=0), opts_header(17, unknown_option(0x5e)) + udp),
}

answers = {
    # hop limit 0 and 1: time exceeded, hop limit exceeded in transit
    "hop_limit_0": lambda: answer(IPv6(src=H1, dst=H2, hlim=0) / UDP(dport=33434), 3, 0),
    "hop_limit_1": lambda: answer(IPv6(src=H1, dst=H2, hlim=1) / UDP(dport=33434), 3, 0),
    # option types 10xxxxxx and 11xxxxxx: parameter problem, unrecognized option, at its type
    "option_param_problem": lambda: answer(
        with_payload(ip6(nh=0), opts_header(17, unknown_option(0x9e)) + udp), 4, 2, 42),
    "option_param_problem_unicast": lambda: answer(
        with_payload(ip6(nh=0), opts_header(17, unknown_option(0xde)) + udp), 4, 2, 42),
    # a routing header of type 0 with segments left: erroneous field, at its type (RFC 5095)
    "routing_type_0": lambda: answer(
        with_payload(ip6(dst=R1, nh=43), bytes([17, 2, 0, 1, 0, 0, 0, 0]) + bytes(16) + udp), 4, 0, 42),
    # hop-by-hop options after another header: unrecognized next header, at the byte naming it
    "hop_by_hop_not_first": lambda: answer(
        with_payload(ip6(dst=R1, nh=60), opts_header(0, [1, 4, 0, 0, 0, 0]) + opts_header(17, [1, 4, 0, 0, 0, 0]) + udp),
        4, 1, 40),
    # an upper-layer protocol nobody handles: unrecognized next header, at the header's byte
    "unknown_next_header": lambda: answer(with_payload(ip6(dst=R1, nh=253), b"\x00" * 8), 4, 1, 6),
    # UDP to the router, nothing listens: port unreachable
    "udp_port_unreachable": lambda: answer(IPv6(src=H1, dst=R1) / UDP(sport=4000, dport=9), 1, 4),
    # an option of type 00xxxxxx is skipped: the packet is forwarded, h2 answers
    "option_skip": lambda: sniffed(IPv6(src=H1, dst=H2) / IPv6ExtHdrHopByHop(
        options=[HBHOptUnknown(otype=0x1e, optdata=b"\x00" * 4)]) / ICMPv6EchoRequest(id=7, seq=1),
        H2, (129,)) is not None,
}

if case == "hop_limit_burst":
    # 20 expiring packets at once: Linux answers 6 (XRLIM_BURST_FACTOR) and limits the rest
    sniffer = AsyncSniffer(iface="eth0", filter=f"icmp6 and src host {R1}")
    sniffer.start()
    time.sleep(1)
    sendp([eth / IPv6(src=H1, dst=H2, hlim=1) / UDP(dport=33434 + i) for i in range(20)], iface="eth0")
    time.sleep(1)
    replies = [p for p in sniffer.stop() if p.haslayer(IPv6) and bytes(p[IPv6].payload)[0] == 3]
    print(f"{len(replies)} time exceeded for 20 probes")
    sys.exit(0 if len(replies) == 6 else 1)
if case == "router_solicitation":
    # from h2: a multicast router advertisement from p2's link-local address, with the prefix
    from scapy.all import ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr
    rs = (Ether(dst="33:33:00:00:00:02") / IPv6(src="2001:db8:2::2", dst="ff02::2", hlim=255) /
          ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=Ether().src))
    sniffer = AsyncSniffer(iface="eth0", filter="icmp6 and src host fe80::ff:fe00:201")
    sniffer.start()
    time.sleep(0.5)
    sendp(rs, iface="eth0")
    time.sleep(3.5)  # at most one multicast advertisement every 3 s (RFC 4861 6.2.6)
    ras = [p for p in sniffer.stop() if p.haslayer(ICMPv6ND_RA)]
    for p in ras:
        p.show()
    ok = any(p[IPv6].dst == "ff02::1" and p[IPv6].hlim == 255 and p[ICMPv6ND_RA].routerlifetime == 600 and
             p.haslayer(ICMPv6NDOptPrefixInfo) and p[ICMPv6NDOptPrefixInfo].prefix == "2001:db8:2::" for p in ras)
    sys.exit(0 if ok else 1)
if case in drops:
    sendp([drops[case]] * 5, iface="eth0")
    sys.exit(0)
sys.exit(0 if answers[case]() else 1)
