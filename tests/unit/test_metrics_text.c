/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats answer as Prometheus text (ctrl/daemon/metrics_text.c):
 * names made legal, label values and HELP escaped, each family's HELP
 * and TYPE once and before its samples, counters ending in _total,
 * the workers' sums left out, a server's state as a state set.
 * (promtool's own check runs in tests/e2e/test_metrics.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_text.h"

static const char *STATS =
	"{\"uptime_s\": 42,"
	" \"totals\": {\"rx_packets\": 999},"
	" \"drops\": {\"no_service\": 999},"
	" \"workers\": ["
	"  {\"worker\": 0, \"rx_packets\": 10, \"rx-bytes\": 1000, \"conns_active\": 2,"
	"   \"connections_in_table\": 4, \"connections_max\": 1024, \"drops_total\": 3,"
	"   \"drops\": {\"no_service\": 3, \"ip_bad_checksum\": 0}},"
	"  {\"worker\": 1, \"rx_packets\": 20, \"rx-bytes\": 2000, \"conns_active\": 1,"
	"   \"connections_in_table\": 2, \"connections_max\": 1024, \"drops_total\": 1,"
	"   \"drops\": {\"no_service\": 1, \"ip_bad_checksum\": 0}}],"
	" \"ports\": [{\"port\": \"w\\\"a\\\\n\\n\", \"rx_packets\": 5, \"link\": {\"up\": true},"
	"             \"link_flaps\": 1, \"rx_queues\": 2, \"replies_on_queue\": 7,"
	"             \"replies_by_ring\": 2, \"flow_steering\": \"rules\"}],"
	" \"vips\": [{\"vip\": \"198.18.0.100\", \"port\": 80, \"proto\": \"tcp\","
	"            \"conns\": 7, \"active_conns\": 1, \"packets_in\": 70, \"packets_out\": 60,"
	"            \"bytes_in\": 700, \"bytes_out\": 600, \"refused\": 0}],"
	" \"real_servers\": [{\"vip\": \"198.18.0.100\", \"vport\": 80, \"proto\": \"tcp\","
	"   \"ip\": \"198.18.1.11\", \"port\": 8080, \"weight\": 3, \"state\": \"down, kept up (panic)\","
	"   \"conns\": 7, \"active_conns\": 1, \"packets_in\": 70, \"packets_out\": 60,"
	"   \"bytes_in\": 700, \"bytes_out\": 600}],"
	" \"resources\": {\"mbufs\": {\"total\": 100, \"available\": 60}},"
	" \"xdp\": {\"ports\": [], \"map_errors\": 0, \"retries\": 0, \"in_sync\": true},"
	" \"capture\": {\"active\": false, \"id\": 0, \"copied\": 41, \"dropped\": 2,"
	"             \"no_mbuf\": 3},"
	" \"control\": {\"publishes\": 3, \"messages_waiting\": 0}}";

static char *render(const char *doc)
{
	json_error_t jerr;
	json_t *stats = json_loads(doc, 0, &jerr);
	struct sl_text t;

	assert_non_null(stats);
	assert_int_equal(sl_metrics_render(stats, &t), 0);
	json_decref(stats);
	return t.buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_names(void **state)
{
	char name[64];
	(void)state;

	sl_metrics_name(name, sizeof(name), "sluice_worker_", "rx-bytes.x y", "_total");
	assert_string_equal(name, "sluice_worker_rx_bytes_x_y_total");
	sl_metrics_name(name, sizeof(name), "", "9lives", "");
	assert_string_equal(name, "_9lives");
	sl_metrics_name(name, sizeof(name), "a:", "b", "");
	assert_string_equal(name, "a:b");
}

static void test_escaping(void **state)
{
	struct sl_text t = {0};
	(void)state;

	sl_text_label_value(&t, "a\"b\\c\nd");
	assert_string_equal(t.buf, "a\\\"b\\\\c\\nd");
	sl_text_free(&t);
	sl_text_help(&t, "x \"q\" \\ \n");
	assert_string_equal(t.buf, "x \"q\" \\\\ \\n");
	sl_text_free(&t);
}

static void test_render(void **state)
{
	char *s = render(STATS);
	(void)state;

	/* Counters per worker, the odd member name made legal. */
	assert_non_null(strstr(s, "# TYPE sluice_worker_rx_packets_total counter\n"
				  "sluice_worker_rx_packets_total{worker=\"0\"} 10\n"
				  "sluice_worker_rx_packets_total{worker=\"1\"} 20\n"));
	assert_non_null(strstr(s, "sluice_worker_rx_bytes_total{worker=\"1\"} 2000\n"));
	assert_non_null(strstr(s, "# TYPE sluice_worker_connections_active gauge\n"));
	assert_non_null(strstr(s, "sluice_conn_table_entries{worker=\"0\"} 4\n"));
	assert_non_null(strstr(s, "sluice_conn_table_capacity{worker=\"1\"} 1024\n"));
	assert_non_null(strstr(s, "sluice_drops_total{worker=\"0\",reason=\"no_service\"} 3\n"));
	assert_null(strstr(s, "drops_total_total"));
	assert_null(strstr(s, " 999\n")); /* totals left out */
	/* A port name with a quote, a backslash and a newline. */
	assert_non_null(strstr(s, "sluice_port_rx_packets_total{port=\"w\\\"a\\\\n\\n\"} 5\n"));
	assert_non_null(strstr(s, "sluice_port_link_up{port=\"w\\\"a\\\\n\\n\"} 1\n"));
	assert_null(strstr(s, "rx_queues"));
	/* Replies by the way they reached their owner, one family. */
	assert_non_null(strstr(s, "# TYPE sluice_port_replies_total counter\n"
				  "sluice_port_replies_total{port=\"w\\\"a\\\\n\\n\",path=\"queue\"} 7\n"
				  "sluice_port_replies_total{port=\"w\\\"a\\\\n\\n\",path=\"ring\"} 2\n"));
	/* VIP and server: direction as a label, one family. */
	assert_non_null(strstr(s, "sluice_vip_packets_total{vip=\"198.18.0.100\",vip_port=\"80\","
				  "proto=\"tcp\",direction=\"in\"} 70\n"
				  "sluice_vip_packets_total{vip=\"198.18.0.100\",vip_port=\"80\","
				  "proto=\"tcp\",direction=\"out\"} 60\n"));
	assert_int_equal(count(s, "# TYPE sluice_vip_packets_total "), 1);
	assert_non_null(strstr(s, "sluice_real_server_weight{vip=\"198.18.0.100\",vip_port=\"80\","
				  "proto=\"tcp\",server=\"198.18.1.11\",server_port=\"8080\"} 3\n"));
	assert_non_null(strstr(s, "server_port=\"8080\",state=\"down\"} 1\n"));
	assert_non_null(strstr(s, "server_port=\"8080\",state=\"up\"} 0\n"));
	assert_non_null(strstr(s, "sluice_mbufs_in_use 40\n"));
	assert_non_null(strstr(s, "sluice_uptime_seconds 42\n"));
	assert_non_null(strstr(s, "sluice_xdp_maps_in_sync 1\n"));
	/* Capture copies, and the ones lost. */
	assert_non_null(strstr(s, "# TYPE sluice_capture_copied_total counter\n"
				  "sluice_capture_copied_total 41\n"));
	assert_non_null(strstr(s, "sluice_capture_dropped_total 2\n"));
	assert_non_null(strstr(s, "sluice_capture_no_mbuf_total 3\n"));
	assert_non_null(strstr(s, "sluice_capture_active 0\n"));
	assert_null(strstr(s, "sluice_capture_id"));
	assert_non_null(strstr(s, "# TYPE sluice_control_publishes_total counter\n"));
	assert_non_null(strstr(s, "# TYPE sluice_control_messages_waiting gauge\n"));
	free(s);
}

/* Every sample line's family was declared just before, once; every
 * counter ends in _total and no gauge does. */
static void test_families(void **state)
{
	char *s = render(STATS), *copy = strdup(s), *save = NULL, fam[128] = "",
	     type[16] = "";
	int declared = 0;
	(void)state;

	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7))
			continue;
		if (sscanf(line, "# TYPE %127s %15s", fam, type) == 2) {
			char line_start[160];
			snprintf(line_start, sizeof(line_start), "\n# TYPE %s ", fam);
			assert_int_equal(count(copy, line_start), 1); /* declared once */
			declared++;
			size_t n = strlen(fam);
			bool total = n > 6 && !strcmp(fam + n - 6, "_total");
			assert_true(!strcmp(type, "counter") ? total : !total);
			continue;
		}
		size_t n = strlen(fam);
		assert_true(n > 0);
		assert_int_equal(strncmp(line, fam, n), 0);
		assert_true(line[n] == '{' || line[n] == ' ');
	}
	assert_true(declared > 20);
	free(copy);
	free(s);
}

/* Nothing to list: no family without samples. */
static void test_empty(void **state)
{
	char *s = render("{\"uptime_s\": 1, \"workers\": [], \"vips\": [], \"real_servers\": []}");
	(void)state;

	assert_string_equal(s, "# HELP sluice_uptime_seconds Seconds since sluice started\n"
			       "# TYPE sluice_uptime_seconds gauge\n"
			       "sluice_uptime_seconds 1\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
