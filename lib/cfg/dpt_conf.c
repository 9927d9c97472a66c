/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_conf.c: the configuration schema and the code that applies a file to
 * it. The schema table below is the one source of truth for keys, types,
 * ranges, defaults and help text; the reference printed by
 * `dptcpd --help-config` and the checks on config/ and README.md derive
 * from it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "dpt_cfg_index.h"
#include "dpt_conf.h"
#include "dpt_net.h"

const char *const dpt_conf_idle_names[DPT_CONF_IDLE_COUNT + 1] = {
	[DPT_CONF_IDLE_POLL] = "poll",
	[DPT_CONF_IDLE_YIELD] = "yield",
	[DPT_CONF_IDLE_SLEEP] = "sleep",
};

enum ktype {
	T_STR,      /* text */
	T_U32,      /* decimal integer in [min, max] */
	T_BOOL,     /* yes/no, true/false, on/off, 1/0 */
	T_DURATION, /* integer with unit us|ms|s|min, stored as uint64_t us */
	T_IPV4,     /* dotted quad, stored host order */
	T_PREFIX,   /* A.B.C.D/N into {addr, prefix_len} */
	T_LCORES,   /* list "1,3-5" into struct dpt_conf_lcores */
	T_SIZE,     /* bytes, optional K/M/G (x1024), in [min, max], uint32 */
	T_ENUM,     /* one of names[], stored as its index, uint32 */
	T_FRACTION, /* a decimal in [0, 1], stored as double */
	T_SIZE64,   /* as T_SIZE, stored as uint64_t */
	T_OCTAL,    /* octal integer (file modes) in [min, max], uint32 */
	T_IPV6,     /* an IPv6 address, stored as struct dpt_in6 */
	T_PREFIX6,  /* A::B/N into {struct dpt_in6, uint32_t prefix_len} */
};

#define F_REQUIRED 1u
#define F_SERVICE 2u /* a key of every [service.NAME]: offsets are into
		      * struct dpt_svc_conf */

struct key_def {
	const char *section;
	const char *key;
	enum ktype type;
	size_t off;
	uint64_t min, max;
	const char *def; /* NULL: no default */
	unsigned int flags;
	const char *help;
	const char *const *names; /* T_ENUM */
	unsigned int only;        /* F_SERVICE: bits of the service types it
				   * applies to, 0 = all */
};

#define SVC_FAMILY "service.NAME" /* how the schema names the family */

#define PORT(f) offsetof(struct dpt_conf, port.f)
#define NIF(f) offsetof(struct dpt_conf, netif.f)
#define ARP(f) offsetof(struct dpt_conf, arp.f)
#define TCP(f) offsetof(struct dpt_conf, tcp.f)
#define IMP(f) offsetof(struct dpt_conf, impair.f)
#define SVC(f) offsetof(struct dpt_svc_conf, f)
#define EMB(f) offsetof(struct dpt_conf, embed.f)

/* T_PREFIX6 fills the address and the length right after it. */
_Static_assert(offsetof(struct dpt_netif_conf, prefix6_len) ==
	       offsetof(struct dpt_netif_conf, addr6) + sizeof(struct dpt_in6),
	       "[port0] address6's prefix length follows the address");

/* T_STR values are checked against DPT_CONF_VALUE_LEN, then copied. */
_Static_assert(sizeof(((struct dpt_conf *)0)->port.device) ==
	       DPT_CONF_VALUE_LEN, "[port0] device holds any value");
_Static_assert(sizeof(((struct dpt_conf *)0)->embed.path) ==
	       DPT_CONF_VALUE_LEN, "[embed] path holds any value");
_Static_assert(sizeof(((struct dpt_conf *)0)->embed.owner) ==
	       DPT_CONF_VALUE_LEN, "[embed] owner holds any value");

