"""The base cases: what a router answers to ordinary and broken packets, IPv4 and IPv6.

Each frame goes from h1 unless said otherwise; expect names what Linux must answer for the case
to test what its name says ("nothing": Linux drops it silently).
"""
from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest, IPv6, IPv6ExtHdrFragment, Raw,
                       fragment, fragment6)

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


def fragments4(t, dst):
    """An echo request of 1400 bytes to dst in fragments of 1024 bytes and the rest."""
    return fragment(ip4(t, dst, id=0x1234) / ICMP(id=0x4242, seq=1) / Raw(b"f" * 1400), fragsize=1024)


def fragments6(t, dst):
    """The same in IPv6."""
    pkt = ip6(t, dst) / IPv6ExtHdrFragment(id=0x1234) / ICMPv6EchoRequest(id=0x4242, seq=1) / Raw(b"f" * 1400)
    return fragment6(pkt, 1080)


def raw_version(pkt, version):
    """pkt's bytes with another IP version."""
    b = bytes(pkt)
    return Raw(bytes([version << 4 | b[0] & 0xF]) + b[1:])


def routing0(t, dst, segments_left):
    """A type 0 routing header (deprecated, RFC 5095) with one address to visit."""
    rh = bytes([17, 2, 0, segments_left, 0, 0, 0, 0]) + bytes(16)
    return ext6(t, dst, rh, 43)


FRAGMENTS = ("Without twins fastpath reassembles nothing: IPv4 and IPv6 fragments for the router "
             "are dropped and counted (ip4_local_fragment, ip6_local_fragment) where Linux "
             "reassembles them and answers; with twins (the default) the kernel does, as Linux.")
LONG_CHAIN = ("fastpath walks at most 8 extension headers in a packet (IP6_EXTHDR_MAX_CHAIN) and "
              "drops a longer chain, counted as ip6_ext_too_many, which bounds the work a crafted "
              "packet costs; Linux walks any number (RFC 8200's order has at most 5).")

