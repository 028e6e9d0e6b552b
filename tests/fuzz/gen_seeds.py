#!/usr/bin/python3
"""Writes the seed corpora of the fuzzing targets (docs/fuzzing.md) into tests/fuzz/corpus/.

graph: frames of every kind, in fuzz_graph's input format (a flags byte, then frames each after
a 16-bit big-endian word: the ingress port, 0 to 2, in the top 2 bits, the length in the low 12),
for the interfaces of fuzz_graph.c's config. api: request lines from docs/api.md. config: the
documents of conf/ and the README's example.

usage: gen_seeds.py [CORPUS_DIR]   (make fuzz merges what the fuzzers find into the same place)
"""
import hashlib
import json
import os
import struct
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, ICMPv6DestUnreach,
                       ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_Redirect,
                       ICMPv6ND_RS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo,
                       ICMPv6NDOptSrcLLAddr, ICMPv6TimeExceeded, IPOption_LSRR, IPOption_RR,
                       IPOption_Router_Alert, IPOption_Timestamp, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, Raw, fragment)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# fuzz_graph.c's interfaces
MAC = ["02:00:00:00:00:10", "02:00:00:00:00:11", "02:00:00:00:00:12"]
IP4 = ["192.0.2.1", "198.51.100.1", "203.0.113.1"]
IP6 = ["2001:db8::1", "2001:db8:1::1", "2001:db8:2::1"]
LL6 = ["fe80::ff:fe00:10", "fe80::ff:fe00:11", "fe80::ff:fe00:12"]  # EUI-64 of MAC
HOST_MAC = "02:00:00:00:aa:01"
HOST4 = "192.0.2.50"
HOST6 = "2001:db8::50"
HOST_LL6 = "fe80::aa:1"

TRACE, CKSUM_GOOD, CKSUM_BAD, AGE = 1, 2 << 1, 1 << 1, 8


def eth(port=0, dst=None, type=None):
    """type: for a payload scapy cannot name (a broken header)."""
    e = Ether(src=HOST_MAC, dst=dst or MAC[port])
    if type is not None:
        e.type = type
    return e


def v4(dst, port=0, src=HOST4, **kw):
    return eth(port) / IP(src=src, dst=dst, **kw)


def v6(dst, port=0, src=HOST6, **kw):
    return eth(port) / IPv6(src=src, dst=dst, **kw)


def snm(addr):
    """The solicited-node multicast address and MAC of an IPv6 address."""
    import ipaddress
    last = ipaddress.IPv6Address(addr).packed[-3:]
    return ("ff02::1:ff%02x:%02x%02x" % tuple(last),
            "33:33:ff:%02x:%02x:%02x" % tuple(last))


def record(frames, flags=0):
    """fuzz_graph's input: frames is a list of packets or (port, packet)."""
    out = bytes([flags])
    for f in frames:
        port, pkt = f if isinstance(f, tuple) else (0, f)
        data = bytes(pkt)[:0xfff]
        out += struct.pack(">H", port << 14 | len(data)) + data
    return out


