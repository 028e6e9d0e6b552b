/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <net/if.h>

/*
 * An ioctl on the kernel netdev named in ifr->ifr_name (SIOCGIFFLAGS, SIOCSIFMTU, SIOCETHTOOL...)
 * through a throwaway socket, as ip link does. Control thread. 0 or -errno (no message: the
 * caller knows what it asked).
 */
int netdev_ioctl(unsigned long request, struct ifreq *ifr);
