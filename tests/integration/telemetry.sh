#!/bin/bash
# Telemetry of a running fastpathd:
#  - DPDK's telemetry socket through dpdk-telemetry.py: /fastpath/ports, /fastpath/port,<name>,
#    /fastpath/drops, /fastpath/nodes, /fastpath/mempools;
#  - the OpenMetrics endpoint ("telemetry": {"openmetrics": {"listen": ADDR}}): GET /metrics in
#    OpenMetrics text format, 404, 405, 400, slow clients cut, connections bounded.
# usage: telemetry.sh FILE_PREFIX METRICS_ADDR     (e.g. telemetry.sh fpt 127.0.0.1:9464)
# The endpoint listens in the daemon's network namespace: run this script there, e.g.
#   ip netns exec fpt-r tests/integration/telemetry.sh fpt 127.0.0.1:9464
# Prints a PASS or FAIL line per check; exits 0 if all passed, 1 otherwise. Takes about 10 s.
set -u
PREFIX=${1:?usage: telemetry.sh FILE_PREFIX METRICS_ADDR}
ADDR=${2:?usage: telemetry.sh FILE_PREFIX METRICS_ADDR}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/fpt-telemetry.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILED=0

pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $*"
	FAILED=$((FAILED + 1))
}
check() { # description command...: the command's output is shown on failure
	local what=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then pass "$what"; else
		fail "$what"
		sed 's/^/     | /' "$TMP/out" | tail -15
	fi
}

# tel CMD...: dpdk-telemetry.py reads commands from stdin when it is not a terminal and prints
# one JSON reply per line
tel() { printf '%s\n' "$@" | timeout 10 dpdk-telemetry.py -f "$PREFIX"; }

# the run directory of a root process: /var/run/dpdk/<prefix> (the script's own logic)
check "DPDK telemetry socket exists (the daemon runs with --in-memory)" \
	test -S "/var/run/dpdk/$PREFIX/dpdk_telemetry.v2"

tel /fastpath/ports >"$TMP/ports" 2>&1
check "/fastpath/ports: a list of port names" \
	jq -e '."/fastpath/ports" | type == "array" and length > 0 and all(.[]; type == "string")' \
	"$TMP/ports"
PORT=$(jq -r '."/fastpath/ports"[0] // empty' "$TMP/ports" 2>/dev/null)
PORT=${PORT:-p1}

tel "/fastpath/port,$PORT" /fastpath/port,no-such-port /fastpath/drops /fastpath/nodes \
	/fastpath/mempools >"$TMP/replies" 2>&1
# and an af_xdp port's XDP verdicts
XDP_KEYS=
[ "${FPT_PORT_DRIVER:-af_packet}" = af_xdp ] && XDP_KEYS=', "xdp_no_socket", "xdp_passed", "xdp_redirected"'
check "/fastpath/port,$PORT: the port's counters" jq -se '.[0]."/fastpath/port" |
	(keys == ["rx_bytes", "rx_errors", "rx_missed", "rx_nombuf", "rx_packets",
		"tx_bytes", "tx_errors", "tx_packets"'"$XDP_KEYS"']) and
	all(.[]; type == "number" and . >= 0)' "$TMP/replies"
check "/fastpath/port of an unknown port: null" \
	jq -se '.[1] == {"/fastpath/port": null}' "$TMP/replies"
check "/fastpath/drops: every drop reason with its packets" jq -se '.[2]."/fastpath/drops" |
	type == "object" and length >= 10 and has("ip4_bad_checksum") and has("ip4_no_route") and
	has("neigh_hold_queue_overflow") and all(.[]; type == "number" and . >= 0)' "$TMP/replies"
check "/fastpath/nodes: packets, calls and cycles per node" jq -se '.[3]."/fastpath/nodes" |
	type == "object" and has("ip4_input") and has("port_rx") and
	all(.[]; keys == ["calls", "cycles", "packets"])' "$TMP/replies"
check "/fastpath/mempools: size, in use and free of each pool, the ports' mbuf_0 among them" \
	jq -se '.[4]."/fastpath/mempools" | has("mbuf_0") and
	all(.[]; keys == ["free", "in_use", "size"] and .in_use + .free == .size and .size > 0)' \
	"$TMP/replies"