CASES = [
    # IPv4 ------------------------------------------------------------------------------------
    Case("ip4_echo_router", 4, lambda t: [echo4(t, t.r1_ip4)], expect="ICMP 0/0"),
    Case("ip4_echo_router_far_address", 4, lambda t: [echo4(t, t.r2_ip4)], expect="ICMP 0/0"),
    Case("ip4_echo_forwarded", 4, lambda t: [echo4(t, t.h2_ip4)], expect="ICMP 0/0"),
    Case("ip4_echo_forwarded_from_h2", 4, lambda t: [echo4(t, t.h1_ip4, src=t.h2_ip4)],
         send_from="h2", expect="h2 02:00:00:00:02:01>02:00:00:00:02:02 IPv4 10.0.1.2>10.0.2.2"),
    Case("ip4_udp_forwarded", 4, lambda t: [udp4(t, t.h2_ip4, tos=0x28)], expect="h2 "),
    Case("ip4_ttl_1_forwarded", 4, lambda t: [udp4(t, t.h2_ip4, ttl=1)], expect="ICMP 11/0"),
    Case("ip4_ttl_0_forwarded", 4, lambda t: [udp4(t, t.h2_ip4, ttl=0)], expect="ICMP 11/0"),
    Case("ip4_ttl_1_to_router", 4, lambda t: [echo4(t, t.r1_ip4, ttl=1)], expect="ICMP 0/0"),
    Case("ip4_ttl_1_to_router_far_address", 4, lambda t: [echo4(t, t.r2_ip4, ttl=1)],
         expect="ICMP 0/0"),
    # Linux gives up after 3 probes a second apart and answers the packet it held
    Case("ip4_neighbour_unresolved", 4, lambda t: [udp4(t, "10.0.2.99")], expect="ICMP 3/1",
         window=4.5),
    Case("ip4_echo_subnet_broadcast", 4, lambda t: [echo4(t, "10.0.1.255")], expect="nothing"),
    Case("ip4_echo_limited_broadcast", 4,
         lambda t: [Ether(src=t.h1_mac, dst="ff:ff:ff:ff:ff:ff") / echo4(t, "255.255.255.255")],
         expect="nothing"),
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
    # a router forwards fragments as they come (Linux without conntrack); h2 reassembles
    Case("ip4_fragments_forwarded", 4, lambda t: fragments4(t, t.h2_ip4), expect="frag=0x2000"),
    Case("ip4_fragments_to_router", 4, lambda t: fragments4(t, t.r1_ip4), expect="ICMP 0/0",
         differs=FRAGMENTS, fastpath_expect="nothing"),
    Case("ip4_bad_checksum_forwarded", 4, lambda t: [with_checksum(udp4(t, t.h2_ip4), 0x1234)],
         expect="nothing"),
    Case("ip4_bad_checksum_to_router", 4, lambda t: [with_checksum(echo4(t, t.r1_ip4), 0x1234)],
         expect="nothing"),
    Case("ip4_header_length_below_5", 4, lambda t: [header_length(t, 4)], expect="nothing"),
    Case("ip4_header_length_beyond_total_length", 4, lambda t: [header_length(t, 15)],
         expect="nothing"),
    Case("ip4_total_length_below_header", 4, lambda t: [total_length(t, 19)], expect="nothing"),
    Case("ip4_total_length_beyond_frame", 4, lambda t: [total_length(t, 400)], expect="nothing"),
    Case("ip4_bad_version", 4, lambda t: [Ether(type=0x0800) / raw_version(udp4(t, t.h2_ip4), 5)],
         expect="nothing"),
    Case("ip4_truncated_header", 4, lambda t: [Raw(bytes(udp4(t, t.h2_ip4))[:12])],
         expect="nothing"),
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
         expect="flags=0x14", differs=NO_TCP,
         fastpath_expect="nothing"),
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
    Case("ip6_neighbour_unresolved", 6, lambda t: [udp6(t, "2001:db8:2::99")],
         expect="ICMPv6 1/3", window=4.5),
    Case("ip6_no_route", 6, lambda t: [udp6(t, "2001:db8:99::1")], expect="ICMPv6 1/0"),
    Case("ip6_unreachable_route", 6, lambda t: [udp6(t, "2001:db8:77::1")], expect="ICMPv6 1/0"),
    Case("ip6_prohibit_route", 6, lambda t: [udp6(t, "2001:db8:88::1")], expect="ICMPv6 1/1"),
    Case("ip6_blackhole_route", 6, lambda t: [udp6(t, "2001:db8:66::1")], expect="nothing"),
    Case("ip6_packet_too_big", 6,
         lambda t: [ip6(t, t.h3_ip6) / UDP(sport=40000, dport=33434) / Raw(b"d" * 1400)],
         expect="ICMPv6 2/0 mtu=1280"),
    Case("ip6_fragments_forwarded", 6, lambda t: fragments6(t, t.h2_ip6), expect="ICMPv6 129/0"),
    Case("ip6_fragments_to_router", 6, lambda t: fragments6(t, t.r1_ip6), expect="ICMPv6 129/0",
         differs=FRAGMENTS, fastpath_expect="nothing"),
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
    # Linux walks the hop-by-hop options of a forwarded packet: at most 8 (max_hbh_opts_number)
    Case("ip6_hbh_too_many_options", 6,
         lambda t: [ext6(t, t.h2_ip6, opts_header(17, [0x1E, 0] * 9), 0)], expect="nothing"),
    # padding of more than 7 bytes in a row, or PadN that is not zeros, is no padding (Linux's
    # ip6_parse_tlv, RFC 4942 2.1.9.5)
    Case("ip6_hbh_padding_too_long", 6,
         lambda t: [ext6(t, t.h2_ip6, bytes([17, 1, 1, 12]) + bytes(12), 0)], expect="nothing"),
    Case("ip6_hbh_padn_not_zeros", 6,
         lambda t: [ext6(t, t.h2_ip6, bytes([17, 0, 1, 4, 0, 0, 0, 0x55]), 0)], expect="nothing"),
    # the whole chain of a packet for the router: 9 destination options headers
    Case("ip6_dst_options_chain_router", 6,
         lambda t: [ext6(t, t.r1_ip6, b"".join(opts_header(60 if i < 8 else 17, [1, 4, 0, 0, 0, 0])
                                               for i in range(9)), 60)], expect="ICMPv6 1/4",
         differs=LONG_CHAIN, fastpath_expect="nothing"),
    # hop-by-hop options only right after the IPv6 header (RFC 8200 4.1): at the byte naming it
    Case("ip6_hbh_not_first_router", 6,
         lambda t: [ext6(t, t.r1_ip6, opts_header(0, [1, 4, 0, 0, 0, 0]) + opts_header(17, [1, 4, 0, 0, 0, 0]), 60)],
         expect="ICMPv6 4/1 ptr=40"),
    Case("ip6_ext_header_beyond_packet", 6,
         lambda t: [ip6(t, t.r1_ip6, nh=60, plen=8) / Raw(bytes([17, 4, 1, 2, 0, 0, 0, 0]))],
         expect="nothing"),
    Case("ip6_bad_version", 6, lambda t: [Ether(type=0x86DD) / raw_version(udp6(t, t.h2_ip6), 4)],
         expect="nothing"),
    Case("ip6_payload_length_beyond_frame", 6,
         lambda t: [Raw(bytes(ip6(t, t.h2_ip6, nh=17, plen=400)) + bytes(udp6(t, t.h2_ip6))[40:])],
         expect="nothing"),
    Case("ip6_truncated_header", 6, lambda t: [Ether(type=0x86DD) / Raw(bytes(udp6(t, t.h2_ip6))[:20])],
         expect="nothing"),
    Case("ip6_source_multicast", 6, lambda t: [udp6(t, t.h2_ip6, src="ff02::1")], expect="nothing"),
    Case("ip6_source_loopback", 6, lambda t: [udp6(t, t.h2_ip6, src="::1")], expect="nothing"),
    Case("ip6_destination_loopback", 6, lambda t: [udp6(t, "::1")], expect="nothing"),
    Case("ip6_udp_closed_port_router", 6, lambda t: [udp6(t, t.r1_ip6)], expect="ICMPv6 1/4"),
    Case("ip6_unknown_next_header_router", 6,
         lambda t: [ip6(t, t.r1_ip6, nh=253) / PAYLOAD], expect="ICMPv6 4/1 ptr=6"),
    Case("ip6_tcp_syn_router", 6, lambda t: [ip6(t, t.r1_ip6) / TCP(sport=40000, dport=9, seq=1000)],
         expect="flags=0x14", differs=NO_TCP,
         fastpath_expect="nothing"),
    # the other cases leave the flow label of the routers' own packets aside: here it counts
    Case("ip6_flow_label_of_router_packets", 6, lambda t: [echo6(t, t.r1_ip6)],
         expect="fl=hash", exact_flow_label=True),
]
