/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_svc_http.c: the http service's request parser,
 * dpt_svc_http_parse(), on the bytes a connection received. The requests
 * whose names say "fuzz" are what fuzz/fuzz_http found.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "dpt_svc.h"

#define MAX 8192

static struct dpt_svc_http_req r;

/* Parse @s as the service reads it (the first bytes up to the bound). */
static int
parse(const char *s, uint32_t max, uint64_t body)
{
	static char buf[MAX + 1];
	uint32_t total = (uint32_t)strlen(s);
	uint32_t len = total < max ? total : max;

	memcpy(buf, s, len);
	buf[len] = '\0';
	return dpt_svc_http_parse(buf, total, max, body, &r);
}

Test(svc_http, get_n_answers_n_bytes)
{
	cr_assert_eq(parse("GET /100 HTTP/1.1\r\nHost: x\r\n\r\n", MAX,
			   DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.reply_len, 100);
	cr_assert_eq(r.head_len, 30);
	cr_assert_eq(r.body_len, 0);
	cr_assert_eq(r.close, 0);
}

Test(svc_http, incomplete_head_waits)
{
	cr_assert_eq(parse("GET /100 HTTP/1.1\r\nHost:", MAX,
			   DPT_SVC_NO_BODY), 0);
}

Test(svc_http, head_past_the_bound_is_431)
{
	cr_assert_eq(parse("GET /1 HTTP/1.1\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaa"
			   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n", 64,
			   DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 431);
	cr_assert_eq(r.close, 1);
}

Test(svc_http, request_body_is_skipped)
{
	cr_assert_eq(parse("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel",
			   MAX, DPT_SVC_NO_BODY), 0);
	cr_assert_eq(parse("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
			   "GET /1 HTTP/1.1\r\n\r\n", MAX, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 501);
	cr_assert_eq(r.head_len, 39);
	cr_assert_eq(r.body_len, 5);
}

/* fuzz_http, crash-0c7ffea1: a Content-Length of 2^32 or more was cut to
 * 32 bits and head + body wrapped, so the request counted as complete
 * and fewer bytes than its head were consumed: the rest of the head was
 * read as the next request. */
Test(svc_http, fuzz_content_length_past_2_32_is_a_bad_request)
{
	cr_assert_eq(parse("GET  HTTP/1.\r\nConnection:   1.1\r\nContent-Length:"
			   " 888888888888888888888888888888888888888888888886"
			   "\r\n\r\nh", 4096, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 400);
	cr_assert_eq(r.close, 1);
	cr_assert_eq(r.body_len, 0);
	cr_assert_eq(parse("GET /1 HTTP/1.1\r\nContent-Length: 4294967296\r\n\r\n",
			   MAX, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 400);
	/* 2^32 - 1 is a length, too long for the bound */
	cr_assert_eq(parse("GET /1 HTTP/1.1\r\nContent-Length: 4294967295\r\n\r\n",
			   MAX, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 413);
}

Test(svc_http, content_length_not_digits_is_a_bad_request)
{
	static const char *const bad[] = {
		"GET /1 HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"GET /1 HTTP/1.1\r\nContent-Length: 5x\r\n\r\n",
		"GET /1 HTTP/1.1\r\nContent-Length: \r\n\r\n",
		"GET /1 HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse(bad[i], MAX, DPT_SVC_NO_BODY), 1, "%s",
			     bad[i]);
		cr_assert_eq(r.status, 400, "%s", bad[i]);
		cr_assert_eq(r.close, 1);
	}
	cr_assert_eq(parse("GET /1 HTTP/1.1\r\nContent-Length: 0 \r\n\r\n",
			   MAX, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 200);
}

/* The service stops reading at the bound: a body that ends past it would
 * never arrive, and the connection would wait for ever. */
Test(svc_http, body_past_the_bound_is_413)
{
	cr_assert_eq(parse("POST /x HTTP/1.1\r\nContent-Length: 100000\r\n\r\n",
			   MAX, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 413);
	cr_assert_eq(r.close, 1);
	cr_assert_eq(r.body_len, 0);
	cr_assert_eq(r.head_len, 44);
}

Test(svc_http, transfer_encoding_is_not_implemented)
{
	cr_assert_eq(parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			   "\r\n5\r\nhello\r\n0\r\n\r\n", MAX,
			   DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 501);
	cr_assert_eq(r.close, 1);
}

/* RFC 9112 2.2: a TLS ClientHello or an SSH banner to the HTTP port is
 * refused at once, not after a head that never comes. */
Test(svc_http, bytes_that_cannot_begin_a_request_get_400_at_once)
{
	cr_assert_eq(parse("\x16\x03\x01\x02\x00\x01", MAX, DPT_SVC_NO_BODY),
		     1);
	cr_assert_eq(r.status, 400);
	cr_assert_eq(r.close, 1);
	cr_assert_eq(parse("SSH-2.0-OpenSSH_9.2\r\n", MAX, DPT_SVC_NO_BODY), 1);
	cr_assert_eq(r.status, 400);
	/* empty lines first are ignored (2.2); a line not yet ended waits */
	cr_assert_eq(parse("\r\nGET /1 HTTP/1.1\r\nHo", MAX, DPT_SVC_NO_BODY),
		     0);
	cr_assert_eq(parse("GET /1 HT", MAX, DPT_SVC_NO_BODY), 0);
}
