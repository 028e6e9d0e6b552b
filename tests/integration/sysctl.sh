# The sysctl knobs (docs/sysctl.md): fastpathctl sysctl in sysctl(8)'s grammar, the API, the
# config section, and the ICMP rate limits they set, answering as a Linux router answers.
# Sourced by run.sh; router tests.

ctl() { "$FASTPATHCTL" -s "$SOCK" "$@"; }

# sysctl_is NAME VALUE: sysctl.get gives VALUE (a JSON value)
sysctl_is() {
	api sysctl.get "{\"name\": \"$1\"}" | jq -e --argjson v "$2" '.value == $v'
}

# A per-interface knob's short name (the first registered IPv4 one), or nothing
iface_knob() {
	api sysctl.list | jq -r '[.sysctls[].name | select(startswith("net.ipv4.conf.all."))][0] // empty' |
		sed 's/^net.ipv4.conf.all.//'
}

test_sysctl_cli() {
	check "sysctl NAME prints NAME = VALUE, Linux's default" \
		ctl_shows "net.ipv4.icmp_ratelimit = 1000" sysctl net.ipv4.icmp_ratelimit
	check "sysctl -n: the value only; IPv6's ratemask as Linux prints it" \
		ctl_shows "0-1,3-127" sysctl -n net.ipv6.icmp.ratemask
	check "sysctl -a lists every knob, sorted" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl -a >$WORK/sysctl-a && grep -qxF 'net.ipv4.icmp_msgs_burst = 50' $WORK/sysctl-a &&
		 grep -qxF 'net.ipv4.icmp_ratemask = 6168' $WORK/sysctl-a && grep -qxF 'net.ipv4.icmp_msgs_per_sec = 1000' $WORK/sysctl-a &&
		 grep -qxF 'net.ipv6.icmp.ratelimit = 1000' $WORK/sysctl-a && sort -c $WORK/sysctl-a"
	check "sysctl PREFIX lists the subtree (net.ipv6.icmp), as sysctl a directory" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl net.ipv6.icmp >$WORK/sysctl-6 && grep '^net.ipv6.icmp[.]' $WORK/sysctl-a | diff - $WORK/sysctl-6 && [ -s $WORK/sysctl-6 ]"
	check "sysctl -r PATTERN: the names an extended regex matches" sh -c \
		"[ \"\$($FASTPATHCTL -s $SOCK sysctl -N -r 'icmp.ratelimit\$')\" = 'net.ipv4.icmp_ratelimit
net.ipv6.icmp.ratelimit' ]"
	check "sysctl -w NAME=VALUE sets and prints" \
		ctl_shows "net.ipv4.icmp_ratelimit = 250" sysctl -w net.ipv4.icmp_ratelimit=250
	check "... the API reads it back" sysctl_is net.ipv4.icmp_ratelimit 250
	check "NAME=VALUE without -w sets too, several at once" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl net.ipv4.icmp_ratelimit=1000 net.ipv6.icmp.ratemask=0-1,3-126 &&
		 $(declare -f api sysctl_is); SOCK=$SOCK; sysctl_is net.ipv4.icmp_ratelimit 1000 && sysctl_is net.ipv6.icmp.ratemask '\"0-1,3-126\"'"
	check "a text value is written back canonical" \
		ctl_shows "net.ipv6.icmp.ratemask = 0-1,3-127" sysctl -w "net.ipv6.icmp.ratemask=3-127, 0,1"
	check "-j: JSON" sh -c "$FASTPATHCTL -s $SOCK -j sysctl net.ipv4.icmp_msgs_burst | jq -e 'length == 1 and .[0].name == \"net.ipv4.icmp_msgs_burst\" and .[0].value == 50'"
	check "unknown name: sysctl's words" \
		ctl_refuses "sysctl: unknown name 'net.ipv4.foo'" sysctl net.ipv4.foo
	check "unknown name on -w: the closest one suggested" \
		ctl_refuses "sysctl: unknown name 'net.ipv4.icmp_ratelimt' (did you mean 'net.ipv4.icmp_ratelimit'?)" \
		sysctl -w net.ipv4.icmp_ratelimt=5
	check "out of range: the range given" \
		ctl_refuses "sysctl: net.ipv4.icmp_msgs_burst: -1 is out of range [0, 2147483647]" \
		sysctl -w net.ipv4.icmp_msgs_burst=-1
	check "not a number" \
		ctl_refuses "sysctl: net.ipv4.icmp_msgs_burst takes an integer, not 'x'" \
		sysctl -w net.ipv4.icmp_msgs_burst=x
	check "a bad ratemask" \
		ctl_refuses "sysctl: net.ipv6.icmp.ratemask: '0-300': types are 0 to 255, ranges low to high" \
		sysctl -w net.ipv6.icmp.ratemask=0-300
	check "sysctl.set: unknown name, by the API" \
		api_refuses sysctl.set '{"name": "net.ipv4.nope", "value": 1}' "ENOENT: unknown name 'net.ipv4.nope'"
	check "the refused writes changed nothing" sysctl_is net.ipv4.icmp_msgs_burst 50
	local k
	k=$(iface_knob)
	if [ -z "$k" ]; then
		log "  (no per-interface knob registered: the net.ipv4.conf checks wait for one)"
		return
	fi
	check "per interface: all, default and every port listed ($k)" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl net.ipv4.conf | grep -c '\\.$k = ' | grep -qx 5"
	check "per interface: an interface that is no port is refused" \
		ctl_refuses "sysctl: no interface 'p9'" sysctl -w "net.ipv4.conf.p9.$k=1"
	check "per interface: a port's own value set and read back" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl -w net.ipv4.conf.p2.$k=1 && $(declare -f api sysctl_is); SOCK=$SOCK; sysctl_is net.ipv4.conf.p2.$k 1"
	check "per interface: default reaches the ports never set, not p2" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl -w net.ipv4.conf.default.$k=0 net.ipv4.conf.p2.$k=1 >/dev/null &&
		 $(declare -f api sysctl_is); SOCK=$SOCK; sysctl_is net.ipv4.conf.p1.$k 0 && sysctl_is net.ipv4.conf.p2.$k 1"
	api sysctl.set "{\"name\": \"net.ipv4.conf.p2.$k\", \"value\": $(api sysctl.get "{\"name\": \"net.ipv4.conf.default.$k\"}" | jq .value)}" >/dev/null
}

