#!/usr/bin/python3
"""Traffic and routes of make bench, written into OUTDIR (tests/bench/run.sh calls this).

usage: gen_pcaps.py OUTDIR [CG_PACKETS [NEW_FLOWS]]

64-byte IPv4/UDP frames (60 bytes without the FCS) from 10.0.0.9 on the source port;
a flow is a distinct (src, dst, sport, dport). Per case, a pcap and the routes of the
FIB it runs with, in fastpathd's form (a JSON array) and in l3fwd's (--rule_ipv4):

  one       1 prefix, 1k flows: 198.18.1.0/24, 250 hosts (the only case that
            l3fwd-graph's hard-coded table, 198.18.0.0/24..198.18.7.0/24, covers)
  p1k       1000 prefixes, 1k flows: one flow to each of 1000 /24s
  p1k-64k   1000 prefixes, 64k flows: 65536 flows over the same 1000 /24s
  big       1M routes, 64k flows: the traffic of p1k-64k; the FIB has 1,000,000
            prefixes of /16 to /24, the 1000 /24s among them

  p1k6      IPv6, 1000 prefixes, 1k flows: one flow to each of 1000 /48s,
            fd00:0:1::/48..fd00:0:1000::/48 (62-byte IPv6/UDP frames, the shortest)

  new       1000 prefixes (those of p1k), NEW_FLOWS flows of one packet each: every
            packet a new connection (new.pcap, read once)

and for the instruction counts, the flows of p1k repeated to CG_PACKETS packets
(cg-1.pcap) and to twice as many (cg-2.pcap); those of p1k6 alike (cg6-1.pcap, cg6-2.pcap).
"""
import random
import struct
import sys

from scapy.all import IP, UDP, Ether, IPv6, Raw, RawPcapWriter

OUT = sys.argv[1]
CG_PACKETS = int(sys.argv[2]) if len(sys.argv) > 2 else 100000  # a multiple of 1000
NEW_FLOWS = int(sys.argv[3]) if len(sys.argv) > 3 else 2000000
SRC_MAC, DST_MAC = "02:00:00:00:00:09", "02:70:63:61:70:00"  # DST_MAC: net_pcap's port MAC
VIA = "10.2.0.2"  # next hop of every route, on the sink port (port 1)
VIA6 = "2001:db8:2::2"

# 1,000,000 prefixes in a spread of lengths that has the shape of an Internet table but
# not its 60 % of /24s: stock rte_lpm (l3fwd-lpm) checks a new rule against every rule of
# the same length, so it takes ~90 s to load these, and would take minutes to load 600k
# /24s. All are /24 or shorter, so neither rte_lpm nor rte_fib (DIR-24-8) needs a tbl8
# group for them.
SHARES = {16: 20000, 17: 50000, 18: 90000, 19: 110000, 20: 120000, 21: 130000,
	22: 140000, 23: 140000, 24: 200000}
# first octets: not 0, 10 (the bench's subnets), 127, 198 (l3fwd-graph's), 224 and up
FIRST_OCTETS = [o for o in range(1, 224) if o not in (10, 127, 198)]


