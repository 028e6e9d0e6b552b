/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip4_header_checksum_ok(), the datapath's header check (a remainder modulo 0xffff instead of
 * the folded one's complement sum), against DPDK's rte_raw_cksum() on random headers of every
 * length, at every alignment, with correct and corrupted checksums.
 */
#include "ip4/ip4.h"

#include <stdlib.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static bool reference_ok(const void *hdr, unsigned int len)
{
	return rte_raw_cksum(hdr, len) == 0xffff;
}

static void random_header(uint8_t *h, unsigned int ihl)
{
	for (unsigned int i = 0; i < ihl * 4; i++)
		h[i] = rand();
	h[0] = 0x40 | ihl;
	h[10] = h[11] = 0;
}

static void set_checksum(uint8_t *h, unsigned int ihl)
{
	uint16_t sum;

	h[10] = h[11] = 0;
	sum = ~rte_raw_cksum(h, ihl * 4);
	memcpy(&h[10], &sum, sizeof(sum));
}

static void test_agrees_with_rte_raw_cksum(void **state)
{
	uint8_t buf[64 + 3];

	(void)state;
	srand(1);
	for (int round = 0; round < 20000; round++) {
		unsigned int ihl = 5 + round % 11, align = round % 4;
		uint8_t *h = buf + align;
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)h;

		random_header(h, ihl);
		if (round % 3 != 0)
			set_checksum(h, ihl);
		if (round % 7 == 0) /* one bit off */
			h[rand() % (ihl * 4)] ^= 1 << (rand() % 8);
		assert_int_equal(ip4_header_checksum_ok(ip, ihl), reference_ok(h, ihl * 4));
	}
}

/* The sums where a remainder could go wrong: all ones, all zeros, 0xffff multiples. */
static void test_edge_sums(void **state)
{
	uint8_t h[60];

	(void)state;
	memset(h, 0xff, sizeof(h));
	assert_int_equal(ip4_header_checksum_ok((void *)h, 5), reference_ok(h, 20));
	assert_true(ip4_header_checksum_ok((void *)h, 5));
	memset(h, 0, sizeof(h));
	assert_int_equal(ip4_header_checksum_ok((void *)h, 5), reference_ok(h, 20));
	assert_false(ip4_header_checksum_ok((void *)h, 5));
	/* a valid header whose stored checksum is 0xffff's twin, 0x0000 */
	memset(h, 0, sizeof(h));
	h[0] = 0x45;
	h[2] = 0xba;
	h[3] = 0xff;
	set_checksum(h, 5);
	assert_true(ip4_header_checksum_ok((void *)h, 5));
	assert_true(reference_ok(h, 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_rte_raw_cksum),
		cmocka_unit_test(test_edge_sums),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