static const struct key_def schema[] = {
	{ "port0", "device", T_STR, PORT(device), 1, 0, NULL, F_REQUIRED,
	  "DPDK device: vdev arguments (net_tap0,iface=dpt0) or a PCI address "
	  "(0000:01:00.0)" },
	{ "port0", "address", T_PREFIX, NIF(addr), 1, 32, NULL, F_REQUIRED,
	  "our IPv4 address and on-link prefix, A.B.C.D/N" },
	{ "port0", "addresses", T_U32, NIF(n_addrs), 1, 65536, "1", 0,
	  "how many consecutive IPv4 addresses we own, from address on; all "
	  "must be host addresses of the prefix" },
	{ "port0", "gateway", T_IPV4, NIF(gateway), 0, 0, "0.0.0.0", 0,
	  "next hop for destinations off the prefix; 0.0.0.0 = none" },
	{ "port0", "address6", T_PREFIX6, NIF(addr6), 1, 128, "::/128", 0,
	  "our IPv6 address and on-link prefix, A::B/N; :: (the default) "
	  "leaves IPv6 off" },
	{ "port0", "addresses6", T_U32, NIF(n_addrs6), 1, 64, "1", 0,
	  "how many consecutive IPv6 addresses we own, from address6 on "
	  "(counted in the last 32 bits); each goes through duplicate "
	  "address detection" },
	{ "port0", "gateway6", T_IPV6, NIF(gateway6), 0, 0, "::", 0,
	  "IPv6 next hop for destinations off the prefix (on the prefix or "
	  "link-local); :: = none" },
	{ "port0", "mtu", T_U32, NIF(mtu), 576, 9600, "1500", 0,
	  "IP MTU in bytes" },
	{ "port0", "rx_desc", T_U32, PORT(rx_desc), 64, 16384, "1024", 0,
	  "RX descriptors per queue (the PMD may round)" },
	{ "port0", "tx_desc", T_U32, PORT(tx_desc), 64, 16384, "1024", 0,
	  "TX descriptors per queue (the PMD may round)" },
	{ "port0", "mbufs", T_U32, PORT(mbufs), 0, 1u << 30, "0", 0,
	  "mbufs in the packet pool; 0 = sized from descriptors, lcores and "
	  "queues" },
	{ "port0", "offloads", T_BOOL, PORT(offloads), 0, 1, "yes", 0,
	  "use the checksum offloads the PMD offers" },
	{ "port0", "checksum", T_ENUM, PORT(checksum), 0, 0, "auto", 0,
	  "auto: IPv4/TCP/UDP checksums by the PMD's offloads where it has "
	  "them, in software otherwise; none: neither computed (sent as 0) "
	  "nor verified, as Linux's loopback, only for net_memif and net_ring "
	  "(shared memory between processes of one host; both ends must say "
	  "none)", dpt_port_cksum_names },
	{ "port0", "rss", T_BOOL, PORT(rss), 0, 1, "yes", 0,
	  "symmetric RSS: each worker reads its own RX queue where the PMD "
	  "spreads flows by a key and table dptcp programs; otherwise (or "
	  "no) the first worker reads every queue and a software dispatcher "
	  "passes each flow to its worker" },
	{ "lcores", "workers", T_LCORES, offsetof(struct dpt_conf, lcores), 0,
	  RTE_MAX_LCORE - 1, NULL, 0,
	  "worker lcores, e.g. 1 or 1,3-4; default: every EAL lcore but the "
	  "main one (the main lcore itself when it is the only one)" },
	{ "lcores", "shutdown_timeout", T_DURATION,
	  offsetof(struct dpt_conf, lcores.shutdown_timeout_us), 0,
	  3600000000ULL, "5s", 0, "on SIGTERM or SIGINT, how long the "
	  "workers let connections finish (listeners closed, FIN after the "
	  "data) before they reset the rest and dptcpd exits" },
	{ "lcores", "service_states", T_U32,
	  offsetof(struct dpt_conf, lcores.service_states), 0, 1u << 26, "0",
	  0, "service connections per worker at once that hold state (48 "
	  "bytes each: chargen and source always, http while a request is "
	  "under way; echo, discard, sink and idle http hold none; 0: "
	  "max_conns / 4, at least 64); past it chargen and source refuse "
	  "and http resets (svc_nostate)" },
	{ "lcores", "idle", T_ENUM, offsetof(struct dpt_conf, lcores.idle),
	  0, 0, "poll", 0, "what a worker does when its loop finds nothing "
	  "to do (no frame in, no client command, no frame out): poll (at "
	  "once, again: a core of its own), yield (sched_yield() after "
	  "idle_spins empty iterations: a core it shares with the programs "
	  "it serves, which then run at once) or sleep (idle_sleep after "
	  "idle_spins); counted in idle_yields", dpt_conf_idle_names },
	{ "lcores", "idle_spins", T_U32,
	  offsetof(struct dpt_conf, lcores.idle_spins), 0, 1u << 30, "64", 0,
	  "idle = yield or sleep: empty iterations in a row before the "
	  "worker yields or sleeps (then again after each)" },
	{ "lcores", "idle_sleep", T_DURATION,
	  offsetof(struct dpt_conf, lcores.idle_sleep_us), 1, 1000000, "20us",
	  0, "idle = sleep: how long the worker sleeps (timer slack 1 us)" },
	{ "arp", "entries", T_U32, ARP(entries), 16, 1u << 20, "1024", 0,
	  "neighbour cache entries per lcore" },
	{ "arp", "queue", T_U32, ARP(queue), 0, 1u << 16, "256", 0,
	  "packets held per lcore while their next hop is being resolved" },
	{ "arp", "reachable", T_DURATION, ARP(reachable_us), 1000, 3600000000,
	  "30s", 0, "how long an ARP answer is trusted before re-probing" },
	{ "arp", "retrans", T_DURATION, ARP(retrans_us), 10000, 60000000,
	  "1s", 0, "interval between ARP requests for an unanswered address" },
	{ "arp", "probes", T_U32, ARP(probes), 1, 30, "3", 0,
	  "ARP requests sent before queued packets are dropped" },
	{ "arp", "gc", T_DURATION, ARP(gc_us), 1000000, 86400000000ULL,
	  "300s", 0, "unused entries are removed this long after their "
	  "last confirmation" },
	{ "ip", "ttl", T_U32, NIF(ttl), 1, 255, "64", 0,
	  "TTL of the packets dptcp originates" },
	{ "ip", "icmp_rate", T_U32, NIF(icmp_rate), 0, 1000000, "1000", 0,
	  "ICMP error messages per second per lcore (RFC 1812 4.3.2.8); "
	  "0 = never send" },
	{ "ip", "icmp_burst", T_U32, NIF(icmp_burst), 1, 100000, "50", 0,
	  "ICMP error burst allowance" },
	{ "ip", "reass_datagrams", T_U32, NIF(frag.datagrams), 0, 1u << 16,
	  "64", 0, "IPv4 datagrams in reassembly at once per worker; past "
	  "it, fragments of new ones are dropped; 0 = no reassembly" },
	{ "ip", "reass_mbufs", T_U32, NIF(frag.mbufs), 16, 1u << 20, "1024",
	  0, "fragments (mbufs) reassembly holds per worker, all datagrams; "
	  "the packet pool grows by as many" },
	{ "ip", "reass_timeout", T_DURATION, NIF(frag.timeout_us), 10000,
	  120000000, "30s", 0, "a datagram's fragments wait at most this "
	  "from the first one's arrival (RFC 1122 3.3.2), then are freed" },
	{ "ip", "reass_max_size", T_U32, NIF(frag.max_size), 576, 65535,
	  "65535", 0, "largest datagram reassembled, bytes of total length; "
	  "fragments that would pass it are dropped" },
	{ "ip", "reass_min_frag", T_U32, NIF(frag.min_frag), 128, 8192,
	  "256", 0, "least payload of a fragment other than the last; "
	  "smaller ones are dropped (each mbuf held must carry this much)" },
	{ "ip", "pmtu_min", T_U32, NIF(pmtu.min), 128, 9600, "552", 0,
	  "lowest path MTU an ICMP fragmentation-needed can set (RFC 1191); "
	  "a lower one sets this, and that path's TCP segments leave without "
	  "DF" },
	{ "ip", "pmtu_age", T_DURATION, NIF(pmtu.age_us), 1000000,
	  86400000000ULL, "10min", 0, "a lowered path MTU is forgotten (back "
	  "to the interface's) this long after it was learnt (RFC 1191 6.3)" },
	{ "ip", "pmtu_entries", T_U32, NIF(pmtu.entries), 8, 1u << 20, "1024",
	  0, "destinations whose path MTU is remembered per worker; a full "
	  "set forgets the entry nearest its age" },
	{ "ip", "hop_limit", T_U32, NIF(hop_limit), 1, 255, "64", 0,
	  "hop limit of the IPv6 packets dptcp originates (ND's are 255)" },
	{ "ip", "dad_transmits", T_U32, NIF(dad_transmits), 0, 10, "1", 0,
	  "duplicate address detection probes per IPv6 address at start "
	  "(RFC 4862 DupAddrDetectTransmits), [arp] retrans apart; the "
	  "addresses are usable that long after the last; 0 = no DAD" },
	{ "tcp", "max_conns", T_U32, TCP(max_conns), 16, 1u << 26, "16384", 0,
	  "control blocks per worker lcore (all states, TIME-WAIT included); "
	  "sizes the connection table" },
	{ "tcp", "max_conns6", T_U32, TCP(max_conns6), 0, 1u << 26, "0", 0,
	  "IPv6 connections per worker lcore, of max_conns (their own table "
	  "of IPv6 4-tuples, ~130 bytes a slot; IPv4 connections take none "
	  "of it); 0: max_conns / 4, at least 64, when [port0] has an IPv6 "
	  "address, else none; past it an IPv6 SYN is refused by RST "
	  "(tcp_drop_no_tcb)" },
	{ "tcp", "rcvbuf", T_SIZE, TCP(rcvbuf), 4096, 1u << 30, "256K", 0,
	  "receive buffer per connection, bytes: the most the window "
	  "advertises" },
	{ "tcp", "sndbuf", T_SIZE, TCP(sndbuf), 4096, 1u << 30, "1M", 0,
	  "send buffer per connection, bytes: queued and unacknowledged data" },
	{ "tcp", "msl", T_DURATION, TCP(msl_us), 1000, 600000000, "30s", 0,
	  "maximum segment lifetime; TIME-WAIT lasts twice this" },
	{ "tcp", "rto_init", T_DURATION, TCP(rto_init_us), 10000, 60000000,
	  "1s", 0, "retransmission timeout before an RTT is measured "
	  "(RFC 6298 2.1)" },
	{ "tcp", "rto_min", T_DURATION, TCP(rto_min_us), 1000, 60000000,
	  "200ms", 0, "lower bound of the retransmission timeout" },
	{ "tcp", "rto_max", T_DURATION, TCP(rto_max_us), 100000, 600000000,
	  "60s", 0, "upper bound of the retransmission timeout" },
	{ "tcp", "delack", T_DURATION, TCP(delack_us), 1000, 500000, "40ms", 0,
	  "delayed-ACK timeout (an ACK goes out at once for every second "
	  "full-sized segment)" },
	{ "tcp", "cc", T_ENUM, TCP(cc), 0, 0, "cubic", 0,
	  "default congestion control: newreno (RFC 5681, 6582) or cubic "
	  "(RFC 9438)", dpt_tcp_cc_names },
	{ "tcp", "syn_backlog", T_U32, TCP(syn_backlog), 1, 1u << 24, "1024",
	  0, "half-open (SYN-RECEIVED) connections per listener per lcore; "
	  "past it, SYN cookies" },
	{ "tcp", "syncookies", T_BOOL, TCP(syncookies), 0, 1, "yes", 0,
	  "answer SYNs past syn_backlog with SYN cookies (no: drop them)" },
	{ "tcp", "syn_budget", T_U32, TCP(syn_budget), 1, 256, "8", 0,
	  "SYNs and TCP segments for no connection a worker handles per "
	  "loop iteration, after the segments of connections (a quarter, "
	  "at least 1, while RX has a backlog); more wait in a queue of "
	  "1024, past which they are dropped unparsed "
	  "(rx_drop_syn_budget, rx_drop_late_budget): a flood cannot "
	  "crowd out the segments of established connections" },
	{ "tcp", "synack_rate", T_U32, TCP(synack_rate), 0, 1u << 30, "0", 0,
	  "SYN-ACKs carrying a SYN cookie per second per worker (a token "
	  "bucket, a tenth of a second deep); 0 = no limit" },
	{ "tcp", "rst_rate", T_U32, TCP(rst_rate), 0, 1u << 30, "0", 0,
	  "RSTs answering segments that have no connection, per second per "
	  "worker (a token bucket, a tenth of a second deep); 0 = no limit" },
	{ "tcp", "synack_dup_interval", T_DURATION, TCP(synack_dup_us), 0,
	  60000000, "500ms", 0, "a duplicate SYN for a half-open connection "
	  "gets its SYN-ACK again at most once in this interval (0: every "
	  "time); more are dropped (tcp_drop_syn_dup)" },
	{ "tcp", "max_timewait", T_U32, TCP(max_timewait), 0, 1u << 26,
	  "8192", 0, "TIME-WAIT connections per lcore; past it, a closing "
	  "connection skips TIME-WAIT (counted)" },
	{ "tcp", "init_cwnd", T_U32, TCP(init_cwnd), 1, 10, "10", 0,
	  "initial congestion window, segments, within RFC 6928's bound "
	  "min(10 MSS, max(2 MSS, 14600 bytes))" },
	{ "tcp", "syn_retries", T_U32, TCP(syn_retries), 1, 20, "6", 0,
	  "SYN retransmissions before an active open fails" },
	{ "tcp", "synack_retries", T_U32, TCP(synack_retries), 1, 20, "5", 0,
	  "SYN-ACK retransmissions before a half-open connection is dropped" },
	{ "tcp", "retries", T_U32, TCP(retries), 3, 30, "15", 0,
	  "retransmissions of a segment before the connection is reset "
	  "(RFC 1122 4.2.3.5 R2)" },
	{ "tcp", "fin_timeout", T_DURATION, TCP(fin_timeout_us), 1000,
	  3600000000ULL, "60s", 0, "how long a closed connection waits in "
	  "FIN-WAIT-2 for the peer's FIN" },
	{ "tcp", "persist_timeout", T_DURATION, TCP(persist_timeout_us), 0,
	  86400000000ULL, "120s", 0, "a connection whose peer's window stays "
	  "shut this long with no data taken is reset (RFC 6429); 0 = never" },
	{ "tcp", "keepalive_idle", T_DURATION, TCP(ka_idle_us), 1000000,
	  86400000000ULL, "7200s", 0, "idle time before the first keepalive "
	  "probe (RFC 1122 4.2.3.6: at least two hours by default)" },
	{ "tcp", "keepalive_intvl", T_DURATION, TCP(ka_intvl_us), 100000,
	  3600000000ULL, "75s", 0, "interval between keepalive probes" },
	{ "tcp", "keepalive_probes", T_U32, TCP(ka_probes), 1, 100, "9", 0,
	  "unanswered keepalive probes before the connection is reset" },
	{ "tcp", "timestamps", T_BOOL, TCP(timestamps), 0, 1, "yes", 0,
	  "offer timestamps (RFC 7323: RTT measurement, PAWS)" },
	{ "tcp", "sack", T_BOOL, TCP(sack), 0, 1, "yes", 0,
	  "offer selective acknowledgments (RFC 2018, RFC 6675)" },
	{ "tcp", "window_scaling", T_BOOL, TCP(window_scaling), 0, 1, "yes", 0,
	  "offer window scaling (RFC 7323)" },
	{ "tcp", "ooo_max", T_U32, TCP(ooo_max), 0, 65535, "512", 0,
	  "out-of-order segments held per connection (bytes are bounded by "
	  "the window anyway); more are dropped" },
	{ "tcp", "loss_states", T_U32, TCP(loss_states), 0, 1u << 26, "0", 0,
	  "connections per worker at once holding out-of-order data or a "
	  "SACK scoreboard (64 bytes each, idle connections hold none; 0: "
	  "max_conns / 8, at least 64); past it out-of-order segments are "
	  "dropped (tcp_drop_ooo_nostate) and SACK blocks ignored "
	  "(tcp_sack_nostate)" },
	{ "tcp", "challenge_acks", T_U32, TCP(challenge_acks), 1, 100000,
	  "10", 0, "RFC 5961 challenge ACKs per second per connection" },
	{ "tcp", "nodelay", T_BOOL, TCP(nodelay), 0, 1, "no", 0,
	  "new connections disable Nagle's algorithm (TCP_NODELAY)" },
	{ "embed", "enabled", T_BOOL, EMB(enabled), 0, 1, "yes", 0,
	  "serve embedding clients (programs linking the client library) on "
	  "a Unix socket; dptcp-gen never does" },
	{ "embed", "path", T_STR, EMB(path), 0, 0, "", 0,
	  "the clients' socket; empty = dptcp.sock in EAL's runtime "
	  "directory (/var/run/dpdk/<file-prefix>/dptcp.sock as root)" },
	{ "embed", "mode", T_OCTAL, EMB(mode), 0, 0777, "0660", 0,
	  "permissions of the socket, octal: who may attach" },
	{ "embed", "owner", T_STR, EMB(owner), 0, 0, "", 0,
	  "user[:group] the socket is given; empty = dptcpd's" },
	{ "embed", "max_clients", T_U32, EMB(max_clients), 1, 1024, "64", 0,
	  "clients attached at once; one more is refused (EBUSY)" },
	{ "embed", "ring_slots", T_U32, EMB(ring_slots), 64, 1u << 16,
	  "1024", 0, "slots of each command and event ring (a power of 2); "
	  "each client has a pair per worker" },
	{ "embed", "tx_bufs", T_U32, EMB(tx_bufs), 1, 1u << 16, "512", 0,
	  "transmit buffers per client, in its channel (only it and dptcpd "
	  "map them)" },
	{ "embed", "tx_buf_size", T_SIZE, EMB(tx_buf_size), 1024, 61440,
	  "16K", 0, "bytes of each transmit buffer" },
	{ "impair", "rx_drop", T_FRACTION, IMP(rx.drop), 0, 0, "0", 0,
	  "fraction of received frames dropped" },
	{ "impair", "rx_reorder", T_FRACTION, IMP(rx.reorder), 0, 0, "0", 0,
	  "fraction of received frames delivered after the next one" },
	{ "impair", "rx_dup", T_FRACTION, IMP(rx.dup), 0, 0, "0", 0,
	  "fraction of received frames delivered twice" },
	{ "impair", "rx_corrupt", T_FRACTION, IMP(rx.corrupt), 0, 0, "0", 0,
	  "fraction of received frames with one bit flipped" },
	{ "impair", "rx_delay", T_DURATION, IMP(rx.delay_us), 0, 10000000,
	  "0us", 0, "every received frame is held this long" },
	{ "impair", "tx_drop", T_FRACTION, IMP(tx.drop), 0, 0, "0", 0,
	  "fraction of sent frames dropped" },
	{ "impair", "tx_reorder", T_FRACTION, IMP(tx.reorder), 0, 0, "0", 0,
	  "fraction of sent frames sent after the next one" },
	{ "impair", "tx_dup", T_FRACTION, IMP(tx.dup), 0, 0, "0", 0,
	  "fraction of sent frames sent twice" },
	{ "impair", "tx_corrupt", T_FRACTION, IMP(tx.corrupt), 0, 0, "0", 0,
	  "fraction of sent frames with one bit flipped (on a copy: queued "
	  "data stays intact)" },
	{ "impair", "tx_delay", T_DURATION, IMP(tx.delay_us), 0, 10000000,
	  "0us", 0, "every sent frame is held this long" },
	{ "impair", "seed", T_U32, IMP(seed), 0, UINT32_MAX, "1", 0,
	  "seed of the impairment's random choices (worker i uses seed + i)" },
	{ "impair", "queue", T_U32, IMP(queue), 16, 1u << 20, "8192", 0,
	  "frames held for delay or reordering per direction per worker; "
	  "past it, frames are dropped and counted" },
	{ SVC_FAMILY, "type", T_ENUM, SVC(type), 0, 0, NULL,
	  F_SERVICE | F_REQUIRED, "the service: echo (RFC 862), discard "
	  "(RFC 863), chargen (RFC 864), http, sink (reads and counts), "
	  "source (sends a pattern, then closes)", dpt_svc_type_names },
	{ SVC_FAMILY, "port", T_U32, SVC(port), 1, 65535, NULL,
	  F_SERVICE | F_REQUIRED, "port it listens on (TCP) or is bound to "
	  "(UDP); one service per port and protocol" },
	{ SVC_FAMILY, "proto", T_ENUM, SVC(proto), 0, 0, "tcp", F_SERVICE,
	  "tcp or udp; over udp, echo answers each datagram with its data "
	  "(RFC 862) and discard drops it (RFC 863): no other type",
	  dpt_svc_proto_names },
	{ SVC_FAMILY, "body", T_SIZE64, SVC(body), 0, (1ULL << 42) - 1, NULL,
	  F_SERVICE, "http: body bytes answered to 'GET /' (no number); "
	  "unset, 'GET /' is 404", NULL, 1u << DPT_SVC_HTTP },
	{ SVC_FAMILY, "bytes", T_SIZE64, SVC(bytes), 0, (1ULL << 50), "0",
	  F_SERVICE, "source: bytes sent on each connection before it "
	  "closes; 0 = until the peer closes", NULL,
	  1u << DPT_SVC_SOURCE },
	{ SVC_FAMILY, "header_timeout", T_DURATION, SVC(header_timeout_us), 0,
	  3600000000ULL, "10s", F_SERVICE, "http: a request head must be "
	  "complete this long after its first byte, else 408 and close "
	  "(slow clients, slowloris); 0 = no limit", NULL,
	  1u << DPT_SVC_HTTP },
	{ SVC_FAMILY, "idle_timeout", T_DURATION, SVC(idle_timeout_us), 0,
	  86400000000ULL, "60s", F_SERVICE, "http: a connection with no "
	  "request under way (kept alive, or never sent one) is closed "
	  "after this; 0 = never", NULL, 1u << DPT_SVC_HTTP },
};

