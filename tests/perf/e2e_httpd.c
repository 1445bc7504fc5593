// SPDX-License-Identifier: BSD-3-Clause
/*
 * e2e_httpd: the real server of `make bench-e2e` (tests/perf/e2e.sh), one
 * process in each P-rsI namespace. A single-threaded epoll loop that answers
 * every HTTP request with a fixed short body ("NAME\n") and closes: one
 * request per connection, the server closing first, as scripts/lab_server.py
 * does, but fast enough (tens of thousands of connections a second) that the
 * load balancer, not the server, is what the benchmark measures.
 *
 *   e2e_httpd PORT NAME [SECONDS]
 *
 * Exits by itself after SECONDS (default 600), on SIGTERM or SIGINT.
 * Prints the number of requests answered on exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s PORT NAME [SECONDS]\n", argv[0]);
		return 2;
	}
	int port = atoi(argv[1]);
	const char *name = argv[2];
	long seconds = argc > 3 ? atol(argv[3]) : 600;
	char resp[256];
	int rlen = snprintf(resp, sizeof(resp),
			    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
			    strlen(name) + 1, name);

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4096)) {
		perror("e2e_httpd: listen");
		return 1;
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);

	time_t end = time(NULL) + seconds;
	unsigned long served = 0;
	struct epoll_event evs[256];
	char buf[4096];
	while (!stop && time(NULL) < end) {
		int n = epoll_wait(ep, evs, 256, 200);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				for (;;) {
					int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
					if (c < 0)
						break;
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			/* Requests are small: one read holds the whole header. */
			if (r > 0 && memmem(buf, (size_t)r, "\r\n\r\n", 4)) {
				if (write(fd, resp, (size_t)rlen) == rlen)
					served++;
			} else if (r > 0) {
				continue; /* partial header: wait for the rest */
			}
			close(fd);
		}
	}
	printf("%s served %lu\n", name, served);
	return 0;
}
