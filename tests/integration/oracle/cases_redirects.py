"""Redirects (issue 13 section 3): ICMP host redirects where Linux sends them (send_redirects),
NDP redirects (Linux has no knob for them), and Linux's answer to a link-local destination that
is not the router's.

A packet that leaves by the interface it came in on, from a source on that link, is forwarded
and its source told of the better first hop: 10.9.0.0/24 and 2001:db8:9::/64 go through gw1, on
h1's own link. Linux limits redirects per host (IPv4: 9 with a growing gap, then 20 s of
silence; IPv6: one a second per destination and per source, a burst of 6): the cases here send
few, from h1.

NDP redirects are neighbour discovery (type 137), which the harness leaves out of the outcomes
with the rest of it unless a case keeps it (keep_nd), and then the routers' own neighbour
probes on their timers make every such case differ: the IPv6 cases compare what the redirect
case does besides (the packet forwarded back onto the link, no "beyond scope", address
unreachable for a destination nobody has); tests/integration/source.sh (test_redirects) checks
the NDP redirects themselves, and a Linux host that takes them.
"""
from scapy.all import ICMP, IP, UDP, ICMPv6EchoRequest, IPv6, Raw

from oracle import Case

PAYLOAD = Raw(b"fastpath redirect " * 2)
# the forwarded packet as h1 sees it: from the router's p1 to gw1's MAC
TO_GW1 = "02:00:00:00:01:01>02:00:00:00:01:03"
# the address unreachable for fe80::99 quotes it forwarded back: hop limit 63
TO_LL = "hlim=63"
NO_REDIRECTS = {"net.ipv4.conf.all.send_redirects": 0, "net.ipv4.conf.p1.send_redirects": 0}


def udp4(t, dst, **kw):
    return IP(src=kw.pop("src", t.h1_ip4), dst=dst, **kw) / UDP(sport=40002, dport=33434) / PAYLOAD


# a destination nobody has is resolved three times a second apart, then answered with address
# unreachable: listen that long
RESOLUTION_S = 3.8


def echo6(t, dst, **kw):
    return IPv6(src=kw.pop("src", t.h1_ip6), dst=dst, **kw) / ICMPv6EchoRequest(id=0x4444) / PAYLOAD


CASES = [
    # IPv4: a host redirect (5/1) naming the gateway, the packet forwarded too, its quote with
    # the TTL already decremented (ip_forward() sends it after ip_decrease_ttl())
    Case("ip4_redirect_to_gateway", 4, lambda t: [udp4(t, "10.9.0.1")],
         expect=["ICMP 5/1 gw=10.0.1.3", TO_GW1]),
    # an on-link destination sent to the router: the redirect names the destination itself
    Case("ip4_redirect_on_link_destination", 4, lambda t: [udp4(t, t.gw1_ip4)],
         expect=["ICMP 5/1 gw=10.0.1.3", TO_GW1]),
    # two at once: the second within ip_rt_redirect_load << n of the first gets none
    Case("ip4_redirect_backoff", 4, lambda t: [udp4(t, "10.9.0.1"), udp4(t, "10.9.0.2")],
         expect="ICMP 5/1 gw=10.0.1.3"),
    Case("ip4_no_redirect_send_redirects_0", 4, lambda t: [udp4(t, "10.9.0.1")],
         sysctl=NO_REDIRECTS, expect=TO_GW1),
    # the interface's own knob is OR-ed with all's: p1 0 alone still redirects
    Case("ip4_redirect_send_redirects_iface_0_all_1", 4, lambda t: [udp4(t, "10.9.0.3")],
         sysctl={"net.ipv4.conf.p1.send_redirects": 0}, expect=["ICMP 5/1", TO_GW1]),
    Case("ip4_no_redirect_ttl_1", 4, lambda t: [udp4(t, "10.9.0.1", ttl=1)], expect="ICMP 11/0"),
    # a source that is not on the link (routed through p3): no redirect, forwarded
    Case("ip4_no_redirect_source_off_link", 4, lambda t: [udp4(t, "10.9.0.1", src=t.h3_ip4)],
         expect=TO_GW1),
    # IPv6: Linux names a gateway only by its link-local address: gw1's global one gets none
    Case("ip6_no_redirect_global_gateway", 6, lambda t: [echo6(t, "2001:db8:9::1")],
         expect=TO_GW1),
    # an on-link destination sent to the router: a redirect to the destination itself, with
    # gw1's link-layer address (a static neighbour) and the packet as it came (hop limit 64)
    Case("ip6_redirect_on_link_destination", 6, lambda t: [echo6(t, t.gw1_ip6)],
         expect=TO_GW1),
    # a link-local source stays on its link: forwarded back, redirected, no "beyond scope"
    Case("ip6_redirect_link_local_source", 6,
         lambda t: [echo6(t, t.gw1_ip6, src=t.h1_ll6)], expect=TO_GW1),
    Case("ip6_no_redirect_hop_limit_1", 6, lambda t: [echo6(t, t.gw1_ip6, hlim=1)],
         expect="ICMPv6 3/0"),
    # a link-local destination that is not the router's: Linux routes it by fe80::/64 back onto
    # the link it came from, with a redirect to itself, and resolves it there
    Case("ip6_link_local_destination_not_ours", 6, lambda t: [echo6(t, "fe80::99")],
         window=RESOLUTION_S, expect=["ICMPv6 1/3", TO_LL]),
    Case("ip6_link_local_destination_not_ours_ll_source", 6,
         lambda t: [echo6(t, "fe80::98", src=t.h1_ll6)], window=RESOLUTION_S,
         expect=["ICMPv6 1/3", TO_LL]),
    # a link-local source to another link: destination unreachable, beyond scope (1/2)
    Case("ip6_link_local_source_forwarded", 6, lambda t: [echo6(t, t.h2_ip6, src=t.h1_ll6)],
         expect="ICMPv6 1/2"),
]
