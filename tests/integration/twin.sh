# Kernel twins (docs/kernel-twins.md): a TAP in the router's namespace per port, the kernel
# answering what fastpath does not. Sourced by run.sh.

# twin_link NAME: its `ip -o link` line in the router's namespace
twin_link() {
	ip -n $R -o link show dev "$1"
}

# poll CMD...: CMD succeeds within 5 s
poll() {
	for _ in $(seq 50); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
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
	# the host's address and routes come back with the link
	poll ip -n $FPT-h1 route replace default via 10.0.1.1
	poll ip -n $FPT-h1 -6 route replace default via 2001:db8:1::1
}

# before test_stop, which ends the router's list
ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_twin_devices test_twin_carrier test_stop}
