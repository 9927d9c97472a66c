/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cfg.c: configuration loading. The default file, a table of bad files
 * with the exact one-line message each must produce, --set overrides, the
 * EAL argument vector, and a check that every key of the schema is
 * documented in config/dptcpd.conf and README.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "dpt_conf.h"

/* Write @p text to a temporary file; returns its path (static buffer). */
static const char *
write_conf(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/dpt-cfg-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Load @p text as file "t.conf"; returns the rc, message in err. */
static int
load_text(struct dpt_conf *c, const char *text, struct dpt_conf_err *err)
{
	const char *path = write_conf(text);
	int rc;

	dpt_conf_defaults(c);
	err->msg[0] = '\0';
	rc = dpt_conf_load(c, path, "t.conf", err);
	if (rc == 0)
		rc = dpt_conf_finish(c, err);
	unlink(path);
	return rc;
}

static const char *
source_file(const char *rel, char *buf, size_t len)
{
	const char *root = getenv("DPT_SOURCE_ROOT");

	snprintf(buf, len, "%s/%s", root ? root : "..", rel);
	return buf;
}

#define GOOD "[port0]\ndevice = net_tap0\naddress = 198.18.0.2/24\n"

Test(conf, default_file_loads_with_its_values)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;
	char path[512];

	dpt_conf_defaults(&c);
	cr_assert_eq(dpt_conf_load(&c, source_file("config/dptcpd.conf", path,
						   sizeof(path)),
				   "dptcpd.conf", &err), 0, "%s", err.msg);
	cr_assert_eq(dpt_conf_finish(&c, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.port.device, "net_tap0,iface=dpt0");
	cr_assert_eq(c.netif.addr, 0xc6120002);
	cr_assert_eq(c.netif.prefix_len, 24);
	cr_assert_eq(c.netif.n_addrs, 1);
	cr_assert_eq(c.netif.gateway, 0);
	cr_assert_eq(c.netif.mtu, 1500);
	cr_assert_eq(c.port.offloads, 1);
	cr_assert_eq(c.arp.entries, 1024);
	cr_assert_eq(c.arp.reachable_us, 30000000);
	cr_assert_eq(c.netif.ttl, 64);
	cr_assert_eq(c.lcores.n_workers, 0);
	cr_assert_eq(c.tcp.rcvbuf, 256 * 1024);
	cr_assert_eq(c.tcp.cc, DPT_TCP_CC_CUBIC);
	cr_assert_eq(c.tcp.msl_us, 30000000);
	cr_assert_eq(c.tcp.delack_us, 40000);
}

Test(conf, addresses_up_to_the_last_host_address_of_the_prefix_load)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	/* .2 + 253 - 1 = .254; .255 is the broadcast address */
	cr_assert_eq(load_text(&c, GOOD "addresses = 253\n", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.netif.n_addrs, 253);
	cr_assert_eq(load_text(&c, "[port0]\ndevice = x\n"
			       "address = 198.18.0.1/15\naddresses = 65536\n",
			       &err), 0, "%s", err.msg);
	cr_assert_eq(c.netif.n_addrs, 65536);
}

Test(conf, impairment_is_off_by_default_and_set_by_fractions)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD, &err), 0, "%s", err.msg);
	cr_assert_not(dpt_impair_on(&c.impair));
	cr_assert_eq(dpt_conf_set(&c, "impair.tx_drop=0.01", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(dpt_conf_set(&c, "impair.rx_delay=2ms", &err), 0);
	cr_assert(dpt_impair_on(&c.impair));
	cr_assert_float_eq(c.impair.tx.drop, 0.01, 1e-12);
	cr_assert_eq(c.impair.rx.delay_us, 2000);
	cr_assert_eq(c.impair.seed, 1);
}

Test(conf, sizes_take_binary_suffixes_and_enums_take_names)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD "[tcp]\nrcvbuf = 1M\nsndbuf = 65536\n"
			       "cc = newreno\n", &err), 0, "%s", err.msg);
	cr_assert_eq(c.tcp.rcvbuf, 1 << 20);
	cr_assert_eq(c.tcp.sndbuf, 65536);
	cr_assert_eq(c.tcp.cc, DPT_TCP_CC_NEWRENO);
}

