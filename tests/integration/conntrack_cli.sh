# fastpathctl conntrack (docs/conntrack.md, "Operating it"): -L, -C, -S, -D, -F, -E and -j on
# a fastpathd of its own with tracking on, the same traffic through a Linux router namespace
# whose `conntrack` is the oracle: the lines compared modulo timers and ICMP ids. Sourced by
# run.sh; a test bed of its own (OTHER_TESTS), in both modes.

CTCLI_LX=$FPT-ctx # the Linux bed: $CTCLI_LX-r routes between $CTCLI_LX-h1 and $CTCLI_LX-h2

ctcli_ctl() { "$FASTPATHCTL" -s "$SOCK" conntrack "$@"; }

# The Linux router of the same shape as fastpath's h1 - r - h2, tracking (an nft ct rule)
ctcli_linux_bed() {
	local n
	ip netns add $CTCLI_LX-r
	ip -n $CTCLI_LX-r link set lo up
	for n in 1 2; do
		ip netns add $CTCLI_LX-h$n
		ip link add p$n netns $CTCLI_LX-r type veth peer name eth0 netns $CTCLI_LX-h$n
		ip -n $CTCLI_LX-h$n link set lo up
		ip -n $CTCLI_LX-h$n addr add 10.0.$n.2/24 dev eth0
		ip -n $CTCLI_LX-h$n link set eth0 up
		ip -n $CTCLI_LX-h$n route add default via 10.0.$n.1
		ip -n $CTCLI_LX-h$n -6 addr add 2001:db8:$n::2/64 dev eth0 nodad
		ip -n $CTCLI_LX-h$n -6 route add default via 2001:db8:$n::1
		ip -n $CTCLI_LX-r addr add 10.0.$n.1/24 dev p$n
		ip -n $CTCLI_LX-r -6 addr add 2001:db8:$n::1/64 dev p$n nodad
		ip -n $CTCLI_LX-r link set p$n up
	done
	ip netns exec $CTCLI_LX-r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip netns exec $CTCLI_LX-r nft -f - <<'NFT'
table inet fpt {
	chain forward_ct {
		type filter hook forward priority 0
		ct state new counter
	}
}
NFT
}

# ctcli_traffic H1 H2: a TCP connection from 10.0.1.2:40000 to 10.0.2.2:5001 closed by the client
# (TIME_WAIT), a UDP datagram 40001 -> 5353 nobody answers, one ping; over IPv6 a datagram and
# a ping
ctcli_traffic() {
	local h1=$1 h2=$2 pid
	ip netns exec "$h2" timeout 5 socat -u TCP-LISTEN:5001,reuseaddr OPEN:/dev/null &
	pid=$!
	sleep 0.3
	echo hello | ip netns exec "$h1" timeout 5 socat -u - TCP:10.0.2.2:5001,sourceport=40000,reuseaddr
	wait $pid
	echo hi | ip netns exec "$h1" socat -u - UDP:10.0.2.2:5353,sourceport=40001
	ip netns exec "$h1" ping -c 1 -W 2 10.0.2.2 >/dev/null
	echo hi | ip netns exec "$h1" socat -u - UDP6:[2001:db8:2::2]:5353,sourceport=40011
	ip netns exec "$h1" ping -c 1 -W 2 2001:db8:2::2 >/dev/null
	sleep 0.3
}

# The lines without what differs between two runs: the timeout (3rd field), ICMP ids; sorted
ctcli_norm() {
	awk '{ $3 = "T"; print }' | sed 's/ id=[0-9]*/ id=X/g' | sort
}

ctcli_start() {
	write_config "$WORK/ct.json"
	jq 'del(.telemetry) | .conntrack = {"enabled": true}' "$WORK/ct.json" >"$WORK/ct2.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/ct2.json" >"$WORK/ct.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && return 0; sleep 0.1; done
	cat "$WORK/ct.log" >&2
	return 1
}

