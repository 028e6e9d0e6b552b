# Connection tracking in the graph (docs/conntrack.md), on a daemon of its own: the router's
# test bed with "conntrack": {"enabled": true}. The kernel is the oracle: the same traffic
# through the Linux router namespace of fragments.sh ($LR, nf_conntrack switched on there by an
# nftables table that uses it), whose `conntrack -L` the lines of `fastpathctl conntrack -L`
# are compared with, step by step. The router bed's ports have one RX queue each, spread over
# the 2 workers: p1 is worker 0's, p2 worker 1's, so the two directions of a flow between h1
# and h2 are tracked by two workers.

# ct_start NAME JQ-FILTER: fastpathd on the router bed's config with tracking on, changed by
# JQ-FILTER; false if it did not start
ct_start() {
	write_config "$WORK/$1.json"
	jq "del(.telemetry) | .conntrack = {\"enabled\": true} | $2" "$WORK/$1.json" >"$WORK/$1-ct.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/$1-ct.json" >"$WORK/$1.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 200); do
		api iface.list >/dev/null 2>&1 && return 0
		kill -0 $FPD_PID 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/$1.log" >&2
	FPD_PID=
	return 1
}

ct_stop() {
	local rc=0
	kill -TERM "$FPD_PID"
	wait "$FPD_PID" || rc=$?
	FPD_PID=
	check "$1: fastpathd stops cleanly" test $rc -eq 0
}

# ct_stat FIELD [WORKER]: conntrack -S's FIELD (API conntrack.stats), of one worker or summed
ct_stat() {
	api conntrack.stats | jq -r --arg f "$1" --arg w "${2:-}" \
		'[.workers[] | select($w == "" or .cpu == ($w | tonumber)) | .[$f]] | add'
}

# The Linux router with nf_conntrack on: a table whose chain counts related packets
ct_linux_router() {
	linux_router
	ip netns exec $LR nft -f - <<-'NFT'
		table inet ctt {
			chain c {
				type filter hook forward priority 0;
				ct state related counter
			}
		}
	NFT
}

# ct_linux_count STATE: the Linux router's count of forwarded packets in that ct state
ct_linux_count() {
	ip netns exec $LR nft -j list chain inet ctt c |
		jq "[.nftables[].rule? | select(. != null) | select(.expr[0].match.right == \"$1\") | .expr[1].counter.packets] | add"
}

# the Linux router's invalid count, conntrack -S's (an out-of-window segment is not seen as
# "ct state invalid" by nftables since Linux 6.x, but counted)
ct_linux_invalid() {
	ip netns exec $LR conntrack -S | sed -n 's/.* invalid=\([0-9]*\) .*/\1/p' | paste -sd+ | bc
}

# ct_states FAMILY: the states of each case on both routers, compared
ct_states() {
	local fam=$1 ours linux
	ip netns exec $LR conntrack -F >/dev/null 2>&1
	ctl conntrack -F >/dev/null 2>&1
	linux=$($PY "$TESTDIR/conntrack.py" states $FPT-l1 $FPT-l2 "$fam" "ip netns exec $LR conntrack -L 2>/dev/null")
	ours=$($PY "$TESTDIR/conntrack.py" states $FPT-h1 $FPT-h2 "$fam" "$FASTPATHCTL -s $SOCK conntrack -L 2>/dev/null")
	printf '%s\n' "$linux" >"$WORK/ct-linux$fam"
	printf '%s\n' "$ours" >"$WORK/ct-ours$fam"
	for step in "tcp established" "tcp data" "tcp client-fin" "tcp server-fin" "tcp syn-sent" \
		"tcp syn-recv" "udp unreplied" "udp replied" "udp stream" "icmp echo"; do
		check "IPv$fam $step: the same line as Linux's conntrack -L" sh -c \
			"l=\$(sed -n '/^## $step\$/,/^##/{/^##/!p}' $WORK/ct-linux$fam); o=\$(sed -n '/^## $step\$/,/^##/{/^##/!p}' $WORK/ct-ours$fam); printf 'Linux:\n%s\nfastpath:\n%s\n' \"\$l\" \"\$o\"; [ -n \"\$l\" ] && [ \"\$l\" = \"\$o\" ]"
	done
}