Test(conf, workers_poll_when_idle_unless_told_to_yield_or_sleep)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD, &err), 0, "%s", err.msg);
	cr_assert_eq(c.lcores.idle, DPT_CONF_IDLE_POLL);
	cr_assert_eq(c.lcores.idle_spins, 64);
	cr_assert_eq(c.lcores.idle_sleep_us, 20);
	cr_assert_eq(load_text(&c, GOOD "[lcores]\nidle = yield\n"
			       "idle_spins = 8\n", &err), 0, "%s", err.msg);
	cr_assert_eq(c.lcores.idle, DPT_CONF_IDLE_YIELD);
	cr_assert_eq(c.lcores.idle_spins, 8);
	cr_assert_eq(dpt_conf_set(&c, "lcores.idle=sleep", &err), 0);
	cr_assert_eq(dpt_conf_set(&c, "lcores.idle_sleep=5us", &err), 0);
	cr_assert_eq(c.lcores.idle, DPT_CONF_IDLE_SLEEP);
	cr_assert_eq(c.lcores.idle_sleep_us, 5);
	cr_assert_neq(dpt_conf_set(&c, "lcores.idle=spin", &err), 0);
}

Test(conf, inline_comments_units_and_lists_are_parsed)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD "mtu = 9000   # jumbo\n"
			       "gateway = 198.18.0.1\n[arp]\nretrans = 250ms\n"
			       "gc = 2min\nreachable = 1500000us\n"
			       "[lcores]\nworkers = 1,3-4\n", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.netif.mtu, 9000);
	cr_assert_eq(c.netif.gateway, 0xc6120001);
	cr_assert_eq(c.arp.retrans_us, 250000);
	cr_assert_eq(c.arp.gc_us, 120000000);
	cr_assert_eq(c.arp.reachable_us, 1500000);
	cr_assert_eq(c.lcores.n_workers, 3);
	cr_assert_eq(c.lcores.workers[0], 1);
	cr_assert_eq(c.lcores.workers[1], 3);
	cr_assert_eq(c.lcores.workers[2], 4);
}

Test(conf, ipv6_keys)
{
	struct dpt_conf c;
	struct dpt_conf_err err;
	static const struct dpt_in6 a = { .b = { 0x20, 0x01, 0, 0x02, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0x01 } };
	static const struct dpt_in6 gw = { .b = { 0xfe, 0x80, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0x01 } };

	cr_assert_eq(load_text(&c, "[port0]\ndevice = net_tap0\naddress = "
			       "198.18.0.2/24\naddress6 = 2001:2::1/64\n"
			       "addresses6 = 4\ngateway6 = fe80::1\n[ip]\n"
			       "hop_limit = 7\ndad_transmits = 0\n", &err), 0,
		     "%s", err.msg);
	cr_assert(dpt_in6_eq(&c.netif.addr6, &a));
	cr_assert_eq(c.netif.prefix6_len, 64);
	cr_assert_eq(c.netif.n_addrs6, 4);
	cr_assert(dpt_in6_eq(&c.netif.gateway6, &gw));
	cr_assert_eq(c.netif.hop_limit, 7);
	cr_assert_eq(c.netif.dad_transmits, 0);
}

/* Strings inline: Criterion re-executes the test binary for each
 * parameter, so pointers into the parent would dangle. */
struct bad_file {
	char text[160];
	char msg[160];
};

