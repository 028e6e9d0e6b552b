"""The base cases: what a router answers to ordinary and broken packets, IPv4 and IPv6.

Each frame goes from h1 unless said otherwise; expect names what Linux must answer for the case
to test what its name says ("nothing": Linux drops it silently).
"""
from scapy.all import ICMP, IP, TCP, UDP, ICMPv6EchoRequest, IPv6, Raw

from oracle import Case

# fastpath runs without twins in the oracle's bed (tests/integration/oracle.sh), answering alone
NO_TCP = ("Without twins fastpath runs no TCP: a TCP segment to one of the router's addresses is "
          "dropped and counted (ip4_local_tcp, ip6_local_tcp) where Linux answers a closed port "
          "with a reset; with twins (the default) the kernel answers it, as Linux does.")

PAYLOAD = Raw(b"fastpath oracle " * 2)


def ip4(t, dst, **kw):
    return IP(src=kw.pop("src", t.h1_ip4), dst=dst, **kw)


def ip6(t, dst, **kw):
    return IPv6(src=kw.pop("src", t.h1_ip6), dst=dst, **kw)


def echo4(t, dst, **kw):
    return ip4(t, dst, **kw) / ICMP(id=0x4242, seq=1) / PAYLOAD


def echo6(t, dst, **kw):
    return ip6(t, dst, **kw) / ICMPv6EchoRequest(id=0x4242, seq=1) / PAYLOAD


def udp4(t, dst, **kw):
    return ip4(t, dst, **kw) / UDP(sport=40000, dport=33434) / PAYLOAD


def udp6(t, dst, **kw):
    return ip6(t, dst, **kw) / UDP(sport=40000, dport=33434) / PAYLOAD


def with_checksum(pkt, value):
    """pkt (an IP packet) with its header checksum overwritten."""
    b = bytearray(bytes(pkt))
    b[10:12] = value.to_bytes(2, "big")
    return Raw(bytes(b))


def header_length(t, ihl):
    """A UDP packet to h2 whose header length field says ihl, its checksum right for that."""
    b = bytearray(bytes(udp4(t, t.h2_ip4)))
    b[0] = 0x40 | ihl
    b[10:12] = b"\0\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, 20, 2))
    s = (s & 0xFFFF) + (s >> 16)
    b[10:12] = (~s & 0xFFFF).to_bytes(2, "big")
    return Raw(bytes(b))


def total_length(t, length):
    """A UDP packet to h2 whose total length says length (checksum right)."""
    return Raw(bytes(ip4(t, t.h2_ip4, len=length) / UDP(sport=40000, dport=33434) / PAYLOAD))