/* EAL options accepted in [eal]: the name, whether it takes a value, and
 * whether it may repeat. Anything else is refused with its line. */
struct eal_opt {
	const char *name;
	int arg;
	int multi;
};

static const struct eal_opt eal_opts[] = {
	{ "l", 1, 0 }, { "lcores", 1, 0 }, { "c", 1, 0 },
	{ "main-lcore", 1, 0 }, { "m", 1, 0 }, { "socket-mem", 1, 0 },
	{ "socket-limit", 1, 0 }, { "n", 1, 0 }, { "r", 1, 0 },
	{ "a", 1, 1 }, { "allow", 1, 1 }, { "b", 1, 1 }, { "block", 1, 1 },
	{ "vdev", 1, 1 }, { "d", 1, 1 }, { "file-prefix", 1, 0 },
	{ "proc-type", 1, 0 }, { "iova-mode", 1, 0 }, { "log-level", 1, 1 },
	{ "huge-dir", 1, 0 }, { "base-virtaddr", 1, 0 }, { "syslog", 1, 0 },
	{ "mbuf-pool-ops-name", 1, 0 }, { "force-max-simd-bitwidth", 1, 0 },
	{ "vfio-intr", 1, 0 }, { "vfio-vf-token", 1, 0 },
	{ "no-huge", 0, 0 }, { "no-pci", 0, 0 }, { "no-shconf", 0, 0 },
	{ "in-memory", 0, 0 }, { "single-file-segments", 0, 0 },
	{ "legacy-mem", 0, 0 }, { "no-telemetry", 0, 0 },
	{ "huge-unlink", 0, 0 }, { "match-allocations", 0, 0 },
	{ "no-hpet", 0, 0 }, { "vmware-tsc-map", 0, 0 },
};