test_conntrack() {
	local inv0 inv1 ins0 found1 invalid related_l
	ct_linux_router
	if ! ct_start ct '.ports[0].rxqs = 3 | .conntrack.udp_timeout = 120'; then
		fail "fastpathd starts with conntrack enabled"
		return
	fi
	check "conntrack enabled: the hooks show the feature on every interface" sh -c \
		"$(declare -f api); SOCK=$SOCK; api hook.list | tee /dev/stderr | jq -e '[.. | objects | select(.name? == \"conntrack\")] | length >= 8'"
	check "config dump: conntrack enabled, so that it loads back" sh -c \
		"$(declare -f api); SOCK=$SOCK; api config.dump | jq -e '.config.conntrack == {\"enabled\": true}'"
	check "ping h1 -> h2 through tracking" ping_ok h1 10.0.2.2
	check "ping -6 h1 -> h2 through tracking" in_ns h1 ping -6 -c 6 -i 0.5 -W 3 2001:db8:2::2
	ct_states 4
	ct_states 6

	# the two directions on two workers: af_packet ports have a queue per worker, and their
	# fanout hash is symmetric, so p1 gets a third queue (rxqs 3): p1's queues go to workers
	# 0 1 0, p2's to 1 0, and about half the flows have their directions on two workers.
	# Each UDP flow's original packet is inserted by one worker, its reply found by one.
	local w0 w1 split=0 sp
	in_ns h2 sh -c "socat UDP-LISTEN:5310,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &"
	sleep 0.3
	for sp in $(seq 42001 42008); do
		w0="$(ct_stat insert 0) $(ct_stat found 1)"
		w1="$(ct_stat insert 1) $(ct_stat found 0)"
		in_ns h1 sh -c "echo x | socat -t 0.5 - UDP:10.0.2.2:5310,sourceport=$sp" >/dev/null 2>&1
		[ "$(ct_stat insert 0) $(ct_stat found 1)" != "$w0" ] && [ "$(ct_stat insert 0) $(ct_stat found 1)" = "$(set -- $w0; echo $(($1 + 1)) $(($2 + 1)))" ] && split=$((split + 1))
		[ "$(ct_stat insert 1) $(ct_stat found 0)" = "$(set -- $w1; echo $(($1 + 1)) $(($2 + 1)))" ] && split=$((split + 1))
	done
	ip netns exec $FPT-h2 pkill -f 'socat UDP-LISTEN:5310' 2>/dev/null
	check "UDP flows whose original direction one worker inserted and whose reply the other found: $split of 8" test $split -ge 1
	check "... each of the 8 tracked as one connection, seen both ways" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -L -p udp --dport 5310 | tee /dev/stderr | grep -v UNREPLIED | grep -c 'src=10.0.2.2 dst=10.0.1.2 sport=5310' | grep -qx 8"
	check "... no insert failed, nothing dropped" test "$(ct_stat insert_failed)" -eq 0 -a "$(ct_stat drop)" -eq 0
	in_ns h2 iperf3 -s -D -1 -p 5301 >/dev/null 2>&1
	sleep 0.5
	check "iperf3 TCP h1 -> h2 for 3 s through tracking" sh -c \
		"ip netns exec $FPT-h1 iperf3 -c 10.0.2.2 -p 5301 -t 3 -J | jq -e '.end.sum_received.bytes > 1000000'"
	check "... one connection each, seen both ways: ESTABLISHED or closing, [ASSURED]" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -L -p tcp --dport 5301 | tee /dev/stderr | grep -c 'src=10.0.1.2 dst=10.0.2.2 .* src=10.0.2.2 dst=10.0.1.2 .*\\[ASSURED\\]' | grep -qx 2"
	check "... no insert failed, nothing dropped" test "$(ct_stat insert_failed)" -eq 0 -a "$(ct_stat drop)" -eq 0

	# an out-of-window segment: invalid on both routers, and it goes on (the connection lives)
	inv0=$(ct_stat invalid)
	invalid=$(ct_linux_invalid)
	check "Linux: an out-of-window TCP segment: the connection lives" sh -c \
		"$PY $TESTDIR/conntrack.py oow $FPT-l1 $FPT-l2 4 5302 | grep -qx alive"
	check "Linux: ... counted invalid (conntrack -S)" test "$(ct_linux_invalid)" -gt "$invalid"
	check "fastpath: an out-of-window TCP segment: the connection lives" sh -c \
		"$PY $TESTDIR/conntrack.py oow $FPT-h1 $FPT-h2 4 5302 | grep -qx alive"
	check "fastpath: ... counted invalid (conntrack -S)" test "$(ct_stat invalid)" -gt "$inv0"
	inv1=$(ct_stat invalid)
	check "fastpath: IPv6 out-of-window segment counted invalid" sh -c \
		"$PY $TESTDIR/conntrack.py oow $FPT-h1 $FPT-h2 6 5303 | grep -qx alive && [ \$($(declare -f api ct_stat); SOCK=$SOCK; ct_stat invalid) -gt $inv1 ]"

	# an ICMP error about a tracked flow is related: port unreachable from h2 for h1's UDP
	related_l=$(ct_linux_count related)
	ip netns exec $FPT-l1 sh -c 'echo x | socat -t 1 - UDP:10.0.2.2:5399,sourceport=41399' >/dev/null 2>&1
	check "Linux: h2's port unreachable for h1's UDP flow is related" test "$(ct_linux_count related)" -gt "${related_l:-0}"
	inv0=$(ct_stat invalid)
	found1=$(ct_stat found)
	check "fastpath: h2's port unreachable for h1's UDP flow reaches h1" sh -c \
		"ip netns exec $FPT-h1 sh -c 'echo x | socat -t 1 - UDP:10.0.2.2:5399,sourceport=41399' 2>&1 | tee /dev/stderr | grep -q 'Connection refused'"
	check "fastpath: ... related: found with its flow, not invalid" sh -c \
		"$(declare -f api ct_stat); SOCK=$SOCK; [ \$(ct_stat found) -gt $found1 ] && [ \$(ct_stat invalid) -eq $inv0 ]"
	check "fastpath: ... the flow stays [UNREPLIED], as Linux's" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -L -p udp --dport 5399 | tee /dev/stderr | grep -q 'UNREPLIED'"
	ct_stop "conntrack"
}

