# af_xdp ports (drivers/af_xdp.c, docs/af_xdp.md): a daemon of their own in namespace
# $FPT-xr, between hosts $FPT-xa (10.0.1.2) and $FPT-xb (10.0.2.2) on veths x1 and x2.

XDP_R=$FPT-xr
XDP_SOCK=$WORK/xdp.sock

xdp_config() { # path [port JSON, replacing p1]
	local p1=${2:-'{"name": "p1", "driver": "af_xdp", "iface": "x1"}'}

	cat >"$1" <<CONF
{
	"eal": {"file_prefix": "$FPT-xdp", "log_level": "*:notice"},
	"workers": {"count": 1, "idle_sleep_us": 50},
	"api": {"socket": "$XDP_SOCK"},
	"ports": [
		$p1,
		{"name": "p2", "driver": "af_xdp", "iface": "x2"}
	],
	"addresses": [
		{"iface": "p1", "address": "10.0.1.1/24"},
		{"iface": "p2", "address": "10.0.2.1/24"},
		{"iface": "p1", "address": "2001:db8:1::1/64"},
		{"iface": "p2", "address": "2001:db8:2::1/64"}
	]
}
CONF
}

xdp_topology() {
	local R=$XDP_R # host() wires to $R

	ip netns add $R
	ip -n $R link set lo up
	host xa x1 10.0.1.2/24 10.0.1.1 2001:db8:1::2/64 2001:db8:1::1
	host xb x2 10.0.2.2/24 10.0.2.1 2001:db8:2::2/64 2001:db8:2::1
	# an af_xdp port has its netdev's MAC
	ip -n $R link set x1 address 02:00:00:00:01:01
	ip -n $R link set x2 address 02:00:00:00:02:01
}

xdp_cleanup() {
	[ -n "$FPD_PID" ] && kill "$FPD_PID" 2>/dev/null && wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	for ns in $XDP_R $FPT-xa $FPT-xb; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}

# xdp_port_stat PORT FIELD: the port's counter since the last stats.clear
xdp_port_stat() {
	local SOCK=$XDP_SOCK
	port_stat "$1" "$2"
}

# xdp_sees_frames COMMAND...: COMMAND (sending frames from xa) makes an LLDP frame reach the
# kernel's stack on x1 (tcpdump on it in the router namespace)
xdp_sees_frames() {
	local cap=$WORK/xdp-lldp.txt
	ip netns exec $XDP_R timeout 10 tcpdump -l -n -i x1 -c 1 ether proto 0x88cc >"$cap" \
		2>"$cap.err" &
	local tcpdump=$!
	for _ in $(seq 50); do grep -q listening "$cap.err" && break; sleep 0.1; done
	"$@"
	wait $tcpdump
	cat "$cap"
	grep -q LLDP "$cap"
}

xdp_send_lldp_stp_vlan() {
	in_ns xa $PY -c "
from scapy.all import ARP, Dot1Q, Ether, LLC, Raw, sendp
lldp = b'\x02\x07\x04\x02\x00\x00\x00\x01\x02\x04\x03\x05x1\x06\x02\x00\x78\x00\x00'
sendp(Ether(dst='01:80:c2:00:00:0e', type=0x88cc) / Raw(lldp), iface='eth0', verbose=False)
sendp(Ether(dst='01:80:c2:00:00:00') / LLC(dsap=0x42, ssap=0x42, ctrl=3) / Raw(bytes(35)),
	iface='eth0', verbose=False)
sendp(Ether(dst='ff:ff:ff:ff:ff:ff') / Dot1Q(vlan=5) / ARP(pdst='10.0.5.1'), iface='eth0',
	verbose=False)"
}

xdp_prog_id() { # netdev: the id of its XDP program, if any
	ip -n $XDP_R link show "$1" | sed -n 's/.*prog\/xdp id \([0-9]*\) .*/\1/p'
}