# the snapshot read by the telemetry thread is refreshed every 500 ms: port_rx is polled
before=$(jq -s '.[3]."/fastpath/nodes".port_rx.calls // 0' "$TMP/replies" 2>/dev/null)
sleep 1.2
after=$(tel /fastpath/nodes 2>/dev/null | jq '."/fastpath/nodes".port_rx.calls // 0' 2>/dev/null)
check "telemetry snapshot is refreshed (port_rx calls $before -> $after)" \
	test "${after:-0}" -gt "${before:-0}"

# OpenMetrics endpoint: every check in Python (raw sockets for what curl would not send)
$PY - "$ADDR" "$PORT" <<'PY'
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

addr, port_name = sys.argv[1], sys.argv[2]
if addr.startswith("["):
    host, port = addr[1:].split("]:")
    family = socket.AF_INET6
else:
    host, port = addr.rsplit(":", 1)
    family = socket.AF_INET
port = int(port)
url_host = "[%s]" % host if family == socket.AF_INET6 else host
URL = "http://%s:%d" % (url_host, port)
CTYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
failed = 0


def report(ok, what, detail=""):
    global failed
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        failed += 1
        if detail:
            for line in str(detail).splitlines()[:15]:
                print("     | " + line)


def connect(timeout=5):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def raw(data, timeout=5):
    """Sends data, returns everything received until the server closes."""
    s = connect(timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    finally:
        s.close()


def status_of(reply):
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
    return int(m.group(1)) if m else None


def get(path="/metrics", method="GET"):
    req = urllib.request.Request(URL + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (\d+)$" % (NAME, LABEL, LABEL))
HELP = re.compile(r"^# HELP (%s) \S.*$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge)$" % NAME)


def validate(text):
    """Problems of an OpenMetrics exposition of counters and gauges; [] if none."""
    problems = []
    gauges = set()
    if not text.endswith("# EOF\n"):
        problems.append("does not end with '# EOF\\n'")
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    typed, done, seen, current = set(), set(), set(), None
    for n, line in enumerate(lines, 1):
        if line == "# EOF":
            if n != len(lines):
                problems.append("%d: '# EOF' before the end" % n)
            continue
        m = HELP.match(line) or TYPE.match(line)
        if m:
            family = m.group(1)
            if family != current:
                if family in done:
                    problems.append("%d: family %s interleaved" % (n, family))
                if current:
                    done.add(current)
                current = family
            if line.startswith("# TYPE"):
                typed.add(family)
                if m.group(2) == "gauge":
                    gauges.add(family)
            continue
        m = SAMPLE.match(line)
        if not m:
            problems.append("%d: neither a comment nor name{labels} value: %r" % (n, line))
            continue
        name, labels = m.group(1), m.group(2) or ""
        if current in gauges:
            if name != current:
                problems.append("%d: %s is not a sample of the gauge family above it" % (n, name))
        elif not name.endswith("_total") or name[:-6] != current or current not in typed:
            problems.append("%d: %s is not a sample of the counter family above it" % (n, name))
        if (name, labels) in seen:
            problems.append("%d: duplicate sample %s%s" % (n, name, labels))
        seen.add((name, labels))
    return problems


# GET /metrics
try:
    status, headers, body = get()
    text = body.decode()
except Exception as e:  # noqa: BLE001 - any failure to fetch is a failed check
    status, headers, text = None, {}, ""
    report(False, "GET /metrics answers", e)
report(status == 200, "GET /metrics: 200", status)
report(headers.get("Content-Type") == CTYPE, "Content-Type: " + CTYPE, headers.get("Content-Type"))
problems = validate(text)
report(text != "" and not problems, "the body is OpenMetrics text: comments or name{labels} value, "
       "families together, ends with # EOF", "\n".join(problems))
for sample in ['fastpath_port_rx_packets_total{port="%s"} ' % port_name,
               'fastpath_port_tx_bytes_total{port="%s"} ' % port_name,
               'fastpath_drops_total{reason="ip4_bad_checksum"} ',
               'fastpath_node_packets_total{node="ip4_input"} ',
               'fastpath_node_calls_total{node="ip4_input"} ',
               'fastpath_node_cycles_total{node="ip4_input"} ']:
    report(("\n" + sample) in text, "has " + sample.strip())
for fam in ["fastpath_port_rx_packets", "fastpath_drops", "fastpath_node_cycles"]:
    report("# TYPE %s counter\n" % fam in text and "# HELP %s " % fam in text,
           "# TYPE and # HELP of " + fam)
pools = {}
for fam in ["size", "in_use", "free"]:
    report("# TYPE fastpath_mempool_%s gauge\n" % fam in text, "fastpath_mempool_%s is a gauge" % fam)
    for m in re.finditer(r'^fastpath_mempool_%s\{pool="([^"]*)"\} (\d+)$' % fam, text, re.M):
        pools.setdefault(m.group(1), {})[fam] = int(m.group(2))
report("mbuf-0" in pools and all(p.get("in_use", -1) + p.get("free", -1) == p.get("size") > 0
                                 for p in pools.values()),
       "fastpath_mempool_in_use{pool=\"mbuf-0\"} and free add up to the size", pools)
try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
    try:
        n = len(list(text_string_to_metric_families(text)))
        report(n > 0, "prometheus_client's OpenMetrics parser accepts it (%d families)" % n)
    except Exception as e:  # noqa: BLE001
        report(False, "prometheus_client's OpenMetrics parser accepts it", e)
except ImportError:
    print("SKIP prometheus_client's OpenMetrics parser (python3-prometheus-client not installed)")

status, headers, body = get(method="HEAD")
report(status == 200 and body == b"" and int(headers.get("Content-Length", 0)) > 0,
       "HEAD /metrics: 200, headers only", (status, len(body)))
status, _, _ = get("/nope")
report(status == 404, "GET /nope: 404", status)
status, headers, _ = get("/metrics", method="POST")
report(status == 405 and headers.get("Allow") == "GET, HEAD",
       "POST /metrics: 405, Allow: GET, HEAD", (status, headers.get("Allow")))
status, _, _ = get("/metrics", method="DELETE")
report(status == 405, "DELETE /metrics: 405", status)
for what, data in [("binary garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" * 10),
                   ("HTTP/9.9", b"GET /metrics HTTP/9.9\r\n\r\n"),
                   ("no version", b"GET /metrics\r\n\r\n"),
                   ("header without colon", b"GET /metrics HTTP/1.0\r\nfoo\r\n\r\n"),
                   ("oversized headers (64 KiB)",
                    b"GET /metrics HTTP/1.0\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")]:
    try:
        reply = raw(data)
        report(status_of(reply) == 400, "%s: 400" % what, reply[:80])
    except OSError as e:
        report(False, "%s: 400" % what, e)

# A client that never finishes its request is cut after the 5 s time-out, and the endpoint
# serves others meanwhile.
slow = connect(timeout=10)
slow.sendall(b"GET /metr")
t0 = time.monotonic()
time.sleep(0.3)
t1 = time.monotonic()
status, _, _ = get()
served = time.monotonic() - t1
report(status == 200 and served < 1, "served while a slow client is connected (%.3f s)" % served)
try:
    data = slow.recv(100)
    cut = time.monotonic() - t0
    report(data == b"" and 4 <= cut <= 7, "slow client cut after %.1f s (time-out 5 s)" % cut)
except OSError as e:
    report(False, "slow client cut after 5 s", e)
slow.close()

# Connections are bounded: beyond 16, a new one gets a 503 and is closed; after, all is well.
idle = [connect(timeout=2) for _ in range(40)]
time.sleep(0.3)
refused = 0
for s in idle:
    s.settimeout(0.05)
    try:
        if s.recv(100).startswith(b"HTTP/1.0 503"):
            refused += 1
    except (socket.timeout, OSError):
        pass
report(refused >= 40 - 16, "at most 16 connections: %d of 40 idle ones refused with 503" % refused)
for s in idle:
    s.close()
time.sleep(0.3)
status, _, _ = get()
report(status == 200, "GET /metrics again once they are gone", status)


# Parallel scrapes
def scrape(results):
    results.append(get()[0])


results = []
threads = [threading.Thread(target=scrape, args=(results,)) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
report(results == [200] * 8, "8 parallel scrapes all answered", results)
ok = all(get()[0] == 200 for _ in range(100))
report(ok, "100 scrapes in a row")
sys.exit(min(failed, 100))
PY
FAILED=$((FAILED + $?))

if [ "$FAILED" -eq 0 ]; then
	echo "PASS telemetry: all checks"
	exit 0
fi
echo "FAIL telemetry: $FAILED failed"
exit 1