# The "sysctl" config section: validated with positions, applied on load, dumped when not default
test_sysctl_config() {
	printf '{\n\t"sysctl": {\n\t\t"net.ipv4.icmp_ratelimt": 5\n\t}\n}\n' >"$WORK/sy1.json"
	check "config: an unknown name, its position and the closest name" sh -c \
		"$FASTPATHD --check-config $WORK/sy1.json 2>&1 | tee /dev/stderr | grep -q \"sy1.json:3:3: .*unknown name 'net.ipv4.icmp_ratelimt' (did you mean 'net.ipv4.icmp_ratelimit'?)\""
	printf '{\n\t"sysctl": {\n\t\t"net.ipv4.icmp_ratelimit": -5\n\t}\n}\n' >"$WORK/sy2.json"
	check "config: out of range, the range given" sh -c \
		"$FASTPATHD --check-config $WORK/sy2.json 2>&1 | tee /dev/stderr | grep -q 'sy2.json:3:30: .*net.ipv4.icmp_ratelimit: -5 is out of range \\[0, 2147483647\\]'"
	printf '{"sysctl": {"net.ipv6.icmp.ratemask": 5}}\n' >"$WORK/sy3.json"
	check "config: a text knob given a number" sh -c \
		"$FASTPATHD --check-config $WORK/sy3.json 2>&1 | tee /dev/stderr | grep -q 'net.ipv6.icmp.ratemask takes a string'"
	local k
	k=$(iface_knob)
	if [ -n "$k" ]; then
		printf '{"ports": [{"name": "p0", "driver": "null"}], "sysctl": {"net.ipv4.conf.p0.%s": 1, "net.ipv4.conf.p1.%s": 1}}\n' "$k" "$k" >"$WORK/sy4.json"
		check "config: an interface that is no port of the document" sh -c \
			"$FASTPATHD --check-config $WORK/sy4.json 2>&1 | tee /dev/stderr | grep -q \"'p1' is not a port's name\""
	fi
	# every knob back to its default: an interface's own value goes only so
	ctl config dump "$WORK/sy-dump.json" && jq '.sysctl = {}' "$WORK/sy-dump.json" >"$WORK/sy-load.json"
	ctl config load "$WORK/sy-load.json" >/dev/null
	if [ -n "$k" ]; then
		check "config dump: an interface's own value, even at the default's value" sh -c \
			"$FASTPATHCTL -s $SOCK sysctl -w net.ipv4.conf.p2.$k=$(api sysctl.get "{\"name\": \"net.ipv4.conf.default.$k\"}" | jq .value) >/dev/null &&
			 $FASTPATHCTL -s $SOCK config dump | jq -e '.sysctl | has(\"net.ipv4.conf.p2.$k\") and length == 1'"
		ctl config load "$WORK/sy-load.json" >/dev/null
	fi
	# the round trip: set at run time, dumped, loaded back with no change
	api sysctl.set '{"name": "net.ipv4.icmp_ratelimit", "value": 300}' >/dev/null
	api sysctl.set '{"name": "net.ipv6.icmp.ratemask", "value": "0-1,3-126"}' >/dev/null
	check "config dump writes the values that differ from the defaults" sh -c \
		"$FASTPATHCTL -s $SOCK config dump $WORK/sy-dump.json && jq -e '.sysctl == {\"net.ipv4.icmp_ratelimit\": 300, \"net.ipv6.icmp.ratemask\": \"0-1,3-126\"}' $WORK/sy-dump.json"
	check "... and loads back with no change" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/sy-dump.json | grep -qi 'no change'"
	jq '.sysctl = {"net.ipv4.icmp_msgs_burst": 60}' "$WORK/sy-dump.json" >"$WORK/sy-load.json"
	check "config load: the names it gives set, the others back to their defaults" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/sy-load.json && $(declare -f api sysctl_is); SOCK=$SOCK;
		 sysctl_is net.ipv4.icmp_msgs_burst 60 && sysctl_is net.ipv4.icmp_ratelimit 1000 && sysctl_is net.ipv6.icmp.ratemask '\"0-1,3-127\"'"
	jq '.sysctl = {}' "$WORK/sy-dump.json" >"$WORK/sy-load.json"
	check "config load: an empty section, every knob at its default" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/sy-load.json && $(declare -f api sysctl_is); SOCK=$SOCK; sysctl_is net.ipv4.icmp_msgs_burst 50"
}