static const char *const sections[] = { "eal", "port0", "lcores", "arp",
					"ip", "tcp", "embed", "impair" };

/* The default services, when no [service.*] section is given: as if
 * each had its section with type and port (the rest the family's
 * defaults). */
static const struct {
	const char *section;
	enum dpt_svc_type type;
	uint32_t port;
	enum dpt_svc_proto proto;
} default_svcs[] = {
	{ DPT_CONF_SVC_PREFIX "echo", DPT_SVC_ECHO, 7, DPT_SVC_TCP },
	{ DPT_CONF_SVC_PREFIX "discard", DPT_SVC_DISCARD, 9, DPT_SVC_TCP },
	{ DPT_CONF_SVC_PREFIX "chargen", DPT_SVC_CHARGEN, 19, DPT_SVC_TCP },
	{ DPT_CONF_SVC_PREFIX "http", DPT_SVC_HTTP, 80, DPT_SVC_TCP },
	{ DPT_CONF_SVC_PREFIX "udp-echo", DPT_SVC_ECHO, 7, DPT_SVC_UDP },
	{ DPT_CONF_SVC_PREFIX "udp-discard", DPT_SVC_DISCARD, 9, DPT_SVC_UDP },
};

/* ---- value parsers: 0, or -EINVAL with a reason in why ---------------- */

static int
parse_u64(const char *s, uint64_t *v, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno != 0)
		return -EINVAL;
	*end = e;
	return 0;
}

static int
parse_bool(const char *s, uint32_t *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (unsigned int i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static int
parse_duration(const char *s, uint64_t *us)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
		{ "min", 60000000 },
	};
	const char *e;
	uint64_t n;

	if (parse_u64(s, &n, &e) != 0)
		return -EINVAL;
	while (isspace((unsigned char)*e))
		e++;
	for (unsigned int i = 0; i < RTE_DIM(units); i++)
		if (strcmp(e, units[i].unit) == 0) {
			if (n > UINT64_MAX / units[i].mult)
				return -EINVAL;
			*us = n * units[i].mult;
			return 0;
		}
	return -EINVAL;
}

static int
parse_size(const char *s, uint64_t *v)
{
	const char *e;
	uint64_t mult = 1;

	if (parse_u64(s, v, &e) != 0)
		return -EINVAL;
	if (*e == 'K' || *e == 'k')
		mult = 1ULL << 10;
	else if (*e == 'M' || *e == 'm')
		mult = 1ULL << 20;
	else if (*e == 'G' || *e == 'g')
		mult = 1ULL << 30;
	if (mult != 1)
		e++;
	if (*e != '\0' || *v > UINT64_MAX / mult)
		return -EINVAL;
	*v *= mult;
	return 0;
}

static int
parse_enum(const char *s, const char *const *names, uint32_t *v)
{
	for (uint32_t i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*v = i;
			return 0;
		}
	return -EINVAL;
}

static int
parse_fraction(const char *s, double *v)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	*v = strtod(s, &e);
	return *e == '\0' && *v >= 0.0 && *v <= 1.0 ? 0 : -EINVAL;
}

static int
parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr = ntohl(a.s_addr);
	return 0;
}

static int
parse_ipv6(const char *s, struct dpt_in6 *addr)
{
	return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -EINVAL;
}

/* "A::B/N" (N 1..128) into the address and, right after it, N. */
static int
parse_prefix6(const char *s, void *field)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/'), *e;
	struct dpt_in6 a;
	uint32_t len;
	uint64_t n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (parse_ipv6(buf, &a) != 0 || parse_u64(slash + 1, &n, &e) != 0 ||
	    *e != '\0' || n < 1 || n > 128)
		return -EINVAL;
	len = (uint32_t)n;
	memcpy(field, &a, sizeof(a));
	memcpy((char *)field + sizeof(a), &len, sizeof(len));
	return 0;
}

static int
parse_prefix(const char *s, uint32_t *addr, uint32_t *len)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/'), *e;
	uint64_t n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (parse_ipv4(buf, addr) != 0 || parse_u64(slash + 1, &n, &e) != 0 ||
	    *e != '\0' || n < 1 || n > 32)
		return -EINVAL;
	*len = (uint32_t)n;
	return 0;
}

