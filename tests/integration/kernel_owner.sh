# fastpath changes in the kernel only what it made there (docs/kernel-netlink.md, who owns
# what): the kernel's own routes and addresses of the same key stay, fastpath's copies go when
# it stops, and what a crash left goes at the next start. Linux is the oracle (ip route get).
# Sourced by run.sh.

# push_counter NAME: a number of netlink.show's push object (copies on the twins)
push_counter() {
	api netlink.show | jq ".push.$1"
}

# a device of the router's kernel that fastpath does not own, as a management interface is
mgmt_link() {
	ip -n $R link add nl-mgmt type veth peer name nl-mgmt1
	ip -n $R addr add 192.168.79.1/24 dev nl-mgmt
	ip -n $R -6 addr add 2001:db8:79::1/64 dev nl-mgmt nodad
	ip -n $R link set nl-mgmt up
	ip -n $R link set nl-mgmt1 up
}

test_netlink_kernel_routes_kept() {
	local conflicts
	mgmt_link
	# the management default route, an IPv6 route, and routes of other metrics, all through it
	ip -n $R route add default via 192.168.79.2 dev nl-mgmt
	ip -n $R -6 route add 2001:db8:240::/48 via 2001:db8:79::2 dev nl-mgmt
	ip -n $R route add 10.241.0.0/24 via 192.168.79.2 metric 100
	ip -n $R -6 route add 2001:db8:241::/48 via 2001:db8:79::2 metric 2000
	conflicts=$(push_counter conflicts)
	"$FASTPATHCTL" -s $SOCK ip route add 0.0.0.0/0 via 10.0.2.2
	"$FASTPATHCTL" -s $SOCK ip route add 2001:db8:240::/48 via 2001:db8:2::2
	"$FASTPATHCTL" -s $SOCK ip route add 10.241.0.0/24 via 10.0.2.2
	"$FASTPATHCTL" -s $SOCK ip route add 2001:db8:241::/48 via 2001:db8:2::2
	check "fastpath has its static default route" sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 0.0.0.0/0 | grep -qx 'static '"
	check "the kernel's default route through a device fastpath does not own stays (ip route get)" sh -c \
		"ip -n $R route get 192.0.2.200 | tee /dev/stderr | grep -q 'via 192.168.79.2 dev nl-mgmt'"
	check "... and the kernel's IPv6 route of the same prefix" sh -c \
		"ip -n $R -6 route show 2001:db8:240::/48 | tee /dev/stderr | grep -q '^2001:db8:240::/48 via 2001:db8:79::2 dev nl-mgmt' && ! ip -n $R -6 route show proto 250 | grep -q '^2001:db8:240::'"
	check "... both counted as conflicts" test "$(push_counter conflicts)" -eq $((conflicts + 2))
	check "... and logged" grep -q 'the kernel has its own route 0.0.0.0/0 in table 254: left as it is' "$WORK/fastpathd.log"
	check "show netlink shows the conflicts" sh -c \
		"$FASTPATHCTL -s $SOCK show netlink | tee /dev/stderr | grep -q 'conflicts $((conflicts + 2)) (the kernel.s own kept)'"
	check "another metric is another route: fastpath's copy beside the kernel's (IPv4, IPv6)" sh -c \
		"ip -n $R route show 10.241.0.0/24 | grep -q 'proto 250' && ip -n $R route show 10.241.0.0/24 | grep -q 'metric 100' && ip -n $R -6 route show 2001:db8:241::/48 | grep -q 'proto 250' && ip -n $R -6 route show 2001:db8:241::/48 | grep -q 'metric 2000'"
	"$FASTPATHCTL" -s $SOCK ip route del 0.0.0.0/0
	"$FASTPATHCTL" -s $SOCK ip route del 2001:db8:240::/48
	"$FASTPATHCTL" -s $SOCK ip route del 10.241.0.0/24
	"$FASTPATHCTL" -s $SOCK ip route del 2001:db8:241::/48
	check "fastpath's default route deleted: the kernel's is still there (ip route get)" sh -c \
		"ip -n $R route get 192.0.2.200 | tee /dev/stderr | grep -q 'via 192.168.79.2 dev nl-mgmt'"
	check "... and the kernel's IPv6 route" sh -c \
		"ip -n $R -6 route show 2001:db8:240::/48 | tee /dev/stderr | grep -q '^2001:db8:240::/48 via 2001:db8:79::2 dev nl-mgmt'"
	check "... only fastpath's copies of the other metric's prefixes gone, the kernel's routes kept" sh -c \
		"[ \$(ip -n $R route show 10.241.0.0/24 | tee /dev/stderr | wc -l) -eq 1 ] && ip -n $R route show 10.241.0.0/24 | grep -q 'via 192.168.79.2 dev nl-mgmt metric 100' && ip -n $R -6 route show 2001:db8:241::/48 | tee /dev/stderr | grep -q 'metric 2000' && ! ip -n $R -6 route show 2001:db8:241::/48 | grep -q 'proto 250'"
	# a copy changed (a reload) deletes fastpath's old copy only, then makes the new one
	ip -n $R route add 10.100.0.0/24 via 192.168.79.2 metric 50
	api config.dump | jq '.config' >"$WORK/own1.json"
	jq '(.routes[] | select(.prefix == "10.100.0.0/24")) |= {prefix, "via": "10.0.2.2"}' "$WORK/own1.json" >"$WORK/own2.json"
	api_file config.load '{}' "$WORK/own2.json" r >/dev/null
	check "a static route changed: its copy changed, the kernel's route of another metric kept" sh -c \
		"ip -n $R route show 10.100.0.0/24 | tee /dev/stderr | grep -q '^10.100.0.0/24 via 10.0.2.2 dev p2 proto 250' && [ \$(ip -n $R route show 10.100.0.0/24 proto 250 | wc -l) -eq 1 ] && ip -n $R route show 10.100.0.0/24 | grep -q 'via 192.168.79.2 dev nl-mgmt metric 50'"
	api_file config.load '{}' "$WORK/own1.json" r >/dev/null
	check "... and back (the ECMP copy)" sh -c \
		"ip -n $R route show 10.100.0.0/24 proto 250 | tee /dev/stderr | grep -q 'nexthop via 10.0.3.2'"
	ip -n $R route del 10.100.0.0/24 via 192.168.79.2 metric 50
	ip -n $R route del default via 192.168.79.2
	ip -n $R link del nl-mgmt
}