/* Every message names the file, the line and the key. */
static struct bad_file bad_files[] = {
	{ "[prot0]\n",
	  "t.conf:1: [prot0]: unknown section (known: eal, port0, lcores, "
	  "arp, ip, tcp, impair, service.NAME)" },
	{ GOOD "mut = 1500\n",
	  "t.conf:4: [port0] mut: unknown key (dptcpd --help-config lists "
	  "them)" },
	{ "[port0]\ndevice = net_tap0\naddress = 198.18.0.300/24\n",
	  "t.conf:3: [port0] address: '198.18.0.300/24' is not an IPv4 "
	  "address and prefix length, A.B.C.D/N" },
	{ "[port0]\ndevice = net_tap0\naddress = 198.18.0.2\n",
	  "t.conf:3: [port0] address: '198.18.0.2' is not an IPv4 address "
	  "and prefix length, A.B.C.D/N" },
	{ GOOD "mtu = 100\n",
	  "t.conf:4: [port0] mtu: '100' is not an integer from 576 to 9600" },
	{ GOOD "mtu = 1500x\n",
	  "t.conf:4: [port0] mtu: '1500x' is not an integer from 576 to "
	  "9600" },
	{ GOOD "offloads = maybe\n",
	  "t.conf:4: [port0] offloads: 'maybe' is not yes or no" },
	{ GOOD "addresses = 254\n",
	  "t.conf:4: [port0] addresses: 254 addresses from 198.18.0.2 go "
	  "past 198.18.0.254, the last host address of the prefix" },
	{ GOOD "addresses = 65537\n",
	  "t.conf:4: [port0] addresses: '65537' is not an integer from 1 to "
	  "65536" },
	{ GOOD "addresses = 4\ngateway = 198.18.0.5\n",
	  "t.conf:5: [port0] gateway: is one of our own addresses" },
	{ GOOD "gateway = 198.18.1.1\n",
	  "t.conf:4: [port0] gateway: is not on the address's prefix" },
	{ GOOD "address6 = 2001:2::1\n",
	  "t.conf:4: [port0] address6: '2001:2::1' is not an IPv6 address "
	  "and prefix length, such as 2001:2::1/64" },
	{ GOOD "address6 = 2001:2::1/129\n",
	  "t.conf:4: [port0] address6: '2001:2::1/129' is not an IPv6 "
	  "address and prefix length, such as 2001:2::1/64" },
	{ GOOD "gateway6 = 2001:2::fe\n",
	  "t.conf:4: [port0] gateway6: is set but address6 is not" },
	{ GOOD "address6 = 2001:2::1/64\ngateway6 = 2001:3::1\n",
	  "t.conf:5: [port0] gateway6: is neither on the prefix of address6 "
	  "nor link-local" },
	{ GOOD "address6 = 2001:2::1/64\naddresses6 = 2\ngateway6 = 2001:2::2\n",
	  "t.conf:6: [port0] gateway6: is one of our own addresses" },
	{ GOOD "address6 = ff02::1/64\n",
	  "t.conf:4: [port0] address6: is not a unicast address" },
	{ GOOD "address6 = 2001:2::ffff:ffff/64\naddresses6 = 2\n",
	  "t.conf:5: [port0] addresses6: go past the last value of the "
	  "address's low 32 bits" },
	{ GOOD "address6 = 2001:2::1/127\naddresses6 = 3\n",
	  "t.conf:5: [port0] addresses6: go past the prefix of address6" },
	{ GOOD "address6 = 2001:2::1/64\nmtu = 1000\n",
	  "t.conf:5: [port0] mtu: is below 1280, IPv6's minimum, and "
	  "address6 is set" },
	{ "[port0]\ndevice = x\naddress = 198.18.0.0/24\n",
	  "t.conf:3: [port0] address: is the network or broadcast address of "
	  "its prefix" },
	{ "[port0]\ndevice = x\naddress = 127.0.0.1/8\n",
	  "t.conf:3: [port0] address: is not a unicast host address" },
	{ GOOD "mtu = 1500\nmtu = 9000\n",
	  "t.conf:5: [port0] mtu: set twice (first on line 4)" },
	{ GOOD "[arp]\n[port0]\n",
	  "t.conf:5: [port0]: section repeated (first on line 1)" },
	{ GOOD "[service.c]\ntype = chargen\nport = 19\nproto = udp\n",
	  "t.conf:7: [service.c] proto: udp serves echo and discard only, "
	  "not chargen" },
	{ GOOD "[service.a]\ntype = echo\nport = 7\nproto = udp\n"
	  "[service.b]\ntype = discard\nport = 7\nproto = udp\n",
	  "t.conf:10: [service.b] port: 7 is already the port of "
	  "[service.a]" },
	{ GOOD "[service.a]\ntype = echo\nport = 7\nproto = sctp\n",
	  "t.conf:7: [service.a] proto: 'sctp' is not one of tcp, udp" },
	{ GOOD "hello\n",
	  "t.conf:4: expected '[section]' or 'key = value', got 'hello'" },
	{ "mtu = 1500\n", "t.conf:1: key before any [section]: 'mtu'" },
	{ GOOD "mtu =\n", "t.conf:4: [port0] mtu: empty value" },
	{ GOOD "= 5\n", "t.conf:4: missing key before '='" },
	{ "[port0\n", "t.conf:1: malformed section header '[port0'" },
	{ "[port0] x\n", "t.conf:1: malformed section header '[port0] x'" },
	{ "[port0]\ndevice = net_tap0\n",
	  "t.conf: [port0] address: required key missing" },
	{ "[port0]\naddress = 198.18.0.2/24\n",
	  "t.conf: [port0] device: required key missing" },
	{ GOOD "[arp]\nreachable = 30\n",
	  "t.conf:5: [arp] reachable: '30' is not a duration from 1000us to "
	  "3600000000us, with a unit: us, ms, s or min" },
	{ GOOD "[arp]\nreachable = 30h\n",
	  "t.conf:5: [arp] reachable: '30h' is not a duration from 1000us to "
	  "3600000000us, with a unit: us, ms, s or min" },
	{ GOOD "[lcores]\nworkers = 1,1\n",
	  "t.conf:5: [lcores] workers: '1,1' is not a list of distinct lcore "
	  "ids such as 1 or 1,3-4" },
	{ GOOD "[lcores]\nworkers = 3-1\n",
	  "t.conf:5: [lcores] workers: '3-1' is not a list of distinct lcore "
	  "ids such as 1 or 1,3-4" },
	{ GOOD "[tcp]\nrcvbuf = 64Q\n",
	  "t.conf:5: [tcp] rcvbuf: '64Q' is not a size from 4096 to "
	  "1073741824 bytes (suffix K, M or G allowed)" },
	{ GOOD "[tcp]\ncc = vegas\n",
	  "t.conf:5: [tcp] cc: 'vegas' is not one of newreno, cubic" },
	{ GOOD "[tcp]\nrto_min = 2s\nrto_max = 1s\n",
	  "t.conf:5: [tcp] rto_min: is above rto_max" },
	{ GOOD "[tcp]\ndelack = 300ms\n",
	  "t.conf:5: [tcp] delack: must be below rto_min" },
	{ GOOD "[impair]\ntx_drop = 1.5\n",
	  "t.conf:5: [impair] tx_drop: '1.5' is not a fraction from 0 to 1, "
	  "such as 0.01" },
	{ "[eal]\nfoo = 1\n" GOOD,
	  "t.conf:2: [eal] foo: unknown EAL option (see dpdk-testpmd -h)" },
	{ "[eal]\nno-huge = maybe\n" GOOD,
	  "t.conf:2: [eal] no-huge: 'maybe' is not yes or no" },
	{ "[eal]\nm = 512\nm = 256\n" GOOD, "t.conf:3: [eal] m: set twice (first on line 2)" },
};

