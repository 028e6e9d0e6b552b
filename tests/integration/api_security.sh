# The API and files (docs/api.md, "Files"): fastpathd opens no path a client names; the
# client opens its files with its own rights and passes them. Checked as nobody in the API
# group (its primary group, by setpriv: no user or group is created), against what nobody
# may not touch, and as nobody outside the group. Sourced by run.sh.

API_GROUP=fastpath # the daemon's default API group (scripts/deps.sh creates it)

as_member() { setpriv --reuid=nobody --regid=$API_GROUP --clear-groups "$@"; }

# member_ctl_fails TEXT ARGS...: fastpathctl ARGS as the member exits 1, its message holding TEXT
member_ctl_fails() {
	local text=$1 out rc=0
	shift
	out=$(as_member "$FASTPATHCTL" -s "$SOCK" "$@" 2>&1 >/dev/null) || rc=$?
	printf 'exit %s: %s\n' "$rc" "$out"
	[ "$rc" -eq 1 ] && case $out in "fastpathctl: "*"$text"*) ;; *) false ;; esac
}

# member_ctl TEXT ARGS...: fastpathctl ARGS as the member succeeds, printing TEXT
member_ctl() {
	local text=$1 out
	shift
	out=$(as_member "$FASTPATHCTL" -s "$SOCK" "$@" 2>&1) || {
		printf '%s\n' "$out"
		return 1
	}
	printf '%s\n' "$out"
	case $out in *"$text"*) ;; *) false ;; esac
}

# capture_is JQ-FILTER: show capture's JSON, as root, passes the filter
capture_is() { "$FASTPATHCTL" -s "$SOCK" -j show capture | tee /dev/stderr | jq -e "$1"; }

