#!/usr/bin/python3
"""Sends crafted and malformed frames from h1 towards h2 through the router.

usage: bad_packets.py CASE ROUTER_MAC   (run inside the h1 namespace)
"""
import sys
import time

from scapy.all import IP, UDP, Ether, Raw, conf, sendp, srp1

conf.verb = 0
case, router_mac = sys.argv[1], sys.argv[2]
eth = Ether(dst=router_mac, type=0x0800)
good = IP(src="10.0.1.2", dst="10.0.2.2") / UDP(sport=4000, dport=4001) / Raw(b"x" * 32)
frames = {
    "bad_checksum": eth / IP(bytes(good)[:10] + b"\x12\x34" + bytes(good)[12:]),
    "ihl_below_5": eth / Raw(b"\x44" + bytes(good)[1:]),
    "length_beyond_frame": eth / IP(src="10.0.1.2", dst="10.0.2.2", len=400) / UDP() / Raw(b"y" * 20),
    "truncated_header": eth / Raw(bytes(good)[:12]),
    "bad_version": eth / Raw(b"\x65" + bytes(good)[1:]),
    "unknown_ethertype": Ether(dst=router_mac, type=0x88B5) / Raw(b"z" * 46),
    "martian_source": eth / IP(src="127.0.0.1", dst="10.0.2.2") / UDP(),
}
if case == "ttl_1":
    # Linux answers with time exceeded from the router's address
    reply = srp1(eth / IP(src="10.0.1.2", dst="10.0.2.2", ttl=1) / UDP(dport=33434), iface="eth0", timeout=3)
    ok = reply is not None and reply.haslayer("ICMP") and reply["ICMP"].type == 11 and reply[IP].src == "10.0.1.1"
    sys.exit(0 if ok else 1)
if case == "df_too_big":
    # Linux checks the MTU before it decrements the TTL: the error quotes the packet as sent
    big = IP(src="10.0.1.2", dst="10.0.3.2", ttl=64, flags="DF") / UDP(dport=4001) / Raw(b"d" * 1400)
    reply = srp1(eth / big, iface="eth0", timeout=3)
    ok = (reply is not None and reply.haslayer("ICMP") and reply["ICMP"].type == 3 and reply["ICMP"].code == 4
          and reply["ICMP"].nexthopmtu == 1280 and reply["IPerror"].ttl == 64)
    if reply is not None:
        reply.show()
    sys.exit(0 if ok else 1)
if case == "ttl_burst":
    # 20 expiring packets at once: Linux answers 6 (XRLIM_BURST_FACTOR) and limits the rest
    from scapy.all import AsyncSniffer
    sniffer = AsyncSniffer(iface="eth0", filter="icmp and src host 10.0.1.1")
    sniffer.start()
    time.sleep(1)
    sendp([eth / IP(src="10.0.1.2", dst="10.0.2.2", ttl=1) / UDP(dport=33434 + i) for i in range(20)], iface="eth0")
    time.sleep(1)
    replies = [p for p in sniffer.stop() if p.haslayer("ICMP") and p["ICMP"].type == 11]
    print(f"{len(replies)} time exceeded for 20 probes")
    sys.exit(0 if len(replies) == 6 else 1)
sendp([frames[case]] * 5, iface="eth0")
