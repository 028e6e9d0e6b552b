# The Debian package (make deb, debian/): built, installed with dpkg, fastpathd@$FPT run as
# systemd runs the unit (systemd itself does not run here: the unit's Environment,
# RuntimeDirectory, ExecStartPre and ExecStart, with NOTIFY_SOCKET) on two af_xdp ports,
# traffic, a reload as ExecReload does it, a stop, then dpkg --purge and nothing left.

DEB_ROOT=$(realpath "$TESTDIR/../..")
DEB_UNIT=/lib/systemd/system/fastpathd@.service

# unit_values KEY: the values of KEY in fastpathd@$FPT, %i replaced, one a line
unit_values() {
	sed -n "s/^$1=//p" "$DEB_UNIT" | sed "s/%i/$FPT/g"
}

# a listener on NOTIFY_SOCKET: each datagram a line of $WORK/notify.txt, its newlines as '|'
deb_notify_listen() {
	rm -f "$WORK/notify.sock" "$WORK/notify.txt"
	$PY -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], 'a', buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace('\n', '|') + '\n')
" "$WORK/notify.sock" "$WORK/notify.txt" &
	DEB_NOTIFY_PID=$!
	for _ in $(seq 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
}

deb_notified() { # pattern: a datagram matches it
	grep -q -- "$1" "$WORK/notify.txt"
}

# what the package installs, and what must be gone after the purge
DEB_FILES="/usr/sbin/fastpathd /usr/bin/fastpathctl /usr/lib/x86_64-linux-gnu/fastpath/fastpath_xdp.o
/usr/share/bash-completion/completions/fastpathctl /usr/libexec/fastpath/hugepages
/etc/fastpath/fastpath.json /lib/systemd/system/fastpathd.service $DEB_UNIT
/usr/share/man/man8/fastpathd.8.gz /usr/share/man/man8/fastpathctl.8.gz
/usr/share/man/man5/fastpath.json.5.gz"

# The package's postinst and postrm about the group, in a mount namespace whose /etc and
# /var/lib are copies: the machine's group fastpath (the other tests') is not touched.
# deb_group_scripts DEB: prints what happens, a line each step
deb_group_scripts() {
	local ctl=$WORK/deb-ctl

	rm -rf "$ctl" "$WORK/etc" "$WORK/varlib"
	dpkg-deb -e "$1" "$ctl" && cp -a /etc "$WORK/etc" && mkdir "$WORK/varlib" || return 1
	unshare -m sh -ec "
		mount --make-rprivate /
		mount --bind '$WORK/etc' /etc
		mount --bind '$WORK/varlib' /var/lib
		groupdel fastpath 2>/dev/null || true
		$ctl/postinst configure
		getent group fastpath >/dev/null && echo made
		$ctl/postrm purge
		getent group fastpath >/dev/null || echo removed
		$ctl/postinst configure
		gpasswd -a root fastpath >/dev/null
		$ctl/postrm purge
		getent group fastpath >/dev/null && echo 'kept with a member'
		test -e /var/lib/fastpath || echo 'no state left'"
}