/* "1,3-5" -> the list; refuses duplicates and ids past max. */
static int
parse_lcores(const char *s, struct dpt_conf_lcores *lc, uint64_t max)
{
	uint64_t lo, hi;
	const char *e;

	lc->n_workers = 0;
	for (;;) {
		if (parse_u64(s, &lo, &e) != 0)
			return -EINVAL;
		hi = lo;
		if (*e == '-' && parse_u64(e + 1, &hi, &e) != 0)
			return -EINVAL;
		if (hi < lo || hi > max)
			return -EINVAL;
		for (uint64_t id = lo; id <= hi; id++) {
			for (uint32_t i = 0; i < lc->n_workers; i++)
				if (lc->workers[i] == id)
					return -EINVAL;
			if (lc->n_workers >= DPT_CONF_MAX_WORKERS)
				return -EINVAL;
			lc->workers[lc->n_workers++] = (uint32_t)id;
		}
		if (*e == '\0')
			return 0;
		if (*e != ',')
			return -EINVAL;
		s = e + 1;
	}
}

static const char *
type_hint(const struct key_def *d, char *buf, size_t len)
{
	switch (d->type) {
	case T_STR:
		return "text";
	case T_U32:
		snprintf(buf, len, "an integer from %" PRIu64 " to %" PRIu64,
			 d->min, d->max);
		return buf;
	case T_BOOL:
		return "yes or no";
	case T_DURATION:
		snprintf(buf, len, "a duration from %" PRIu64 "us to %" PRIu64
			 "us, with a unit: us, ms, s or min", d->min, d->max);
		return buf;
	case T_IPV4:
		return "an IPv4 address A.B.C.D";
	case T_PREFIX:
		return "an IPv4 address and prefix length, A.B.C.D/N";
	case T_IPV6:
		return "an IPv6 address such as 2001:2::1";
	case T_PREFIX6:
		return "an IPv6 address and prefix length, such as 2001:2::1/64";
	case T_LCORES:
		return "a list of distinct lcore ids such as 1 or 1,3-4";
	case T_SIZE:
	case T_SIZE64:
		snprintf(buf, len, "a size from %" PRIu64 " to %" PRIu64
			 " bytes (suffix K, M or G allowed)", d->min, d->max);
		return buf;
	case T_FRACTION:
		return "a fraction from 0 to 1, such as 0.01";
	case T_OCTAL:
		snprintf(buf, len, "an octal integer from 0 to 0%" PRIo64,
			 d->max);
		return buf;
	case T_ENUM: {
		size_t o = (size_t)snprintf(buf, len, "one of");

		for (unsigned int i = 0; d->names[i] != NULL && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s %s",
					      i ? "," : "", d->names[i]);
		return buf;
	}
	}
	return "?";
}

/* Parse text into the field the schema entry names; @p base is the
 * struct dpt_conf, or the struct dpt_svc_conf for F_SERVICE keys. */
static int
apply_value(void *base, const struct key_def *d, const char *v)
{
	void *field = (char *)base + d->off;
	uint64_t n;
	const char *e;

	switch (d->type) {
	case T_STR:
		if (strlen(v) >= DPT_CONF_VALUE_LEN)
			return -EINVAL;
		strcpy(field, v);
		return 0;
	case T_U32:
		if (parse_u64(v, &n, &e) != 0 || *e != '\0' || n < d->min ||
		    n > d->max)
			return -EINVAL;
		*(uint32_t *)field = (uint32_t)n;
		return 0;
	case T_BOOL:
		return parse_bool(v, field);
	case T_DURATION:
		if (parse_duration(v, &n) != 0 || n < d->min || n > d->max)
			return -EINVAL;
		*(uint64_t *)field = n;
		return 0;
	case T_IPV4:
		return parse_ipv4(v, field);
	case T_PREFIX:
		return parse_prefix(v, field, (uint32_t *)field + 1);
	case T_IPV6:
		return parse_ipv6(v, field);
	case T_PREFIX6:
		return parse_prefix6(v, field);
	case T_LCORES:
		return parse_lcores(v, field, d->max);
	case T_SIZE:
		if (parse_size(v, &n) != 0 || n < d->min || n > d->max)
			return -EINVAL;
		*(uint32_t *)field = (uint32_t)n;
		return 0;
	case T_SIZE64:
		if (parse_size(v, &n) != 0 || n < d->min || n > d->max)
			return -EINVAL;
		*(uint64_t *)field = n;
		return 0;
	case T_ENUM:
		return parse_enum(v, d->names, field);
	case T_FRACTION:
		return parse_fraction(v, field);
	case T_OCTAL: {
		char *oe;

		if (*v < '0' || *v > '7')
			return -EINVAL;
		errno = 0;
		n = strtoull(v, &oe, 8);
		if (errno != 0 || *oe != '\0' || n < d->min || n > d->max)
			return -EINVAL;
		*(uint32_t *)field = (uint32_t)n;
		return 0;
	}
	}
	return -EINVAL;
}

