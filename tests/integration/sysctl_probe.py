#!/usr/bin/env python3
# sysctl_probe.py ipv4|ipv6 ROUTER_MAC COUNT: from h1 (10.0.1.2, 2001:db8:1::2), COUNT packets to
# h2 that expire at the router (TTL or hop limit 1), sent at once; prints how many time-exceeded
# errors came back from the router (10.0.1.1, 2001:db8:1::1). The same addresses on fastpath's
# test bed and on the Linux router's, so that both answer the same packets.
import sys
import time

from scapy.all import IP, UDP, AsyncSniffer, Ether, IPv6, conf, sendp

conf.verb = 0
family, mac, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
eth = Ether(dst=mac)
if family == "ipv4":
    sniffer = AsyncSniffer(iface="eth0", filter="icmp and src host 10.0.1.1 and icmp[0] == 11")
    probes = [eth / IP(src="10.0.1.2", dst="10.0.2.2", ttl=1) / UDP(dport=33434 + i % 1000) for i in range(count)]
else:
    sniffer = AsyncSniffer(iface="eth0", filter="icmp6 and src host 2001:db8:1::1 and ip6[40] == 3")
    probes = [eth / IPv6(src="2001:db8:1::2", dst="2001:db8:2::2", hlim=1) / UDP(dport=33434 + i % 1000)
              for i in range(count)]
sniffer.start()
time.sleep(0.5)
# one socket, the frames built beforehand: the burst leaves in a few milliseconds
sendp([bytes(p) for p in probes], iface="eth0")
time.sleep(1)
print(len(sniffer.stop()))
