#!/usr/bin/python3
"""Instructions per packet of the forwarding thread, from callgrind dumps (run.sh's callgrind
part; the method is in docs/benchmarking.md).

usage: callgrind.py PACKETS RUN1_DIR RUN2_DIR
Each RUNk_DIR holds the dumps of one run, under --separate-threads=yes and
--callgrind-out-file=RUNk_DIR/cg: cg.1-TT (start to a moment after the pcap's last
packet, RUN1 with PACKETS packets, RUN2 with twice as many), then cg.2-TT and cg.3-TT (two
stretches of idle polling). Prints one JSON object.
"""
import glob
import json
import re
import sys

POLL = "pcap_next_ex"  # net_pcap calls it once per packet, and once in every empty poll


def parse(path):
	"""(instructions, calls of POLL) of one dump of one thread"""
	names, total, calls, callee = {}, 0, 0, None
	with open(path) as f:
		for line in f:
			m = re.match(r"c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
			if m:
				if m.group(2) is not None:
					names[m.group(1)] = m.group(2)
				callee = names.get(m.group(1)) if line.startswith("cfn=") else None
			elif line.startswith("calls=") and callee == POLL:
				calls += int(line.split()[0][6:])
			elif line.startswith("summary:") or line.startswith("totals:"):
				total = int(line.split()[1])
	return total, calls


def forwarding_thread(run):
	"""dumps of the thread that polls the pcap port: the one with the most calls of POLL"""
	threads = {}
	for path in glob.glob(run + "/cg.1-*"):
		threads[path.rsplit("-", 1)[1]] = parse(path)[1]
	t = max(threads, key=threads.get)
	return [parse("%s/cg.%d-%s" % (run, d, t)) for d in (1, 2, 3)]


packets = int(sys.argv[1])
runs = []
for k, run in enumerate(sys.argv[2:4], 1):
	(i1, c1), (i2, c2), (i3, c3) = forwarding_thread(run)
	runs.append({
		"instructions": i1,
		"idle_polls": c1 - k * packets,
		"idle_cost": [i2 / c2, i3 / c3],  # instructions per empty poll, two stretches
	})
# an empty poll's cost, from both runs' idle stretches
idle = sum(c for r in runs for c in r["idle_cost"]) / 4
spread = max(abs(c - idle) for r in runs for c in r["idle_cost"])
# instructions = fixed + idle * idle_polls + per_packet * packets: the second run less the
# first leaves idle * (their difference in idle polls) + per_packet * PACKETS
per_packet = (runs[1]["instructions"] - runs[0]["instructions"] -
	idle * (runs[1]["idle_polls"] - runs[0]["idle_polls"])) / packets
fixed = runs[0]["instructions"] - idle * runs[0]["idle_polls"] - per_packet * packets
print(json.dumps({
	"per_packet": round(per_packet, 1),
	"empty_poll": round(idle, 1),
	"empty_poll_spread": round(spread, 2),
	"fixed": round(fixed),
	# a bound of the error on per_packet from the spread of the empty poll's cost (l3fwd's
	# depends on time: it drains its TX buffers every 100 us)
	"error": round(spread * (runs[0]["idle_polls"] + runs[1]["idle_polls"]) / packets, 2),
	"runs": runs,
}))
