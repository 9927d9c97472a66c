/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_addr.c: socket addresses of both families. What a call's struct
 * sockaddr says, read as Linux reads it for the socket's family (its
 * length and family checked, an IPv4-mapped address of an AF_INET6
 * socket meaning IPv4, RFC 4291 2.5.5.2), and the names a call returns,
 * written as Linux writes them (an AF_INET6 socket gives every address
 * as IPv6, IPv4 ones mapped, RFC 3493 3.7).
 */
#include <errno.h>
#include <string.h>

#include "sock_priv.h"

/* Linux's shortest struct sockaddr_in6 (without sin6_scope_id). */
#define SIN6_LEN_RFC2133 24

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				      0xff, 0xff };

/**
 * Read @p addr for socket @p s.
 *
 * @return 0, or -EINVAL (too short, or NULL), -EAFNOSUPPORT (another
 *   family than the socket's).
 */
int
sa_get(const struct sock *s, const struct sockaddr *addr, socklen_t len,
       struct sa_ep *ep)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	memset(ep, 0, sizeof(*ep));
	if (s->family != AF_INET6) {
		if (addr == NULL || len < (socklen_t)sizeof(a4))
			return -EINVAL;
		memcpy(&a4, addr, sizeof(a4));
		if (a4.sin_family != AF_INET)
			return -EAFNOSUPPORT;
		ep->af = AF_INET;
		ep->v4 = a4.sin_addr.s_addr;
		ep->port = a4.sin_port;
		return 0;
	}
	if (addr == NULL || len < SIN6_LEN_RFC2133)
		return -EINVAL;
	memset(&a6, 0, sizeof(a6));
	memcpy(&a6, addr, (size_t)len < sizeof(a6) ? (size_t)len :
	       sizeof(a6));
	if (a6.sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	ep->port = a6.sin6_port;
	if (memcmp(a6.sin6_addr.s6_addr, v4mapped, sizeof(v4mapped)) == 0) {
		ep->af = AF_INET;
		memcpy(&ep->v4, a6.sin6_addr.s6_addr + 12, 4);
		return 0;
	}
	ep->af = AF_INET6;
	memcpy(ep->v6, a6.sin6_addr.s6_addr, 16);
	return 0;
}

/** Whether @p ep's address is the unspecified one (0.0.0.0 or ::). */
int
sa_any(const struct sa_ep *ep)
{
	static const uint8_t zero[16];

	return ep->af == AF_INET ? ep->v4 == 0 :
	       memcmp(ep->v6, zero, 16) == 0;
}

/**
 * Write an address for socket @p s into @p out (at most *@p len bytes;
 * *@p len set to the full length, as Linux does): IPv6 @p a6 when @p v6,
 * else IPv4 @p v4 (mapped for an AF_INET6 socket).
 */
void
sa_put(const struct sock *s, int v6, uint32_t v4, const uint8_t *a6,
       uint16_t port, struct sockaddr *out, socklen_t *len)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t n;

	memset(&u, 0, sizeof(u));
	if (s->family != AF_INET6) {
		u.in.sin_family = AF_INET;
		u.in.sin_port = port;
		u.in.sin_addr.s_addr = v4;
		n = sizeof(u.in);
	} else {
		u.in6.sin6_family = AF_INET6;
		u.in6.sin6_port = port;
		if (v6) {
			memcpy(u.in6.sin6_addr.s6_addr, a6, 16);
		} else {
			memcpy(u.in6.sin6_addr.s6_addr, v4mapped, 12);
			memcpy(u.in6.sin6_addr.s6_addr + 12, &v4, 4);
		}
		n = sizeof(u.in6);
	}
	if (out != NULL)
		memcpy(out, &u, *len < n ? *len : n);
	*len = n;
}

/**
 * The names of @p s from an ACCEPTED or CONNECTED event of worker @p w:
 * IPv4 from the event, or IPv6 from the EVT_ADDR6 that came just before
 * it on the same ring (naming the same handle).
 */
void
sock_addr_from_evt(struct chan *ch, uint32_t w, struct sock *s,
		   const struct dpt_embed_evt *ev)
{
	const struct dpt_embed_evt_addr6 *a = &ch->addr6[w];

	s->laddr = ev->laddr;
	s->raddr = ev->raddr;
	s->lport = ev->lport;
	s->rport = ev->rport;
	s->l6 = s->r6 = ev->af == AF_INET6 && a->type == DPT_EMBED_EVT_ADDR6 &&
			a->handle == ev->handle;
	if (s->l6) {
		memcpy(s->laddr6, a->laddr, 16);
		memcpy(s->raddr6, a->raddr, 16);
	}
}