test_af_xdp_ports() {
	local SOCK=$XDP_SOCK rc before

	xdp_cleanup
	xdp_topology
	xdp_config "$WORK/xdp.json"
	ip netns exec $XDP_R "$FASTPATHD" -c "$WORK/xdp.json" >"$WORK/xdp.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
	check "af_xdp: fastpathd starts with two af_xdp ports" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '[.interfaces[].driver] == [\"af_xdp\", \"af_xdp\"]'"
	check "af_xdp: our XDP program is attached to x1 in native mode" sh -c \
		"ip -n $XDP_R link show x1 | tee /dev/stderr | grep -q ' xdp qdisc' &&
		 ip -n $XDP_R link show x1 | grep -q 'prog/xdp id [0-9]* name fastpath_xdp'"
	check "af_xdp: our XDP program is attached to x2" sh -c \
		"ip -n $XDP_R link show x2 | grep -q 'prog/xdp id [0-9]* name fastpath_xdp'"
	check "af_xdp: ping xa -> xb forwarded" in_ns xa ping -c 3 -i 0.2 -W 2 10.0.2.2
	check "af_xdp: ping6 xa -> xb forwarded" in_ns xa ping -c 3 -i 0.2 -W 2 2001:db8:2::2
	check "af_xdp: full-size frames forwarded" in_ns xa ping -c 3 -i 0.2 -W 2 -s 1472 -M do 10.0.2.2
	in_ns xb iperf3 -s -D -1 -p 5210 >/dev/null 2>&1
	sleep 0.3
	check "af_xdp: iperf3 TCP xa -> xb for 2 s completes" sh -c \
		"ip netns exec $FPT-xa timeout 20 iperf3 -c 10.0.2.2 -p 5210 -t 2 -J | jq -e '.end.sum_received.bytes > 0'"

	api stats.clear >/dev/null
	check "af_xdp: LLDP from xa reaches the kernel on x1" xdp_sees_frames xdp_send_lldp_stp_vlan
	check "af_xdp: ping after the LLDP frame" in_ns xa ping -c 3 -i 0.2 -W 2 10.0.2.2
	check "af_xdp: LLDP, STP and a VLAN-tagged frame counted passed to the kernel" \
		test "$(xdp_port_stat p1 xdp_passed)" = 3
	check "af_xdp: IPv4 counted redirected to fastpathd" \
		test "$(xdp_port_stat p1 xdp_redirected)" -ge 3
	check "af_xdp: no frame without a socket" test "$(xdp_port_stat p1 xdp_no_socket)" = 0
	check "af_xdp: fastpathctl show stats has the XDP verdicts" sh -c \
		"'$FASTPATHCTL' -s '$SOCK' show stats | tee /dev/stderr |
		 grep -qE '^PORT +XDP_REDIRECTED +XDP_PASSED +XDP_NO_SOCKET$' &&
		 '$FASTPATHCTL' -s '$SOCK' show stats | grep -qE '^p1 +[0-9]+ +3 +0$'"

	# the PMD says up from start to stop: the link is x1's IFF_RUNNING
	in_ns xa ip link set eth0 down
	check "af_xdp: x1 loses its carrier: p1's link goes down" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '.interfaces[] | select(.name == \"p1\") | .link_up == false'"
	in_ns xa ip link set eth0 up
	check "af_xdp: ... and comes back up with it" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '.interfaces[] | select(.name == \"p1\") | .link_up == true'"
	# xa as it was: Linux flushed its IPv6 address and its routes with the link
	in_ns xa ip -6 addr replace 2001:db8:1::2/64 dev eth0 nodad
	poll in_ns xa ip route replace default via 10.0.1.1
	poll in_ns xa ip -6 route replace default via 2001:db8:1::1

	# a changed port is destroyed and created again: its program detached, then attached anew
	before=$(xdp_prog_id x2)
	jq '.ports[1].busy_budget = 0' "$WORK/xdp.json" >"$WORK/xdp2.json"
	mv "$WORK/xdp2.json" "$WORK/xdp.json"
	kill -HUP "$FPD_PID"
	for _ in $(seq 50); do
		[ -n "$(xdp_prog_id x2)" ] && [ "$(xdp_prog_id x2)" != "$before" ] && break
		sleep 0.1
	done
	check "af_xdp: a reload that changes p2 replaces its XDP program" sh -c \
		"ip -n $XDP_R link show x2; [ -n '$before' ] &&
		 ip -n $XDP_R link show x2 | grep -q 'prog/xdp id [0-9]* name fastpath_xdp' &&
		 ! ip -n $XDP_R link show x2 | grep -q 'prog/xdp id $before '"
	check "af_xdp: ping xa -> xb after the reload" in_ns xa ping -c 3 -i 0.2 -W 2 10.0.2.2

	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	rc=$?
	FPD_PID=
	check "af_xdp: stops cleanly on SIGTERM" test $rc -eq 0
	check "af_xdp: no XDP program left on the netdevs" sh -c \
		"ip -n $XDP_R link show | tee /dev/stderr | grep -q LOWER_UP &&
		 ! ip -n $XDP_R link show | grep -q xdp"
	xdp_cleanup
}

