# The kernel mirror (docs/kernel-netlink.md): routes, addresses and neighbours the kernel has on
# the twins reach fastpath; fastpath's own addresses and static routes reach the twins.
# Sourced by run.sh.

# nl_counter JQ-PATH: a number of netlink.show's mirror object (".routes.added")
nl_counter() {
	api netlink.show | jq ".mirror$1"
}

# route_origin PREFIX: "origin protocol" of fastpath's route for PREFIX, or nothing
route_origin() {
	api route.list | jq -r --arg p "$1" '.routes[] | select(.prefix == $p) | "\(.origin) \(.protocol // "")"'
}

test_netlink_routes() {
	ip -n $FPT-h3 addr add 10.231.0.1/32 dev lo
	ip -n $R route add 10.231.0.0/24 via 10.0.3.2 proto bird
	check "a kernel route reaches fastpath: origin kernel, protocol bird" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.231.0.0/24 | grep -qx 'kernel bird'"
	check "show routes: proto bird" sh -c "$FASTPATHCTL -s $SOCK show routes | tee /dev/stderr | grep -q '^10.231.0.0/24 via 10.0.3.2 dev p3 proto bird'"
	check "h1 reaches 10.231.0.1 through it" ping_ok h1 10.231.0.1
	ip -n $R route del 10.231.0.0/24
	check "ip route del: gone from fastpath" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; [ -z \"\$(route_origin 10.231.0.0/24)\" ]"
	check "... and h1 no longer reaches 10.231.0.1" sh -c "$(declare -f in_ns); FPT=$FPT; ! in_ns h1 ping -c 1 -W 1 10.231.0.1"
	# metrics: the lowest wins, the next takes over when it goes
	ip -n $R route add 10.231.0.0/24 via 10.0.3.2 metric 20
	ip -n $R route add 10.231.0.0/24 via 10.0.2.2 metric 10
	check "two metrics: the lowest (via h2) is fastpath's" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"10.231.0.0/24\") | .nexthops[0].via == \"10.0.2.2\"'"
	ip -n $R route del 10.231.0.0/24 metric 10
	check "the lowest deleted: the next (via h3) takes over" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"10.231.0.0/24\") | .nexthops[0].via == \"10.0.3.2\"'"
	check "h1 reaches 10.231.0.1 again" ping_ok h1 10.231.0.1
	ip -n $R route del 10.231.0.0/24 metric 20
	ip -n $FPT-h3 addr del 10.231.0.1/32 dev lo
}

test_netlink_route_types() {
	ip -n $R route add 10.202.0.0/24 proto ospf nexthop via 10.0.2.2 weight 1 nexthop via 10.0.3.2 weight 3
	ip -n $R route add blackhole 10.203.1.0/24
	ip -n $R route add unreachable 10.203.2.0/24
	ip -n $R route add prohibit 10.203.3.0/24
	ip -n $R -6 route add 2001:db8:204::/48 via 2001:db8:3::2 proto zebra
	check "multipath with weights: weight 3 = hops 2 + 1" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"10.202.0.0/24\") | .protocol == \"ospf\" and .nexthops[1].via == \"10.0.3.2\" and .nexthops[1].weight == 3 and (.nexthops[0].weight // 1) == 1'"
	for t in blackhole:10.203.1.0/24 unreachable:10.203.2.0/24 prohibit:10.203.3.0/24; do
		check "a $t route: ${t%%:*} in fastpath" poll sh -c \
			"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"${t#*:}\") | .type == \"${t%%:*}\" and .origin == \"kernel\"'"
	done
	check "an IPv6 route, protocol zebra" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 2001:db8:204::/48 | grep -qx 'kernel zebra'"
	check "no fe80::/64 nor multicast route from the kernel" sh -c \
		"$(declare -f api); SOCK=$SOCK; ! api route.list | jq -e '.routes[] | select(.prefix | test(\"^f[ef]\"))'"
	ip -n $R route del 10.202.0.0/24
	ip -n $R route del blackhole 10.203.1.0/24
	ip -n $R route del unreachable 10.203.2.0/24
	ip -n $R route del prohibit 10.203.3.0/24
	ip -n $R -6 route del 2001:db8:204::/48
	check "all deleted again" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; ! api route.list | jq -e '.routes[] | select(.prefix | test(\"^10.20[23]|^2001:db8:204\"))'"
}

test_netlink_ignored() {
	local before
	before=$(nl_counter .ignored.non_twin)
	# a device of the router's kernel without twin (dummy may be missing: a veth pair)
	ip -n $R link add nl-other type veth peer name nl-other1
	ip -n $R addr add 192.168.77.1/24 dev nl-other
	ip -n $R link set nl-other up
	ip -n $R link set nl-other1 up
	ip -n $R route add 10.205.0.0/24 via 192.168.77.2
	ip -n $R route add 10.206.0.0/24 nexthop via 192.168.77.2 nexthop via 10.0.2.2
	check "routes via a non-twin device (also one hop of two) are counted as ignored" poll sh -c \
		"[ \$($(declare -f api nl_counter); SOCK=$SOCK; nl_counter .ignored.non_twin) -ge $((before + 2)) ]"
	check "... and are not in fastpath" sh -c \
		"$(declare -f api); SOCK=$SOCK; ! api route.list | jq -e '.routes[] | select(.prefix == \"10.205.0.0/24\" or .prefix == \"10.206.0.0/24\" or .prefix == \"192.168.77.0/24\")'"
	check "the local table is not mapped: counted" sh -c "[ \$($(declare -f api nl_counter); SOCK=$SOCK; nl_counter .ignored.unmapped_table) -gt 0 ]"
	check "the kernel's connected routes of the twins' addresses are duplicates" sh -c \
		"[ \$($(declare -f api nl_counter); SOCK=$SOCK; nl_counter .routes.duplicates) -gt 0 ]"
	# a route replaced by one through the other device: the kernel says no more of the old one
	ip -n $R route add 10.233.0.0/24 via 10.0.3.2 proto bird
	check "a mirrored route ..." poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.233.0.0/24 | grep -qx 'kernel bird'"
	ip -n $R route replace 10.233.0.0/24 via 192.168.77.2 proto bird
	check "... replaced in the kernel by one through a non-twin device leaves fastpath" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; [ -z \"\$(route_origin 10.233.0.0/24)\" ]"
	ip -n $R route del 10.233.0.0/24
	ip -n $R link del nl-other
}

test_netlink_addresses() {
	ip -n $R addr add 10.0.2.77/24 dev p2
	check "an address added on a twin is fastpath's" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api addr.list | jq -e '.addresses[] | select(.address == \"10.0.2.77/24\" and .iface == \"p2\")'"
	check "h1 pings it: fastpath answers" ping_ok h1 10.0.2.77
	ip -n $R addr del 10.0.2.77/24 dev p2
	check "deleted on the twin: gone from fastpath" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; ! api addr.list | jq -e '.addresses[] | select(.address == \"10.0.2.77/24\")'"
	check "fastpath's own addresses are on the twins" sh -c "ip -n $R addr show dev p1 | grep -q 'inet 10.0.1.1/24' && ip -n $R addr show dev p3 | grep -q 'inet6 2001:db8:3::1/64'"
}

test_netlink_push() {
	local echoes
	echoes=$(nl_counter .ignored.own)
	"$FASTPATHCTL" -s $SOCK ip route add 10.207.0.0/24 via 10.0.3.2
	check "a static route added via fastpathctl appears in the kernel, proto 250" poll sh -c \
		"ip -n $R route show proto 250 | tee /dev/stderr | grep -q '^10.207.0.0/24 via 10.0.3.2 dev p3'"
	check "the configured static routes are there too (ECMP, blackhole)" sh -c \
		"ip -n $R route show proto 250 | grep -q '^10.100.0.0/24' && ip -n $R route show proto 250 | grep -q '^blackhole 10.66.0.0/16'"
	check "... and stays static in fastpath (its echo ignored)" sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.207.0.0/24 | grep -qx 'static '"
	check "the echo counted as own" sh -c "[ \$($(declare -f api nl_counter); SOCK=$SOCK; nl_counter .ignored.own) -gt $echoes ]"
	# a kernel route for the same prefix waits aside while fastpath's own is there
	ip -n $R route add 10.207.0.0/24 via 10.0.2.2 metric 5 proto bird
	sleep 0.3
	check "fastpath's own wins over the kernel's" sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.207.0.0/24 | grep -qx 'static '"
	"$FASTPATHCTL" -s $SOCK ip route del 10.207.0.0/24
	check "deleted in fastpath: gone from the kernel" poll sh -c "! ip -n $R route show proto 250 | grep -q '^10.207.0.0/24'"
	check "... and the kernel's route kept aside takes its place" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.207.0.0/24 | grep -qx 'kernel bird'"
	ip -n $R route del 10.207.0.0/24 via 10.0.2.2 metric 5
	check "and goes with it" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; [ -z \"\$(route_origin 10.207.0.0/24)\" ]"
}

# A twin set down: the kernel flushes its IPv4 routes without a message for each
test_netlink_twin_down() {
	ip -n $R route add 10.232.0.0/24 via 10.0.3.2 proto bird
	check "twin down: a kernel route through it is in fastpath first" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.232.0.0/24 | grep -qx 'kernel bird'"
	ip -n $R link set p3 down
	check "twin down: the kernel's route through it leaves fastpath" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; [ -z \"\$(route_origin 10.232.0.0/24)\" ]"
	check "... fastpath's own static route through it stays" sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.100.0.0/24 | grep -qx 'static '"
	ip -n $R link set p3 up
	check "twin up again: fastpath's copies are back in the kernel" poll sh -c \
		"ip -n $R route show proto 250 | grep -q '^10.100.0.0/24'"
	check "... and its addresses" poll sh -c "ip -n $R addr show dev p3 | grep -q 'inet6 2001:db8:3::1/64'"
	check "... and fastpath still forwards through the port" ping_ok h1 10.0.3.2
}

test_netlink_neighbours() {
	ip -n $FPT-h2 addr add 10.0.2.88/24 dev eth0
	ip -n $R route add 10.208.0.0/24 via 10.0.2.88
	ip -n $R neigh replace 10.0.2.88 lladdr "$(ip -n $FPT-h2 -j link show eth0 | jq -r '.[0].address')" dev p2 nud permanent
	check "a permanent kernel neighbour is in fastpath's table" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '.neighbours[] | select(.address == \"10.0.2.88\") | .state == \"PERMANENT\" or .state == \"permanent\"'"
	ip -n $FPT-h2 addr add 10.208.0.1/32 dev lo
	check "fastpath forwards through it" ping_ok h1 10.208.0.1
	ip -n $R neigh del 10.0.2.88 dev p2
	check "deleted in the kernel: gone from fastpath" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; ! api neigh.list | jq -e '.neighbours[] | select(.address == \"10.0.2.88\" and (.state | ascii_downcase) == \"permanent\")'"
	ip -n $R route del 10.208.0.0/24
	ip -n $FPT-h2 addr del 10.208.0.1/32 dev lo
	ip -n $FPT-h2 addr del 10.0.2.88/24 dev eth0
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_netlink_routes test_netlink_route_types test_netlink_ignored test_netlink_addresses test_netlink_push test_netlink_twin_down test_netlink_neighbours test_stop}

# nh_route PREFIX: "type via@weight ..." of fastpath's route for PREFIX, or nothing
nh_route() {
	api route.list | jq -r --arg p "$1" '.routes[] | select(.prefix == $p) | "\(.type) \(.protocol // "")" + ([.nexthops[]? | " \(.via)@\(.weight // 1)"] | join(""))'
}

# nh_is PREFIX WANT: poll until nh_route PREFIX is WANT ("" : no route)
nh_is() {
	poll sh -c "$(declare -f api nh_route); SOCK=$SOCK; r=\$(nh_route $1); echo \"\$r\" >&2; [ \"\$r\" = '$2' ]"
}

# Kernel nexthop objects (ip nexthop), FRR's way of installing routes
test_netlink_nexthops() {
	local before
	ip -n $FPT-h2 addr add 10.234.0.2/32 dev lo
	ip -n $FPT-h3 addr add 10.234.0.3/32 dev lo
	ip -n $FPT-h3 addr add 2001:db8:234::3/128 dev lo
	ip -n $R nexthop add id 101 via 10.0.3.2 dev p3
	ip -n $R nexthop add id 102 via 10.0.2.2 dev p2
	ip -n $R nexthop add id 103 group 101,1/102,3
	ip -n $R route add 10.234.0.0/24 nhid 101 proto bgp
	check "a route through nexthop object 101 (via h3): in fastpath, proto bgp" nh_is 10.234.0.0/24 'unicast bgp 10.0.3.2@1'
	check "h1 reaches h3's 10.234.0.3 through it" ping_ok h1 10.234.0.3
	ip -n $R nexthop replace id 101 via 10.0.2.2 dev p2
	check "ip nexthop replace (via h2): the route follows, without a route message" nh_is 10.234.0.0/24 'unicast bgp 10.0.2.2@1'
	check "h1 reaches h2's 10.234.0.2 now" ping_ok h1 10.234.0.2
	ip -n $R nexthop replace id 101 via 10.0.3.2 dev p3
	ip -n $R route add 10.235.0.0/24 nhid 103 proto ospf
	check "a route through group 103 (101,1/102,3): both next hops, their weights" nh_is 10.235.0.0/24 'unicast ospf 10.0.3.2@1 10.0.2.2@3'
	check "... and 10.234.0.0/24 back via h3" nh_is 10.234.0.0/24 'unicast bgp 10.0.3.2@1'
	ip -n $R nexthop replace id 103 group 101,2/102,1
	check "the group replaced: the route's weights follow" nh_is 10.235.0.0/24 'unicast ospf 10.0.3.2@2 10.0.2.2@1'
	ip -n $R nexthop del id 102
	check "a member deleted: out of the group and of its routes" nh_is 10.235.0.0/24 'unicast ospf 10.0.3.2@2'
	ip -n $R nexthop del id 101
	check "the last member deleted: the kernel's IPv4 routes go without a message, fastpath's too" nh_is 10.234.0.0/24 ''
	check "... the group's as well" nh_is 10.235.0.0/24 ''
	check "... as in the kernel" sh -c "! ip -n $R route show | grep -q '^10.23[45]'"
	# IPv6
	ip -n $R nexthop add id 111 via 2001:db8:3::2 dev p3
	ip -n $R -6 route add 2001:db8:234::/48 nhid 111 proto bgp
	check "IPv6: a route through a nexthop object" nh_is 2001:db8:234::/48 'unicast bgp 2001:db8:3::2@1'
	check "IPv6: h1 reaches h3's 2001:db8:234::3 through it" ping6_ok h1 2001:db8:234::3
	ip -n $R nexthop add id 112 via 2001:db8:2::2 dev p2
	ip -n $R nexthop add id 113 group 111/112
	ip -n $R -6 route replace 2001:db8:234::/48 nhid 113 proto bgp
	check "IPv6: through a group" nh_is 2001:db8:234::/48 'unicast bgp 2001:db8:3::2@1 2001:db8:2::2@1'
	ip -n $R nexthop del id 113
	check "IPv6: the group deleted, its route gone" nh_is 2001:db8:234::/48 ''
	# a blackhole object, a route replaced by a plain one
	ip -n $R nexthop add id 104 blackhole
	ip -n $R route add 10.236.0.0/24 nhid 104 proto static
	check "a blackhole nexthop object: a blackhole route" nh_is 10.236.0.0/24 'blackhole static'
	ip -n $R route replace 10.236.0.0/24 via 10.0.3.2 proto static
	check "replaced by a plain route: that one" nh_is 10.236.0.0/24 'unicast static 10.0.3.2@1'
	ip -n $R route del 10.236.0.0/24
	check "deleted" nh_is 10.236.0.0/24 ''
	# FRR's protocols (rt_protos.d/frr.conf): staticd's 196 is "static" as ip route says
	ip -n $R route add 10.236.0.0/24 nhid 104 proto 196
	ip -n $R route add 10.236.1.0/24 nhid 104 proto 190
	check "proto 196 (FRR's staticd): static" nh_is 10.236.0.0/24 'blackhole static'
	check "proto 190: ripng" nh_is 10.236.1.0/24 'blackhole ripng'
	check "show routes names them as ip route does" sh -c \
		"$FASTPATHCTL -s $SOCK show routes | tee /dev/stderr | grep -q '^blackhole 10.236.1.0/24 proto ripng'"
	ip -n $R route del 10.236.0.0/24
	ip -n $R route del 10.236.1.0/24
	# an object through a device without twin: its routes ignored and counted
	before=$(nl_counter .ignored.non_twin)
	ip -n $R link add nl-nh type veth peer name nl-nh1
	ip -n $R addr add 192.168.78.1/24 dev nl-nh
	ip -n $R link set nl-nh up
	ip -n $R link set nl-nh1 up
	ip -n $R nexthop add id 105 via 192.168.78.2 dev nl-nh
	ip -n $R route add 10.237.0.0/24 nhid 105
	check "a nexthop object on a non-twin device: its route counted as non_twin" poll sh -c \
		"[ \$($(declare -f api nl_counter); SOCK=$SOCK; nl_counter .ignored.non_twin) -gt $before ]"
	check "... and not in fastpath" nh_is 10.237.0.0/24 ''
	ip -n $R nexthop replace id 105 via 10.0.3.2 dev p3
	ip -n $R route replace 10.237.0.0/24 nhid 105
	check "... the object moved onto a twin and the route replaced: in fastpath" nh_is 10.237.0.0/24 'unicast boot 10.0.3.2@1'
	# the mirror stopped and started again: its first dump has the objects before the routes
	ip -n $R nexthop add id 106 via 10.0.2.2 dev p2
	ip -n $R nexthop add id 107 group 105,1/106,2
	ip -n $R nexthop add id 111 via 2001:db8:3::2 dev p3
	ip -n $R -6 route add 2001:db8:238::/48 nhid 111
	ip -n $R route add 10.238.0.0/24 nhid 107
	check "a route through group 107 (105, 106)" nh_is 10.238.0.0/24 'unicast boot 10.0.3.2@1 10.0.2.2@2'
	api config.dump | jq '.config' >"$WORK/nh-on.json"
	jq '.netlink.enabled = false' "$WORK/nh-on.json" >"$WORK/nh-off.json"
	api_file config.load '{}' "$WORK/nh-off.json" r >/dev/null
	check "mirror stopped: the routes through objects leave fastpath" nh_is 10.238.0.0/24 ''
	api_file config.load '{}' "$WORK/nh-on.json" r >/dev/null
	check "mirror started again: the dump brings the group's route back" nh_is 10.238.0.0/24 'unicast boot 10.0.3.2@1 10.0.2.2@2'
	check "... the single object's" nh_is 10.237.0.0/24 'unicast boot 10.0.3.2@1'
	check "... the IPv6 one's" nh_is 2001:db8:238::/48 'unicast boot 2001:db8:3::2@1'
	check "netlink.show counts the kernel's objects (6)" sh -c \
		"$(declare -f api); SOCK=$SOCK; api netlink.show | jq -e --argjson n \$(ip -n $R -j nexthop show | jq length) '.mirror.nexthops | .objects == \$n and \$n == 6 and .routes_resolved > 0'"
	# a twin set down: the kernel drops its objects, out of their groups too, without a message
	ip -n $R link set p2 down
	check "twin p2 down: group 107 keeps its member through p3 only" nh_is 10.238.0.0/24 'unicast boot 10.0.3.2@1'
	check "... the mirror's objects are the kernel's (106 gone)" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; [ \$(api netlink.show | jq .mirror.nexthops.objects) = \$(ip -n $R -j nexthop show | jq length) ]"
	ip -n $R link set p2 up
	check "... p2 up again: fastpath still forwards through it" ping_ok h1 10.0.2.2
	check "show netlink: the objects" sh -c "$FASTPATHCTL -s $SOCK show netlink | tee /dev/stderr | grep -q '^nexthop objects [1-9][0-9]*: added [1-9]'"
	ip -n $R nexthop flush
	check "ip nexthop flush: no route through an object is left" nh_is 10.237.0.0/24 ''
	check "... IPv6 either" nh_is 2001:db8:238::/48 ''
	check "... the objects gone from the mirror too" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; api netlink.show | jq -e '.mirror.nexthops.objects == 0'"
	ip -n $R link del nl-nh
	ip -n $FPT-h2 addr del 10.234.0.2/32 dev lo
	ip -n $FPT-h3 addr del 10.234.0.3/32 dev lo
	ip -n $FPT-h3 addr del 2001:db8:234::3/128 dev lo
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_netlink_nexthops test_stop}

# fib_count: fastpath's IPv4 routes, all VRFs
fib_count() {
	api netlink.show | jq .fib_routes.ipv4
}

# nl_batch FILE OP FROM TO: "route OP 11.x.y.z/32 via 10.0.3.2" for FROM <= i < TO into FILE
nl_batch() {
	awk -v op="$2" -v from="$3" -v to="$4" 'BEGIN { for (i = from; i < to; i++)
		printf "route %s 11.%d.%d.%d/32 via 10.0.3.2\n", op, int(i / 65536), int(i / 256) % 256, i % 256 }' >"$1"
}

kernel_count() {
	ip -n $R route show | grep -c '^11\.'
}

# mirrored N: fastpath has BASE + N routes, N the kernel's count of 11/8 (within 60 s)
nl_wait_count() {
	local want=$(($1 + $(kernel_count))) n
	for _ in $(seq 600); do
		n=$(fib_count)
		[ "$n" = "$want" ] && return 0
		sleep 0.1
	done
	echo "fastpath has $n routes, expected $want" >&2
	return 1
}

test_netlink_scale() {
	local base
	base=$(fib_count)
	nl_batch "$WORK/add.batch" add 0 100000
	nl_batch "$WORK/del.batch" del 0 100000
	ip -n $R -batch "$WORK/add.batch"
	check "100k kernel routes (ip -batch) all mirrored: fastpath's count is the kernel's" nl_wait_count "$base"
	check "the kernel has them all" test "$(kernel_count)" -eq 100000
	ip -n $R -batch "$WORK/del.batch"
	check "deleted with ip -batch: all gone from fastpath" nl_wait_count "$base"
}

# A tiny receive buffer: events are lost, the mirror dumps again and sweeps what went meanwhile
test_netlink_overrun() {
	local base
	write_config "$WORK/overrun.json"
	jq '.netlink = {"rcvbuf": 4096, "tables": [{"table": "main", "vrf": 0}]} | del(.telemetry)' "$WORK/overrun.json" >"$WORK/overrun2.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/overrun2.json" >"$WORK/overrun.log" 2>&1 &
	FPD_PID=$!
	# started once fastpath's addresses are on the twins (after the first dump)
	check "rcvbuf 4096: fastpathd starts, its addresses on the twins" poll sh -c \
		"$(declare -f api); SOCK=$SOCK; ip -n $R route show 10.0.3.0/24 | grep -q 'dev p3' && api netlink.show | jq -e '.mirror.dumping | not'"
	base=$(fib_count)
	nl_batch "$WORK/add.batch" add 0 100000
	nl_batch "$WORK/del.batch" del 0 50000
	ip -n $R -batch "$WORK/add.batch"
	check "rcvbuf 4096: 100k routes mirrored all the same" nl_wait_count "$base"
	check "... through overruns and re-dumps" sh -c \
		"$(declare -f api); SOCK=$SOCK; api netlink.show | tee /dev/stderr | jq -e '.mirror.overruns > 0 and .mirror.dumps > 1'"
	ip -n $R -batch "$WORK/del.batch"
	check "half deleted during overruns: the count is the kernel's (50k), nothing stale" nl_wait_count "$base"
	check "... a deleted one is gone, a kept one is there" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list '{\"family\": \"ipv4\"}' | jq -e '([.routes[] | select(.prefix == \"11.0.0.5/32\")] | length == 0) and ([.routes[] | select(.prefix == \"11.1.134.159/32\")] | length == 1)'"
	ip -n $R route flush proto boot
	check "flushed: swept or deleted, none remain" nl_wait_count "$base"
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	check "stops cleanly" test $? -eq 0
	FPD_PID=
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_netlink_scale test_stop}
OTHER_TESTS="$OTHER_TESTS test_netlink_overrun"

# nl_config_refused JSON MESSAGE: fastpathd --check-config refuses the document with MESSAGE
nl_config_refused() {
	printf '%s\n' "$1" >"$WORK/nl.json"
	"$FASTPATHD" --check-config "$WORK/nl.json" 2>&1 | tee /dev/stderr | grep -qF "nl.json:$2"
}

test_netlink_config() {
	check "config.dump: the netlink section, main -> VRF 0" sh -c \
		"$(declare -f api); SOCK=$SOCK; api config.dump | jq -e '.config.netlink == {\"enabled\": true, \"rcvbuf\": 67108864, \"tables\": [{\"table\": 254, \"vrf\": 0}]}'"
	api config.dump | jq '.config' >"$WORK/nl-dump.json"
	check "config.load of the dump keeps the mapping: kernel routes still mirrored" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/nl-dump.json r >/dev/null && api netlink.show | jq -e '.config.tables == [{\"table\": 254, \"vrf\": 0}]'"
	ip -n $R route add blackhole 10.209.0.0/24
	check "... a kernel route after it is mirrored" poll sh -c \
		"$(declare -f api route_origin); SOCK=$SOCK; route_origin 10.209.0.0/24 | grep -qx 'kernel boot'"
	ip -n $R route del blackhole 10.209.0.0/24
	check "show netlink" sh -c "$FASTPATHCTL -s $SOCK show netlink | tee /dev/stderr | grep -q '^mirror: running, receive buffer 67108864 bytes, tables 254->vrf 0'"
	check "the local table is refused" nl_config_refused '{"netlink": {"tables": [{"table": 255, "vrf": 0}]}}' \
		"1:35: /netlink/tables/0/table: table local (255) holds the kernel's own addresses; fastpath makes its local routes itself"
	check "a table mapped twice is refused" nl_config_refused '{"netlink": {"tables": [{"table": "main", "vrf": 0}, {"table": 254, "vrf": 1}]}}' \
		"1:64: /netlink/tables/1/table: table 254 is mapped twice"
	check "a VRF mapped twice is refused" nl_config_refused '{"netlink": {"tables": [{"table": 100, "vrf": 1}, {"table": 101, "vrf": 1}]}}' \
		"1:73: /netlink/tables/1/vrf: VRF 1 is mapped from table 100 already"
	check "a tiny rcvbuf is refused" nl_config_refused '{"netlink": {"rcvbuf": 100}}' \
		"1:24: /netlink/rcvbuf: 'rcvbuf' must be between 4096 and 2147483647, not 100"
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_netlink_config test_stop}