test_api_security() {
	local home=$WORK/member secret=$WORK/root-only.txt line rc
	chmod 755 "$WORK" # the member reaches the socket and its directory
	mkdir "$home"
	chown nobody "$home"
	printf 'root only\n' >"$secret"
	chmod 600 "$secret"

	# what the member may not open, the member's own permission error says
	check "a member: capture to /root is refused with its own permission error" \
		member_ctl_fails "/root/$FPT-capture.pcapng: Permission denied" \
		capture start file "/root/$FPT-capture.pcapng"
	check "... and nothing is created there" test ! -e "/root/$FPT-capture.pcapng"
	check "a member: config load /etc/shadow is refused with its own permission error" \
		member_ctl_fails "/etc/shadow: Permission denied" config load /etc/shadow
	as_member ln -s "$secret" "$home/link.pcapng"
	check "a symbolic link to a root-only file cannot be written through" \
		member_ctl_fails "$home/link.pcapng: Permission denied" capture start file "$home/link.pcapng"
	check "... the file is unchanged" test "$(cat "$secret")" = "root only"
	as_member ln -s /etc/shadow "$home/shadow.json"
	check "... nor read through" member_ctl_fails "$home/shadow.json: Permission denied" \
		config load "$home/shadow.json"

	# a crafted client passing what must be refused: at once, the daemon answering after it
	rc=0
	as_member $PY "$TESTDIR/api_clients.py" files "$SOCK" "$home" >"$WORK/files.out" 2>&1 || rc=$?
	while IFS= read -r line; do
		case $line in
		"ok   "*) pass "crafted client: ${line#ok   }" ;;
		"FAIL "*) fail "crafted client: ${line#FAIL }" ;;
		*) log "       $line" ;;
		esac
	done <"$WORK/files.out"
	check "crafted client: all its checks ran" test "$rc" -eq 0

	check "a user outside the group is refused" sh -c \
		"! setpriv --reuid=nobody --regid=nogroup --clear-groups $FASTPATHCTL -s $SOCK show capture 2>&1 | tee /dev/stderr | grep -q \"fastpathctl: user 'nobody' is not in group '$API_GROUP'\""

	# the normal use: the member's files, with the member's rights
	check "a member captures into its own directory" \
		member_ctl "" capture start port p2 count 4 file "$home/cap.pcapng"
	in_ns h1 ping -c 2 -i 0.2 -W 1 10.0.2.2 >/dev/null
	check "... 4 packets, in a file the member owns, read by tshark" poll sh -c \
		"$(declare -f capture_is); FASTPATHCTL=$FASTPATHCTL SOCK=$SOCK; capture_is '.running == false and .captured == 4' && [ \$(stat -c %U $home/cap.pcapng) = nobody ] && [ \$(tshark -r $home/cap.pcapng 2>/dev/null | wc -l) = 4 ]"
	api config.dump | jq '.config' >"$home/conf.json"
	check "a member loads a config file it can read" member_ctl "no change" config load "$home/conf.json"
	printf 'root:$y$j9T$NotARealHash:19000:0:99999:7:::\n' >"$home/shadow-like.json"
	check "a config error says file, line and column, never the content" sh -c \
		"$(declare -f as_member member_ctl_fails); API_GROUP=$API_GROUP FASTPATHCTL=$FASTPATHCTL SOCK=$SOCK; member_ctl_fails '$home/shadow-like.json:1:4: syntax error: invalid token' config load $home/shadow-like.json | tee $WORK/shadow-like.out && ! grep -q NotARealHash $WORK/shadow-like.out && ! grep -q 'near' $WORK/shadow-like.out"
	jq --arg f "/root/$FPT-x.pcap" '.ports += [{"name": "px", "driver": "pcap", "tx_pcap": $f}]' \
		"$home/conf.json" >"$home/pcap.json"
	check "a client's document cannot add a port that names files (pcap, memif, xdp_prog, devargs)" \
		member_ctl_fails "/ports/3: a port whose 'tx_pcap' names files for its driver comes from fastpathd's own config file only" \
		config load "$home/pcap.json"
	check "... and nothing is created" test ! -e "/root/$FPT-x.pcap"

	# bounded: max-bytes, then write errors (a 64 KiB tmpfs, mounted in a mount namespace of
	# its own: the machine's mounts are untouched, and it goes with the test's last process)
	check "capture with max-bytes 8192" \
		member_ctl "" capture start max-bytes 8192 file "$home/small.pcapng"
	in_ns h1 ping -c 20 -i 0.05 -s 500 -W 1 10.0.2.2 >/dev/null
	check "... stops at 8192 bytes, packets beyond counted, not written; tshark reads it whole" poll sh -c \
		"$(declare -f capture_is); FASTPATHCTL=$FASTPATHCTL SOCK=$SOCK; capture_is '.running == false and .over_limit > 0 and .bytes <= 8192 and .max_bytes == 8192' && [ \$(stat -c %s $home/small.pcapng) = \$($FASTPATHCTL -s $SOCK -j show capture | jq .bytes) ] && tshark -r $home/small.pcapng >$WORK/small.txt && [ \$(wc -l <$WORK/small.txt) = \$($FASTPATHCTL -s $SOCK -j show capture | jq .captured) ]"
	mkdir "$home/full"
	unshare -m sh -c "mount -t tmpfs -o size=64k,mode=0777 $FPT-full $home/full &&
		setpriv --reuid=nobody --regid=$API_GROUP --clear-groups $FASTPATHCTL -s $SOCK capture start file $home/full/cap.pcapng &&
		ip netns exec $FPT-h1 ping -c 60 -i 0.02 -s 1400 -W 1 10.0.2.2 >/dev/null
		sleep 0.5
		$FASTPATHCTL -s $SOCK -j show capture >$WORK/full.json
		stat -c %s $home/full/cap.pcapng >$WORK/full.size
		tshark -r $home/full/cap.pcapng >$WORK/full.txt 2>$WORK/full.err
		echo \$? >$WORK/full.tshark" 2>&1
	check "a full disk (ENOSPC) stops the capture, says so, counts the packets not written" \
		jq -e '.running == false and .error == "No space left on device" and .write_errors > 0 and .captured > 0' "$WORK/full.json"
	check "... the file is cut after its last whole packet: tshark reads every packet counted" sh -c \
		"cat $WORK/full.json $WORK/full.size $WORK/full.tshark $WORK/full.err; [ \$(cat $WORK/full.size) = \$(jq .bytes $WORK/full.json) ] && [ \$(cat $WORK/full.tshark) = 0 ] && [ \$(wc -l <$WORK/full.txt) = \$(jq .captured $WORK/full.json) ]"
	check "the machine's mounts are untouched" sh -c "! grep -q ' $home/full ' /proc/mounts"

	rm -rf "$home" "$secret"
	chmod 700 "$WORK"
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_api_security test_stop}