# valid_lft of ADDRESS on twin DEV in the kernel (nothing if absent, 4294967295: forever)
kaddr_lft() { # dev address
	ip -n $R -j addr show dev "$1" | jq -r --arg a "$2" '.[0].addr_info[] | select(.local == $a) | .valid_life_time'
}

test_netlink_kernel_addresses_kept() {
	local conflicts
	ip -n $R addr add 10.0.2.99/24 dev p2 valid_lft 3000 preferred_lft 3000
	check "a hand-made address on a twin (with lifetimes) is mirrored" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api addr.list | jq -e '.addresses[] | select(.address == \"10.0.2.99/24\")'"
	ip -n $R link set p2 down
	ip -n $R link set p2 up
	check "the twin down and up: fastpath's addresses are back on it" poll sh -c \
		"ip -n $R addr show dev p2 | grep -q 'inet 10.0.2.1/24' && ip -n $R addr show dev p2 | grep -q 'inet6 2001:db8:2::1/64'"
	check "... the hand-made one kept its lifetime: not taken over by fastpath's copies" sh -c \
		"$(declare -f kaddr_lft); R=$R; l=\$(kaddr_lft p2 10.0.2.99); echo \$l; [ \"\$l\" -le 3000 ]"
	ip -n $R -6 addr add 2001:db8:2::99/64 dev p2 nodad valid_lft 3000 preferred_lft 3000
	check "a hand-made IPv6 address is mirrored too" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api addr.list | jq -e '.addresses[] | select(.address == \"2001:db8:2::99/64\")'"
	api addr.del '{"iface": "p2", "address": "10.0.2.99/24"}' >/dev/null
	api addr.del '{"iface": "p2", "address": "2001:db8:2::99/64"}' >/dev/null
	check "deleted in fastpath: the kernel keeps the hand-made ones as they were (IPv4, IPv6)" sh -c \
		"$(declare -f kaddr_lft); R=$R; [ \$(kaddr_lft p2 10.0.2.99) -le 3000 ] && [ \$(kaddr_lft p2 2001:db8:2::99) -le 3000 ]"
	# fastpath's own address of the same key comes and goes
	conflicts=$(push_counter conflicts)
	api addr.add '{"iface": "p2", "address": "10.0.2.99/24"}' >/dev/null
	api addr.add '{"iface": "p2", "address": "2001:db8:2::99/64"}' >/dev/null
	check "fastpath's own of the same key: the kernel has them already, conflicts, logged" sh -c \
		"[ \$($(declare -f api push_counter); SOCK=$SOCK; push_counter conflicts) -eq $((conflicts + 2)) ] && grep -q 'the kernel has its own address 10.0.2.99/24 on twin p2' $WORK/fastpathd.log"
	check "... the kernel's not taken over" sh -c \
		"$(declare -f kaddr_lft); R=$R; [ \$(kaddr_lft p2 10.0.2.99) -le 3000 ] && [ \$(kaddr_lft p2 2001:db8:2::99) -le 3000 ]"
	api addr.del '{"iface": "p2", "address": "10.0.2.99/24"}' >/dev/null
	api addr.del '{"iface": "p2", "address": "2001:db8:2::99/64"}' >/dev/null
	check "... fastpath's deleted: the kernel's stay" sh -c \
		"$(declare -f kaddr_lft); R=$R; [ \$(kaddr_lft p2 10.0.2.99) -le 3000 ] && [ \$(kaddr_lft p2 2001:db8:2::99) -le 3000 ]"
	ip -n $R addr del 10.0.2.99/24 dev p2
	ip -n $R -6 addr del 2001:db8:2::99/64 dev p2
	api addr.add '{"iface": "p2", "address": "10.0.2.98/24"}' >/dev/null
	check "an address fastpath made is on the twin" poll sh -c "ip -n $R addr show dev p2 | grep -q 'inet 10.0.2.98/24'"
	api addr.del '{"iface": "p2", "address": "10.0.2.98/24"}' >/dev/null
	check "... and goes from it with fastpath's" poll sh -c "! ip -n $R addr show dev p2 | grep -q 'inet 10.0.2.98/24'"
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_netlink_kernel_routes_kept test_netlink_kernel_addresses_kept test_stop}

