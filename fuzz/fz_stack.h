/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fz_stack.h: what the libFuzzer targets of the stack share: EAL once per
 * process, a fresh lcore's stack per input (interface, neighbour cache,
 * TCP) with connections driven into any of the eleven states by a
 * modelled peer on a fake clock, and an interpreter that plays a fuzzed
 * input against it.
 *
 * The peer is 198.18.0.1 (MAC 02:00:00:00:00:01), resolved by ARP at the
 * start; we are 198.18.0.2/24 (and 2001:2::1/64), listening on port 80,
 * with UDP sockets on ports 7 (echo) and 9. Each "slot" is one of
 * the peer's endpoints: a 4-tuple with the peer's view of its sequence
 * numbers and timestamps, kept up to date from the segments we send, so a
 * fuzzed segment can be placed relative to what the connection expects.
 *
 * An input is a sequence of records (little-endian), each starting with a
 * kind byte (its low 3 bits):
 *
 *   0 FRAME  u16 len, u8 how, u8 split, then len bytes: a raw Ethernet
 *            frame. how bit 0: the PMD vouches for the IPv4 checksum,
 *            bit 1: for the L4 checksum, bit 2: a two-segment chain split
 *            at byte `split`.
 *   1 SEG    u8 slot, u8 flags, i16 seq delta, i16 ack delta, u16 window,
 *            u8 options, u16 payload length [, u8 n, n raw option bytes]:
 *            a segment from that slot with correct checksums; seq and ack
 *            are the slot's next sequence number and what it received
 *            from us, plus the deltas. options bit 0 MSS, 1 window scale,
 *            2 SACK-permitted, 3 timestamps, 4 SACK blocks (bits 5-6:
 *            how many, 1-4, around what we sent), 7 raw options instead.
 *   2 TICK   u16 ms: advance the clock, polling on the way.
 *   3 APP    u8 slot, u8 action, u16 arg: what the application does with
 *            the slot's connection (read, write arg bytes, shutdown,
 *            close, abort, no-delay (arg bit 0) and cork (bit 1),
 *            keepalive, stop or resume reading).
 *   4 OPEN   u16 port: an active open to the peer's port.
 *
 * A truncated record ends the input. Invariants checked after every
 * input (abort() if broken, so libFuzzer reports a crash): every mbuf of
 * every pool is back once the stack is freed.
 */
#ifndef FZ_STACK_H
#define FZ_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "dpt_tcp.h"

/** Slots the stack may hold (listeners' and active opens'). */
#define FZ_SLOTS 32

/** What fz_build() drives a slot's connection into: a state of enum
 * dpt_tcp_state, and whether its SYN carried Linux's options (MSS,
 * SACK-permitted, timestamps, window scale) or none. */
struct fz_want {
	enum dpt_tcp_state state;
	int opts;
	int inflight; /* ESTABLISHED: 8 KiB sent and not acknowledged */
};

/** libFuzzer's start: EAL (no hugepages, no PCI, no shared
 * configuration) and the pools, once per process, for every target that
 * links fz_stack. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/** A fresh stack with one slot per entry of @p w, each in its state
 * (abort() if the stack does not get there: a harness bug). */
void fz_begin(const struct fz_want *w, unsigned int n);

/** Play the records of @p data against the stack. */
void fz_play(const uint8_t *data, size_t len);

/** Run the clock on ten minutes (every timer fires), free the stack and
 * check that every mbuf came back. */
void fz_end(void);

#endif /* FZ_STACK_H */
