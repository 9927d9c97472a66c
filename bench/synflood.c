/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synflood: TCP SYNs (or another kind of flood) from random sources of one
 * prefix to one address, at a given rate, through a raw socket; for
 * bench/run's Linux syn-flood scenario and the flood integration test
 * (hping3 --rand-source draws from all of IPv4, which we must not send
 * from). Both the target and the source prefix must lie in 198.18.0.0/15;
 * run it inside a network namespace.
 *
 *   synflood --target A.B.C.D:PORT --src A.B.C.D/N [--rate PPS]
 *            [--duration S] [--kind K] [--json FILE]
 *
 * Kinds, as dptcp-gen's --flood: syn (the default; no options), ack and
 * rst (random sequence numbers, to PORT), garbage (20-60 random bytes as
 * TCP), udp (to random ports), proto (IP protocol 253, RFC 3692).
 * --rate 0 sends as fast as it can. Prints (or writes to FILE)
 * {"tool","kind","flood_packets","flood_pps","elapsed_s","send_errors"}.
 * Batches of 64 through sendmmsg(); cost per packet is one system call
 * share plus the kernel's raw output path.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define BENCH_NET 0xc6120000u	/* 198.18.0.0 */
#define BENCH_MASK 0xfffe0000u	/* /15 */

struct pkt {
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t more[40];  /* garbage: bytes past a TCP header's 20 */
} __attribute__((packed));

enum kind { K_SYN, K_ACK, K_RST, K_GARBAGE, K_UDP, K_PROTO };
static const char *const kind_names[] = {
	"syn", "ack", "rst", "garbage", "udp", "proto",
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t
csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint16_t *p = buf;

	for (; len > 1; len -= 2)
		sum += *p++;
	return sum;
}

/* TCP checksum over the pseudo-header (RFC 9293 3.1) and the header. */
static void
tcp_csum(struct pkt *k)
{
	uint32_t sum = 0;
	uint16_t proto_len[2] = { htons(IPPROTO_TCP), htons(sizeof(k->tcp)) };

	k->tcp.check = 0;
	sum = csum_add(sum, &k->ip.saddr, 8);
	sum = csum_add(sum, proto_len, 4);
	sum = csum_add(sum, &k->tcp, sizeof(k->tcp));
	k->tcp.check = csum_fold(sum);
}

/* Fill packet @k of @kind from the random @r: its L4 bytes; returns its
 * length (the kernel fills the IPv4 total length and checksum). */
static size_t
fill(struct pkt *k, enum kind kind, uint64_t r, uint64_t *seed,
     unsigned int port)
{
	uint8_t *l4 = (uint8_t *)&k->tcp;
	size_t n;

	switch (kind) {
	case K_GARBAGE:
		n = 20 + (r >> 8) % 41;
		for (size_t i = 0; i < n; i += 8) {
			uint64_t v = xorshift(seed);

			memcpy(l4 + i, &v, n - i < 8 ? n - i : 8);
		}
		return sizeof(k->ip) + n;
	case K_UDP:
		((uint16_t *)l4)[0] = htons((uint16_t)(1024 + (r >> 40) %
						       64511));
		((uint16_t *)l4)[1] = htons((uint16_t)(1 + (r >> 16) % 65535));
		((uint16_t *)l4)[2] = htons(26);
		((uint16_t *)l4)[3] = 0; /* no checksum (RFC 768) */
		return sizeof(k->ip) + 26;
	case K_PROTO:
		return sizeof(k->ip) + 26;
	default:
		k->tcp.source = htons((uint16_t)(1024 + (r >> 40) % 64511));
		k->tcp.dest = htons((uint16_t)port);
		k->tcp.seq = (uint32_t)(r >> 16);
		k->tcp.ack_seq = kind == K_ACK ? (uint32_t)(r >> 3) : 0;
		tcp_csum(k);
		return sizeof(k->ip) + sizeof(k->tcp);
	}
}

static int
in_bench(uint32_t a)
{
	return (a & BENCH_MASK) == BENCH_NET;
}

