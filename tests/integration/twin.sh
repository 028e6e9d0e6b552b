# Kernel twins (docs/kernel-twins.md): a TAP in the router's namespace per port, the kernel
# answering what fastpath does not. Sourced by run.sh.

# twin_link NAME: its `ip -o link` line in the router's namespace
twin_link() {
	ip -n $R -o link show dev "$1"
}

test_twin_devices() {
	local p mac mtu
	for p in p1:02:00:00:00:01:01:1500 p2:02:00:00:00:02:01:1500 p3:02:00:00:00:03:01:1280; do
		mac=${p#*:}
		mac=${mac%:*}
		mtu=${p##*:}
		p=${p%%:*}
		check "twin $p: a TAP with the port's MAC $mac and MTU $mtu, up" sh -c \
			"ip -n $R -d -o link show dev $p | tee /dev/stderr | grep -q 'link/ether $mac ' && ip -n $R -o link show dev $p | grep -q 'mtu $mtu ' && ip -n $R -d -o link show dev $p | grep -q 'tun type tap' && ip -n $R -o link show dev $p | grep -q '<.*UP.*>'"
	done
	check "twin.list: three twins, up, with the kernel's ifindex" sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | tee /dev/stderr | jq -e --argjson i $(cat /sys/class/net/lo/ifindex 2>/dev/null || echo 1) '[.twins[] | select(.state == \"up\") | .name] == [\"p1\", \"p2\", \"p3\"]'" 
	check "twin.list's ifindex is the kernel's" sh -c \
		"[ \"\$($(declare -f api); SOCK=$SOCK; api twin.list | jq '.twins[] | select(.name == \"p2\") | .ifindex')\" = \"\$(ip netns exec $R cat /sys/class/net/p2/ifindex)\" ]"
	check "show twins lists them" sh -c "$FASTPATHCTL -s $SOCK show twins | tee /dev/stderr | grep -Eq '^p3 +p3 +[0-9]+ +up '"
}

test_twin_carrier() {
	ip -n $FPT-h1 link set eth0 down
	check "the port's link goes down: its twin shows NO-CARRIER" poll sh -c \
		"ip -n $R -o link show dev p1 | grep -q NO-CARRIER"
	check "... and twin.list says no-carrier" sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '.twins[] | select(.name == \"p1\") | .state == \"no-carrier\"'"
	ip -n $FPT-h1 link set eth0 up
	check "the link comes back: so does the twin's carrier" poll sh -c \
		"ip -n $R -o link show dev p1 | grep -v NO-CARRIER | grep -q LOWER_UP"
	check "the other twins kept theirs" sh -c "! ip -n $R -o link show | grep -E ' p[23]:' | grep -q NO-CARRIER"
	# h1 as it was: Linux flushed its IPv6 address and its routes with the link
	ip -n $FPT-h1 -6 addr replace 2001:db8:1::2/64 dev eth0 nodad
	poll ip -n $FPT-h1 route replace default via 10.0.1.1
	poll ip -n $FPT-h1 -6 route replace default via 2001:db8:1::1
}

# The router's addresses on the twins, as the netlink mirror (lib/netlink) puts them there: added
# where it did not (without the mirror), and left, as they are the router's own.
twin_addresses() {
	local a dev
	for a in p1:10.0.1.1/24 p2:10.0.2.1/24 p1:2001:db8:1::1/64 p2:2001:db8:2::1/64; do
		dev=${a%%:*}
		a=${a#*:}
		ip -n $R addr show dev "$dev" | grep -q " $a " ||
			ip -n $R addr add "$a" dev "$dev" $(case $a in *:*) echo nodad ;; esac)
	done
	# the link-local address (EUI-64, as fastpath's) leaves DAD
	poll sh -c "ip -n $R -6 addr show dev p1 scope link | grep -v tentative | grep -q 'fe80::ff:fe00:101/64'"
}

# kernel_serves PROTO PORT HOW: a socat listener in the router's namespace (the kernel) that
# answers the first line it gets with "kernel got LINE"; its pid in $SERVER
kernel_serves() {
	ip netns exec $R timeout 10 socat "$1-LISTEN:$2,reuseaddr$3" \
		SYSTEM:'read line; echo "kernel got $line"' >/dev/null 2>&1 &
	SERVER=$!
	sleep 0.3
}

# talks ADDRESS: h1 says hello through socat to ADDRESS (socat syntax), the kernel answers
talks() {
	local out
	out=$(echo hello | in_ns h1 timeout 5 socat -t 3 - "$1") || return 1
	echo "$out"
	[ "$out" = "kernel got hello" ]
}

same() { # expected actual: equal, or both shown
	[ "$1" = "$2" ] || { echo "expected '$1', got '$2'"; return 1; }
}

twin_counter() { # twin counter: its value in twin.list
	api twin.list | jq --arg t "$1" --arg c "$2" '.twins[] | select(.name == $t) | .[$c]'
}

node_packets() { # node: its packet count
	api stats.show | jq --arg n "$1" '[.nodes[] | select(.name == $n) | .packets] | add // 0'
}

# snmp FILE FIELD: a counter of the router namespace's kernel (/proc/net/snmp Icmp InEchos...)
kernel_snmp() {
	ip netns exec $R awk -v f="$2" '
		FILENAME ~ /snmp6/ { if ($1 == f) print $2; next }
		$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Icmp:" && h { print $col[f] }' "/proc/net/$1"
}

test_twin_tcp_udp() {
	twin_addresses
	kernel_serves TCP4 7001 ",bind=10.0.1.1"
	check "TCP h1 -> 10.0.1.1: the kernel's listener answers through the twin" talks TCP4:10.0.1.1:7001
	wait $SERVER
	kernel_serves TCP6 7002 ",ipv6only"
	check "TCP over IPv6 h1 -> 2001:db8:1::1: the kernel answers" talks "TCP6:[2001:db8:1::1]:7002"
	wait $SERVER
	kernel_serves TCP6 7003 ",ipv6only"
	check "TCP to p1's link-local address (the twin's EUI-64 one): the kernel answers" \
		talks "TCP6:[fe80::ff:fe00:101%eth0]:7003"
	wait $SERVER
	kernel_serves UDP4 7004 ""
	check "UDP h1 -> 10.0.1.1: the kernel's listener answers" talks UDP4:10.0.1.1:7004
	wait $SERVER
	kernel_serves UDP6 7005 ",ipv6only"
	check "UDP over IPv6 h1 -> 2001:db8:1::1: the kernel answers" talks "UDP6:[2001:db8:1::1]:7005"
	wait $SERVER
	check "twin.list counts packets both ways on p1" sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '.twins[] | select(.name == \"p1\") | .to_kernel_packets >= 10 and .from_kernel_packets >= 10'"
}

# kernel_receives FAMILY ADDRESS PORT: a UDP listener in the router's namespace that prints the
# size of the first datagram it gets to $WORK/received; its pid in $SERVER
kernel_receives() {
	ip netns exec $R timeout 10 $PY -c "import socket
s = socket.socket(socket.$1, socket.SOCK_DGRAM)
s.bind(('$2', $3))
s.settimeout(8)
print(len(s.recvfrom(65535)[0]))" >"$WORK/received" 2>&1 &
	SERVER=$!
	sleep 0.5
}

# multicast_reaches FAMILY GROUP SENDER-TARGET: a listener in the router's namespace that joined
# GROUP on p1 receives what h1 sends to the group
multicast_reaches() {
	ip netns exec $R timeout 10 $PY -c "import socket, struct
s = socket.socket(socket.$1, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('', 7007))
if socket.$1 == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
        socket.inet_aton('$2') + socket.inet_aton('10.0.1.1'))
else:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
        socket.inet_pton(socket.AF_INET6, '$2') + struct.pack('@I', socket.if_nametoindex('p1')))
s.settimeout(8)
print(s.recvfrom(100)[0].decode())" >"$WORK/received" 2>&1 &
	SERVER=$!
	sleep 0.5
	in_ns h1 $PY -c "import socket
s = socket.socket(socket.$1, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b'to the group', $3)"
	wait $SERVER
	cat "$WORK/received"
	grep -qx 'to the group' "$WORK/received"
}

