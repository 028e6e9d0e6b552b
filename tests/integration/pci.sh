# PCI NICs without a NIC (none on the test machines): a pci port's device is checked before
# EAL init, with an error that says how to bind it; the PCI bus is probed only for the pci
# ports' devices and eal.allow's (seen in DPDK's telemetry /eal/params). No device that a
# driver has here is ever given to DPDK: only addresses that do not exist, or have no driver.

pci_config() { # path port-JSON [eal-JSON]
	cat >"$1" <<CONF
{"eal": ${3:-{\}}, "ports": [$2], "api": {"socket": "$WORK/pci.sock"}}
CONF
}

pci_refused() { # config-path expected-error
	"$FASTPATHD" --check-config "$1" 2>&1 | tee /dev/stderr | grep -qF -- "$2"
}

# the EAL arguments of a fastpathd with this config, from DPDK's telemetry
pci_eal_params() { # config-path
	local prefix
	prefix=$(jq -r '.eal.file_prefix' "$1")
	"$FASTPATHD" -c "$1" >"$WORK/pci.log" 2>&1 &
	FPD_PID=$!
	poll_for 20 test -S "$WORK/pci.sock" >/dev/null
	echo /eal/params | timeout 10 dpdk-telemetry.py -f "$prefix" | jq -c '."/eal/params"'
	# the running configuration says it too
	SOCK=$WORK/pci.sock api config.dump | jq -c '.config.eal.allow' >"$WORK/pci-allow.json"
	kill "$FPD_PID"
	wait "$FPD_PID"
	FPD_PID=
}

test_pci_config() {
	local nic kdrv absent=0000:ff:1f.7 null='{"name": "p0", "driver": "null"}' params

	pci_config "$WORK/pci.json" "{\"name\": \"p0\", \"driver\": \"pci\", \"pci\": \"$absent\"}"
	check "pci: a device that is not there is named" pci_refused "$WORK/pci.json" \
		"/ports/0/pci: no PCI device $absent here"
	pci_config "$WORK/pci.json" '{"name": "p0", "driver": "pci", "pci": "0000:00"}'
	check "pci: a malformed address is refused" pci_refused "$WORK/pci.json" "is not a PCI address"
	# a device of this machine that a kernel driver has (its NIC, its disk): --check-config
	# only, which never starts EAL
	nic=$(for d in /sys/bus/pci/devices/*; do [ -e "$d/driver" ] && basename "$d" && break; done)
	kdrv=$(basename "$(readlink "/sys/bus/pci/devices/$nic/driver")")
	pci_config "$WORK/pci.json" "{\"name\": \"p0\", \"driver\": \"pci\", \"pci\": \"$nic\"}"
	check "pci: a device the kernel drives ($nic, $kdrv): the error says how to bind it" \
		pci_refused "$WORK/pci.json" \
		"PCI device $nic is bound to the kernel's driver '$kdrv', not to a driver DPDK can use: dpdk-devbind.py --bind=vfio-pci $nic"
	check "pci: fastpathd refuses to start on it, before EAL init" sh -c \
		"! '$FASTPATHD' -c '$WORK/pci.json' 2>&1 | tee /dev/stderr | grep -q 'EAL' &&
		 '$FASTPATHD' -c '$WORK/pci.json' 2>&1 | grep -q 'dpdk-devbind.py --bind=vfio-pci $nic'"
	pci_config "$WORK/pci.json" "{\"name\": \"p0\", \"driver\": \"null\"}" \
		"{\"allow\": [\"eth0\"], \"file_prefix\": \"$FPT-pci\"}"
	check "pci: eal.allow takes PCI addresses only" pci_refused "$WORK/pci.json" \
		"/eal/allow/0: PCI addresses"

	# not there: DPDK finds nothing to probe; but it is asked for that one only
	pci_config "$WORK/pci.json" "$null" "{\"allow\": [\"$absent\"], \"file_prefix\": \"$FPT-pci\"}"
	params=$(pci_eal_params "$WORK/pci.json")
	check "pci: config.dump shows eal.allow" test "$(cat "$WORK/pci-allow.json")" = "[\"$absent\"]"
	check "pci: eal.allow: EAL probes that device only (-a $absent, no --no-pci)" sh -c \
		"echo '$params' | tee /dev/stderr | jq -e 'index(\"-a\") != null and .[index(\"-a\") + 1] == \"$absent\" and (index(\"--no-pci\") == null) and ([.[] | select(. == \"-a\")] | length == 1)'"
	pci_config "$WORK/pci.json" "$null" "{\"file_prefix\": \"$FPT-pci\"}"
	params=$(pci_eal_params "$WORK/pci.json")
	check "pci: without pci ports nor eal.allow: --no-pci" sh -c \
		"echo '$params' | jq -e 'index(\"--no-pci\") != null and index(\"-a\") == null'"
}

OTHER_TESTS="$OTHER_TESTS test_pci_config"
