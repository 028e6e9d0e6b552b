#!/usr/bin/python3
"""Mpps of a pcap read once, from the counters of the sink port (run.sh's conn part).

usage: rate.py PREFIX PID PORT PACKETS
Samples port PORT's opackets through the DPDK telemetry socket of the app with EAL file
prefix PREFIX, every millisecond, from before it forwards until PACKETS have left or the
count stopped for 3 s: the rate is that of the middle of the replay, from 10 % to 90 % of
PACKETS (the times interpolated between samples), without the app's start and the end of
the pcap. The socket must be PID's: another app with the same prefix would answer for it.
Prints one JSON object.
"""
import json
import os
import socket
import sys
import time

prefix, pid, port, packets = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix


def fail(why):
	print(json.dumps({"error": why}))
	sys.exit(1)


t0 = time.monotonic()
while True:
	try:
		s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
		s.connect(path)
		hello = json.loads(s.recv(1024))
		break
	except (OSError, ValueError):
		s.close()
		if time.monotonic() - t0 > 120:
			fail("no telemetry socket " + path)
		try:
			os.kill(pid, 0)
		except OSError:
			fail("the app exited")
		time.sleep(0.01)
if hello.get("pid") != pid:
	fail("telemetry socket %s is pid %s's, not %d's" % (path, hello.get("pid"), pid))
size = hello.get("max_output_len", 16384)


def sent():
	s.send(("/ethdev/stats,%s" % port).encode())
	stats = json.loads(s.recv(size))["/ethdev/stats"]
	return stats["opackets"] if stats else 0  # null: the port is not made yet


samples = []  # (time, opackets)
last_change = time.monotonic()
while True:
	t, n = time.monotonic(), sent()
	if samples and n != samples[-1][1]:
		last_change = t
	samples.append((t, n))
	if n >= packets or (n >= packets // 10 and t - last_change > 3) or t - t0 > 600:
		break
	time.sleep(0.001)


def when(count):
	"""the time opackets reached count, between the two samples around it"""
	for (ta, a), (tb, b) in zip(samples, samples[1:]):
		if a < count <= b:
			return ta + (tb - ta) * (count - a) / (b - a)
	return None


lo, hi = packets // 10, packets * 9 // 10
if samples[0][1] >= lo:
	fail("10 %% of the packets had left before the first sample (%d)" % samples[0][1])
t_lo, t_hi = when(lo), when(hi)
if t_hi is None:
	fail("%d of %d packets left" % (samples[-1][1], packets))
print(json.dumps({"mpps": round((hi - lo) / (t_hi - t_lo) / 1e6, 3), "seconds": round(t_hi - t_lo, 4),
	"sent": samples[-1][1], "samples": len(samples)}))