test_twin_multicast() {
	twin_addresses
	check "IPv4 multicast (224.0.0.9, RIP's group): the kernel's member gets it" \
		multicast_reaches AF_INET 224.0.0.9 "('224.0.0.9', 7007)"
	check "IPv6 multicast (ff02::9, RIPng's group): the kernel's member gets it" \
		multicast_reaches AF_INET6 ff02::9 "('ff02::9', 7007, 0, socket.if_nametoindex('eth0'))"
	check "the subnet's broadcast (10.0.1.255) reaches the kernel" \
		multicast_reaches AF_INET 224.0.0.9 "('10.0.1.255', 7007)"
	check "the limited broadcast (255.255.255.255) reaches the kernel" \
		multicast_reaches AF_INET 224.0.0.9 "('255.255.255.255', 7007)"
	# wider groups (mDNS, SSDP, 239.x streams) are no router's business: dropped, counted
	local v4=$(drops ip4_multicast) v6=$(drops ip6_multicast)
	local up=$(twin_counter p1 to_kernel_packets)
	in_ns h1 $PY -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('10.0.1.2'))
for _ in range(5): s.sendto(b'stream', ('239.1.2.3', 7007))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex('eth0'))
for _ in range(5): s6.sendto(b'site', ('ff05::1:3', 7007))"
	sleep 0.5
	check "IPv4 multicast beyond 224.0.0.0/24 (239.1.2.3): dropped as ip4_multicast" \
		test "$(drops ip4_multicast)" -ge $((v4 + 5))
	check "IPv6 multicast beyond link scope (ff05::1:3): dropped as ip6_multicast" \
		test "$(drops ip6_multicast)" -ge $((v6 + 5))
	check "... neither went up the twin" test "$(twin_counter p1 to_kernel_packets)" -eq "$up"
}