test_deb() {
	local deb had_group=false env pre start reload rundir sock="/run/fastpath-$FPT/fastpath.sock"
	local conf=/etc/fastpath/$FPT.json t0=$SECONDS

	if dpkg-query -W -f='${Status}' fastpath 2>/dev/null | grep -q installed; then
		fail "deb: the package fastpath is installed already: not touching it"
		return
	fi
	check "deb: make deb builds the package, lintian clean" \
		make -C "$DEB_ROOT" deb BUILD="$(realpath "$BUILD")"
	deb=$(ls "$(realpath "$BUILD")"-deb/fastpath_*_amd64.deb 2>/dev/null | head -1)
	log "  (package built in $((SECONDS - t0)) s)"
	[ -n "$deb" ] || return
	getent group fastpath >/dev/null && had_group=true
	check "deb: postinst makes the missing group, purge removes it, not with a member" sh -c \
		"$(declare -f deb_group_scripts); WORK=$WORK; deb_group_scripts $deb | tee /dev/stderr |
		 tr '\n' , | grep -qx 'made,removed,kept with a member,no state left,'"
	check "deb: dpkg -i installs it" dpkg -i "$deb"
	check "deb: its files are installed" sh -c "for f in $(echo $DEB_FILES); do test -e \$f || { echo missing \$f; exit 1; }; done"
	check "deb: /etc/fastpath/fastpath.json is a conffile" sh -c \
		"dpkg-query -W -f='\${Conffiles}' fastpath | grep -q '/etc/fastpath/fastpath.json'"
	check "deb: the example config is valid but for its NICs" sh -c \
		"fastpathd --check-config /etc/fastpath/fastpath.json 2>&1 | grep -q \"no network interface 'eth1'\""
	check "deb: the group fastpath exists" getent group fastpath
	check "deb: man finds the pages" sh -c "man -w fastpathd && man -w fastpathctl && man -w 5 fastpath.json"
	check "deb: systemd-analyze verify accepts the units" sh -c \
		"systemd-analyze verify /lib/systemd/system/fastpathd.service &&
		 cp $DEB_UNIT $WORK/fastpathd@$FPT.service && systemd-analyze verify $WORK/fastpathd@$FPT.service"
	check "deb: the installed fastpathctl completes (bash completion)" sh -c \
		"bash -c '. /usr/share/bash-completion/completions/fastpathctl && COMP_WORDS=(fastpathctl sh) COMP_CWORD=1 && _fastpathctl && printf \"%s\n\" \"\${COMPREPLY[@]}\"' | grep -qx show"

	# fastpathd@$FPT as systemd would start it; the namespace is the test's (a unit would
	# have NetworkNamespacePath= for it)
	xdp_cleanup
	xdp_topology
	xdp_config "$conf"
	env=$(unit_values Environment)
	pre=$(unit_values ExecStartPre)
	start=$(unit_values ExecStart)
	reload=$(unit_values ExecReload)
	rundir=/run/$(unit_values RuntimeDirectory)
	check "deb: the unit names the installed programs" test "${start%% *}" = /usr/sbin/fastpathd
	mkdir -p "$rundir"
	check "deb: ExecStartPre (hugepages) succeeds" env $env $pre
	deb_notify_listen
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does (no quotes in it)
	ip netns exec $XDP_R env $env NOTIFY_SOCKET="$WORK/notify.sock" $start >"$WORK/deb.log" 2>&1 &
	FPD_PID=$!
	check "deb: READY=1 with a STATUS once the config is applied" poll_for 30 deb_notified \
		'READY=1|STATUS=running: 1 workers, API on '"$sock"
	check "deb: the API socket is the unit's, 0660 for the group fastpath" sh -c \
		"test \"\$(stat -c '%a %G' $sock)\" = '660 fastpath'"
	check "deb: DPDK runs with the unit's file prefix, not the file's" sh -c \
		"test -d /var/run/dpdk/fastpath-$FPT && test ! -e /var/run/dpdk/$FPT-xdp"
	check "deb: ping xa -> xb through the installed fastpathd" in_ns xa ping -c 3 -i 0.2 -W 2 10.0.2.2
	check "deb: ping6 xa -> xb" in_ns xa ping -c 3 -i 0.2 -W 2 2001:db8:2::2
	check "deb: fastpathctl show ports: the af_xdp PMD, its device and link" sh -c \
		"/usr/bin/fastpathctl -s $sock show ports | tee /dev/stderr |
		 grep -qx 'p1: driver af_xdp pmd net_af_xdp device net_af_xdp_p1 bus vdev numa [-0-9]*' &&
		 /usr/bin/fastpathctl -s $sock -j show ports | jq -e '.ports | length == 2 and all(.link_up)'"

	# the operator adds a route and reloads: ExecReload with $MAINPID
	jq '.routes = [{"prefix": "203.0.113.0/24", "via": "10.0.2.2"}]' "$conf" >"$conf.new" &&
		mv "$conf.new" "$conf"
	check "deb: ExecReload" env MAINPID=$FPD_PID sh -c "$reload"
	check "deb: RELOADING=1, then READY=1 with the changes" poll_for 10 sh -c \
		"grep -n RELOADING=1 $WORK/notify.txt && grep -q 'READY=1|STATUS=reloaded: 1 sections changed' $WORK/notify.txt"
	check "deb: the reloaded route is there" sh -c \
		"/usr/bin/fastpathctl -s $sock show routes ipv4 | grep -q 203.0.113.0/24"

	kill -TERM "$FPD_PID" # systemd's KillSignal
	check "deb: SIGTERM stops it, exit 0" wait "$FPD_PID"
	FPD_PID=
	check "deb: STOPPING=1" deb_notified 'STOPPING=1'
	kill "$DEB_NOTIFY_PID" 2>/dev/null
	wait "$DEB_NOTIFY_PID" 2>/dev/null
	check "deb: the daemon left nothing in its runtime directory" sh -c "test -z \"\$(ls -A $rundir)\""
	check "deb: nor DPDK's runtime files" test ! -e /var/run/dpdk/fastpath-$FPT
	rmdir "$rundir" # as systemd does at stop
	check "deb: no error in the log" sh -c "! grep -iE 'error|fail' $WORK/deb.log || { cat $WORK/deb.log; false; }"
	xdp_cleanup
	rm -f "$conf" # the operator's own file, not the package's

	check "deb: dpkg --purge" dpkg --purge fastpath
	check "deb: the package is gone" sh -c "! dpkg-query -W -f='\${Status}' fastpath 2>/dev/null | grep -q installed"
	check "deb: none of its files is left" sh -c "for f in $(echo $DEB_FILES) /etc/fastpath /var/lib/fastpath /usr/lib/x86_64-linux-gnu/fastpath /usr/libexec/fastpath \
		/var/lib/systemd/deb-systemd-helper-enabled/fastpathd.service.dsh-also; do test ! -e \$f || { echo left \$f; exit 1; }; done"
	if $had_group; then
		check "deb: the group fastpath, there before, stays" getent group fastpath
	else
		check "deb: the group fastpath it made is removed" sh -c "! getent group fastpath"
	fi
	log "  (test_deb took $((SECONDS - t0)) s)"
}

OTHER_TESTS="$OTHER_TESTS test_deb"