def graph_seeds():
    s = {}
    payload = Raw(b"fuzz" * 8)
    # IPv4 to the router
    s["ip4_echo"] = [v4(IP4[0]) / ICMP() / payload]
    s["ip4_echo_other_addr"] = [v4(IP4[1]) / ICMP() / payload]
    s["ip4_echo_bcast"] = [eth(0, "ff:ff:ff:ff:ff:ff") / IP(src=HOST4, dst="192.0.2.255") / ICMP()]
    s["ip4_udp_bcast"] = [eth(0, "ff:ff:ff:ff:ff:ff") / IP(src=HOST4, dst="192.0.2.255") / UDP(dport=9)]
    s["icmp4_bad_checksum"] = [v4(IP4[0]) / ICMP(chksum=0x1234)]
    s["ip4_echo_limited_bcast"] = [eth(0, "ff:ff:ff:ff:ff:ff") / IP(src=HOST4, dst="255.255.255.255") / ICMP()]
    s["ip4_udp_local"] = [v4(IP4[0]) / UDP(sport=1234, dport=53) / payload]
    s["ip4_tcp_local"] = [v4(IP4[0]) / TCP(sport=1234, dport=22, flags="S")]
    s["ip4_proto_local"] = [v4(IP4[0], proto=47) / payload]
    s["ip4_icmp_error_in"] = [v4(IP4[0]) / ICMP(type=3, code=1) / IP(src=IP4[0], dst="10.9.9.9") / UDP()]
    s["ip4_echo_reply_in"] = [v4(IP4[0]) / ICMP(type=0) / payload]
    s["ip4_local_fragment"] = [v4(IP4[0], flags="MF") / ICMP() / payload]
    # forwarding
    s["ip4_fwd_ecmp"] = [v4("10.1.%d.%d" % (i, i)) / UDP(sport=1000 + i, dport=80) / payload for i in range(8)]
    s["ip4_fwd_single_path"] = [v4("198.18.0.1") / UDP(dport=53) / payload]
    s["ip4_no_route"] = [v4("8.8.8.8") / UDP(dport=53) / payload]
    s["ip4_fwd_unresolved_gw"] = [v4("10.2.0.5") / UDP() / payload]
    s["ip4_fwd_unresolved_gw_same_iface"] = [v4("10.3.0.5") / UDP() / payload, v4("10.3.0.6") / UDP() / payload]
    s["ip4_fwd_connected_unresolved"] = [v4("198.51.100.77") / UDP() / payload]
    s["ip4_fwd_connected_resolved"] = [(1, eth(1) / IP(src="198.51.100.2", dst="192.0.2.2") / UDP() / payload)]
    s["ip4_fwd_tcp"] = [v4("10.1.0.1") / TCP(flags="S")]
    s["ip4_ttl1"] = [v4("10.1.0.1", ttl=1) / UDP() / payload]
    s["ip4_ttl0"] = [v4("10.1.0.1", ttl=0) / UDP() / payload]
    s["ip4_ttl1_icmp_error"] = [v4("10.1.0.1", ttl=1) / ICMP(type=3, code=3) / IP(dst=HOST4) / UDP()]
    s["ip4_blackhole"] = [v4("10.66.1.1") / UDP()]
    s["ip4_unreachable"] = [v4("10.67.1.1") / UDP()]
    s["ip4_prohibit"] = [v4("10.68.1.1") / UDP()]
    s["ip4_no_route_p2"] = [(2, eth(2) / IP(src="203.0.113.7", dst="10.1.0.1") / UDP())]
    big = Raw(b"x" * 1400)
    s["ip4_frag_needed"] = [v4("10.2.0.5", flags="DF") / UDP() / big]
    s["ip4_fragment"] = [v4("10.2.0.5") / UDP() / big]
    s["ip4_fragment_resolved"] = [(1, eth(1) / IP(src="198.51.100.2", dst="10.2.0.5") / UDP() / big)]
    s["ip4_fragment_options"] = [v4("10.2.0.5", options=[IPOption_RR(), IPOption_Router_Alert()]) / UDP() / big]
    s["ip4_fwd_fragments"] = [v4("10.1.0.1", frag=0, flags="MF", id=7) / UDP() / payload,
                              v4("10.1.0.1", frag=5, id=7, proto=17) / payload]
    s["ip4_opt_rr"] = [v4("10.1.0.1", options=[IPOption_RR()]) / UDP() / payload]
    s["ip4_opt_ts"] = [v4(IP4[0], options=[IPOption_Timestamp(flg=0)]) / ICMP()]
    s["ip4_opt_lsrr"] = [v4("10.1.0.1", options=[IPOption_LSRR(routers=["10.1.0.2"])]) / UDP()]
    s["ip4_opt_ra_local"] = [v4(IP4[0], options=[IPOption_Router_Alert()]) / UDP()]
    # bad IPv4
    s["ip4_bad_cksum"] = [v4("10.1.0.1", chksum=0x1234) / UDP()]
    s["ip4_bad_version"] = [eth(0, type=0x800) / Raw(b"\x65" + bytes(IP(src=HOST4, dst="10.1.0.1") / UDP())[1:])]
    s["ip4_bad_ihl"] = [v4("10.1.0.1", ihl=4) / UDP()]
    s["ip4_bad_len"] = [v4("10.1.0.1", len=2000) / UDP()]
    s["ip4_short_len"] = [v4("10.1.0.1", len=10) / UDP()]
    s["ip4_padded"] = [v4("10.1.0.1") / UDP() / Raw(b"a") / Raw(b"\0" * 30)]
    s["ip4_truncated"] = [eth(0, type=0x800) / Raw(bytes(IP(src=HOST4, dst="10.1.0.1"))[:12])]
    s["ip4_martian_src"] = [v4("10.1.0.1", src="127.0.0.1") / UDP(), v4("10.1.0.1", src="224.0.0.1") / UDP(),
                            v4("10.1.0.1", src="0.0.0.0") / UDP()]
    s["ip4_martian_dst"] = [v4("127.0.0.1") / UDP(), v4("0.1.2.3") / UDP()]
    s["ip4_l2_multicast"] = [eth(0, "01:00:5e:00:00:05") / IP(src=HOST4, dst="224.0.0.5", ttl=1) / UDP()]
    s["ip4_l2_bcast_fwd"] = [eth(0, "ff:ff:ff:ff:ff:ff") / IP(src=HOST4, dst="10.1.0.1") / UDP()]
    # Ethernet
    s["eth_not_for_us"] = [eth(0, "02:00:00:00:99:99") / IP(src=HOST4, dst="10.1.0.1") / UDP()]
    s["eth_vlan"] = [eth() / Dot1Q(vlan=10) / IP(src=HOST4, dst=IP4[0]) / ICMP()]
    s["eth_unknown_type"] = [eth() / Raw(b"\x88\xb5" + b"\0" * 46)]
    s["eth_truncated"] = [Raw(b"\x02\x00\x00\x00\x00\x10\x02")]
    # ARP
    arp_req = eth(0, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST_MAC, psrc=HOST4, pdst=IP4[0])
    s["arp_request"] = [arp_req]
    s["arp_request_then_forward"] = [arp_req, v4("198.51.100.77") / UDP(), v4(HOST4, src="10.1.0.9") / UDP()]
    s["arp_reply"] = [eth(0) / ARP(op=2, hwsrc=HOST_MAC, psrc="192.0.2.9", hwdst=MAC[0], pdst=IP4[0])]
    s["arp_resolve_held"] = [v4("10.3.0.5") / UDP() / payload,
                             eth(0) / ARP(op=2, hwsrc=HOST_MAC, psrc="192.0.2.9", hwdst=MAC[0], pdst=IP4[0])]
    s["arp_gratuitous"] = [eth(0, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST_MAC, psrc="192.0.2.2", pdst="192.0.2.2")]
    s["arp_probe"] = [eth(0, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST_MAC, psrc="0.0.0.0", pdst=IP4[0])]
    s["arp_other_target"] = [eth(0, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST_MAC, psrc=HOST4, pdst="192.0.2.77")]
    s["arp_bad_hlen"] = [eth(0, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwlen=8, hwsrc=HOST_MAC, psrc=HOST4, pdst=IP4[0])]
    s["arp_short"] = [eth(0, "ff:ff:ff:ff:ff:ff", ) / Raw(bytes(ARP(op=1, psrc=HOST4, pdst=IP4[0]))[:20])]
    s["arp_other_iface"] = [(1, eth(1, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST_MAC, psrc="198.51.100.9", pdst=IP4[1]))]
    # IPv6 to the router
    s["ip6_echo"] = [v6(IP6[0]) / ICMPv6EchoRequest(data=b"fuzz")]
    s["ip6_echo_ll"] = [v6(LL6[0], src=HOST_LL6) / ICMPv6EchoRequest()]
    s["ip6_echo_all_nodes"] = [eth(0, "33:33:00:00:00:01") / IPv6(src=HOST6, dst="ff02::1") / ICMPv6EchoRequest()]
    s["ip6_udp_local"] = [v6(IP6[0]) / UDP(dport=53) / payload]
    s["ip6_tcp_local"] = [v6(IP6[0]) / TCP(flags="S")]
    s["ip6_unknown_nh_local"] = [v6(IP6[0], nh=253) / payload]
    s["ip6_icmp_error_in"] = [v6(IP6[0]) / ICMPv6DestUnreach() / IPv6(src=IP6[0], dst="2001:db8:99::1") / UDP()]
    ns_dst, ns_mac = snm(IP6[0])
    s["ndp_ns"] = [eth(0, ns_mac) / IPv6(src=HOST6, dst=ns_dst, hlim=255) / ICMPv6ND_NS(tgt=IP6[0]) / ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC)]
    s["ndp_ns_dad"] = [eth(0, ns_mac) / IPv6(src="::", dst=ns_dst, hlim=255) / ICMPv6ND_NS(tgt=IP6[0])]
    s["ndp_ns_bad_hlim"] = [eth(0, ns_mac) / IPv6(src=HOST6, dst=ns_dst, hlim=64) / ICMPv6ND_NS(tgt=IP6[0]) / ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC)]
    s["ndp_ns_unicast_nolla"] = [v6(IP6[0], hlim=255) / ICMPv6ND_NS(tgt=IP6[0])]
    s["ndp_na"] = [eth(0, "33:33:00:00:00:01") / IPv6(src=HOST6, dst="ff02::1", hlim=255) / ICMPv6ND_NA(tgt=HOST6, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=HOST_MAC)]
    s["ndp_na_solicited"] = [v6("2001:db8:20::5") / UDP(),
                             (2, eth(2) / IPv6(src="2001:db8:2::2", dst=IP6[2], hlim=255) / ICMPv6ND_NA(tgt="2001:db8:2::2", R=1, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=HOST_MAC))]
    s["ndp_rs"] = [eth(0, "33:33:00:00:00:02") / IPv6(src=HOST_LL6, dst="ff02::2", hlim=255) / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC)]
    s["ndp_ra"] = [eth(0, "33:33:00:00:00:01") / IPv6(src=HOST_LL6, dst="ff02::1", hlim=255) / ICMPv6ND_RA() / ICMPv6NDOptPrefixInfo(prefix="2001:db8::", prefixlen=64) / ICMPv6NDOptMTU() / ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC)]
    s["ndp_redirect"] = [v6(LL6[0], src=HOST_LL6, hlim=255) / ICMPv6ND_Redirect(tgt="fe80::5", dst="2001:db8:99::1")]
    # IPv6 forwarding
    s["ip6_fwd_ecmp"] = [v6("2001:db8:10::%x" % i, fl=i) / UDP(sport=1000 + i) / payload for i in range(1, 8)]
    s["ip6_fwd_single_path"] = [v6("2001:db8:100::8888") / UDP() / payload]
    s["ip6_no_route"] = [v6("2001:4860::8888") / UDP() / payload]
    s["ip6_prohibit"] = [v6("2001:db8:68::1") / UDP()]
    s["ip6_fwd_ll_source"] = [v6("2001:db8:10::1", src=HOST_LL6) / UDP()]
    s["ip6_fwd_unspecified_source"] = [v6("2001:db8:10::1", src="::") / UDP()]
    s["ip6_fwd_l2_multicast"] = [eth(0, "33:33:00:00:00:01") / IPv6(src=HOST6, dst="2001:db8:10::1") / UDP()]
    s["ip6_multicast_fwd"] = [eth(0, "33:33:00:00:00:01") / IPv6(src=HOST6, dst="ff0e::1") / UDP()]
    s["ip6_multicast_not_joined"] = [eth(0, "33:33:00:00:00:05") / IPv6(src=HOST6, dst="ff02::5") / UDP()]
    s["ip6_udp_all_nodes"] = [eth(0, "33:33:00:00:00:01") / IPv6(src=HOST6, dst="ff02::1") / UDP(dport=9)]
    s["ip6_own_reply_too_big"] = [v6(IP6[0], src="2001:db8:20::5") / ICMPv6EchoRequest(data=b"x" * 1300)]
    s["ip4_own_reply_fragmented"] = [v4(IP4[0], src="10.2.0.5") / ICMP() / Raw(b"x" * 1400)]
    s["ip6_own_reply_no_route"] = [v6(IP6[0], src="2001:4860::8888") / ICMPv6EchoRequest()]
    s["ip4_own_reply_no_route"] = [v4(IP4[0], src="8.8.8.8") / ICMP()]
    s["ip6_incomplete_chain"] = [v6(IP6[0]) / IPv6ExtHdrFragment(m=1, nh=60) / Raw(b"\x11\x01\x01\x04")]
    s["icmp6_bad_checksum"] = [v6(IP6[0]) / ICMPv6EchoRequest(cksum=0x1234)]
    s["ip6_fwd_unresolved"] = [v6("2001:db8:20::5") / UDP() / payload]
    s["ip6_fwd_ll_gateway"] = [v6("2001:db8:30::5") / UDP() / payload]
    s["ip6_fwd_connected_unresolved"] = [v6("2001:db8:1::77") / UDP() / payload]
    s["ip6_hlim1"] = [v6("2001:db8:10::1", hlim=1) / UDP() / payload]
    s["ip6_hlim1_error"] = [v6("2001:db8:10::1", hlim=1) / ICMPv6TimeExceeded() / IPv6() / UDP()]
    s["ip6_blackhole"] = [v6("2001:db8:66::1") / UDP()]
    s["ip6_unreachable"] = [v6("2001:db8:67::1") / UDP()]
    s["ip6_too_big"] = [(1, eth(1) / IPv6(src="2001:db8:1::2", dst="2001:db8:20::5") / UDP() / Raw(b"x" * 1300))]
    s["ip6_too_big_resolved"] = [v6("2001:db8:2::2") / UDP() / Raw(b"x" * 1300)]
    # IPv6 extension headers
    udp = bytes(UDP(chksum=0) / payload)
    s["ip6_hbh_ra"] = [v6(IP6[0], nh=0) / Raw(b"\x11\x00\x05\x02\x00\x00\x01\x00" + udp)]
    s["ip6_hbh_fwd"] = [v6("2001:db8:10::1") / IPv6ExtHdrHopByHop() / UDP() / payload]
    s["ip6_hbh_jumbo"] = [v6("2001:db8:10::1", nh=0) / Raw(b"\x11\x00\xc2\x04\x00\x00\x00\x00" + udp)]
    for action in range(4):  # skip, discard, discard and ICMP, ICMP unless multicast
        s["ip6_hbh_unknown_opt_%d" % action] = [v6("2001:db8:10::1", nh=0) / Raw(b"\x11\x00" + bytes([action << 6 | 0x1e]) + b"\x04\x00\x00\x00\x00" + udp)]
    s["ip6_ext_truncated"] = [v6(IP6[0], nh=60) / Raw(b"\x11\x08\x00\x00")]
    s["ip6_ext_too_many"] = [v6(IP6[0], nh=60) / Raw(b"\x3c\x00\x01\x04\x00\x00\x00\x00" * 40 + b"\x11\x00\x01\x04\x00\x00\x00\x00" + udp)]
    s["ip6_rh0"] = [v6(IP6[0]) / IPv6ExtHdrRouting(type=0, addresses=["2001:db8:10::1"]) / UDP()]
    s["ip6_rh0_done"] = [v6(IP6[0]) / IPv6ExtHdrRouting(type=0, segleft=0, addresses=["2001:db8:10::1"]) / UDP()]
    s["ip6_srh"] = [v6(IP6[0]) / IPv6ExtHdrSegmentRouting(addresses=["2001:db8:10::1", IP6[0]], segleft=1) / UDP()]
    s["ip6_frag_local"] = [v6(IP6[0]) / IPv6ExtHdrFragment(m=1, id=5) / ICMPv6EchoRequest()]
    s["ip6_frag_fwd"] = [v6("2001:db8:10::1") / IPv6ExtHdrFragment(m=1, id=6) / UDP() / payload,
                         v6("2001:db8:10::1") / IPv6ExtHdrFragment(offset=5, id=6, nh=17) / payload]
    s["ip6_atomic_frag"] = [v6(IP6[0]) / IPv6ExtHdrFragment(m=0, offset=0) / ICMPv6EchoRequest()]
    s["ip6_dstopt"] = [v6(IP6[0]) / IPv6ExtHdrDestOpt() / UDP()]
    s["ip6_ext_chain"] = [v6(IP6[0]) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(segleft=0) / IPv6ExtHdrFragment() / IPv6ExtHdrDestOpt() / UDP()]
    s["ip6_hbh_not_first"] = [v6(IP6[0]) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / UDP()]
    s["ip6_no_next"] = [v6(IP6[0], nh=59) / Raw(b"abcd")]
    # bad IPv6
    s["ip6_bad_version"] = [eth(0, type=0x86dd) / Raw(b"\x40" + bytes(IPv6(src=HOST6, dst=IP6[0]) / UDP())[1:])]
    s["ip6_bad_plen"] = [v6(IP6[0], plen=500) / UDP()]
    s["ip6_truncated"] = [eth(0, type=0x86dd) / Raw(bytes(IPv6(src=HOST6, dst=IP6[0]))[:30])]
    s["ip6_martian_src"] = [v6(IP6[0], src="ff02::1") / UDP(), v6(IP6[0], src="::1") / UDP()]
    s["ip6_martian_dst"] = [v6("::1") / UDP(), v6("::") / UDP()]
    s["ip6_v4mapped"] = [v6("::ffff:10.1.0.1") / UDP()]
    s["ip6_ll_fwd"] = [v6("fe80::77", src=HOST_LL6) / UDP()]
    # mixed bursts and flags
    mixed = [v4("10.1.0.1") / UDP(), v6("2001:db8:10::1") / UDP(), arp_req, v4(IP4[0]) / ICMP(),
             (1, eth(1) / IP(src="198.51.100.2", dst="10.2.0.5") / UDP()), (2, eth(2) / IPv6(src="2001:db8:2::2", dst=IP6[2]) / ICMPv6EchoRequest())]
    out = {name: record(frames) for name, frames in s.items()}
    out["mixed"] = record(mixed)
    out["mixed_traced"] = record(mixed, TRACE)
    out["ip4_fwd_cksum_good"] = record(s["ip4_fwd_ecmp"], CKSUM_GOOD)
    out["ip4_fwd_cksum_bad"] = record(s["ip4_fwd_ecmp"][:1], CKSUM_BAD)
    out["ip4_fragment_traced"] = record(s["ip4_fragment"], TRACE)
    out["ip6_ext_chain_traced"] = record(s["ip6_ext_chain"], TRACE)
    # resolutions that fail: held packets become host unreachable errors
    out["ip4_unresolved_aged"] = record(s["ip4_fwd_unresolved_gw_same_iface"] + s["ip4_fwd_connected_unresolved"], AGE | TRACE)
    out["ip6_unresolved_aged"] = record(s["ip6_fwd_unresolved"] + s["ip6_fwd_connected_unresolved"] + s["ip6_fwd_ll_gateway"], AGE)
    out["arp_learned_aged"] = record(s["arp_request_then_forward"], AGE)
    return out


