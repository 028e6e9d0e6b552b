#!/usr/bin/python3
"""Adds or deletes COUNT routes through fastpathd's API, pipelined on one connection: a
thread writes every request while the main thread reads the replies (run.sh's control part).

usage: api_routes.py SOCKET add|del COUNT
The routes are COUNT /24s from 20.0.0.0 on, via 10.2.0.2. Prints one JSON object: the
seconds from the first request sent to the last reply read, and the errors.
"""
import json
import socket
import sys
import threading
import time

path, op, count = sys.argv[1], sys.argv[2], int(sys.argv[3])


def request(i):
	a = (20 << 24) + (i << 8)
	args = {"prefix": "%d.%d.%d.0/24" % (a >> 24, a >> 16 & 255, a >> 8 & 255)}
	if op == "add":
		args["via"] = "10.2.0.2"
	return json.dumps({"id": i, "cmd": "route." + op, "args": args}) + "\n"


data = "".join(request(i) for i in range(count)).encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
start = time.monotonic()
writer = threading.Thread(target=s.sendall, args=(data,))
writer.start()
replies, errors, first_error, rest = 0, 0, None, b""
while replies < count:
	chunk = s.recv(1 << 20)
	if not chunk:
		break
	lines = (rest + chunk).split(b"\n")
	rest = lines.pop()
	for line in lines:
		r = json.loads(line)
		replies += 1
		if not r.get("ok"):
			errors += 1
			first_error = first_error or r
seconds = time.monotonic() - start
writer.join()
s.close()
print(json.dumps({"routes": count, "replies": replies, "errors": errors,
	"first_error": first_error, "seconds": round(seconds, 3)}))
sys.exit(0 if replies == count and errors == 0 else 1)