/* "service.NAME" with a NAME of letters, digits, '_' and '-'. */
static int
is_svc_section(const char *s)
{
	size_t n = strlen(DPT_CONF_SVC_PREFIX);

	if (strncmp(s, DPT_CONF_SVC_PREFIX, n) != 0 || s[n] == '\0')
		return 0;
	for (s += n; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static const struct key_def *
find_key(const char *section, const char *key)
{
	if (is_svc_section(section))
		section = SVC_FAMILY;
	for (unsigned int i = 0; i < RTE_DIM(schema); i++)
		if (strcmp(schema[i].section, section) == 0 &&
		    strcmp(schema[i].key, key) == 0)
			return &schema[i];
	return NULL;
}

static const struct eal_opt *
find_eal(const char *key)
{
	for (unsigned int i = 0; i < RTE_DIM(eal_opts); i++)
		if (strcmp(eal_opts[i].name, key) == 0)
			return &eal_opts[i];
	return NULL;
}

static int
known_section(const char *s)
{
	for (unsigned int i = 0; i < RTE_DIM(sections); i++)
		if (strcmp(sections[i], s) == 0)
			return 1;
	return is_svc_section(s);
}

/* "NAME:LINE: " or "NAME: " or "command line: " */
static void
where_prefix(const struct dpt_conf *conf, int line, char *buf, size_t len)
{
	if (line > 0)
		snprintf(buf, len, "%s:%d: ", conf->file, line);
	else if (line == 0)
		snprintf(buf, len, "command line: ");
	else
		snprintf(buf, len, "%s: ", conf->file);
}

static int
errf(struct dpt_conf_err *err, const struct dpt_conf *conf, int line,
     const char *section, const char *key, const char *fmt, const char *a)
{
	char pre[sizeof(conf->file) + 16], what[DPT_CONF_VALUE_LEN + 200];

	where_prefix(conf, line, pre, sizeof(pre));
	snprintf(what, sizeof(what), fmt, a);
	/* Truncation is acceptable: the start says where, which matters most. */
	snprintf(err->msg, sizeof(err->msg), "%.*s[%.*s]%s%.*s: %.*s",
		 (int)sizeof(pre), pre, DPT_CONF_NAME_LEN, section,
		 key[0] ? " " : "", DPT_CONF_NAME_LEN, key, 200, what);
	return -EINVAL;
}

static int
key_present(const struct dpt_conf *conf, const char *section, const char *key)
{
	for (uint32_t i = 0; i < conf->n_lines; i++)
		if (strcmp(conf->lines[i].section, section) == 0 &&
		    strcmp(conf->lines[i].key, key) == 0)
			return conf->lines[i].line;
	return -1;
}

static int
line_of(const struct dpt_conf *conf, const char *section, const char *key)
{
	int l = key_present(conf, section, key);

	return l > 0 ? l : key_present(conf, section, "");
}

static int
set_eal(struct dpt_conf *conf, const char *key, const char *value, int line,
	struct dpt_conf_err *err)
{
	const struct eal_opt *o = find_eal(key);
	uint32_t on;

	if (o == NULL)
		return errf(err, conf, line, "eal", key,
			    "unknown EAL option%s (see dpdk-testpmd -h)", "");
	for (uint32_t i = 0; !o->multi && i < conf->n_eal; i++) {
		char m[64];

		if (strcmp(conf->eal[i].key, key) != 0)
			continue;
		if (line == 0) {
			/* --set replaces what the file said. */
			conf->n_eal--;
			memmove(&conf->eal[i], &conf->eal[i + 1],
				sizeof(conf->eal[0]) * (conf->n_eal - i));
			break;
		}
		snprintf(m, sizeof(m), "set twice (first on line %d)",
			 line_of(conf, "eal", key));
		return errf(err, conf, line, "eal", key, "%s", m);
	}
	if (!o->arg) {
		if (parse_bool(value, &on) != 0)
			return errf(err, conf, line, "eal", key,
				    "'%s' is not yes or no", value);
		if (!on)
			return 0;
		value = "";
	}
	if (conf->n_eal >= DPT_CONF_MAX_EAL)
		return errf(err, conf, line, "eal", key, "too many EAL options%s",
			    "");
	snprintf(conf->eal[conf->n_eal].key, DPT_CONF_NAME_LEN, "%s", key);
	snprintf(conf->eal[conf->n_eal].value, DPT_CONF_VALUE_LEN, "%s", value);
	conf->n_eal++;
	return 0;
}

/* The service of section "service.NAME", created with the family's
 * defaults when it is new. */
static struct dpt_svc_conf *
svc_get(struct dpt_conf *conf, const char *section, int line,
	struct dpt_conf_err *err)
{
	const char *name = section + strlen(DPT_CONF_SVC_PREFIX);
	struct dpt_svc_conf *sc;

	for (uint32_t i = 0; i < conf->n_svcs; i++)
		if (strcmp(conf->svcs[i].name, name) == 0)
			return &conf->svcs[i];
	if (conf->n_svcs == DPT_CONF_MAX_SVCS) {
		errf(err, conf, line, section, "", "too many services (at "
		     "most %s)", RTE_STR(DPT_CONF_MAX_SVCS));
		return NULL;
	}
	conf->svc_set[conf->n_svcs] = 0;
	sc = &conf->svcs[conf->n_svcs++];
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->body = DPT_SVC_NO_BODY;
	for (unsigned int i = 0; i < RTE_DIM(schema); i++)
		if ((schema[i].flags & F_SERVICE) && schema[i].def != NULL)
			apply_value(sc, &schema[i], schema[i].def);
	return sc;
}

/* The bit of a service key in conf->svc_set[]: its rank among the
 * F_SERVICE keys. */
static unsigned int
svc_key_bit(const struct key_def *d)
{
	unsigned int n = 0;

	for (const struct key_def *k = schema; k < d; k++)
		n += !!(k->flags & F_SERVICE);
	return n;
}

/* Where the key's value goes (@p base) and its "given" bit. */
static int
key_target(struct dpt_conf *conf, const struct key_def *d,
	   const char *section, int line, struct dpt_conf_err *err,
	   void **base, uint64_t **set_word, uint64_t *set_bit)
{
	unsigned int bit = (unsigned int)(d - schema);
	struct dpt_svc_conf *sc;

	if (!(d->flags & F_SERVICE)) {
		*base = conf;
		*set_word = &conf->key_set[bit / 64];
		*set_bit = 1ULL << (bit % 64);
		return 0;
	}
	sc = svc_get(conf, section, line, err);
	if (sc == NULL)
		return -EINVAL;
	*base = sc;
	*set_word = &conf->svc_set[sc - conf->svcs];
	*set_bit = 1ULL << svc_key_bit(d);
	return 0;
}

static int
set_key(struct dpt_conf *conf, const char *section, const char *key,
	const char *value, int line, struct dpt_conf_err *err)
{
	const struct key_def *d;
	uint64_t *word, bit;
	void *base;
	char hint[160];

	if (strcmp(section, "eal") == 0)
		return set_eal(conf, key, value, line, err);
	d = find_key(section, key);
	if (d == NULL)
		return errf(err, conf, line, section, key,
			    "unknown key%s (dptcpd --help-config lists them)",
			    "");
	if (key_target(conf, d, section, line, err, &base, &word, &bit) != 0)
		return -EINVAL;
	if (line > 0 && (*word & bit)) {
		char m[64];

		snprintf(m, sizeof(m), "set twice (first on line %d)",
			 line_of(conf, section, key));
		return errf(err, conf, line, section, key, "%s", m);
	}
	if (apply_value(base, d, value) != 0) {
		char msg[DPT_CONF_VALUE_LEN + 200];

		snprintf(msg, sizeof(msg), "'%s' is not %s", value,
			 type_hint(d, hint, sizeof(hint)));
		return errf(err, conf, line, section, key, "%s", msg);
	}
	*word |= bit;
	return 0;
}

void
dpt_conf_defaults(struct dpt_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	snprintf(conf->file, sizeof(conf->file), "(defaults)");
	for (unsigned int i = 0; i < RTE_DIM(schema); i++)
		if (schema[i].def != NULL && !(schema[i].flags & F_SERVICE))
			apply_value(conf, &schema[i], schema[i].def);
}

/* Walk rte_cfgfile's sections and entries; conf->lines has the same items
 * in the same order, which gives each its line. */
static int
apply_file(struct dpt_conf *conf, struct rte_cfgfile *cfg,
	   struct dpt_conf_err *err)
{
	struct rte_cfgfile_entry entries[DPT_CONF_MAX_LINES];
	char sec[CFG_NAME_LEN];
	int n_sec = rte_cfgfile_num_sections(cfg, NULL, 0);
	uint32_t li = 0;

	for (int s = 0; s < n_sec; s++) {
		int n = rte_cfgfile_section_entries_by_index(
			cfg, s, sec, entries, RTE_DIM(entries));
		int line = li < conf->n_lines ? conf->lines[li++].line : -1;

		if (!known_section(sec))
			return errf(err, conf, line, sec, "",
				    "unknown section%s (known: eal, port0, "
				    "lcores, arp, ip, tcp, impair, "
				    "service.NAME)", "");
		/* a [service.NAME] exists from its header on */
		if (is_svc_section(sec) && svc_get(conf, sec, line, err) ==
		    NULL)
			return -EINVAL;
		for (int e = 0; e < n; e++) {
			line = li < conf->n_lines ? conf->lines[li++].line : -1;
			if (set_key(conf, sec, entries[e].name,
				    entries[e].value, line, err) != 0)
				return -EINVAL;
		}
	}
	return 0;
}

int
dpt_conf_load(struct dpt_conf *conf, const char *path, const char *name,
	      struct dpt_conf_err *err)
{
	const struct rte_cfgfile_parameters params = {
		.comment_character = DPT_CFG_COMMENT,
	};
	struct rte_cfgfile *cfg;
	int rc;

	snprintf(conf->file, sizeof(conf->file), "%s", name);
	rc = dpt_cfg_index(conf, path, name, err);
	if (rc != 0)
		return rc;
	cfg = rte_cfgfile_load_with_params(path, 0, &params);
	if (cfg == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s: rte_cfgfile could not "
			 "parse the file", name);
		return -EINVAL;
	}
	rc = apply_file(conf, cfg, err);
	rte_cfgfile_close(cfg);
	return rc;
}

int
dpt_conf_set(struct dpt_conf *conf, const char *assignment,
	     struct dpt_conf_err *err)
{
	char sec[DPT_CONF_NAME_LEN], key[DPT_CONF_NAME_LEN];
	const char *eq = strchr(assignment, '=');
	const char *dot = NULL;

	/* the key follows the last dot before '=': "service.web.port=80" */
	for (const char *p = assignment; eq != NULL && p < eq; p++)
		if (*p == '.')
			dot = p;

	if (dot == NULL || eq == NULL || dot > eq || dot == assignment ||
	    eq == dot + 1 || (size_t)(dot - assignment) >= sizeof(sec) ||
	    (size_t)(eq - dot - 1) >= sizeof(key) || eq[1] == '\0') {
		snprintf(err->msg, sizeof(err->msg), "command line: --set '%s': "
			 "expected section.key=value", assignment);
		return -EINVAL;
	}
	snprintf(sec, sizeof(sec), "%.*s", (int)(dot - assignment), assignment);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
	if (!known_section(sec))
		return errf(err, conf, 0, sec, "", "unknown section%s", "");
	return set_key(conf, sec, key, eq + 1, 0, err);
}

/* The @n addresses from @addr are host addresses of its /@plen: none
 * past the prefix, and below /31 not its broadcast address either
 * (RFC 919, RFC 3021 for /31). */
static int
range_in_prefix(uint32_t addr, uint32_t n, uint32_t plen)
{
	uint64_t host_max = plen ? (1ull << (32 - plen)) - 1 : UINT32_MAX;
	uint64_t last = (uint64_t)(addr & host_max) + n - 1;

	return plen >= 31 ? last <= host_max : last < host_max;
}

static int
range_error(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	const struct dpt_netif_conf *p = &conf->netif;
	uint32_t mask = p->prefix_len ? ~0u << (32 - p->prefix_len) : 0;
	uint32_t last = (p->addr | ~mask) - (p->prefix_len < 31);
	char what[128];

	snprintf(what, sizeof(what), "%u addresses from %u.%u.%u.%u go past "
		 "%u.%u.%u.%u, the last host address of the prefix",
		 p->n_addrs, p->addr >> 24, p->addr >> 16 & 0xff,
		 p->addr >> 8 & 0xff, p->addr & 0xff, last >> 24,
		 last >> 16 & 0xff, last >> 8 & 0xff, last & 0xff);
	return errf(err, conf, line_of(conf, "port0", "addresses"), "port0",
		    "addresses", "%s", what);
}

/* Cross-key rules for [port0]. */
static int
finish_port(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	const struct dpt_netif_conf *p = &conf->netif;
	uint32_t mask = p->prefix_len ? ~0u << (32 - p->prefix_len) : 0;

	if (p->prefix_len < 31 && ((p->addr & ~mask) == 0 ||
				   (p->addr & ~mask) == ~mask))
		return errf(err, conf, line_of(conf, "port0", "address"),
			    "port0", "address", "%s", "is the network or "
			    "broadcast address of its prefix");
	if (dpt_ipv4_src_is_martian(p->addr))
		return errf(err, conf, line_of(conf, "port0", "address"),
			    "port0", "address", "%s", "is not a unicast "
			    "host address");
	if (!range_in_prefix(p->addr, p->n_addrs, p->prefix_len))
		return range_error(conf, err);
	if (p->gateway != 0 && ((p->gateway ^ p->addr) & mask) != 0)
		return errf(err, conf, line_of(conf, "port0", "gateway"),
			    "port0", "gateway", "%s", "is not on the "
			    "address's prefix");
	if (p->gateway != 0 && p->gateway - p->addr < p->n_addrs)
		return errf(err, conf, line_of(conf, "port0", "gateway"),
			    "port0", "gateway", "%s", "is one of our own "
			    "addresses");
	if (p->pmtu.min > p->mtu)
		return errf(err, conf, line_of(conf, "ip", "pmtu_min"), "ip",
			    "pmtu_min", "%s", "is above [port0] mtu");
	return 0;
}

/* Whether the first @plen bits of @a and @b agree. */
static int
same_prefix6(const struct dpt_in6 *a, const struct dpt_in6 *b, uint32_t plen)
{
	uint32_t full = plen / 8, rest = plen % 8;

	return memcmp(a, b, full) == 0 &&
	       (rest == 0 || ((a->b[full] ^ b->b[full]) & (0xff00 >> rest)) ==
	       0);
}

static int
port6_error(struct dpt_conf *conf, struct dpt_conf_err *err, const char *key,
	    const char *what)
{
	return errf(err, conf, line_of(conf, "port0", key), "port0", key, "%s",
		    what);
}

/* Cross-key rules for [port0]'s IPv6 keys. */
static int
finish_port6(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	const struct dpt_netif_conf *p = &conf->netif;
	struct dpt_in6 last = p->addr6;
	uint32_t low = dpt_in6_low32(&p->addr6);

	if (dpt_in6_is_unspec(&p->addr6))
		return dpt_in6_is_unspec(&p->gateway6) ? 0 :
		       port6_error(conf, err, "gateway6", "is set but "
				   "address6 is not");
	/* RFC 4291 2.5.3, 2.7: not loopback nor multicast */
	if (dpt_in6_is_multicast(&p->addr6) ||
	    (low == 1 && memcmp(&p->addr6, &(struct dpt_in6){ .b = { 0 } },
				12) == 0))
		return port6_error(conf, err, "address6", "is not a unicast "
				   "address");
	if (low + (uint64_t)p->n_addrs6 - 1 > UINT32_MAX)
		return port6_error(conf, err, "addresses6", "go past the last "
				   "value of the address's low 32 bits");
	low += p->n_addrs6 - 1;
	last.b[12] = (uint8_t)(low >> 24);
	last.b[13] = (uint8_t)(low >> 16);
	last.b[14] = (uint8_t)(low >> 8);
	last.b[15] = (uint8_t)low;
	if (!same_prefix6(&p->addr6, &last, p->prefix6_len))
		return port6_error(conf, err, "addresses6", "go past the "
				   "prefix of address6");
	if (!dpt_in6_is_unspec(&p->gateway6)) {
		uint32_t g = dpt_in6_low32(&p->gateway6) -
			     dpt_in6_low32(&p->addr6);

		if (dpt_in6_is_multicast(&p->gateway6) ||
		    (!same_prefix6(&p->gateway6, &p->addr6, p->prefix6_len) &&
		     !(p->gateway6.b[0] == 0xfe &&
		       (p->gateway6.b[1] & 0xc0) == 0x80)))
			return port6_error(conf, err, "gateway6", "is neither "
					   "on the prefix of address6 nor "
					   "link-local");
		if (g < p->n_addrs6 &&
		    memcmp(&p->gateway6, &p->addr6, 12) == 0)
			return port6_error(conf, err, "gateway6", "is one of "
					   "our own addresses");
	}
	/* RFC 8200 5: every link carries 1280 bytes */
	if (p->mtu < RTE_IPV6_MIN_MTU)
		return errf(err, conf, line_of(conf, "port0", "mtu"), "port0",
			    "mtu", "%s", "is below 1280, IPv6's minimum, and "
			    "address6 is set");
	return 0;
}

/* Cross-key rules for [tcp]. */
static int
finish_tcp(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	const struct dpt_tcp_conf *t = &conf->tcp;

	if (t->rto_min_us > t->rto_max_us)
		return errf(err, conf, line_of(conf, "tcp", "rto_min"), "tcp",
			    "rto_min", "%s", "is above rto_max");
	if (t->rto_init_us < t->rto_min_us || t->rto_init_us > t->rto_max_us)
		return errf(err, conf, line_of(conf, "tcp", "rto_init"), "tcp",
			    "rto_init", "%s", "is outside rto_min..rto_max");
	/* A delayed ACK must come before the peer's minimum RTO fires, or
	 * every lone segment is retransmitted (RFC 1122 4.2.3.2: < 0.5 s). */
	if (t->delack_us >= t->rto_min_us)
		return errf(err, conf, line_of(conf, "tcp", "delack"), "tcp",
			    "delack", "%s", "must be below rto_min");
	return 0;
}

/* [embed] ring_slots indexes rings by a mask. */
static int
finish_embed(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	if (!rte_is_power_of_2(conf->embed.ring_slots))
		return errf(err, conf, line_of(conf, "embed", "ring_slots"),
			    "embed", "ring_slots", "%s",
			    "must be a power of 2");
	return 0;
}

/* One [service.NAME]: its required keys, keys of other types, and a port
 * no earlier service has. */
static int
finish_svc(struct dpt_conf *conf, uint32_t idx, struct dpt_conf_err *err)
{
	const struct dpt_svc_conf *sc = &conf->svcs[idx];
	uint64_t set = conf->svc_set[idx];
	char sec[DPT_CONF_NAME_LEN + 16], m[DPT_CONF_NAME_LEN + 64];

	snprintf(sec, sizeof(sec), DPT_CONF_SVC_PREFIX "%s", sc->name);
	for (const struct key_def *d = schema; d < schema + RTE_DIM(schema); d++) {
		int given = (set >> svc_key_bit(d)) & 1;

		if (!(d->flags & F_SERVICE))
			continue;
		if ((d->flags & F_REQUIRED) && !given)
			return errf(err, conf, line_of(conf, sec, d->key), sec,
				    d->key, "required key missing%s", "");
		if (given && d->only && (set & 1) &&
		    !(d->only >> sc->type & 1)) {
			snprintf(m, sizeof(m), "applies to type %s only, not "
				 "%s",
				 dpt_svc_type_names[__builtin_ctz(d->only)],
				 dpt_svc_type_names[sc->type]);
			return errf(err, conf, line_of(conf, sec, d->key), sec,
				    d->key, "%s", m);
		}
	}
	/* RFC 862 and RFC 863 define echo and discard over UDP too; the
	 * other types are streams */
	if (sc->proto == DPT_SVC_UDP && sc->type != DPT_SVC_ECHO &&
	    sc->type != DPT_SVC_DISCARD) {
		snprintf(m, sizeof(m), "udp serves echo and discard only, "
			 "not %s", dpt_svc_type_names[sc->type]);
		return errf(err, conf, line_of(conf, sec, "proto"), sec,
			    "proto", "%s", m);
	}
	for (uint32_t j = 0; j < idx; j++)
		if (conf->svcs[j].port == sc->port &&
		    conf->svcs[j].proto == sc->proto) {
			snprintf(m, sizeof(m), "%u is already the port of "
				 "[" DPT_CONF_SVC_PREFIX "%s]", sc->port,
				 conf->svcs[j].name);
			return errf(err, conf, line_of(conf, sec, "port"), sec,
				    "port", "%s", m);
		}
	return 0;
}

static int
finish_svcs(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	if (conf->n_svcs == 0) {
		for (unsigned int i = 0; i < RTE_DIM(default_svcs); i++) {
			struct dpt_svc_conf *sc = svc_get(conf,
				default_svcs[i].section, 0, err);

			sc->type = default_svcs[i].type;
			sc->port = default_svcs[i].port;
			sc->proto = default_svcs[i].proto;
		}
		return 0;
	}
	for (uint32_t i = 0; i < conf->n_svcs; i++)
		if (finish_svc(conf, i, err) != 0)
			return -EINVAL;
	return 0;
}

int
dpt_conf_finish(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	for (unsigned int i = 0; i < RTE_DIM(schema); i++) {
		const struct key_def *d = &schema[i];

		if ((d->flags & F_REQUIRED) && !(d->flags & F_SERVICE) &&
		    !((conf->key_set[i / 64] >> (i % 64)) & 1))
			return errf(err, conf, -1, d->section, d->key,
				    "required key missing%s", "");
	}
	return finish_port(conf, err) ?: finish_port6(conf, err) ?:
	       finish_tcp(conf, err) ?:
	       finish_embed(conf, err) ?:
	       finish_svcs(conf, err);
}

/* Bytes of the field a key fills: its section differs where they do. */
static size_t
key_size(const struct key_def *d)
{
	switch (d->type) {
	case T_STR:
		return DPT_CONF_VALUE_LEN;
	case T_LCORES:
		return sizeof(struct dpt_conf_lcores);
	case T_PREFIX:
		return 2 * sizeof(uint32_t);
	case T_IPV6:
		return sizeof(struct dpt_in6);
	case T_PREFIX6:
		return sizeof(struct dpt_in6) + sizeof(uint32_t);
	case T_DURATION:
	case T_SIZE64:
		return sizeof(uint64_t);
	case T_FRACTION:
		return sizeof(double);
	case T_U32:
	case T_BOOL:
	case T_IPV4:
	case T_SIZE:
	case T_ENUM:
	case T_OCTAL:
		break;
	}
	return sizeof(uint32_t);
}

int
dpt_conf_diff_static(const struct dpt_conf *a, const struct dpt_conf *b,
		     char *buf, size_t len)
{
	const char *last = ""; /* a section's keys are adjacent in schema[] */
	size_t o = 0;
	int n = 0;

	buf[0] = '\0';
	if (a->n_eal != b->n_eal || memcmp(a->eal, b->eal, sizeof(a->eal[0]) *
					   a->n_eal) != 0)
		o += (size_t)snprintf(buf, len, "%seal", n++ ? ", " : "");
	for (const struct key_def *d = schema; d < schema + RTE_DIM(schema);
	     d++) {
		if ((d->flags & F_SERVICE) || strcmp(d->section, last) == 0 ||
		    memcmp((const char *)a + d->off, (const char *)b + d->off,
			   key_size(d)) == 0)
			continue;
		last = d->section;
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      n ? ", " : "", d->section);
		n++;
	}
	return n;
}