test_conntrack_cli() {
	local out
	if ! ctcli_start; then
		fail "conntrack: fastpathd starts with tracking on"
		return
	fi
	ctcli_linux_bed
	ctcli_traffic $FPT-h1 $FPT-h2
	ctcli_traffic $CTCLI_LX-h1 $CTCLI_LX-h2

	ip netns exec $CTCLI_LX-r conntrack -L -f ipv4 2>"$WORK/ct-lx.err" | ctcli_norm >"$WORK/ct-lx.txt"
	ctcli_ctl -L -f ipv4 2>"$WORK/ct-fp.err" | ctcli_norm >"$WORK/ct-fp.txt"
	check "conntrack -L: the lines Linux's conntrack prints for the same traffic (timers, ids aside)" sh -c \
		"cat $WORK/ct-lx.txt; diff $WORK/ct-lx.txt $WORK/ct-fp.txt && grep -q '^tcp 6 T TIME_WAIT src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 \[ASSURED\] mark=0 use=1\$' $WORK/ct-fp.txt"
	check "... and the summary on stderr, as conntrack's" sh -c \
		"cat $WORK/ct-fp.err; grep -qx 'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.' $WORK/ct-fp.err && diff $WORK/ct-lx.err $WORK/ct-fp.err"
	# FILTERS:N, N the lines Linux lists
	for f in "-f ipv6:2" "-p icmpv6:1" "-p udp:2" "-p udp -s 2001:db8:1::2:1" "-p tcp --state TIME_WAIT:1" \
		"-p tcp --dport 5001:1" "-p icmp:1" "-s 10.0.1.2 -d 10.0.2.2:3" "-s 10.0.2.2:0" "-p tcp --state ESTABLISHED:0"; do
		check "conntrack -L ${f%:*}: as Linux's (${f##*:} lines)" bash -c \
			"$(declare -f ctcli_norm); ip netns exec $CTCLI_LX-r conntrack -L ${f%:*} 2>/dev/null | ctcli_norm >$WORK/ct-lx.f;
			 cat $WORK/ct-lx.f; [ \$(wc -l <$WORK/ct-lx.f) = ${f##*:} ] &&
			 $FASTPATHCTL -s $SOCK conntrack -L ${f%:*} 2>/dev/null | ctcli_norm | diff $WORK/ct-lx.f -"
	done
	check "conntrack -C: the number -L lists" sh -c "[ \"\$($FASTPATHCTL -s $SOCK conntrack -C)\" = 5 ]"
	check "conntrack -S: a line per worker, conntrack's fields" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -S | tee $WORK/ct-S.txt; [ \$(wc -l <$WORK/ct-S.txt) = 2 ] &&
		 grep -Eqx 'cpu=0   	found=[0-9]+ invalid=[0-9]+ insert=[0-9]+ insert_failed=0 drop=0 early_drop=0 error=[0-9]+ search_restart=0 clash_resolve=[0-9]+ chaintoolong=0 ' $WORK/ct-S.txt"
	check "conntrack -L -j: the entries as JSON, one a line" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -L -p tcp -j 2>/dev/null | jq -se 'length == 1 and .[0].state == \"TIME_WAIT\" and .[0].original.sport == 40000 and .[0].reply.src == \"10.0.2.2\"'"

	# -E: the same new connection's events on both routers
	ip netns exec $CTCLI_LX-r timeout 10 conntrack -E -p tcp >"$WORK/ct-ev-lx.txt" 2>"$WORK/ct-ev-lx.err" &
	local lx=$!
	timeout 10 "$FASTPATHCTL" -s "$SOCK" conntrack -E -p tcp >"$WORK/ct-ev-fp.txt" 2>"$WORK/ct-ev-fp.err" &
	local fp=$!
	sleep 0.5
	for b in "$FPT" "$CTCLI_LX"; do
		ip netns exec $b-h2 timeout 5 socat -u TCP-LISTEN:5002,reuseaddr OPEN:/dev/null &
		sleep 0.3
		echo again | ip netns exec $b-h1 timeout 5 socat -u - TCP:10.0.2.2:5002,sourceport=40002,reuseaddr
		wait $!
		echo hi | ip netns exec $b-h1 socat -u - UDP:10.0.2.2:5353,sourceport=40003
	done
	sleep 0.5
	kill -INT $lx $fp
	wait $lx $fp
	# the server's ACK of the client's FIN goes alone (CLOSE_WAIT) or with its own FIN, as its
	# host's timing has it: that line is left out of the comparison
	check "conntrack -E -p tcp: [NEW], [UPDATE] lines as Linux's, SYN to TIME_WAIT, the UDP flow filtered out" sh -c \
		"cat $WORK/ct-ev-fp.txt; grep -v ' CLOSE_WAIT ' $WORK/ct-ev-lx.txt >$WORK/ct-ev-lx2.txt;
		 grep -v ' CLOSE_WAIT ' $WORK/ct-ev-fp.txt | diff $WORK/ct-ev-lx2.txt - && grep -q '^    \[NEW\] tcp      6 120 SYN_SENT src=10.0.1.2 dst=10.0.2.2 sport=40002 dport=5002 \[UNREPLIED\]' $WORK/ct-ev-fp.txt"
	check "... interrupted, it prints how many it showed" sh -c \
		"cat $WORK/ct-ev-fp.err; grep -Eqx 'conntrack v1.4.7 \(conntrack-tools\): [1-9][0-9]* flow events have been shown.' $WORK/ct-ev-fp.err"

	out=$(ctcli_ctl -D -p udp --dport 5353 -f ipv4 2>"$WORK/ct-D.err")
	check "conntrack -D: prints the entries deleted, and how many" sh -c \
		"printf '%s\n' '$out'; [ \$(printf '%s\n' '$out' | grep -c '^udp      17 [0-9]* src=10.0.1.2 dst=10.0.2.2 sport=4000[13] dport=5353 \[UNREPLIED\]') = 2 ] &&
		 grep -qx 'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.' $WORK/ct-D.err"
	check "... gone from -L, the IPv6 one left" sh -c \
		"[ -z \"\$($FASTPATHCTL -s $SOCK conntrack -L -p udp -f ipv4 2>/dev/null)\" ] && [ \"\$($FASTPATHCTL -s $SOCK conntrack -L -p udp 2>/dev/null | wc -l)\" = 1 ]"
	check "conntrack -F: the table emptied" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -F 2>&1 | grep -qx 'conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.' &&
		 [ \"\$($FASTPATHCTL -s $SOCK conntrack -C)\" = 0 ]"

	check "bad protocol: a clear error" ctl_refuses "unknown protocol 'foo'" conntrack -L -p foo
	check "--sport without -p: a clear error" ctl_refuses "--sport and --dport need -p tcp or -p udp" conntrack -L --sport 80
	check "bad TCP state" ctl_refuses "unknown TCP state 'FOO'" conntrack -L -p tcp --state FOO
	check "bad address" ctl_refuses "'10.0.1.x' is no address" conntrack -D -s 10.0.1.x
	check "-C with a filter: refused as conntrack does" ctl_refuses "conntrack -C takes no filter" conntrack -C -p tcp
	check "no command" ctl_refuses "conntrack needs one of -L, -C, -S, -D, -F, -E" conntrack -p tcp
	check "an option conntrack has not: the usage, exit 2" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -X 2>$WORK/ct-X.err; rc=\$?; cat $WORK/ct-X.err; [ \$rc = 2 ] && grep -q '^usage: conntrack' $WORK/ct-X.err"
	check "fastpathd still serves after the bad arguments" api conntrack.count

	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	check "conntrack: fastpathd stops cleanly" test $? -eq 0
	FPD_PID=
	for n in r h1 h2; do ip netns del $CTCLI_LX-$n 2>/dev/null; done
}

OTHER_TESTS="$OTHER_TESTS test_conntrack_cli"
BOTH_MODES_TESTS="${BOTH_MODES_TESTS:-} test_conntrack_cli"
