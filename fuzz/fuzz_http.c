/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_http.c: libFuzzer target, the http service's request parser
 * (dpt_svc_http_parse()).
 *
 * The input's first byte chooses the request bound (8192, the service's,
 * or a small one) and whether "GET /" has a body; the rest is what the
 * connection received. Besides memory errors, a result the service could
 * not act on is a find: a request that is complete must lie within what
 * was received, a status must be one the service answers with, and the
 * parser may wait for more only while the service still reads (below
 * the bound), else the connection would hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpt_svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const struct dpt_svc_http_req *r, uint32_t total,
     uint32_t max)
{
	fprintf(stderr, "fuzz: %s (received %u, bound %u: status %d, head %u, "
		"body %u, reply %" PRIu64 ")\n", what, total, max, r->status,
		r->head_len, r->body_len, r->reply_len);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t bounds[] = { 8192, 64, 512, 4096 };
	static char buf[8192 + 1];
	struct dpt_svc_http_req r;
	uint32_t total, max, len;
	uint64_t body;
	int done;

	if (size < 1 || size > 65536)
		return 0;
	max = bounds[data[0] & 3];
	body = (data[0] & 4) ? 100 : DPT_SVC_NO_BODY;
	total = (uint32_t)size - 1;
	/* as the service reads it: the first bytes up to the bound */
	len = total < max ? total : max;
	len = len < 8192 ? len : 8192;
	memcpy(buf, data + 1, len);
	buf[len] = '\0';
	done = dpt_svc_http_parse(buf, total, max, body, &r);
	if (done != 0 && done != 1)
		fail("result neither 0 nor 1", &r, total, max);
	if (!done) {
		if (total >= max)
			fail("waits for more past the bound", &r, total, max);
		return 0;
	}
	if (r.status != 200 && r.status != 400 && r.status != 404 &&
	    r.status != 431 && r.status != 501 && r.status != 413)
		fail("status the service does not answer", &r, total, max);
	if ((uint64_t)r.head_len + r.body_len > total)
		fail("complete request longer than what was received", &r,
		     total, max);
	if (r.head_len == 0)
		fail("complete request of no bytes", &r, total, max);
	if (r.status == 200 && r.reply_len >= (1ULL << 42))
		fail("reply too long", &r, total, max);
	if (r.status >= 400 && !r.close)
		fail("error without close", &r, total, max);
	return 0;
}