API_REQUESTS = [
    {"cmd": "api.version"}, {"cmd": "api.commands"}, {"cmd": "api.stats"},
    {"cmd": "monitor", "args": {"events": ["route", "neigh"]}}, {"cmd": "monitor.stop"},
    {"cmd": "iface.list"}, {"cmd": "twin.list"}, {"cmd": "netlink.show"},
    {"cmd": "addr.list"}, {"cmd": "addr.list", "args": {"family": "inet6"}},
    {"cmd": "addr.add", "args": {"iface": "p0", "address": "10.0.1.1/24"}},
    {"cmd": "addr.add", "args": {"iface": "p1", "address": "2001:db8:5::1/64"}},
    {"cmd": "addr.del", "args": {"iface": "p0", "address": "192.0.2.1/24"}},
    {"cmd": "ra.list"}, {"cmd": "ra.set", "args": {"iface": "p1", "interval": 600, "lifetime": 1800, "hop_limit": 64, "mtu": 1280, "managed": False, "other": True, "prefixes": [{"prefix": "2001:db8:1::/64", "on_link": True, "autonomous": True, "valid_lifetime": 86400, "preferred_lifetime": 14400}]}},
    {"cmd": "ra.del", "args": {"iface": "p1"}},
    {"cmd": "route.list"}, {"cmd": "route.list", "args": {"family": "inet6", "vrf": 0}},
    {"cmd": "route.add", "args": {"prefix": "10.0.0.0/8", "via": "192.0.2.2"}},
    {"cmd": "route.add", "args": {"prefix": "10.9.0.0/16", "via": ["192.0.2.10", "192.0.2.11"]}},
    {"cmd": "route.add", "args": {"prefix": "10.10.0.0/16", "nexthops": [{"via": "192.0.2.10", "weight": 3}, {"via": "192.0.2.11", "dev": "p0"}]}},
    {"cmd": "route.add", "args": {"prefix": "10.66.0.0/16", "type": "blackhole", "vrf": 0}},
    {"cmd": "route.add", "args": {"prefix": "2001:db8::/32", "via": "fe80::1", "dev": "p1"}},
    {"cmd": "route.add", "args": {"prefix": "2001:db8:100::/48", "via": "2001:db8:1::2"}},
    {"cmd": "route.del", "args": {"prefix": "10.1.0.0/16"}},
    {"cmd": "neigh.list"},
    {"cmd": "neigh.add", "args": {"iface": "p0", "address": "192.0.2.9", "mac": "02:00:00:00:00:09"}},
    {"cmd": "neigh.add", "args": {"iface": "p1", "address": "2001:db8:1::9", "mac": "02:00:00:00:00:0a"}},
    {"cmd": "neigh.del", "args": {"iface": "p0", "address": "192.0.2.3"}},
    {"cmd": "stats.show"}, {"cmd": "stats.clear"}, {"cmd": "runtime.show"}, {"cmd": "graph.show"},
    {"cmd": "trace.add", "args": {"count": 10}}, {"cmd": "trace.show"}, {"cmd": "trace.clear"},
    {"cmd": "capture.show"}, {"cmd": "capture.stop"}, {"cmd": "config.dump"},
]