# copies: every route of protocol 250 in the router's kernel, "table type prefix" sorted
copies() {
	{
		ip -n $R -4 -j route show table all proto 250
		ip -n $R -j -6 route show table all proto 250
	} | jq -r '.[] | "\(.table // "main") \(.type // "unicast") \(.dst)"' | sort
}

# the mirror's first dump is over: fastpath's copies are made
mirror_ready() {
	local s
	s=$(api netlink.show) && printf '%s\n' "$s" | jq -e '.mirror.dumps > 0 and (.mirror.dumping | not)'
}

# start_own NAME CONFIG: fastpathd on CONFIG in the background, its log NAME.log, until its
# copies are made
start_own() {
	ip netns exec $R "$FASTPATHD" -c "$2" >>"$WORK/$1.log" 2>&1 &
	FPD_PID=$!
	poll_for 20 mirror_ready >/dev/null
}

test_netlink_stop_and_crash() {
	local before rc=0
	write_config "$WORK/owner.json"
	# a second table, VRF 1, with routes on no twin
	jq '.netlink = {"tables": [{"table": "main", "vrf": 0}, {"table": 100, "vrf": 1}]} | del(.telemetry)
		| .routes += [{"prefix": "10.244.0.0/16", "type": "blackhole", "vrf": 1},
			{"prefix": "2001:db8:244::/48", "type": "prohibit", "vrf": 1}]' "$WORK/owner.json" >"$WORK/owner2.json"
	start_own owner "$WORK/owner2.json"
	copies >"$WORK/copies1"
	check "copies: blackhole, unreachable, prohibit in main and table 100, both families" sh -c \
		"cat $WORK/copies1; grep -qx 'main blackhole 10.66.0.0/16' $WORK/copies1 && grep -qx 'main unreachable 10.77.0.0/16' $WORK/copies1 && grep -qx 'main prohibit 2001:db8:88::/48' $WORK/copies1 && grep -qx '100 blackhole 10.244.0.0/16' $WORK/copies1 && grep -qx '100 prohibit 2001:db8:244::/48' $WORK/copies1"
	kill -TERM "$FPD_PID"
	wait "$FPD_PID" || rc=$?
	FPD_PID=
	check "SIGTERM: stops cleanly" test $rc -eq 0
	check "... no route of protocol 250 left in any table (blackhole, unreachable, prohibit too)" sh -c \
		"$(declare -f copies); R=$R; c=\$(copies); echo \"\$c\"; [ -z \"\$c\" ]"
	check "... no twin left, nor its addresses" sh -c \
		"! ip -n $R link show p1 2>/dev/null && ! ip -n $R addr | grep -q '10.0.1.1/24'"
	start_own owner "$WORK/owner2.json"
	check "started again: the same copies" sh -c "copies_now=\$($(declare -f copies); R=$R; copies); [ \"\$copies_now\" = \"\$(cat $WORK/copies1)\" ]"
	# what a crash leaves: fastpath's copies, and one more in a mapped table
	ip -n $R route add blackhole 10.250.0.0/24 proto 250 table 100
	ip -n $R route add blackhole 10.251.0.0/24 proto 250 table 200 # unmapped: not fastpath's
	ip -n $R route add blackhole 10.252.0.0/24 table 100           # the kernel's own
	kill -KILL "$FPD_PID"
	wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	before=$(copies | wc -l)
	check "kill -9: the copies stay in the kernel (Linux keeps routes on no device)" sh -c \
		"$(declare -f copies); R=$R; copies | grep -q 'main blackhole 10.66.0.0/16'"
	check "... the twins and their addresses went with the process" sh -c \
		"! ip -n $R link show p1 2>/dev/null && ! ip -n $R addr | grep -q '10.0.1.1/24'"
	start_own owner "$WORK/owner2.json"
	check "restart: the leftovers deleted at start, the copies made anew, once each" sh -c \
		"$(declare -f copies); R=$R; copies | grep -v 10.251.0.0 | diff - $WORK/copies1"
	check "... counted and logged" sh -c \
		"[ \$($(declare -f api push_counter); SOCK=$SOCK; push_counter leftovers) -eq $((before - 1)) ] && grep -q '$((before - 1)) routes of a previous run (protocol 250) deleted' $WORK/owner.log"
	check "... a route of protocol 250 in a table the config does not map stays" sh -c \
		"ip -n $R route show table 200 | grep -q '^blackhole 10.251.0.0/24 proto 250'"
	check "... and the kernel's own route in a mapped table" sh -c \
		"ip -n $R route show table 100 | grep -q '^blackhole 10.252.0.0/24 *$'"
	check "... fastpath forwards" ping_ok h1 10.0.2.2
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	FPD_PID=
	check "SIGTERM again: only the unmapped table's route of protocol 250 is left" sh -c \
		"$(declare -f copies); R=$R; [ \"\$(copies)\" = '200 blackhole 10.251.0.0/24' ]"
	ip -n $R route del blackhole 10.251.0.0/24 table 200
	ip -n $R route del blackhole 10.252.0.0/24 table 100
}

OTHER_TESTS="$OTHER_TESTS test_netlink_stop_and_crash"