# xdp_refused CONFIG MESSAGE-PATTERN: --check-config in the router namespace rejects it so
xdp_refused() {
	local out rc=0
	out=$(ip netns exec $XDP_R "$FASTPATHD" --check-config "$1" 2>&1) || rc=$?
	printf 'exit %s: %s\n' "$rc" "$out"
	[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -qE -- "$2"
}

# xdp_start_refused CONFIG MESSAGE-PATTERN: fastpathd exits 1 at start, saying so
xdp_start_refused() {
	local rc=0
	ip netns exec $XDP_R timeout 30 "$FASTPATHD" -c "$1" >"$WORK/xdp-refused.log" 2>&1 || rc=$?
	echo "exit $rc"
	cat "$WORK/xdp-refused.log"
	[ $rc -eq 1 ] && grep -q -- "$2" "$WORK/xdp-refused.log"
}

test_af_xdp_config_errors() {
	local c=$WORK/xdp-bad.json

	xdp_cleanup
	xdp_topology
	xdp_config "$c" '{"name": "p1", "driver": "af_xdp"}'
	check "af_xdp: a port without iface is refused" xdp_refused "$c" \
		"/ports/0: missing key 'iface'"
	xdp_config "$c" '{"name": "p1", "driver": "af_xdp", "iface": "nosuch0"}'
	check "af_xdp: an unknown iface is refused" xdp_refused "$c" \
		"/ports/0/iface: no network interface 'nosuch0' here"
	xdp_config "$c" '{"name": "p1", "driver": "af_xdp", "iface": "x1", "mac": "02:00:00:00:01:09"}'
	check "af_xdp: a mac key is refused" xdp_refused "$c" \
		"an af_xdp port has the MAC address of its netdev"
	xdp_config "$c" '{"name": "p1", "driver": "af_xdp", "iface": "x1", "busy_budget": 65536}'
	check "af_xdp: a busy_budget above 65535 is refused" xdp_refused "$c" "/ports/0/busy_budget: "
	xdp_config "$c" '{"name": "p1", "driver": "af_xdp", "iface": "x1", "rx_ring": 1000}'
	check "af_xdp: a ring size other than a power of 2 is refused" xdp_refused "$c" \
		"/ports/0: the rings of an af_xdp port have a power of 2 entries, not 1000"
	xdp_config "$c" '{"name": "p1", "driver": "af_xdp", "iface": "x1", "xdp_prog": "/nonexistent.o"}'
	check "af_xdp: a missing XDP program is refused" xdp_refused "$c" \
		"/ports/0/xdp_prog: /nonexistent.o: No such file or directory"
	# veth has one queue for AF_XDP: two workers need two
	xdp_config "$c"
	jq '.workers.count = 2' "$c" >"$c.2"
	check "af_xdp: more workers than netdev queues is refused" xdp_start_refused "$c.2" \
		"port p1: x1 has 1 queue(s) for AF_XDP, 2 from queue 0 asked"
	check "af_xdp: no XDP program left after the refusal" sh -c \
		"! ip -n $XDP_R link show | grep -q xdp"
	# ethtool -L gives a veth more queues, on both ends (the kernel's XDP wants the veth's RX
	# queues to cover its peer's TX queues): they count, RX and TX, as combined channels
	ip netns exec $XDP_R ethtool -L x1 rx 2 tx 2
	in_ns xa ethtool -L eth0 rx 2 tx 2
	jq '.workers.count = 3' "$c" >"$c.3"
	check "af_xdp: 3 workers on a veth of 2 RX and 2 TX queues: refused, counting 2" \
		xdp_start_refused "$c.3" "port p1: x1 has 2 queue(s) for AF_XDP, 3 from queue 0 asked"
	ip netns exec $XDP_R "$FASTPATHD" -c "$c" >"$WORK/xdp-warn.log" 2>&1 &
	FPD_PID=$!
	SOCK=$XDP_SOCK poll_for 10 api iface.list >/dev/null
	check "af_xdp: one worker on it: started, warning that what comes on queue 1 goes to the kernel" \
		grep "port p1: x1 receives on 2 queue(s), the port binds 0 to 0: what arrives on the others goes to the kernel" \
		"$WORK/xdp-warn.log"
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	FPD_PID=
	# another program than fastpath's on the second port: the first is created, then removed
	# (fastpath's own, left by a killed daemon, is replaced: kill9.sh)
	printf '%s\n' '#include <linux/bpf.h>' \
		'__attribute__((section("xdp"), used)) int other_xdp(struct xdp_md *ctx) { return XDP_PASS; }' \
		'char LICENSE[] __attribute__((section("license"), used)) = "GPL";' >"$WORK/other_xdp.c"
	clang -O2 -target bpf -I/usr/include/"$(gcc -print-multiarch)" -c "$WORK/other_xdp.c" \
		-o "$WORK/other_xdp.o"
	ip -n $XDP_R link set dev x2 xdp obj "$WORK/other_xdp.o" sec xdp
	check "af_xdp: a netdev that has another XDP program is refused" xdp_start_refused "$c" \
		"port p2: x2 already has an XDP program (id [0-9]*): another fastpathd's, or not fastpath's"
	check "af_xdp: the other XDP program is left alone" sh -c \
		"ip -n $XDP_R link show x2 | grep -q 'prog/xdp id [0-9]* name other_xdp'"
	check "af_xdp: the port created before the refusal is detached" sh -c \
		"! ip -n $XDP_R link show x1 | grep -q xdp"
	xdp_cleanup
}

OTHER_TESTS="$OTHER_TESTS test_af_xdp_ports test_af_xdp_config_errors"

# rx_queue_redirected NETDEV QUEUE: what XDP redirected on the router's netdev's RX queue (veth)
rx_queue_redirected() {
	ip netns exec $R ethtool -S "$1" | awk -v k="rx_queue_$2_xdp_redirect:" '$1 == k {print $2}'
}

# The router's test bed on af_xdp ports (FPT_PORT_DRIVER=af_xdp): veths of 2 RX and 2 TX queues,
# a socket on each, one per worker, and the hosts' flows spread over them
test_af_xdp_queues() {
	local q0 q1 nosock
	check "af_xdp: a 2-queue veth (ethtool -l: RX/TX, no combined) gives p1 a queue per worker" sh -c \
		"$(declare -f api); SOCK=$SOCK
		 ip netns exec $R ethtool -l r-h1 | tee /dev/stderr | grep -qE '^Combined:\s+n/a' &&
		 api iface.list | jq -e '.interfaces[] | select(.name == \"p1\") | .rxqs == 2 and .txqs == 2'"
	q0=$(rx_queue_redirected r-h1 0)
	q1=$(rx_queue_redirected r-h1 1)
	nosock=$(port_stat p1 xdp_no_socket)
	udp_receive h2 10.0.2.2 7030 "$WORK/queues-received" count
	# 64 flows (source ports) of 5 datagrams: h1's kernel picks a TX queue per flow
	in_ns h1 $PY -c "import socket, time
for sport in range(30000, 30064):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('10.0.1.2', sport))
    for _ in range(5):
        s.sendto(b'q' * 64, ('10.0.2.2', 7030))
    s.close()
    time.sleep(0.002)"
	wait $UDP_RECEIVER
	check "af_xdp: 64 UDP flows of 5 datagrams h1 -> h2: all 320 arrive" grep -qx 320 "$WORK/queues-received"
	check "af_xdp: both RX queues of r-h1 got some of them (ethtool -S: rx_queue_N_xdp_redirect)" sh -c \
		"ip netns exec $R ethtool -S r-h1 | grep xdp_redirect; [ $(rx_queue_redirected r-h1 0) -ge $((q0 + 5)) ] && [ $(rx_queue_redirected r-h1 1) -ge $((q1 + 5)) ]"
	check "af_xdp: none found no socket" test "$(port_stat p1 xdp_no_socket)" -eq "$nosock"
	q0=$(rx_queue_redirected r-h1 0)
	q1=$(rx_queue_redirected r-h1 1)
	in_ns h2 iperf3 -s -D -1 -p 5230 >/dev/null 2>&1
	sleep 0.5
	check "af_xdp: iperf3 -P 16 TCP h1 -> h2 for 3 s completes" sh -c \
		"ip netns exec $FPT-h1 iperf3 -c 10.0.2.2 -p 5230 -P 16 -t 3 -J | jq -e '.end.sum_received.bytes > 0'"
	check "af_xdp: ... its 16 streams spread over both queues (all on one: 1 in 32768)" sh -c \
		"[ $(rx_queue_redirected r-h1 0) -ge $((q0 + 100)) ] && [ $(rx_queue_redirected r-h1 1) -ge $((q1 + 100)) ]"
}

[ "$PORT_DRIVER" = af_xdp ] && ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_af_xdp_queues test_stop}