# A full table: a small nf_conntrack_max (8: one bucket span, so that early drop sees every
# entry), filled with assured TCP connections but one unassured UDP flow
test_conntrack_full() {
	local early full i
	if ! ct_start ctfull ".conntrack.max = 8"; then
		fail "fastpathd starts with conntrack max 8"
		return
	fi
	in_ns h2 sh -c "socat TCP-LISTEN:5401,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &"
	sleep 0.5
	for i in 1 2 3 4 5 6 7; do
		in_ns h1 sh -c "(echo hi; sleep 60) | socat - TCP:10.0.2.2:5401 >/dev/null 2>&1 &"
	done
	check "7 assured TCP connections" poll_for 10 sh -c \
		"[ \$($FASTPATHCTL -s $SOCK conntrack -L -p tcp 2>/dev/null | grep -c ASSURED) -eq 7 ]"
	in_ns h1 sh -c 'echo x | socat -u - UDP:10.0.2.2:5402' >/dev/null 2>&1
	check "... and one UDP flow, unreplied: the table is full (conntrack -C 8)" sh -c \
		"[ \$($FASTPATHCTL -s $SOCK conntrack -C) -eq 8 ]"
	early=$(ct_stat early_drop)
	full=$(drops ct_table_full)
	check "a new flow: the unassured entry is evicted (early_drop), the flow passes" \
		ping_ok h1 10.0.2.2 -c 1
	check "... early_drop counted" test "$(ct_stat early_drop)" -gt "$early"
	check "... the UDP flow is gone" sh -c "! $FASTPATHCTL -s $SOCK conntrack -L -p udp 2>/dev/null | grep -q 5402"
	# the ping's entry is unassured too: filled with another connection, nothing to evict
	in_ns h1 sh -c "(echo hi; sleep 60) | socat - TCP:10.0.2.2:5401 >/dev/null 2>&1 &"
	poll_for 5 sh -c "[ \$($FASTPATHCTL -s $SOCK conntrack -L -p tcp 2>/dev/null | grep -c ASSURED) -eq 8 ]"
	check "table full of assured entries: a new flow is dropped" sh -c "! ip netns exec $FPT-h1 ping -c 1 -W 1 10.0.2.2"
	check "... under ct_table_full" test "$(drops ct_table_full)" -gt "$full"
	check "... the established connections still pass" sh -c \
		"$FASTPATHCTL -s $SOCK conntrack -L -p tcp | grep -c ASSURED | grep -qx 8"
	ip netns exec $FPT-h1 pkill -f 'socat - TCP:10.0.2.2:5401' 2>/dev/null
	ip netns exec $FPT-h2 pkill -f 'socat TCP-LISTEN:5401' 2>/dev/null
	ct_stop "conntrack max 8"
}

# A million flows created and expired: a pcap port (rx_pcap) replays a million one-packet UDP
# flows into a table of 1048576 with a 15 s UDP timeout
test_conntrack_million() {
	local n=1000000 t0
	$PY "$TESTDIR/conntrack.py" flows "$WORK/flows.pcap" $n 02:00:00:00:09:02 02:70:63:61:70:00
	if ! ct_start ctmillion ".conntrack.max = 1048576 | .conntrack.udp_timeout = 15 | .ports += [{\"name\": \"p9\", \"driver\": \"pcap\", \"rx_pcap\": \"$WORK/flows.pcap\", \"devargs\": \"tx_pcap=/dev/null,tx_pcap=/dev/null\"}] | .addresses += [{\"iface\": \"p9\", \"address\": \"10.127.255.254/10\"}]"; then
		fail "fastpathd starts with a pcap port and a table of 1048576"
		return
	fi
	t0=$(date +%s)
	check "a million flows tracked (conntrack -C >= 1000000 within 60 s)" poll_for 60 sh -c \
		"c=\$($FASTPATHCTL -s $SOCK conntrack -C); echo \$c; [ \$c -ge $n ]"
	log "   created in $(($(date +%s) - t0)) s"
	t0=$(date +%s)
	check "... all expired (conntrack -C 0) within 30 s" poll_for 30 sh -c \
		"c=\$($FASTPATHCTL -s $SOCK conntrack -C); echo \$c; [ \$c -eq 0 ]"
	log "   expired in $(($(date +%s) - t0)) s"
	check "... none dropped for a full table" test "$(drops ct_table_full)" -eq 0
	ct_stop "a million flows"
}

OTHER_TESTS="$OTHER_TESTS test_conntrack test_conntrack_full test_conntrack_million"
BOTH_MODES_TESTS="${BOTH_MODES_TESTS:-} test_conntrack test_conntrack_full"