# A Linux router between lh1 and lh2 with the test bed's addresses (10.0.1.1 and 10.0.2.1,
# 2001:db8:1::1 and 2001:db8:2::1): the oracle the ICMP limits are compared with
linux_router_up() {
	local lx=$FPT-lx
	ip netns add $lx
	ip -n $lx link set lo up
	ip netns exec $lx sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for i in 1 2; do
		ip netns add $FPT-lh$i
		ip link add lx-h$i netns $lx type veth peer name eth0 netns $FPT-lh$i
		ip -n $lx addr add 10.0.$i.1/24 dev lx-h$i
		ip -n $lx -6 addr add 2001:db8:$i::1/64 dev lx-h$i nodad
		ip -n $lx link set lx-h$i up
		ip -n $FPT-lh$i link set lo up
		ip -n $FPT-lh$i addr add 10.0.$i.2/24 dev eth0
		ip -n $FPT-lh$i -6 addr add 2001:db8:$i::2/64 dev eth0 nodad
		ip -n $FPT-lh$i link set eth0 up
		ip -n $FPT-lh$i route add default via 10.0.$i.1
		ip -n $FPT-lh$i -6 route add default via 2001:db8:$i::1
	done
	# the neighbours resolved both ways, as on fastpath's bed (IPv6 once the links are up)
	poll_for 10 in_ns lh1 ping -c 1 -W 1 10.0.2.2 >/dev/null &&
		poll_for 10 in_ns lh1 ping -6 -c 1 -W 1 2001:db8:2::2 >/dev/null
}

linux_router_down() {
	for ns in $FPT-lx $FPT-lh1 $FPT-lh2; do ip netns del $ns 2>/dev/null; done
}

# probes FAMILY COUNT: time-exceeded answers to a burst of COUNT from h1, through fastpath
probes() { in_ns h1 $PY "$TESTDIR/sysctl_probe.py" "$1" 02:00:00:00:01:01 "$2"; }
# the same through the Linux router
linux_probes() { in_ns lh1 $PY "$TESTDIR/sysctl_probe.py" "$1" "$(ip -n $FPT-lx -j link show lx-h1 | jq -r '.[0].address')" "$2"; }