# IPv6 here: af_packet ports get IPv4 reassembled by the kernel already (DPDK asks its fanout for
# PACKET_FANOUT_FLAG_DEFRAG), so IPv4 fragments never reach fastpath through them; IPv4 in
# test_twin_ipv4_fragments, on a tap port
test_twin_fragments() {
	local before
	twin_addresses
	before=$(twin_counter p1 to_kernel_packets)
	kernel_receives AF_INET6 2001:db8:1::1 7006
	in_ns h1 $PY -c "import socket
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'f' * 3000, ('2001:db8:1::1', 7006))"
	wait $SERVER
	check "a 3000-byte UDP datagram in 3 IPv6 fragments reaches the kernel's listener whole" \
		grep -qx 3000 "$WORK/received"
	check "... the fragments went up the twin, fastpath dropped none" sh -c \
		"[ \$($(declare -f api twin_counter); SOCK=$SOCK; twin_counter p1 to_kernel_packets) -ge $((before + 3)) ] && [ $(drops ip6_local_fragment) -eq 0 ]"
}

# ip link set at run time: the twin follows the port, and is the same device (same ifindex)
test_twin_link_set() {
	local ifindex mon
	ifindex=$(ip netns exec $R cat /sys/class/net/p2/ifindex)
	"$FASTPATHCTL" -s "$SOCK" monitor link >"$WORK/monitor-link.txt" 2>&1 &
	mon=$!
	sleep 0.5
	# set down, p2 loses its static routes for good, as Linux's devices do: loaded back after
	"$FASTPATHCTL" -s "$SOCK" config dump "$WORK/twin-link-set.json"
	check "ip link set p2 mtu 1400: the twin's MTU follows" sh -c \
		"$FASTPATHCTL -s $SOCK ip link set p2 mtu 1400 && ip -n $R -o link show dev p2 | tee /dev/stderr | grep -q 'mtu 1400 '"
	check "ip link set p2 down: the twin loses its carrier" sh -c \
		"$FASTPATHCTL -s $SOCK ip link set p2 down && ip -n $R -o link show dev p2 | tee /dev/stderr | grep -q NO-CARRIER"
	check "ip link set p2 up mtu 1500: carrier and MTU back" sh -c \
		"$FASTPATHCTL -s $SOCK ip link set p2 up mtu 1500 && ip -n $R -o link show dev p2 | tee /dev/stderr | grep -v NO-CARRIER | grep -q 'mtu 1500 '"
	sleep 0.5
	kill $mon
	wait $mon 2>/dev/null
	check "fastpathctl monitor link prints p2 going down, then up" sh -c \
		"cat $WORK/monitor-link.txt >&2; grep -n '\"name\":\"p2\"' $WORK/monitor-link.txt | grep -A1 ':link.down ' | grep -q ':link.up '"
	check "the twin is the same device (its ifindex kept)" \
		test "$(ip netns exec $R cat /sys/class/net/p2/ifindex)" = "$ifindex"
	check "forwarding through p2 works again" ping_ok h1 10.0.2.2
	check "config load brings back the static routes through p2" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/twin-link-set.json && $FASTPATHCTL -s $SOCK ip -6 route | grep -q '^2001:db8:100::/48 via 2001:db8:2::2 dev p2'"
}

