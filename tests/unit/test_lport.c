/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT local ports (lport.h): unique per (local address, server,
 * server port, protocol), checked against the connection table, taken in
 * sequence per destination, never outside the worker's share, a bounded
 * number of probes, free again once the connection leaves the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lport.h"

#define LIP 0xc6120203u                 /* 198.18.2.3 */
#define SERVER(i) (0xc6120233u + (i))   /* 198.18.2.51 + i */
#define BUDGET 256                      /* what a worker spends per connection */

static struct sl_v4key towards(uint32_t server, uint16_t server_port)
{
	struct sl_v4key k = {sl_htonl(server), sl_htonl(LIP), sl_htons(server_port), 0};
	return k;
}

/* Record a connection with this reply key, as a worker does with the
 * port it picked; `n` makes its client side unique. */
static struct sl_conn *hold(struct sl_conn_table *t, const struct sl_v4key *reply,
			    uint8_t proto, uint32_t n)
{
	struct sl_conn *c = sl_ct_alloc(t);
	assert_non_null(c);
	c->key[SL_DIR_ORIG] = (struct sl_v4key){sl_htonl(0xc6130000u + n / 60000), 0,
						sl_htons((uint16_t)(1 + n % 60000)),
						sl_htons(80)};
	c->key[SL_DIR_REPLY] = *reply;
	c->proto = proto;
	c->state = SL_CS_TCP_SYN_SENT;
	c->expire = 1000000;
	assert_int_equal(sl_ct_insert(t, c), 0);
	return c;
}

/* Pick a port towards `server` and hold it; its number (host order). */
static uint16_t take(struct sl_lport_walks *walks, struct sl_conn_table *t,
		     const struct sl_port_share *sh, uint32_t server, uint32_t n)
{
	struct sl_v4key reply = towards(server, 8080);
	uint32_t budget = BUDGET;
	assert_true(sl_lport_pick(walks, t, sh, &reply, SL_IPPROTO_TCP, &budget));
	hold(t, &reply, SL_IPPROTO_TCP, n);
	return sl_ntohs(reply.dport);
}

/* Four servers, each given 93% of the worker's share through one local
 * address: four times what a port map per address allowed. */
static void servers_share_the_ports(uint16_t workers, uint16_t owner)
{
	static uint8_t used[4][65536];
	static struct sl_lport_walks walks;
	struct sl_conn_table t;
	struct sl_port_share sh;
	uint32_t per_server = 60000 / workers, n = 0;

	memset(used, 0, sizeof(used));
	memset(&walks, 0, sizeof(walks));
	assert_int_equal(sl_port_share_init(&sh, 1024, 65535, workers, owner), 0);
	assert_int_equal(sl_ct_init(&t, 4 * per_server, 0), 0);
	for (uint32_t i = 0; i < per_server; i++)
		for (unsigned s = 0; s < 4; s++) {
			uint16_t p = take(&walks, &t, &sh, SERVER(s), n++);
			assert_true(p >= 1024);
			assert_int_equal(sl_port_owner(p, workers), owner);
			assert_int_equal(used[s][p]++, 0);
		}
	assert_true(n > sh.count * 3);
	sl_ct_destroy(&t);
}

static void test_per_server_one_worker(void **state)
{
	(void)state;
	servers_share_the_ports(1, 0);
}

static void test_per_server_worker_share(void **state)
{
	(void)state;
	servers_share_the_ports(2, 1);
	servers_share_the_ports(3, 2);
}

/* A destination takes its ports in sequence (next-fit), so a port it
 * freed is not the next one handed out. */
static void test_next_fit(void **state)
{
	(void)state;
	static struct sl_lport_walks walks;
	struct sl_conn_table t;
	struct sl_port_share sh;
	uint16_t p[12];

	assert_int_equal(sl_port_share_init(&sh, 20000, 20999, 2, 0), 0);
	assert_int_equal(sl_ct_init(&t, 64, 0), 0);
	struct sl_conn *first = NULL;
	for (unsigned i = 0; i < 10; i++) {
		p[i] = take(&walks, &t, &sh, SERVER(0), i);
		if (i == 0)
			first = &t.conns[0];
		else
			assert_int_equal(p[i], p[i - 1] + 2 == 21000 ? 20000 : p[i - 1] + 2);
	}
	sl_ct_remove(&t, first);
	p[10] = take(&walks, &t, &sh, SERVER(0), 10);
	assert_int_not_equal(p[10], p[0]);
	sl_ct_destroy(&t);
}

/* Every port of a share for one server, then: exhausted after at most
 * the share's count of probes (or the budget, if smaller); another
 * server, server port or protocol is not; a connection gone frees its
 * port. */
static void test_exhaust_and_free(void **state)
{
	(void)state;
	static struct sl_lport_walks walks;
	struct sl_conn_table t;
	struct sl_port_share sh;
	struct sl_v4key reply;
	uint32_t budget;

	assert_int_equal(sl_port_share_init(&sh, 3000, 3099, 3, 1), 0);
	assert_int_equal(sl_ct_init(&t, 256, 0), 0);
	for (uint32_t i = 0; i < sh.count; i++)
		take(&walks, &t, &sh, SERVER(0), i);

	reply = towards(SERVER(0), 8080);
	budget = BUDGET;
	assert_false(sl_lport_pick(&walks, &t, &sh, &reply, SL_IPPROTO_TCP, &budget));
	assert_int_equal(budget, BUDGET - sh.count);
	budget = 5;
	assert_false(sl_lport_pick(&walks, &t, &sh, &reply, SL_IPPROTO_TCP, &budget));
	assert_int_equal(budget, 0);

	budget = BUDGET;
	reply = towards(SERVER(1), 8080);
	assert_true(sl_lport_pick(&walks, &t, &sh, &reply, SL_IPPROTO_TCP, &budget));
	reply = towards(SERVER(0), 8081);
	assert_true(sl_lport_pick(&walks, &t, &sh, &reply, SL_IPPROTO_TCP, &budget));
	reply = towards(SERVER(0), 8080);
	assert_true(sl_lport_pick(&walks, &t, &sh, &reply, SL_IPPROTO_UDP, &budget));
	assert_int_equal(budget, BUDGET - 3); /* each found at once */

	struct sl_conn *gone = &t.conns[7];
	uint16_t freed = sl_ntohs(gone->key[SL_DIR_REPLY].dport);
	sl_ct_remove(&t, gone);
	budget = BUDGET;
	reply = towards(SERVER(0), 8080);
	assert_true(sl_lport_pick(&walks, &t, &sh, &reply, SL_IPPROTO_TCP, &budget));
	assert_int_equal(sl_ntohs(reply.dport), freed);
	sl_ct_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_server_one_worker),
		cmocka_unit_test(test_per_server_worker_share),
		cmocka_unit_test(test_next_fit),
		cmocka_unit_test(test_exhaust_and_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