def opts_header(nh, options):
    """A hop-by-hop or destination options header: these option bytes, padded to 8 (PadN)."""
    body = bytes(options)
    pad = (-(len(body) + 2)) % 8
    body += b"\0" if pad == 1 else (bytes([1, pad - 2]) + b"\0" * (pad - 2) if pad else b"")
    return bytes([nh, (len(body) + 2) // 8 - 1]) + body


def ext6(t, dst, chain, first):
    """An IPv6 packet to dst whose payload is the raw extension chain, first its first header,
    ending in UDP (its checksum right for dst)."""
    payload = chain + bytes(udp6(t, dst))[40:]
    return ip6(t, dst, nh=first, plen=len(payload)) / Raw(payload)


def unknown_option(t, dst, otype, hdr=0):
    """An option of unknown type otype (its top two bits say what to do) in a hop-by-hop (0) or
    destination options (60) header."""
    return ext6(t, dst, opts_header(17, [otype, 4, 0, 0, 0, 0]), hdr)


def routing0(t, dst, segments_left):
    """A type 0 routing header (deprecated, RFC 5095) with one address to visit."""
    rh = bytes([17, 2, 0, segments_left, 0, 0, 0, 0]) + bytes(16)
    return ext6(t, dst, rh, 43)


CASES = [
    # IPv4 ------------------------------------------------------------------------------------
    Case("ip4_echo_router", 4, lambda t: [echo4(t, t.r1_ip4)], expect="ICMP 0/0"),
    Case("ip4_echo_router_far_address", 4, lambda t: [echo4(t, t.r2_ip4)], expect="ICMP 0/0"),
    Case("ip4_echo_forwarded", 4, lambda t: [echo4(t, t.h2_ip4)], expect="ICMP 0/0"),
    Case("ip4_udp_forwarded", 4, lambda t: [udp4(t, t.h2_ip4, tos=0x28)], expect="h2 "),
    Case("ip4_ttl_1_forwarded", 4, lambda t: [udp4(t, t.h2_ip4, ttl=1)], expect="ICMP 11/0"),
    Case("ip4_ttl_0_forwarded", 4, lambda t: [udp4(t, t.h2_ip4, ttl=0)], expect="ICMP 11/0"),
    Case("ip4_ttl_1_to_router", 4, lambda t: [echo4(t, t.r1_ip4, ttl=1)], expect="ICMP 0/0"),
    Case("ip4_ttl_1_to_router_far_address", 4, lambda t: [echo4(t, t.r2_ip4, ttl=1)],
         expect="ICMP 0/0"),
    Case("ip4_no_route", 4, lambda t: [udp4(t, "10.99.0.1")], expect="ICMP 3/0"),
    Case("ip4_unreachable_route", 4, lambda t: [udp4(t, "10.77.0.1")], expect="ICMP 3/1"),
    Case("ip4_prohibit_route", 4, lambda t: [udp4(t, "10.88.0.1")], expect="ICMP 3/13"),
    Case("ip4_blackhole_route", 4, lambda t: [udp4(t, "10.66.0.1")], expect="nothing"),
    Case("ip4_fragmentation_needed", 4,
         lambda t: [ip4(t, t.h3_ip4, flags="DF") / UDP(sport=40000, dport=33434) / Raw(b"d" * 1400)],
         expect="ICMP 3/4 mtu=1280"),
    Case("ip4_fragmented", 4,
         lambda t: [ip4(t, t.h3_ip4, id=0x1234) / ICMP(id=0x4242, seq=1) / Raw(b"f" * 1400)],
         expect="frag=0x2000"),
    Case("ip4_bad_checksum_forwarded", 4, lambda t: [with_checksum(udp4(t, t.h2_ip4), 0x1234)],
         expect="nothing"),
    Case("ip4_bad_checksum_to_router", 4, lambda t: [with_checksum(echo4(t, t.r1_ip4), 0x1234)],
         expect="nothing"),
    Case("ip4_header_length_below_5", 4, lambda t: [header_length(t, 4)], expect="nothing"),
    Case("ip4_header_length_beyond_total_length", 4, lambda t: [header_length(t, 15)],
         expect="nothing"),
    Case("ip4_total_length_below_header", 4, lambda t: [total_length(t, 19)], expect="nothing"),
    Case("ip4_total_length_beyond_frame", 4, lambda t: [total_length(t, 400)], expect="nothing"),
    Case("ip4_source_limited_broadcast", 4, lambda t: [udp4(t, t.h2_ip4, src="255.255.255.255")],
         expect="nothing"),
    Case("ip4_source_multicast", 4, lambda t: [udp4(t, t.h2_ip4, src="224.0.0.5")], expect="nothing"),
    Case("ip4_source_zero", 4, lambda t: [udp4(t, t.h2_ip4, src="0.0.0.0")], expect="nothing"),
    Case("ip4_source_loopback", 4, lambda t: [udp4(t, t.h2_ip4, src="127.0.0.1")], expect="nothing"),
    Case("ip4_destination_zero", 4, lambda t: [udp4(t, "0.0.0.0")], expect="nothing"),
    Case("ip4_destination_loopback", 4, lambda t: [udp4(t, "127.0.0.1")], expect="nothing"),
    Case("ip4_udp_closed_port_router", 4, lambda t: [udp4(t, t.r1_ip4)], expect="ICMP 3/3"),
    Case("ip4_unknown_protocol_router", 4,
         lambda t: [ip4(t, t.r1_ip4, proto=253) / PAYLOAD], expect="ICMP 3/2"),
    Case("ip4_tcp_syn_router", 4, lambda t: [ip4(t, t.r1_ip4) / TCP(sport=40000, dport=9, seq=1000)],
         expect="flags=0x14", differs=NO_TCP),
    # IPv6 ------------------------------------------------------------------------------------
    Case("ip6_echo_router", 6, lambda t: [echo6(t, t.r1_ip6)], expect="ICMPv6 129/0"),
    Case("ip6_echo_router_far_address", 6, lambda t: [echo6(t, t.r2_ip6)], expect="ICMPv6 129/0"),
    Case("ip6_echo_router_link_local", 6, lambda t: [echo6(t, t.r1_ll6, src=t.h1_ll6)],
         expect="ICMPv6 129/0"),
    Case("ip6_echo_forwarded", 6, lambda t: [echo6(t, t.h2_ip6)], expect="ICMPv6 129/0"),
    Case("ip6_udp_forwarded", 6, lambda t: [udp6(t, t.h2_ip6, tc=0x28, fl=0x12345)], expect="h2 "),
    Case("ip6_hop_limit_1_forwarded", 6, lambda t: [udp6(t, t.h2_ip6, hlim=1)], expect="ICMPv6 3/0"),
    Case("ip6_hop_limit_0_forwarded", 6, lambda t: [udp6(t, t.h2_ip6, hlim=0)], expect="ICMPv6 3/0"),
    Case("ip6_hop_limit_1_to_router", 6, lambda t: [echo6(t, t.r1_ip6, hlim=1)],
         expect="ICMPv6 129/0"),
    Case("ip6_no_route", 6, lambda t: [udp6(t, "2001:db8:99::1")], expect="ICMPv6 1/0"),
    Case("ip6_unreachable_route", 6, lambda t: [udp6(t, "2001:db8:77::1")], expect="ICMPv6 1/0"),
    Case("ip6_prohibit_route", 6, lambda t: [udp6(t, "2001:db8:88::1")], expect="ICMPv6 1/1"),
    Case("ip6_blackhole_route", 6, lambda t: [udp6(t, "2001:db8:66::1")], expect="nothing"),
    Case("ip6_packet_too_big", 6,
         lambda t: [ip6(t, t.h3_ip6) / UDP(sport=40000, dport=33434) / Raw(b"d" * 1400)],
         expect="ICMPv6 2/0 mtu=1280"),
    Case("ip6_hbh_unknown_option_skip", 6, lambda t: [unknown_option(t, t.h2_ip6, 0x1E)],
         expect="h2 "),
    Case("ip6_hbh_unknown_option_discard", 6, lambda t: [unknown_option(t, t.h2_ip6, 0x5E)],
         expect="nothing"),
    Case("ip6_hbh_unknown_option_param_problem", 6, lambda t: [unknown_option(t, t.h2_ip6, 0x9E)],
         expect="ICMPv6 4/2 ptr=42"),
    Case("ip6_hbh_unknown_option_param_problem_unicast", 6,
         lambda t: [unknown_option(t, t.h2_ip6, 0xDE)], expect="ICMPv6 4/2 ptr=42"),
    Case("ip6_dst_unknown_option_param_problem_router", 6,
         lambda t: [unknown_option(t, t.r1_ip6, 0x9E, hdr=60)], expect="ICMPv6 4/2 ptr=42"),
    Case("ip6_routing_type_0_router", 6, lambda t: [routing0(t, t.r1_ip6, 1)],
         expect="ICMPv6 4/0 ptr=42"),
    Case("ip6_routing_type_0_no_segments_left", 6, lambda t: [routing0(t, t.r1_ip6, 0)],
         expect="ICMPv6 1/4"),
    Case("ip6_source_multicast", 6, lambda t: [udp6(t, t.h2_ip6, src="ff02::1")], expect="nothing"),
    Case("ip6_source_loopback", 6, lambda t: [udp6(t, t.h2_ip6, src="::1")], expect="nothing"),
    Case("ip6_destination_loopback", 6, lambda t: [udp6(t, "::1")], expect="nothing"),
    Case("ip6_udp_closed_port_router", 6, lambda t: [udp6(t, t.r1_ip6)], expect="ICMPv6 1/4"),
    Case("ip6_unknown_next_header_router", 6,
         lambda t: [ip6(t, t.r1_ip6, nh=253) / PAYLOAD], expect="ICMPv6 4/1 ptr=6"),
    Case("ip6_tcp_syn_router", 6, lambda t: [ip6(t, t.r1_ip6) / TCP(sport=40000, dport=9, seq=1000)],
         expect="flags=0x14", differs=NO_TCP),
    # the other cases leave the flow label of the routers' own packets aside: here it counts
    Case("ip6_flow_label_of_router_packets", 6, lambda t: [echo6(t, t.r1_ip6)],
         expect="fl=hash", exact_flow_label=True),
]