test_twin_kernel_pings() {
	twin_addresses
	ip -n $R neigh flush dev p2
	check "the router's kernel pings h2: its ARP resolution completes through the twin" \
		ip netns exec $R ping -c 3 -i 0.2 -W 2 10.0.2.2
	check "... the kernel has h2's MAC" sh -c "ip -n $R neigh show 10.0.2.2 dev p2 | tee /dev/stderr | grep -q 'lladdr '"
	check "the router's kernel pings h2 over IPv6: NDP completes through the twin" \
		ip netns exec $R ping -6 -c 3 -i 0.2 -W 2 2001:db8:2::2
	check "... the kernel has h2's MAC" sh -c "ip -n $R -6 neigh show 2001:db8:2::2 dev p2 | tee /dev/stderr | grep -q 'lladdr '"
	ip -n $R link set p2 mtu 1600
	ip netns exec $R ping -c 1 -W 1 -M do -s 1560 10.0.2.2 >/dev/null 2>&1
	ip -n $R link set p2 mtu 1500
	check "a frame from the kernel over the port's MTU (the twin's raised): dropped, counted" \
		test "$(drops twin_frame_too_big)" -ge 1
}

# one_answer ARP|NS: h1 asks for the router's address once; exactly one answer comes, fastpath's
one_answer() {
	in_ns h1 $PY -c "from scapy.all import *
conf.verb = 0
mac = get_if_hwaddr('eth0')
if '$1' == 'ARP':
    ask = Ether(dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=mac, psrc='10.0.1.2', pdst='10.0.1.1')
    is_answer = lambda p: p.haslayer(ARP) and p[ARP].op == 2 and p[ARP].psrc == '10.0.1.1'
else:
    ask = (Ether(dst='33:33:ff:00:00:01') / IPv6(src='2001:db8:1::2', dst='ff02::1:ff00:1') /
        ICMPv6ND_NS(tgt='2001:db8:1::1') / ICMPv6NDOptSrcLLAddr(lladdr=mac))
    is_answer = lambda p: p.haslayer(ICMPv6ND_NA) and p[ICMPv6ND_NA].tgt == '2001:db8:1::1'
sniffer = AsyncSniffer(iface='eth0', lfilter=is_answer)
sniffer.start()
time.sleep(0.5)
sendp(ask, iface='eth0')
time.sleep(1.5)
answers = sniffer.stop()
print([a[Ether].src for a in answers])
exit(0 if len(answers) == 1 and answers[0][Ether].src == '02:00:00:00:01:01' else 1)"
}

