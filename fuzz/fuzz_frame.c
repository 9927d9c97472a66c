/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_frame.c: libFuzzer target, frame input end to end.
 *
 * Each input meets a fresh stack that holds a listener and a connection in
 * every state of RFC 9293 (SYN-SENT through TIME-WAIT, with and without
 * Linux's SYN options, one with data in flight), and is played as records
 * (fz_stack.h): raw Ethernet frames through dpt_eth_input() (ARP, IPv4,
 * ICMP, TCP with options, anything else), segments placed in a slot's
 * sequence space, clock ticks that run timers and output, and what the
 * application does. Crashes, sanitizer reports and leaked mbufs are finds.
 */
#include <stddef.h>
#include <stdint.h>

#include "fz_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fz_want every_state[] = {
	{ DPT_TCP_CLOSED, 0, 0 },
	{ DPT_TCP_LISTEN, 0, 0 },
	{ DPT_TCP_SYN_SENT, 0, 0 },
	{ DPT_TCP_SYN_RECEIVED, 1, 0 },
	{ DPT_TCP_ESTABLISHED, 1, 0 },
	{ DPT_TCP_ESTABLISHED, 0, 0 },
	{ DPT_TCP_ESTABLISHED, 1, 1 },
	{ DPT_TCP_FIN_WAIT_1, 1, 0 },
	{ DPT_TCP_FIN_WAIT_2, 1, 0 },
	{ DPT_TCP_CLOSE_WAIT, 1, 0 },
	{ DPT_TCP_CLOSING, 1, 0 },
	{ DPT_TCP_LAST_ACK, 1, 0 },
	{ DPT_TCP_TIME_WAIT, 1, 0 },
	{ DPT_TCP_SYN_RECEIVED, 0, 0 },
	{ DPT_TCP_TIME_WAIT, 0, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_begin(every_state, sizeof(every_state) / sizeof(every_state[0]));
	fz_play(data, size);
	fz_end();
	return 0;
}
