/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tcp.c: libFuzzer target, TCP input on one connection in a chosen
 * state with a fake clock.
 *
 * The input's first byte chooses the state (mod 11: CLOSED is a port
 * nobody listens on, LISTEN the listener alone), bit 4 whether the
 * handshake carried Linux's SYN options (timestamps, SACK, window scale)
 * and bit 5, for ESTABLISHED, 8 KiB of our data in flight. The rest are
 * records (fz_stack.h), mostly segments of that connection placed around
 * the sequence numbers it expects, ticks and application calls.
 */
#include <stddef.h>
#include <stdint.h>

#include "fz_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_want w;

	if (size < 1)
		return 0;
	w.state = (enum dpt_tcp_state)(data[0] % DPT_TCP_NSTATES);
	w.opts = (data[0] >> 4) & 1;
	w.inflight = w.state == DPT_TCP_ESTABLISHED && ((data[0] >> 5) & 1);
	fz_begin(&w, 1);
	fz_play(data + 1, size - 1);
	fz_end();
	return 0;
}