test_twin_one_owner() {
	local v4 v6 local4 local6
	twin_addresses
	v4=$(kernel_snmp snmp InEchos)
	v6=$(kernel_snmp snmp6 Icmp6InEchos)
	local4=$(node_packets ip4_local)
	local6=$(node_packets ip6_local)
	check "h1 pings the router" in_ns h1 ping -c 3 -i 0.2 -W 2 10.0.1.1
	check "h1 pings the router over IPv6" in_ns h1 ping -6 -c 3 -i 0.2 -W 2 2001:db8:1::1
	check "fastpath answered them (ip4_local, ip6_local counted them)" \
		test "$(node_packets ip4_local)" -ge $((local4 + 3)) -a "$(node_packets ip6_local)" -ge $((local6 + 3))
	check "the kernel did not see them (Icmp InEchos, Icmp6InEchos unchanged)" \
		same "$v4 $v6" "$(kernel_snmp snmp InEchos) $(kernel_snmp snmp6 Icmp6InEchos)"
	check "the kernel answers what fastpath leaves it: UDP port unreachable (1/4) over IPv6" \
		in_ns h1 $PY "$TESTDIR/bad_packets6.py" udp_port_unreachable 02:00:00:00:01:01
	check "... and an unknown next header (parameter problem 4/1)" \
		in_ns h1 $PY "$TESTDIR/bad_packets6.py" unknown_next_header 02:00:00:00:01:01
	check "... fastpath counted no answer of its own" \
		test "$(drops ip6_udp_port_unreachable)" -eq 0 -a "$(drops ip6_unknown_next_header)" -eq 0
	check "an ARP request for the router: one answer, fastpath's (the kernel never sees it)" \
		one_answer ARP
	check "a neighbour solicitation for the router: one advertisement, fastpath's" one_answer NS
}