def prefixes_of_length(rng, depth, count):
	"""count distinct prefixes of length depth, as (network address, depth)"""
	per_octet = 1 << (depth - 8)
	picks = rng.sample(range(len(FIRST_OCTETS) * per_octet), count)
	return [((FIRST_OCTETS[p // per_octet] << 24) | ((p % per_octet) << (32 - depth)), depth)
		for p in picks]


def dotted(a):
	return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def write_routes(name, prefixes):
	prefixes = sorted(prefixes)  # in address order, as a routing table dump
	with open("%s/%s.routes.json" % (OUT, name), "w") as f:
		f.write("[\n" + ",\n".join('{"prefix": "%s/%d", "via": "%s"}' % (dotted(a), d, VIA)
			for a, d in prefixes) + "\n]\n")
	with open("%s/%s.l3fwd.cfg" % (OUT, name), "w") as f:
		f.writelines("R%s/%d 1\n" % (dotted(a), d) for a, d in prefixes)


def scapy_frame(dst, sport):
	return bytes(Ether(src=SRC_MAC, dst=DST_MAC) / IP(src="10.0.0.9", dst=dotted(dst)) /
		UDP(sport=sport, dport=2000) / Raw(b"x" * 18))


def checksum(data):
	s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return ~s & 0xffff


TEMPLATE = scapy_frame(0, 0)


def frame(dst, sport):
	"""scapy_frame(), 1000 times faster: the template with its addresses and checksums set"""
	f = bytearray(TEMPLATE)
	struct.pack_into("!H", f, 24, 0)  # IPv4 header checksum
	struct.pack_into("!IH", f, 30, dst, sport)  # destination address, source port
	struct.pack_into("!H", f, 40, 0)  # UDP checksum
	struct.pack_into("!H", f, 24, checksum(f[14:34]))
	udp = checksum(f[26:34] + struct.pack("!HH", 17, 26) + f[34:60])
	struct.pack_into("!H", f, 40, udp or 0xffff)
	return bytes(f)


def ones(s):
	"""a 32-bit sum folded to 16 bits, ones' complement"""
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return s


def write_new_flows(name, prefixes, count):
	"""count frames, each its own flow: flow i to host 1 + (i // 1000) % 250 of prefix
	i % 1000, source port 1024 + i // 250000. Millions of them: the checksums are the
	template's sums plus the fields that change, the pcap written whole (RawPcapWriter's
	format, without its cost per packet)."""
	assert count <= 250000 * (65536 - 1024)
	t = bytearray(TEMPLATE)  # destination 0, source port 0
	t[24:26] = t[40:42] = b"\0\0"  # the checksums
	ip_sum = sum(struct.unpack("!10H", t[14:34]))
	udp_sum = sum(struct.unpack("!4H", t[26:34])) + 17 + 26 + sum(struct.unpack("!13H", t[34:60]))
	head, ports = TEMPLATE[:24], TEMPLATE[36:40]  # up to the IPv4 checksum; dport, length
	rec = struct.pack("<IIII", 0, 0, 60, 60)
	out = []
	for i in range(count):
		dst = prefixes[i % 1000][0] + 1 + (i // 1000) % 250
		sport = 1024 + i // 250000
		d = (dst >> 16) + (dst & 0xffff)
		udp = ~ones(udp_sum + d + sport) & 0xffff
		out.append(rec + head + struct.pack("!H4sIH", ~ones(ip_sum + d) & 0xffff,
			TEMPLATE[26:30], dst, sport) + ports + struct.pack("!H", udp or 0xffff) +
			TEMPLATE[42:60])
	assert out[1][16:] == frame(prefixes[1][0] + 1, 1024)
	assert out[-1][16:] == frame(dst, sport)
	with open("%s/%s.pcap" % (OUT, name), "wb") as f:
		f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
		f.write(b"".join(out))


def write_pcap(name, frames, repeat=1):
	w = RawPcapWriter("%s/%s.pcap" % (OUT, name), linktype=1)
	for _ in range(repeat):
		for f in frames:
			w.write(f)
	w.close()


ONE = (198 << 24) | (18 << 16) | (1 << 8)  # 198.18.1.0/24
assert len(TEMPLATE) == 60
assert all(frame(a, p) == scapy_frame(a, p) for a, p in [(ONE + 1, 1000), (0x0b0c0d0e, 65535)])

rng = random.Random(4)
table = [p for depth, count in SHARES.items() for p in prefixes_of_length(rng, depth, count)]
# the 1000 /24s the traffic goes to, spread over the table
slash24 = sorted(p for p in table if p[1] == 24)
hit = slash24[::len(slash24) // 1000][:1000]

write_routes("one", [(ONE, 24)])
write_routes("p1k", hit)
write_routes("big", table)

write_pcap("one", [frame(ONE + 1 + i % 250, 1000 + i) for i in range(1000)])
p1k = [frame(hit[i][0] + 1, 1000 + i) for i in range(1000)]
write_pcap("p1k", p1k)
# flow i: host 1 + i // 1000 of prefix i % 1000, so every flow has its own destination
write_pcap("p1k-64k",
	[frame(hit[i % 1000][0] + 1 + i // 1000, 1000 + i % 60000) for i in range(65536)])
write_new_flows("new", hit, NEW_FLOWS)
write_pcap("cg-1", p1k, CG_PACKETS // 1000)
write_pcap("cg-2", p1k, 2 * CG_PACKETS // 1000)

# IPv6: from 2001:db8::9 on the source port, one flow to each of 1000 /48s
v6 = ["fd00:0:%x::" % (i + 1) for i in range(1000)]
with open("%s/p1k6.routes.json" % OUT, "w") as f:
	f.write("[\n" + ",\n".join('{"prefix": "%s/48", "via": "%s"}' % (p, VIA6) for p in v6) + "\n]\n")
with open("%s/p1k6.l3fwd6.cfg" % OUT, "w") as f:
	f.writelines("R%s/48 1\n" % p for p in v6)
p1k6 = [bytes(Ether(src=SRC_MAC, dst=DST_MAC) / IPv6(src="2001:db8::9", dst=p + "1") /
	UDP(sport=1000 + i, dport=2000)) for i, p in enumerate(v6)]
write_pcap("p1k6", p1k6)
write_pcap("cg6-1", p1k6, CG_PACKETS // 1000)
write_pcap("cg6-2", p1k6, 2 * CG_PACKETS // 1000)