const char *
dpt_conf_where(const struct dpt_conf *conf, const char *section,
	       const char *key, char *buf, size_t len)
{
	int line = line_of(conf, section, key);

	if (line > 0)
		snprintf(buf, len, "%s:%d: [%s] %s", conf->file, line, section,
			 key);
	else
		snprintf(buf, len, "%s: [%s] %s", conf->file, section, key);
	return buf;
}

int
dpt_conf_eal_argv(const struct dpt_conf *conf, const char *argv0, char **argv,
		  int max, char *store)
{
	int argc = 0;

	if (max < 1)
		return -E2BIG;
	argv[argc++] = (char *)(uintptr_t)argv0;
	for (uint32_t i = 0; i < conf->n_eal; i++) {
		const struct dpt_conf_eal *e = &conf->eal[i];
		int one_letter = e->key[1] == '\0';

		if (argc + 2 > max)
			return -E2BIG;
		argv[argc] = store;
		store += snprintf(store, DPT_CONF_VALUE_LEN, "-%s%s",
				  one_letter ? "" : "-", e->key) + 1;
		argc++;
		if (e->value[0] == '\0')
			continue;
		argv[argc++] = store;
		store += snprintf(store, DPT_CONF_VALUE_LEN, "%s",
				  e->value) + 1;
	}
	return argc;
}

