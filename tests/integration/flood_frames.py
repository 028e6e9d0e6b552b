#!/usr/bin/python3
"""Writes the frames of a hostile host to a pcap, for tcpreplay to send at top speed.

usage: flood_frames.py OUT.pcap SRC_MAC ROUTER_MAC [COUNT]

The mix, interleaved: ARP requests for the router's address (10.0.1.1) from ever other
senders of 10.0.1.0/24; UDP to unresolvable addresses behind the router (10.0.64.0/20,
2001:db8:4::/64, connected networks where no host answers), and scapy fuzz() frames
(IPv4/UDP, IPv6/ICMPv6, ARP) addressed to the router's MAC. COUNT (default 8000) frames,
made once: replaying them in a loop is what makes the rate.
"""
import random
import sys

from scapy.all import (ARP, ICMPv6EchoRequest, ICMPv6ND_NS, IP, IPv6, UDP, Ether, Raw, fuzz,
                       wrpcap)
from scapy.config import conf

conf.verb = 0
out, src, router = sys.argv[1], sys.argv[2], sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 8000
random.seed(12)  # the same frames every run: a failure can be replayed


def arp_request(i):
    mac = "02:aa:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255)
    return Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=mac, psrc="10.0.1.%d" % (10 + i % 240), pdst="10.0.1.1")


def udp4_unresolvable(i):
    return Ether(src=src, dst=router) / IP(src="10.0.1.2", dst="10.0.%d.%d" % (
        64 + i // 250 % 16, 1 + i % 250)) / UDP(sport=40000 + i % 1000, dport=9) / Raw(b"f" * 64)


def udp6_unresolvable(i):
    return Ether(src=src, dst=router) / IPv6(src="2001:db8:1::2", dst="2001:db8:4::%x" % (
        0x100 + i % 4000)) / UDP(sport=40000 + i % 1000, dport=9) / Raw(b"f" * 64)


def fuzzed(i):
    kind = i // 5 % 5  # i % 5 chose fuzzed()
    if kind == 0:
        p = Ether(src=src, dst=router) / fuzz(IP(dst="10.0.%d.%d" % (
            random.choice([1, 2, 3, 64]), random.randint(1, 254))) / UDP())
    elif kind == 1:
        p = Ether(src=src, dst=router) / fuzz(IP() / UDP())
    elif kind == 2:
        p = Ether(src=src, dst=router) / fuzz(IPv6(dst="2001:db8:%d::%x" % (
            random.choice([1, 2, 4]), random.randint(1, 0xffff))) / ICMPv6EchoRequest())
    elif kind == 3:
        p = Ether(src=src, dst=router) / IPv6(src="2001:db8:1::2", dst="ff02::1:ff00:1") / \
            fuzz(ICMPv6ND_NS(tgt="2001:db8:1::1"))
    else:
        p = Ether(src=src, dst=random.choice([router, "ff:ff:ff:ff:ff:ff"])) / fuzz(ARP())
    # fuzz() draws at build time: the bytes are what gets sent
    return Ether(bytes(p)[:1514])


makers = [arp_request, arp_request, udp4_unresolvable, udp6_unresolvable, fuzzed]
wrpcap(out, [makers[i % len(makers)](i) for i in range(count)])
