# make run (scripts/demo.sh): the demo runs in namespaces of its own, router included, and
# leaves the machine's own network as it found it, after Ctrl-C, SIGTERM and a crash too.
# It uses the demo's own names (fpdemo-*) and fastpathctl's default socket: one at a time.
# Sourced by run.sh.

DEMO_SOCK=/run/fastpath/fastpath.sock
DEMO_PID=

# The machine's own network namespace: links, addresses, routes of every table, without what
# changes by itself (address lifetimes, route expiry).
host_state() {
	ip -j link show | jq -S .
	ip -j addr show | jq -S 'map(.addr_info |= map(del(.valid_life_time, .preferred_life_time)))'
	ip -j route show table all | jq -S 'map(del(.expires))'
}

host_unchanged() {
	host_state >"$WORK/host.now"
	diff "$WORK/host.before" "$WORK/host.now"
}

demo_namespaces() {
	ip netns list | awk 'index($1, "fpdemo-") == 1 {print $1}'
}

# the demo in the background, as a terminal would run it (SIGINT not ignored), until its
# fastpathd answers
demo_start() {
	env --default-signal=INT sh "$TESTDIR/../../scripts/demo.sh" "$(dirname "$(dirname "$FASTPATHD")")" \
		>>"$WORK/demo.log" 2>&1 &
	DEMO_PID=$!
	poll_for 30 "$FASTPATHCTL" -s $DEMO_SOCK show stats >/dev/null
}

# demo_stop SIGNAL: the script's exit, within 15 s
demo_stop() {
	kill -"$1" $DEMO_PID
	poll_for 15 sh -c "! kill -0 $DEMO_PID 2>/dev/null" && wait $DEMO_PID
	DEMO_PID=
}

demo_stopped_clean() {
	local ns
	ns=$(demo_namespaces)
	[ -z "$ns" ] || {
		echo "namespaces left: $ns"
		return 1
	}
	[ ! -e $DEMO_SOCK ] || {
		echo "$DEMO_SOCK left"
		return 1
	}
	host_unchanged
}

test_demo() {
	if [ -S $DEMO_SOCK ] || [ -n "$(demo_namespaces)" ]; then
		fail "make run: a demo or a fastpathd on $DEMO_SOCK runs already: not tested"
		return
	fi
	host_state >"$WORK/host.before"
	demo_start
	check "make run: fastpathd starts in namespace fpdemo-r" sh -c \
		"for p in \$(ip netns pids fpdemo-r); do cat /proc/\$p/comm; done | grep -qx fastpathd"
	check "... h1 pings h2 across the router" ip netns exec fpdemo-h1 ping -c 3 -i 0.2 -W 2 198.51.100.2
	check "... and the host behind h2" ip netns exec fpdemo-h1 ping -c 3 -i 0.2 -W 2 203.0.113.1
	check "... the router answers" ip netns exec fpdemo-h1 ping -c 3 -i 0.2 -W 2 192.0.2.1
	check "... its ports and twins, addresses and routes are in fpdemo-r" sh -c \
		"ip -n fpdemo-r addr show dev p0 | grep -q 'inet 192.0.2.1/24' && ip -n fpdemo-r route show proto 250 | grep -q 203.0.113.0/24 && ip -n fpdemo-r link show fpdemo0"
	check "... none in the machine's own namespace: unchanged while the demo runs" host_unchanged
	demo_stop INT
	check "Ctrl-C: the demo stops, its namespaces gone, the machine's network as it was" demo_stopped_clean
	# a crash: the script and fastpathd killed, nothing cleaned
	demo_start
	{
		kill -KILL $DEMO_PID
		ip netns pids fpdemo-r | xargs -r kill -KILL
		wait $DEMO_PID
	} 2>/dev/null
	DEMO_PID=
	check "a crash leaves the demo's namespaces, the machine's network as it was" sh -c \
		"$(declare -f host_state host_unchanged demo_namespaces); WORK=$WORK; demo_namespaces | grep -qx fpdemo-r && host_unchanged"
	demo_start
	check "the next demo removes the leftovers and runs: h1 pings h2" \
		ip netns exec fpdemo-h1 ping -c 3 -i 0.2 -W 2 198.51.100.2
	demo_stop TERM
	check "SIGTERM: the demo stops, its namespaces gone, the machine's network as it was" demo_stopped_clean
}

OTHER_TESTS="$OTHER_TESTS test_demo"