static void
usage(void)
{
	fprintf(stderr, "usage: synflood --target A.B.C.D:PORT --src "
		"A.B.C.D/N [--rate PPS] [--duration S]\n"
		"                [--kind syn|ack|rst|garbage|udp|proto] "
		"[--json FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "src", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", required_argument, NULL, 'j' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	enum kind kind = K_SYN;
	char tgt[64] = "", src[64] = "", *json = NULL, *c;
	double rate = 0, duration = 5;
	struct in_addr a;
	uint32_t dst, net, mask;
	unsigned int port = 0, plen;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 't': snprintf(tgt, sizeof(tgt), "%s", optarg); break;
		case 's': snprintf(src, sizeof(src), "%s", optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'j': json = optarg; break;
		case 'k':
			for (kind = 0; kind <= K_PROTO; kind++)
				if (strcmp(optarg, kind_names[kind]) == 0)
					break;
			if (kind > K_PROTO)
				usage();
			break;
		default: usage();
		}
	}
	c = strchr(tgt, ':');
	if (c == NULL)
		usage();
	*c = '\0';
	port = (unsigned int)atoi(c + 1);
	if (inet_pton(AF_INET, tgt, &a) != 1 || port == 0 || port > 65535)
		usage();
	dst = ntohl(a.s_addr);
	c = strchr(src, '/');
	if (c == NULL)
		usage();
	*c = '\0';
	plen = (unsigned int)atoi(c + 1);
	if (inet_pton(AF_INET, src, &a) != 1 || plen < 15 || plen > 32)
		usage();
	mask = plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
	net = ntohl(a.s_addr) & mask;
	/* Only the benchmarking range, both ends (RFC 2544). */
	if (!in_bench(dst) || !in_bench(net)) {
		fprintf(stderr, "synflood: target and sources must be in "
			"198.18.0.0/15\n");
		return 2;
	}

	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: raw socket");
		return 1;
	}
	struct pkt pk[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(dst) };
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)now_s();

	memset(pk, 0, sizeof(pk));
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < BATCH; i++) {
		pk[i].ip.version = 4;
		pk[i].ip.ihl = 5;
		pk[i].ip.tot_len = htons(sizeof(struct pkt));
		pk[i].ip.ttl = 64;
		pk[i].ip.protocol = kind == K_UDP ? IPPROTO_UDP :
				    kind == K_PROTO ? 253 : IPPROTO_TCP;
		pk[i].ip.daddr = htonl(dst);
		pk[i].tcp.dest = htons((uint16_t)port);
		pk[i].tcp.doff = 5;
		pk[i].tcp.syn = kind == K_SYN;
		pk[i].tcp.ack = kind == K_ACK;
		pk[i].tcp.rst = kind == K_RST;
		pk[i].tcp.window = htons(65535);
		iov[i].iov_base = &pk[i];
		iov[i].iov_len = sizeof(struct pkt);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = sizeof(to);
	}

	uint64_t sent = 0, errors = 0;
	double t0 = now_s(), t = t0;

	while (t - t0 < duration) {
		/* Rate: never ahead of rate x elapsed (a token bucket of one
		 * batch). */
		if (rate > 0 && sent >= (t - t0) * rate) {
			t = now_s();
			continue;
		}
		for (int i = 0; i < BATCH; i++) {
			uint64_t r = xorshift(&seed);

			pk[i].ip.saddr = htonl(net | ((uint32_t)r & ~mask));
			pk[i].ip.id = (uint16_t)(r >> 32);
			iov[i].iov_len = fill(&pk[i], kind, r, &seed, port);
		}
		int n = sendmmsg(fd, mm, BATCH, 0);
		if (n < 0) {
			errors++;
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("synflood: sendmmsg");
				return 1;
			}
		} else {
			sent += (uint64_t)n;
		}
		t = now_s();
	}
	double el = now_s() - t0;
	FILE *f = json ? fopen(json, "w") : stdout;

	if (f == NULL) {
		perror("synflood: --json");
		return 1;
	}
	fprintf(f, "{\"tool\": \"synflood\", \"kind\": \"%s\", "
		"\"flood_packets\": %llu, \"flood_pps\": %.1f, "
		"\"elapsed_s\": %.6f, \"rate\": %.0f, \"send_errors\": %llu}"
		"\n", kind_names[kind], (unsigned long long)sent, sent / el,
		el, rate, (unsigned long long)errors);
	if (f != stdout)
		fclose(f);
	return 0;
}