void
dpt_conf_print_reference(FILE *f)
{
	const char *cur = "";
	char hint[160];

	fprintf(f, "[eal]\n  EAL options, one per line: 'name = value' for "
		"options with an argument\n  (m = 512, vdev = net_tap0,...), "
		"'name = yes' for flags (no-huge = yes).\n  Accepted:");
	for (unsigned int i = 0; i < RTE_DIM(eal_opts); i++)
		fprintf(f, "%s %s", i ? "," : "", eal_opts[i].name);
	fprintf(f, ".\n  Used only when dptcpd gets no EAL arguments on its "
		"command line.\n");
	for (unsigned int i = 0; i < RTE_DIM(schema); i++) {
		const struct key_def *d = &schema[i];

		if (strcmp(cur, d->section) != 0)
			fprintf(f, "\n[%s]\n%s", d->section,
				d->flags & F_SERVICE ? "  One section per "
				"service, NAME of letters, digits, _ and -. With "
				"none,\n  the services are echo 7, discard 9, "
				"chargen 19 and http 80.\n" : "");
		cur = d->section;
		fprintf(f, "  %-10s %s.\n             %s; ", d->key, d->help,
			type_hint(d, hint, sizeof(hint)));
		if (d->flags & F_REQUIRED)
			fprintf(f, "required.\n");
		else if (d->def != NULL)
			fprintf(f, "default %s.\n", d->def);
		else
			fprintf(f, "optional.\n");
	}
}

unsigned int
dpt_conf_schema_size(void)
{
	return RTE_DIM(schema);
}

int
dpt_conf_schema_key(unsigned int i, char *buf, size_t len)
{
	if (i >= RTE_DIM(schema))
		return -EINVAL;
	snprintf(buf, len, "%s.%s", schema[i].section, schema[i].key);
	return 0;
}
