/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* Packets from and to pcap files or a netdev through libpcap (benchmarks, replay). */
PORT_DRIVER(pcap, "net_pcap", NULL, {"rx_pcap", "rx_pcap", DRIVER_PATH, false},
	{"tx_pcap", "tx_pcap", DRIVER_PATH, false}, {"iface", "iface", DRIVER_STRING, false},
	{"rx_iface", "rx_iface", DRIVER_STRING, false},
	{"tx_iface", "tx_iface", DRIVER_STRING, false},
	{"infinite_rx", "infinite_rx", DRIVER_BOOL, false})