# same_answers LABEL FAMILY COUNT EXPECTED: fastpath and Linux both answer EXPECTED of COUNT
same_answers() {
	local fp lx
	fp=$(probes "$2" "$3")
	lx=$(linux_probes "$2" "$3")
	check "$1: fastpath $fp, Linux $lx of $3 answered (expected $4)" test "$fp" = "$4" -a "$lx" = "$4"
}

# both SYSCTL=VALUE...: set in fastpath (at run time) and in the Linux router
both() {
	ctl sysctl -w "$@" >/dev/null && ip netns exec $FPT-lx sysctl -qw "$@"
}

# Linux's limits: a burst of 6 then one per icmp_ratelimit ms per destination; 0 no limit; the
# types outside the ratemask unlimited; a change applies to the next error
test_sysctl_icmp_limits() {
	linux_router_up || {
		fail "the Linux router namespace answers"
		linux_router_down
		return
	}
	sleep 6 # h1's buckets full again after the earlier tests' errors
	same_answers "IPv4, the defaults: a burst of 6" ipv4 20 6
	both net.ipv4.icmp_ratelimit=0
	same_answers "IPv4, icmp_ratelimit 0: every error" ipv4 20 20
	both net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_ratemask=4120
	same_answers "IPv4, time exceeded out of icmp_ratemask (4120): unlimited" ipv4 20 20
	both net.ipv4.icmp_ratemask=6168
	same_answers "IPv6, the defaults: a burst of 6 (the /64 on-link: 250 ms a token)" ipv6 20 6
	both net.ipv6.icmp.ratelimit=0
	same_answers "IPv6, icmp.ratelimit 0: every error" ipv6 20 20
	both net.ipv6.icmp.ratelimit=1000 net.ipv6.icmp.ratemask=0-1,4-127
	same_answers "IPv6, time exceeded out of icmp.ratemask: unlimited" ipv6 20 20
	both net.ipv6.icmp.ratemask=0-1,3-127
	# the global bucket, shared by the families: Linux's is the host's (not per namespace),
	# so only fastpath's is set; its code is Linux's icmp_global_allow()
	ctl sysctl -w net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
	# the bucket refills when an error is sent, by the rate of that time: one error fills it
	sleep 0.1
	probes ipv4 1 >/dev/null
	ctl sysctl -w net.ipv4.icmp_msgs_per_sec=0 >/dev/null
	local n
	n=$(probes ipv4 150)
	check "icmp_msgs_per_sec 0: the burst of 50 and no more ($n, an error costs 0 to 2 at random)" \
		test "$n" -ge 30 -a "$n" -le 80
	check "... never refilled, for IPv6 too" test "$(probes ipv6 20)" = 0
	ctl sysctl -w net.ipv4.icmp_msgs_per_sec=1000 net.ipv4.icmp_msgs_burst=0 >/dev/null
	check "icmp_msgs_burst 0: no limited error at all" test "$(probes ipv4 20)" = 0
	ctl sysctl -w net.ipv4.icmp_msgs_burst=50 >/dev/null
	sleep 0.1
	check "icmp_msgs_burst back to 50: 20 errors again" test "$(probes ipv4 20)" = 20
	check "icmp_echo_ignore_all 1: the router's address no longer answers ping, as Linux" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl -w net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1 &&
		 ip netns exec $FPT-lx sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1 &&
		 ! ip netns exec $FPT-h1 ping -c 1 -W 1 10.0.1.1 && ! ip netns exec $FPT-lh1 ping -c 1 -W 1 10.0.1.1 &&
		 ! ip netns exec $FPT-h1 ping -6 -c 1 -W 1 2001:db8:1::1 && ! ip netns exec $FPT-lh1 ping -6 -c 1 -W 1 2001:db8:1::1"
	check "... counted as icmp4_echo_ignored and icmp6_echo_ignored" sh -c \
		"$(declare -f api drops); SOCK=$SOCK; [ \$(drops icmp4_echo_ignored) -ge 1 ] && [ \$(drops icmp6_echo_ignored) -ge 1 ]"
	ctl sysctl -w net.ipv4.icmp_echo_ignore_all=0 net.ipv6.icmp.echo_ignore_all=0 >/dev/null
	check "icmp_echo_ignore_all 0: answered again" ping_ok h1 10.0.1.1
	ctl sysctl -w net.ipv4.icmp_ratelimit=1000 net.ipv6.icmp.ratelimit=1000 >/dev/null
	linux_router_down
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_sysctl_cli test_sysctl_config test_sysctl_icmp_limits test_stop}