ParameterizedTestParameters(conf, bad_file_gives_its_one_line_message)
{
	return cr_make_param_array(struct bad_file, bad_files,
				   sizeof(bad_files) / sizeof(bad_files[0]));
}

ParameterizedTest(struct bad_file *b, conf, bad_file_gives_its_one_line_message)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_neq(load_text(&c, b->text, &err), 0, "accepted: %s",
		      b->text);
	cr_assert_str_eq(err.msg, b->msg);
	cr_assert_null(strchr(err.msg, '\n'));
}

Test(conf, line_longer_than_rte_cfgfile_reads_is_refused)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;
	char text[600];

	snprintf(text, sizeof(text), GOOD "device = %0400d\n", 0);
	cr_assert_neq(load_text(&c, text, &err), 0);
	cr_assert_str_eq(err.msg, "t.conf:4: line too long");
}

Test(conf, missing_file_names_the_file)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	dpt_conf_defaults(&c);
	cr_assert_eq(dpt_conf_load(&c, "/nonexistent/x.conf", "x.conf", &err),
		     -ENOENT);
	cr_assert_str_eq(err.msg, "x.conf: cannot open: No such file or "
			 "directory");
}

Test(conf, set_overrides_a_file_value)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD "mtu = 1500\n", &err), 0);
	cr_assert_eq(dpt_conf_set(&c, "port0.mtu=9000", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.netif.mtu, 9000);
}

