# Test bed: a router namespace running fastpathd on af_packet ports (FPT_PORT_DRIVER=af_xdp:
# af_xdp ports, on veths of 2 queues), Linux hosts in namespaces around it, and assertions that
# count into a closing line.
# Every name carries the prefix $FPT- (fpt-, or FPT_PREFIX's) so that cleanup finds what a
# crash left, and test beds with different prefixes can run side by side.

BUILD=${BUILD:-build}
FASTPATHD=$(realpath "$BUILD/app/fastpathd")
FASTPATHCTL=$(realpath "$BUILD/app/fastpathctl")
TESTDIR=$(realpath "$(dirname "${BASH_SOURCE[0]}")")
FPT=${FPT_PREFIX:-fpt}
# false: the router forwards through the whole graph, without ip4_fastpath
FAST_PATH=${FPT_FAST_PATH:-true}
# af_packet: the kernel reassembles IPv4 before fastpath sees it (DPDK asks its fanout for
# PACKET_FANOUT_FLAG_DEFRAG); af_xdp: fastpath gets the fragments as they come
PORT_DRIVER=${FPT_PORT_DRIVER:-af_packet}
case $PORT_DRIVER in af_packet | af_xdp) ;; *)
	echo "FPT_PORT_DRIVER: af_packet or af_xdp, not '$PORT_DRIVER'" >&2
	exit 2
	;;
esac
WORK=$(mktemp -d /tmp/$FPT.XXXXXX)
SOCK=$WORK/api.sock
PY=/usr/bin/python3 # Debian's, which has scapy
export PY TESTDIR # for the helpers run in sh -c "$(declare -f api_file) ..."
R=$FPT-r
PASSED=0
FAILED=0
FPD_PID=

log() { printf '%s\n' "$*" >&2; }

pass() {
	PASSED=$((PASSED + 1))
	log "  ok   $*"
}

fail() {
	FAILED=$((FAILED + 1))
	log "  FAIL $*"
}

check() { # description, command...
	local what=$1
	shift
	if "$@" >"$WORK/out" 2>&1; then pass "$what"; else
		fail "$what"
		sed 's/^/       | /' "$WORK/out" | tail -15 >&2
	fi
}

