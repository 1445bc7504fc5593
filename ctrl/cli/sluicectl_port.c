/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl port list / port show NAME: what each port was given at start
 * (driver, queues, RSS functions and key, checksum offloads, MTU) and its
 * link; `show` adds the driver's extended counters.
 */
#include <stdio.h>
#include <string.h>

#include "protocol.h"
#include "sluicectl.h"

int slc_build_port_show(const struct slc_cmd *c, const struct slc_args *a,
			json_t *args)
{
	const char *s = a->pos[0];

	if (!s[0] || strlen(s) >= SL_PORT_NAME_MAX) {
		slc_usage_error(c, "bad NAME '%s': expected a port name (1..%d "
				"characters)", s, SL_PORT_NAME_MAX - 1);
		return -1;
	}
	return slc_set(c, args, "name", json_string(s));
}

/* "ipv4 tcp udp", or "none". */
static void words_of(const json_t *arr, char *buf, size_t len)
{
	json_t *w;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(arr, i, w)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      i ? "," : "", json_string_value(w));
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

static void link_text(const json_t *link, char *buf, size_t len)
{
	json_int_t speed = json_integer_value(json_object_get(link, "speed_mbps"));

	if (!json_is_object(link))
		snprintf(buf, len, "unknown");
	else if (!json_is_true(json_object_get(link, "up")))
		snprintf(buf, len, "down");
	else if (speed == 0)
		snprintf(buf, len, "up");
	else
		snprintf(buf, len, "up %" JSON_INTEGER_FORMAT "M", speed);
}

static void rss_text(const json_t *port, char *fn, size_t fnlen, const char **key)
{
	const json_t *rss = json_object_get(port, "rss");

	snprintf(fn, fnlen, "%s", json_is_object(rss) ? slc_str(rss, "functions") : "none");
	*key = json_is_object(rss) ? slc_str(rss, "key") : "-";
}

void slc_print_port_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "PORT", "DRIVER", "RXQ", "TXQ", "RSS",
		"KEY", "RX-CSUM", "TX-CSUM", "MTU", "LINK", "FLAPS", "FLOW" };
	json_t *ports = slc_list_of(result, "ports", "no ports"), *p;
	char buf[160];
	const char *key;
	size_t i;

	(void)args;
	if (ports == NULL)
		return;
	struct slc_table *t = slc_table_new(12, head, (1u << 2) | (1u << 3) |
					    (1u << 8) | (1u << 10));
	json_array_foreach(ports, i, p) {
		slc_table_add(t, slc_str(p, "port"));
		slc_table_add(t, slc_str(p, "driver"));
		slc_add_num(t, p, "rx_queues");
		slc_add_num(t, p, "tx_queues");
		rss_text(p, buf, sizeof(buf), &key);
		slc_table_add(t, buf);
		slc_table_add(t, key);
		words_of(json_object_get(p, "rx_checksum_offload"), buf, sizeof(buf));
		slc_table_add(t, buf);
		words_of(json_object_get(p, "tx_checksum_offload"), buf, sizeof(buf));
		slc_table_add(t, buf);
		slc_add_num(t, p, "mtu");
		link_text(json_object_get(p, "link"), buf, sizeof(buf));
		slc_table_add(t, buf);
		slc_add_num(t, p, "link_flaps");
		slc_table_add(t, json_object_get(p, "flow_steering") ? slc_str(p, "flow_steering")
								       : "-");
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

static void show_xstats(const json_t *xstats)
{
	const char *k;
	json_t *v;
	char num[SLC_NUM_LEN];

	if (json_object_size(xstats) == 0) {
		puts("xstats:        none (the driver reports none)");
		return;
	}
	puts("xstats:");
	struct slc_table *t = slc_table_new(2, NULL, 1u << 1);
	json_object_foreach((json_t *)xstats, k, v) {
		slc_table_add(t, k);
		slc_table_add(t, slc_num(xstats, k, num));
	}
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}

/* A port on the ring: how often refused and retried, and when next. */
static void show_flow_retry(const json_t *result)
{
	const json_t *retry = json_object_get(result, "flow_retry");
	char n1[SLC_NUM_LEN], n2[SLC_NUM_LEN];

	if (retry == NULL)
		return;
	printf("               refused %s times, retried %s; next retry: ",
	       slc_num(result, "flow_refusals", n1), slc_num(result, "flow_retries", n2));
	if (json_is_string(retry))
		puts(json_string_value(retry));
	else
		printf("in %s ms, or at an address change\n", slc_num(retry, "in_ms", n1));
}

/* Replies steered by the NIC: how, why not, and how replies came. */
static void show_flow(const json_t *result)
{
	char n1[SLC_NUM_LEN], n2[SLC_NUM_LEN];

	if (json_object_get(result, "flow_steering")) {
		printf("flow steering: %s", slc_str(result, "flow_steering"));
		if (json_object_get(result, "flow_steering_reason"))
			printf(": %s", slc_str(result, "flow_steering_reason"));
		else
			printf(" (%s installed)", slc_num(result, "flow_rules", n1));
		putchar('\n');
		show_flow_retry(result);
		if (json_integer_value(json_object_get(result, "flow_flush_errors")) > 0)
			printf("               flushes refused: %s, the last: %s\n",
			       slc_num(result, "flow_flush_errors", n1),
			       slc_str(result, "flow_flush_error"));
	}
	printf("replies:       %s on their owner's queue, %s steered by ring\n",
	       slc_num(result, "replies_on_queue", n1), slc_num(result, "replies_by_ring", n2));
}

void slc_print_port_show(const json_t *args, const json_t *result)
{
	const json_t *rss = json_object_get(result, "rss");
	char buf[160], n1[SLC_NUM_LEN], n2[SLC_NUM_LEN];
	const char *key;

	(void)args;
	printf("port:          %s (ethdev %s)\n", slc_str(result, "port"),
	       slc_num(result, "ethdev", n1));
	printf("devargs:       %s\n", slc_str(result, "devargs"));
	printf("driver:        %s\n", slc_str(result, "driver"));
	printf("queues:        %s rx, %s tx\n", slc_num(result, "rx_queues", n1),
	       slc_num(result, "tx_queues", n2));
	rss_text(result, buf, sizeof(buf), &key);
	if (json_is_object(rss))
		printf("rss:           %s (%s key, redirection table %s)\n", buf, key,
		       json_integer_value(json_object_get(rss, "reta_size"))
			       ? slc_num(rss, "reta_size", n1) : "as the driver set it");
	else
		printf("rss:           none%s%s\n", json_object_get(result, "no_rss") ? ": " : "",
		       json_object_get(result, "no_rss") ? slc_str(result, "no_rss") : "");
	words_of(json_object_get(result, "rx_checksum_offload"), buf, sizeof(buf));
	printf("rx checksums:  %s\n", buf);
	words_of(json_object_get(result, "tx_checksum_offload"), buf, sizeof(buf));
	printf("tx checksums:  %s\n", buf);
	printf("mtu:           %s\n", slc_num(result, "mtu", n1));
	link_text(json_object_get(result, "link"), buf, sizeof(buf));
	printf("link:          %s (%s up/down changes since start)\n", buf,
	       slc_num(result, "link_flaps", n1));
	show_flow(result);
	show_xstats(json_object_get(result, "xstats"));
}
