/* SPDX-License-Identifier: BSD-3-Clause */
#include "netdev.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int netdev_ioctl(unsigned long request, struct ifreq *ifr)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (sock < 0)
		return -errno;
	if (ioctl(sock, request, ifr) < 0)
		ret = -errno;
	close(sock);
	return ret;
}