# twin_daemon NAME JQ-FILTER: fastpathd on the router's config changed by the filter; the config
# at $WORK/NAME.json, the log at $WORK/NAME.log
twin_daemon() {
	write_config "$WORK/$1.json"
	jq "del(.telemetry) | $2" "$WORK/$1.json" >"$WORK/$1.tmp" && mv "$WORK/$1.tmp" "$WORK/$1.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/$1.json" >"$WORK/$1.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

twin_daemon_stop() {
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	FPD_PID=
}

# fastpath answers alone again, as before the twins: ICMP errors and counted drops
udp_refused() { # address
	in_ns h1 $PY -c "import socket
s = socket.socket(socket.AF_INET6 if ':' in '$1' else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect(('$1', 9))
s.send(b'x')
try:
    s.recv(10)
except ConnectionRefusedError:
    print('refused')
    exit(0)
exit(1)"
}

test_twin_config() {
	local conf
	check "twins disabled: fastpathd starts" twin_daemon no_twins '.twins = {"enabled": false}'
	check "... no TAP in the kernel" sh -c "! ip -n $R link show dev p1"
	check "... twin.list says so" sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '.enabled == false and .twins == []'"
	check "... show twins too" ctl_shows "twins disabled" show twins
	check "... its IPv6 addresses pass DAD" wait_dad
	check "... UDP to the router: fastpath's port unreachable" udp_refused 10.0.1.1
	check "... and over IPv6" udp_refused 2001:db8:1::1
	check "... UDP port unreachable (1/4) from fastpath, as the scapy probe sees it" \
		in_ns h1 $PY "$TESTDIR/bad_packets6.py" udp_port_unreachable 02:00:00:00:01:01
	check "... an unknown next header: parameter problem 4/1 at the next header (6)" \
		in_ns h1 $PY "$TESTDIR/bad_packets6.py" unknown_next_header 02:00:00:00:01:01
	check "... counted as fastpath's answers" sh -c \
		"$(declare -f api drops); SOCK=$SOCK; for r in ip4_udp_port_unreachable ip6_udp_port_unreachable ip6_unknown_next_header; do [ \$(drops \$r) -ge 1 ] || { echo \$r; exit 1; }; done"
	in_ns h1 timeout 2 socat -u - TCP4:10.0.1.1:7010,connect-timeout=1 </dev/null >/dev/null 2>&1
	check "... TCP to the router: dropped, counted" test "$(drops ip4_local_tcp)" -ge 1
	twin_daemon_stop

	check "prefix fp-: fastpathd starts" twin_daemon prefixed '.twins = {"prefix": "fp-"}'
	check "... the twins are fp-p1, fp-p2, fp-p3" sh -c \
		"ip -n $R -o link show | tee /dev/stderr | grep -c ' fp-p[123]: ' | grep -qx 3 && ! ip -n $R link show dev p1"
	check "... show twins lists fp-p1 as p1's" sh -c \
		"$FASTPATHCTL -s $SOCK show twins | tee /dev/stderr | grep -Eq '^p1 +fp-p1 +[0-9]+ +up '"
	check "... config.dump has the section" sh -c \
		"$(declare -f api); SOCK=$SOCK; api config.dump | jq -e '.config.twins == {\"enabled\": true, \"prefix\": \"fp-\", \"rate_limit_pps\": 10000}'"
	conf=$WORK/prefixed.json
	jq '.ports |= map(select(.name != "p3")) | .addresses |= map(select(.iface != "p3")) | .routes = [] | .neighbours = []' \
		"$conf" >"$conf.tmp" && mv "$conf.tmp" "$conf"
	kill -HUP "$FPD_PID"
	check "a reload without port p3 removes its twin" poll sh -c "! ip -n $R link show dev fp-p3"
	check "... the others stay" ip -n $R link show dev fp-p2
	jq '.twins.prefix = ""' "$conf" >"$conf.tmp" && mv "$conf.tmp" "$conf"
	kill -HUP "$FPD_PID"
	check "a reload with another prefix renames the twins: p1 and p2 now" poll sh -c \
		"ip -n $R link show dev p1 && ip -n $R link show dev p2 && ! ip -n $R link show dev fp-p1"
	ip -n $R link del p2
	check "a twin deleted under fastpathd: failed, and why" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '.twins[] | select(.iface == \"p2\") | .state == \"failed\" and (.error | startswith(\"lost: \"))'"
	check "... the daemon goes on" ping_ok h1 10.0.2.2
	jq '.twins.rate_limit_pps = 50' "$conf" >"$conf.tmp" && mv "$conf.tmp" "$conf"
	kill -HUP "$FPD_PID"
	check "a reload sets rate_limit_pps 50" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '.rate_limit_pps == 50'"
	local limited=$(drops twin_rate_limited)
	in_ns h1 $PY -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000): s.sendto(b'flood', ('10.0.1.1', 7011))"
	check "... a UDP flood at the router: most of it dropped as twin_rate_limited" \
		test "$(drops twin_rate_limited)" -ge $((limited + 1000))
	check "... ARP and pings still get through" ping_ok h1 10.0.2.2
	twin_daemon_stop
	check "the twins go with the daemon" sh -c "! ip -n $R link show dev p1"

	ip -n $R link add p2 type veth peer name $FPT-p2peer
	check "a kernel interface named p2 already: fastpathd starts" twin_daemon clash '.'
	check "... p2 has no twin, and twin.list says why" sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | tee /dev/stderr | jq -e '.twins[] | select(.iface == \"p2\") | .state == \"failed\" and (.error | contains(\"the kernel has an interface of that name\"))'"
	check "... the others have theirs" ip -n $R link show dev p1
	check "... p2 forwards all the same" ping_ok h1 10.0.2.2
	twin_daemon_stop
	ip -n $R link del p2

	printf '{"twins": {"prefix": "longerprefix-"},\n "ports": [{"name": "port1", "driver": "null"}]}\n' >"$WORK/twin_bad.json"
	check "config: a twin name over 15 characters is refused at the prefix" sh -c \
		"$FASTPATHD --check-config $WORK/twin_bad.json 2>&1 | tee /dev/stderr | grep -qF \"twin_bad.json:1:22: /twins/prefix: twin name 'longerprefix-port1' of port 'port1' is longer than 15 characters\""
	printf '{"twins": {"prefix": "fp/"}}\n' >"$WORK/twin_bad.json"
	check "config: a prefix a kernel name cannot have is refused" sh -c \
		"$FASTPATHD --check-config $WORK/twin_bad.json 2>&1 | tee /dev/stderr | grep -qF \"'fp/' cannot start kernel interface names\""
	printf '{"twins": {},\n "ports": [{"name": "..", "driver": "null"}]}\n' >"$WORK/twin_bad.json"
	check "config: a port whose twin name the kernel refuses ('..') is refused" sh -c \
		"$FASTPATHD --check-config $WORK/twin_bad.json 2>&1 | tee /dev/stderr | grep -qF \"twin name '..' of port '..' is no kernel interface name\""
}

# A jumbo port (MTU 9000) whose driver sends no chained frames (DPDK 22.11's null offers no
# RTE_ETH_TX_OFFLOAD_MULTI_SEGS): its twin gets what one mbuf holds (2030); on one that does,
# the port's MTU, a frame from the kernel read into a chain. A null port: DPDK 22.11's
# af_packet and tap take 1518 and 1522-byte frames at most, so no traffic over it here
test_twin_jumbo() {
	check "a port of MTU 9000: fastpathd starts" twin_daemon jumbo \
		'.ports += [{"name": "n4", "driver": "null", "mtu": 9000}]'
	check "... its twin has MTU 2030" sh -c \
		"ip -n $R link show dev n4 | tee /dev/stderr | grep -q 'mtu 2030 ' || { tail -3 $WORK/jumbo.log; false; }"
	check "... twin.list says so" sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '[.twins[] | select(.iface == \"n4\") | .mtu] == [2030]'"
	check "... the netlink mirror takes that MTU as the twin's own" sh -c \
		"$(declare -f api); SOCK=$SOCK; api netlink.show | tee /dev/stderr | jq -e '.. | .mtu_ignored? // empty | . == 0' | grep -q true"
	check "... a twin of a 1500 port keeps 1500" sh -c "ip -n $R link show dev p1 | grep -q 'mtu 1500 '"
	twin_daemon_stop
}

# IPv4 fragments for the router, on a port that does not reassemble them as af_packet does: a tap
# port whose kernel end is moved to a host namespace, h4 (a tap port has as many RX queues as TX
# queues, one per worker)
test_twin_ipv4_fragments() {
	check "a daemon with a tap port t4: fastpathd starts" twin_daemon fragments \
		'.ports += [{"name": "t4", "driver": "tap", "iface": "'$FPT-t4'", "mac": "02:00:00:00:04:01", "rxqs": 2}] | .addresses += [{"iface": "t4", "address": "10.0.4.1/24"}]'
	ip netns add $FPT-h4
	ip -n $R link set $FPT-t4 netns $FPT-h4
	ip -n $FPT-h4 addr add 10.0.4.2/24 dev $FPT-t4
	ip -n $FPT-h4 link set $FPT-t4 up
	ip -n $R addr add 10.0.4.1/24 dev t4
	kernel_receives AF_INET 10.0.4.1 7008
	ip netns exec $FPT-h4 $PY -c "import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'f' * 3000, ('10.0.4.1', 7008))"
	wait $SERVER
	check "a 3000-byte UDP datagram in 3 IPv4 fragments reaches the kernel's listener whole" \
		grep -qx 3000 "$WORK/received"
	check "... the fragments went up the twin, fastpath dropped none" sh -c \
		"[ \$($(declare -f api twin_counter); SOCK=$SOCK; twin_counter t4 to_kernel_packets) -ge 3 ] && [ $(drops ip4_local_fragment) -eq 0 ]"
	twin_daemon_stop
	ip netns del $FPT-h4
}

OTHER_TESTS="$OTHER_TESTS test_twin_config test_twin_ipv4_fragments test_twin_jumbo"
# before test_stop, which ends the router's list
ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_twin_devices test_twin_carrier test_twin_link_set test_twin_tcp_udp test_twin_fragments test_twin_multicast test_twin_kernel_pings test_twin_one_owner test_stop}