Test(conf, set_supplies_a_required_key)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_neq(load_text(&c, "[port0]\ndevice = x\n", &err), 0);
	cr_assert_eq(dpt_conf_set(&c, "port0.address=198.18.0.9/24", &err), 0);
	cr_assert_eq(dpt_conf_finish(&c, &err), 0, "%s", err.msg);
}

Test(conf, bad_set_names_the_command_line)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	dpt_conf_defaults(&c);
	cr_assert_neq(dpt_conf_set(&c, "port0.mtu", &err), 0);
	cr_assert_str_eq(err.msg, "command line: --set 'port0.mtu': expected "
			 "section.key=value");
	cr_assert_neq(dpt_conf_set(&c, "port0.mtu=1", &err), 0);
	cr_assert_str_eq(err.msg, "command line: [port0] mtu: '1' is not an "
			 "integer from 576 to 9600");
	cr_assert_neq(dpt_conf_set(&c, "tpc.x=1", &err), 0);
	cr_assert_str_eq(err.msg, "command line: [tpc]: unknown section");
}

Test(conf, eal_section_becomes_an_argument_vector)
{
	static struct dpt_conf c;
	static char store[64 * DPT_CONF_VALUE_LEN];
	struct dpt_conf_err err;
	char *argv[64];
	const char *want[] = { "dptcpd", "--no-huge", "-m", "512",
			       "--vdev", "net_tap0,iface=a",
			       "--vdev", "net_tap1,iface=b",
			       "--file-prefix", "x" };
	int argc;

	cr_assert_eq(load_text(&c, "[eal]\nno-huge = yes\nno-pci = no\n"
			       "m = 512\nvdev = net_tap0,iface=a\n"
			       "vdev = net_tap1,iface=b\nfile-prefix = x\n"
			       GOOD, &err), 0, "%s", err.msg);
	argc = dpt_conf_eal_argv(&c, "dptcpd", argv, 64, store);
	cr_assert_eq(argc, 10);
	for (int i = 0; i < argc; i++)
		cr_assert_str_eq(argv[i], want[i]);
}