def api_seeds():
    out = {}
    for i, req in enumerate(API_REQUESTS):
        req = dict(id=i + 1, **req)
        out[req["cmd"] + "_%d" % i] = (json.dumps(req) + "\n").encode()
    # framing: pipelined, blank lines, \r, a last line without its newline, bad requests
    out["pipelined"] = b"".join(json.dumps(dict(id=i, **r)).encode() + b"\n" for i, r in enumerate(API_REQUESTS[:8]))
    out["framing"] = b'\n  \r\n{"cmd": "api.version"}\r\n\n{"id": [1, {"a": null}], "cmd": "iface.list"}'
    out["bad"] = b'{"cmd": 1}\n[]\n{"cmd": "x", "args": []}\n{"cmd": "api.version", "extra": 1}\n{"id": 1, "id": 2}\nnot json\n'
    return out


def config_seeds():
    out = {}
    confdir = os.path.join(ROOT, "conf")
    for name in sorted(os.listdir(confdir)):
        if name.endswith(".json"):
            with open(os.path.join(confdir, name), "rb") as f:
                out["conf_" + name] = f.read()
    null = lambda name, **kw: dict(name=name, driver="null", no_rx=True, **kw)
    out["null_ports.json"] = json.dumps({
        "twins": {"enabled": False},
        "ports": [null("p0", mtu=1500, mac="02:00:00:00:00:01"), null("p1", rxqs=1, rx_ring=512, tx_ring=512, promisc=True)],
        "addresses": [{"iface": "p0", "address": "192.0.2.1/24"}, {"iface": "p0", "address": "2001:db8::1/64"},
                      {"iface": "p1", "address": "198.51.100.1/24"}],
        "routes": [{"prefix": "0.0.0.0/0", "via": "192.0.2.254"},
                   {"prefix": "10.9.0.0/16", "via": ["192.0.2.10", "198.51.100.11"]},
                   {"prefix": "10.66.0.0/16", "type": "blackhole"},
                   {"prefix": "2001:db8:100::/48", "via": "fe80::1", "dev": "p0"},
                   {"prefix": "10.10.0.0/16", "nexthops": [{"via": "192.0.2.10", "weight": 2}, {"via": "198.51.100.11"}]}],
        "fib": {"ipv6_max_routes": 4096},
        "router_advertisements": [{"iface": "p0", "interval": 200}],
        "neighbours": [{"iface": "p0", "address": "192.0.2.9", "mac": "02:00:00:00:00:09"},
                       {"iface": "p0", "address": "2001:db8::9", "mac": "02:00:00:00:00:0a"}],
    }, indent=1).encode()
    out["all_sections.json"] = json.dumps({
        "eal": {"file_prefix": "fastpath", "huge": True, "args": [], "mbufs": 8191},
        "workers": {"count": 2, "idle_sleep_us": 0, "fast_path": True},
        "api": {"socket": "/run/fastpath/fastpath.sock"},
        "twins": {"enabled": False, "prefix": "fp-", "rate_limit_pps": 1000},
        "netlink": {"enabled": False, "rcvbuf": 1048576, "tables": [{"table": 254, "vrf": 0}]},
        "telemetry": {},
        "ports": [null("p0")],
        "addresses": [{"iface": "p0", "address": "10.0.0.1/8"}],
        "routes": [], "neighbours": [], "router_advertisements": [],
    }).encode()
    out["readme_example.json"] = json.dumps({
        "ports": [{"name": "p0", "driver": "af_packet", "iface": "eth1", "mtu": 1500, "rxqs": 1},
                  {"name": "p1", "driver": "pci", "pci": "0000:01:00.0", "rxqs": 2, "rx_ring": 1024}],
        "addresses": [{"iface": "p0", "address": "192.0.2.1/24"}],
    }).encode()
    out["errors.json"] = b'{\n\t"ports": [{"name": "p0", "driver": "null", "mtuu": 1500}],\n\t"routes": [{"prefix": "10.0.0.1/8"}]\n}'
    return out


def write(corpus, target, seeds):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        # libFuzzer names files by their SHA-1: a seed written again replaces itself
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (target, len(seeds)))


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    write(corpus, "graph", graph_seeds())
    write(corpus, "api", api_seeds())
    write(corpus, "config", config_seeds())


if __name__ == "__main__":
    main()