cleanup_all() {
	[ -n "$FPD_PID" ] && kill "$FPD_PID" 2>/dev/null && wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	for ns in $(ip netns list | awk -v p="$FPT-" 'index($1, p) == 1 {print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		# a daemon's last act is removing its runtime directory: the next one must not
		# start before that
		for _ in $(seq 100); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.1
		done
		ip netns del "$ns"
	done
}

# host NAME PORT ADDR/LEN GW ADDR6/LEN GW6: a host namespace wired to the router's port PORT
host() {
	local name=$FPT-$1 port=$2 queues=
	ip netns add "$name"
	# af_xdp: a queue per worker (2), and the host spreads its flows over as many
	[ "$PORT_DRIVER" = af_xdp ] && queues="numrxqueues 2 numtxqueues 2"
	ip link add "$port" $queues netns "$R" type veth peer name eth0 $queues netns "$name"
	ip -n "$R" link set "$port" up
	ip netns exec "$R" sysctl -qw "net.ipv6.conf.$port.disable_ipv6=1"
	# nor IPv4: the frames are fastpath's alone, not the kernel's too, though the twins share
	# fastpath's addresses. No ARP answer, and what comes for those addresses fails the
	# reverse-path check: its sources are behind the twins
	ip netns exec "$R" sysctl -qw "net.ipv4.conf.$port.arp_ignore=8" "net.ipv4.conf.$port.rp_filter=1"
	# and the kernel's IPv4 never sees them (af_packet's copy is taken before this hook): with
	# forwarding off it would answer malformed IPv4 options with a parameter problem of its own
	ip netns exec "$R" nft add table netdev fpt
	ip netns exec "$R" nft add chain netdev fpt "$port" "{ type filter hook ingress device $port priority 0; }"
	ip netns exec "$R" nft add rule netdev fpt "$port" meta protocol ip drop
	ip -n "$name" link set lo up
	ip -n "$name" addr add "$3" dev eth0
	ip -n "$name" link set eth0 up
	ip -n "$name" route add default via "$4"
	# IPv6: a global address (no DAD: usable at once) and the router as default gateway
	ip -n "$name" -6 addr add "$5" dev eth0 nodad
	ip -n "$name" -6 route add default via "$6"
	# af_packet gets what the host's stack hands over: make it whole packets
	ip netns exec "$name" ethtool -K eth0 tx off >/dev/null 2>&1
	ip netns exec "$R" ethtool -K "$port" tx off >/dev/null 2>&1
}

topology() {
	cleanup_all
	ip netns add $R
	ip -n $R link set lo up
	host h1 r-h1 10.0.1.2/24 10.0.1.1 2001:db8:1::2/64 2001:db8:1::1
	host h2 r-h2 10.0.2.2/24 10.0.2.1 2001:db8:2::2/64 2001:db8:2::1
	host h3 r-h3 10.0.3.2/24 10.0.3.1 2001:db8:3::2/64 2001:db8:3::1
	# an anycast address behind both h2 and h3, for ECMP
	ip -n $FPT-h2 addr add 10.100.0.1/32 dev lo
	ip -n $FPT-h3 addr add 10.100.0.1/32 dev lo
	ip -n $FPT-h3 addr add 10.200.0.1/32 dev lo
	ip -n $FPT-h3 addr add 10.210.0.1/32 dev lo
	ip -n $FPT-h2 addr add 2001:db8:100::1/128 dev lo
	ip -n $FPT-h3 addr add 2001:db8:100::1/128 dev lo
	# the h3 link is a small-MTU link, for fragmentation and path MTU discovery: the smallest
	# IPv6 allows (1280, RFC 8200 5), below which Linux drops IPv6 from an interface
	ip -n $FPT-h3 link set eth0 mtu 1280
	# an af_xdp port has its netdev's MAC address; its netdev gets its MTU
	if [ "$PORT_DRIVER" = af_xdp ]; then
		for p in 1 2 3; do ip -n $R link set r-h$p address 02:00:00:00:0$p:01; done
		ip -n $R link set r-h3 mtu 1280
	fi
}

# the port object of port N (1 to 3) on netdev r-hN, for the driver of the test bed
port_json() {
	local mtu=
	[ "$1" = 3 ] && mtu=', "mtu": 1280'
	if [ "$PORT_DRIVER" = af_xdp ]; then
		echo "{\"name\": \"p$1\", \"driver\": \"af_xdp\", \"iface\": \"r-h$1\"$mtu}"
	else
		echo "{\"name\": \"p$1\", \"driver\": \"af_packet\", \"iface\": \"r-h$1\", \"mac\": \"02:00:00:00:0$1:01\"$mtu}"
	fi
}

write_config() { # path
	cat >"$1" <<CONF
{
	"eal": {"file_prefix": "$FPT", "log_level": "*:notice"},
	"workers": {"count": 2, "idle_sleep_us": 50, "fast_path": $FAST_PATH},
	"api": {"socket": "$SOCK"},
	"ports": [
		$(port_json 1),
		$(port_json 2),
		$(port_json 3)
	],
	"addresses": [
		{"iface": "p1", "address": "10.0.1.1/24"},
		{"iface": "p2", "address": "10.0.2.1/24"},
		{"iface": "p3", "address": "10.0.3.1/24"},
		{"iface": "p1", "address": "2001:db8:1::1/64"},
		{"iface": "p2", "address": "2001:db8:2::1/64"},
		{"iface": "p3", "address": "2001:db8:3::1/64"}
	],
	"routes": [
		{"prefix": "10.100.0.0/24", "via": ["10.0.2.2", "10.0.3.2"]},
		{"prefix": "10.66.0.0/16", "type": "blackhole"},
		{"prefix": "10.77.0.0/16", "type": "unreachable"},
		{"prefix": "2001:db8:100::/64", "via": ["2001:db8:2::2", "2001:db8:3::2"]},
		{"prefix": "2001:db8:100::/48", "via": "2001:db8:2::2"},
		{"prefix": "2001:db8:66::/48", "type": "blackhole"},
		{"prefix": "2001:db8:77::/48", "type": "unreachable"},
		{"prefix": "2001:db8:88::/48", "type": "prohibit"},
		{"prefix": "::/0", "via": "fe80::3:2", "dev": "p3"}
	],
	"fib": {"ipv4_max_routes": 262144, "ipv6_max_routes": 4096},
	"neighbours": [{"iface": "p2", "address": "2001:db8:2::50", "mac": "02:00:00:00:02:50"}],
	"telemetry": {"openmetrics": {"listen": "127.0.0.1:9464"}}
}
CONF
}

start_router() {
	write_config "$WORK/fastpath.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/fastpath.json" >"$WORK/fastpathd.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && api iface.list >/dev/null 2>&1 && return 0
		kill -0 $FPD_PID 2>/dev/null || break
		sleep 0.1
	done
	log "fastpathd did not start:"
	cat "$WORK/fastpathd.log" >&2
	return 1
}

# api CMD [ARGS-JSON]: the result object on stdout; fails on an error reply
api() {
	local req reply
	req=$(jq -cn --arg cmd "$1" --argjson args "${2:-{\}}" '{id: 1, cmd: $cmd, args: $args}')
	reply=$(printf '%s\n' "$req" | timeout 5 socat -t 5 - "UNIX-CONNECT:$SOCK") || return 1
	printf '%s\n' "$reply" | jq -e '.ok' >/dev/null || {
		printf '%s\n' "$reply" >&2
		return 1
	}
	printf '%s\n' "$reply" | jq '.result'
}

# api_file CMD ARGS-JSON FILE r|w: api CMD with FILE, opened by the client (r: to read; w:
# created or truncated, to write) and passed with the request: the daemon opens no path
api_file() {
	"$PY" "$TESTDIR/api_clients.py" call "$SOCK" "$1" "$2" --file "$3" --open "$4"
}

# api_file_refuses CMD ARGS-JSON FILE r|w "ERRNO: message": api_file fails with exactly that error
api_file_refuses() {
	local out
	out=$(api_file "$1" "$2" "$3" "$4" 2>&1 >/dev/null) && return 1
	printf '%s\n' "$out"
	[ "$out" = "api_clients.py: $5" ]
}

# api_refuses CMD ARGS-JSON "ERRNO: message": the command fails with exactly that error
api_refuses() {
	local req reply
	req=$(jq -cn --arg cmd "$1" --argjson args "$2" '{id: 1, cmd: $cmd, args: $args}')
	reply=$(printf '%s\n' "$req" | timeout 5 socat -t 5 - "UNIX-CONNECT:$SOCK") || return 1
	printf '%s\n' "$reply"
	[ "$(printf '%s\n' "$reply" | jq -r 'select(.ok == false) | .error.errno + ": " + .error.message')" = "$3" ]
}

# ctl_refuses "message" ARGS...: fastpathctl ARGS exits 1, printing exactly "fastpathctl: message"
ctl_refuses() {
	local msg=$1 out rc=0
	shift
	out=$("$FASTPATHCTL" -s "$SOCK" "$@" 2>&1 >/dev/null) || rc=$?
	printf 'exit %s: %s\n' "$rc" "$out"
	[ "$rc" -eq 1 ] && [ "$out" = "fastpathctl: $msg" ]
}

# ctl_shows LINE ARGS...: fastpathctl ARGS succeeds and prints LINE (a whole line) among others
ctl_shows() {
	local line=$1 out
	shift
	out=$("$FASTPATHCTL" -s "$SOCK" "$@") || return 1
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -qxF -- "$line"
}

port_stat() { # port field: the port's counter since the last stats.clear
	api stats.show | jq --arg p "$1" --arg f "$2" '.ports[] | select(.name == $p) | .[$f]'
}

drops() { # reason: its count since start
	api stats.show | jq --arg r "$1" '[.drops[] | select(.reason == $r) | .packets] | add // 0'
}

in_ns() { # host command...
	local ns=$FPT-$1
	shift
	ip netns exec "$ns" "$@"
}

# udp_receive HOST ADDR PORT OUT [count]: a UDP socket of namespace $FPT-HOST on ADDR:PORT,
# bound when this returns (its pid in UDP_RECEIVER); it writes to OUT, after a line "ready", the
# size of the first datagram it gets within 20 s, or with "count" how many it got until 3 s
# without any after the first
udp_receive() {
	rm -f "$4"
	ip netns exec "$FPT-$1" timeout 30 $PY -c "import socket
s = socket.socket(socket.AF_INET6 if ':' in '$2' else socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(('$2', $3))
print('ready', flush=True)
s.settimeout(20)
n = 0
try:
    while True:
        size = len(s.recv(65535))
        n += 1
        s.settimeout(3)
        if '${5:-}' != 'count':
            print(size)
            break
except socket.timeout:
    pass
if '${5:-}' == 'count':
    print(n)" >"$4" 2>&1 &
	UDP_RECEIVER=$!
	for _ in $(seq 100); do
		grep -q ready "$4" 2>/dev/null && return 0
		sleep 0.05
	done
}

# udp_received OUT: until udp_receive's first datagram is in OUT, at most 3 s; the receiver
# stopped
udp_received() {
	for _ in $(seq 30); do
		[ "$(wc -l <"$1")" -ge 2 ] && break
		sleep 0.1
	done
	kill $UDP_RECEIVER 2>/dev/null
	wait $UDP_RECEIVER 2>/dev/null
}

# poll_for SECONDS command...: until the command succeeds, at most SECONDS; its last try's
# status and output
poll_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && break
		sleep 0.1
	done
	"$@"
}

poll() { poll_for 5 "$@"; }

# the router's addresses leave DAD (tentative) a second or two after they are added
wait_dad() {
	for _ in $(seq 50); do
		api addr.list | jq -e '[.addresses[] | select(.state == "tentative")] == []' >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

summary() {
	# UndefinedBehaviorSanitizer (check-asan) reports and goes on: any report in a daemon's
	# log fails the run
	if grep -l "runtime error:" "$WORK"/*.log >/dev/null 2>&1; then
		fail "no UndefinedBehaviorSanitizer report in the daemons' logs"
		grep -h -A3 "runtime error:" "$WORK"/*.log | head -20 >&2
	fi
	log ""
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