Test(conf, set_replaces_an_eal_option_of_the_file)
{
	static struct dpt_conf c;
	static char store[64 * DPT_CONF_VALUE_LEN];
	struct dpt_conf_err err;
	char *argv[64];

	cr_assert_eq(load_text(&c, "[eal]\nfile-prefix = a\nm = 64\n" GOOD,
			       &err), 0, "%s", err.msg);
	cr_assert_eq(dpt_conf_set(&c, "eal.file-prefix=b", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(dpt_conf_eal_argv(&c, "d", argv, 64, store), 5);
	cr_assert_str_eq(argv[1], "-m");
	cr_assert_str_eq(argv[3], "--file-prefix");
	cr_assert_str_eq(argv[4], "b");
}

Test(conf, where_names_file_line_and_key)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;
	char buf[300];

	cr_assert_eq(load_text(&c, GOOD "[lcores]\nworkers = 7\n", &err), 0);
	cr_assert_str_eq(dpt_conf_where(&c, "lcores", "workers", buf,
					sizeof(buf)),
			 "t.conf:5: [lcores] workers");
	cr_assert_str_eq(dpt_conf_where(&c, "port0", "", buf, sizeof(buf)),
			 "t.conf:1: [port0] ");
}

/* Every key of the schema must be documented where operators look. */
static void
assert_documents_every_key(const char *rel, const char *pattern)
{
	char path[512], key[160], needle[200];
	static char text[1 << 18];
	FILE *f = fopen(source_file(rel, path, sizeof(path)), "r");
	size_t n;

	cr_assert_not_null(f, "cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	for (unsigned int i = 0; i < dpt_conf_schema_size(); i++) {
		char *dot;

		cr_assert_eq(dpt_conf_schema_key(i, key, sizeof(key)), 0);
		dot = strrchr(key, '.');
		*dot = '\0';
		snprintf(needle, sizeof(needle), pattern, dot + 1);
		cr_assert_not_null(strstr(text, needle),
				   "%s does not document [%s] %s", rel, key,
				   dot + 1);
	}
}

Test(conf, every_key_is_documented_in_the_default_config)
{
	assert_documents_every_key("config/dptcpd.conf", "%s = ");
}

Test(conf, every_key_is_documented_in_the_readme)
{
	assert_documents_every_key("README.md", "| `%s` |");
}

Test(conf, without_service_sections_the_six_default_services_run)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;
	static const struct {
		const char *name;
		uint32_t type, port, proto;
	} want[] = {
		{ "echo", DPT_SVC_ECHO, 7, DPT_SVC_TCP },
		{ "discard", DPT_SVC_DISCARD, 9, DPT_SVC_TCP },
		{ "chargen", DPT_SVC_CHARGEN, 19, DPT_SVC_TCP },
		{ "http", DPT_SVC_HTTP, 80, DPT_SVC_TCP },
		{ "udp-echo", DPT_SVC_ECHO, 7, DPT_SVC_UDP },
		{ "udp-discard", DPT_SVC_DISCARD, 9, DPT_SVC_UDP },
	};

	cr_assert_eq(load_text(&c, GOOD, &err), 0, "%s", err.msg);
	cr_assert_eq(c.n_svcs, 6);
	for (unsigned int i = 0; i < 6; i++) {
		cr_assert_str_eq(c.svcs[i].name, want[i].name);
		cr_assert_eq(c.svcs[i].type, want[i].type);
		cr_assert_eq(c.svcs[i].port, want[i].port);
		cr_assert_eq(c.svcs[i].proto, want[i].proto);
	}
	cr_assert_eq(c.svcs[3].body, DPT_SVC_NO_BODY);
}

Test(conf, a_tcp_and_a_udp_service_may_share_a_port)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD "[service.t]\ntype = echo\n"
			       "port = 7\n[service.u]\ntype = echo\n"
			       "port = 7\nproto = udp\n", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.n_svcs, 2);
	cr_assert_eq(c.svcs[0].proto, DPT_SVC_TCP);
	cr_assert_eq(c.svcs[1].proto, DPT_SVC_UDP);
}

Test(conf, service_sections_replace_the_defaults_with_their_options)
{
	static struct dpt_conf c;
	struct dpt_conf_err err;

	cr_assert_eq(load_text(&c, GOOD "[service.web]\ntype = http\n"
			       "port = 8080\nbody = 4K\n[service.gen]\n"
			       "type = source\nport = 5001\nbytes = 1M\n",
			       &err), 0, "%s", err.msg);
	cr_assert_eq(c.n_svcs, 2);
	cr_assert_str_eq(c.svcs[0].name, "web");
	cr_assert_eq(c.svcs[0].port, 8080);
	cr_assert_eq(c.svcs[0].body, 4096);
	cr_assert_str_eq(c.svcs[1].name, "gen");
	cr_assert_eq(c.svcs[1].type, DPT_SVC_SOURCE);
	cr_assert_eq(c.svcs[1].bytes, 1 << 20);
	cr_assert_eq(dpt_conf_set(&c, "service.web.port=81", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.svcs[0].port, 81);
}
