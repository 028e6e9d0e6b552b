"""Source validation (issue 13 section 3): a source that is one of the router's addresses is a
martian (net.ipv4.conf.*.accept_local 0), and reverse-path filtering per interface with Linux's
modes (rp_filter 0 off, 1 strict, 2 loose; the maximum of "all" and the interface's applies).

Linux's fib_validate_source(): everything from h1 on p1 unless said otherwise. IPv6 has neither
knob: Linux forwards a packet whose source is one of the router's IPv6 addresses.
"""
from scapy.all import ICMP, IP, UDP, IPv6, Raw

from oracle import Case

PAYLOAD = Raw(b"fastpath source " * 2)


def udp4(t, src, dst):
    return IP(src=src, dst=dst) / UDP(sport=40001, dport=33434) / PAYLOAD


def echo4(t, src, dst):
    return IP(src=src, dst=dst) / ICMP(id=0x4343, seq=1) / PAYLOAD


STRICT = {"net.ipv4.conf.all.rp_filter": 1}
LOOSE = {"net.ipv4.conf.all.rp_filter": 2}
NO_ROUTE_BACK = "192.0.2.99"  # no route on either router: the loose filter's case

CASES = [
    # accept_local 0 (the default): the router's addresses as source are martians
    Case("ip4_source_router_address_in_iface", 4,
         lambda t: [udp4(t, t.r1_ip4, t.h2_ip4)], expect="nothing"),
    Case("ip4_source_router_address_out_iface", 4,
         lambda t: [udp4(t, t.r2_ip4, t.h2_ip4)], expect="nothing"),
    Case("ip4_source_router_address_third_iface", 4,
         lambda t: [udp4(t, t.r3_ip4, t.h2_ip4)], expect="nothing"),
    Case("ip4_source_router_address_to_router", 4,
         lambda t: [echo4(t, t.r2_ip4, t.r1_ip4)], expect="nothing"),
    Case("ip4_source_router_address_from_h2", 4,
         lambda t: [udp4(t, t.r1_ip4, t.h1_ip4)], send_from="h2", expect="nothing"),
    Case("ip4_accept_local_all", 4, lambda t: [udp4(t, t.r2_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.all.accept_local": 1}, expect="h2 "),
    Case("ip4_accept_local_iface", 4, lambda t: [udp4(t, t.r3_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.p1.accept_local": 1}, expect="h2 "),
    Case("ip4_accept_local_other_iface", 4, lambda t: [udp4(t, t.r3_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.p2.accept_local": 1}, expect="nothing"),
    # accept_local 1 with the strict filter: the address must be on the interface it came in on
    Case("ip4_accept_local_strict_same_iface", 4, lambda t: [udp4(t, t.r1_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.all.accept_local": 1, **STRICT}, expect="h2 "),
    Case("ip4_accept_local_strict_other_iface", 4, lambda t: [udp4(t, t.r3_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.all.accept_local": 1, **STRICT}, expect="nothing"),
    # rp_filter 0 (the default): any source is forwarded
    Case("ip4_rp_filter_0_other_iface_source", 4, lambda t: [udp4(t, t.h3_ip4, t.h2_ip4)],
         expect="h2 "),
    Case("ip4_rp_filter_0_no_route_back", 4, lambda t: [udp4(t, NO_ROUTE_BACK, t.h2_ip4)],
         expect="h2 "),
    # rp_filter 1: the route back must leave by the interface the packet came in on
    Case("ip4_rp_filter_1_other_iface_source", 4, lambda t: [udp4(t, t.h3_ip4, t.h2_ip4)],
         sysctl=STRICT, expect="nothing"),
    Case("ip4_rp_filter_1_iface_only", 4, lambda t: [udp4(t, t.h3_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.p1.rp_filter": 1}, expect="nothing"),
    Case("ip4_rp_filter_1_out_iface_only", 4, lambda t: [udp4(t, t.h3_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.p2.rp_filter": 1}, expect="h2 "),
    Case("ip4_rp_filter_1_no_route_back", 4, lambda t: [udp4(t, NO_ROUTE_BACK, t.h2_ip4)],
         sysctl=STRICT, expect="nothing"),
    Case("ip4_rp_filter_1_good_source", 4, lambda t: [echo4(t, t.h1_ip4, t.h2_ip4)],
         sysctl=STRICT, expect="ICMP 0/0"),
    Case("ip4_rp_filter_1_to_router", 4, lambda t: [echo4(t, t.h3_ip4, t.r1_ip4)],
         sysctl=STRICT, expect="nothing"),
    Case("ip4_rp_filter_1_good_source_to_router", 4, lambda t: [echo4(t, t.h1_ip4, t.r1_ip4)],
         sysctl=STRICT, expect="ICMP 0/0"),
    # rp_filter 2: a route back through any interface will do
    Case("ip4_rp_filter_2_other_iface_source", 4, lambda t: [udp4(t, t.h3_ip4, t.h2_ip4)],
         sysctl=LOOSE, expect="h2 "),
    Case("ip4_rp_filter_2_no_route_back", 4, lambda t: [udp4(t, NO_ROUTE_BACK, t.h2_ip4)],
         sysctl=LOOSE, expect="nothing"),
    Case("ip4_rp_filter_2_blackhole_route_back", 4, lambda t: [udp4(t, "10.66.0.1", t.h2_ip4)],
         sysctl=LOOSE, expect="nothing"),
    # the maximum of all and the interface: all 1, p1 2 is loose
    Case("ip4_rp_filter_max_of_all_and_iface", 4, lambda t: [udp4(t, t.h3_ip4, t.h2_ip4)],
         sysctl={"net.ipv4.conf.all.rp_filter": 1, "net.ipv4.conf.p1.rp_filter": 2},
         expect="h2 "),
    # IPv6: no source validation in Linux's ip6_forward()
    Case("ip6_source_router_address_forwarded", 6,
         lambda t: [IPv6(src=t.r2_ip6, dst=t.h2_ip6) / UDP(sport=40001, dport=33434) / PAYLOAD],
         expect="h2 "),
]
