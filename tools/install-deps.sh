#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what dptcp needs on Debian 12, as root: the build dependencies and
# every Linux peer the tests and benchmarks use. Idempotent: when everything
# is present it only checks (about a second) and installs nothing.
set -euo pipefail

packages=(
	# build
	gcc pkg-config meson ninja-build python3
	# meson compiles through ccache when it is there: the test command
	# builds three trees from scratch in each fresh clone, and the cache
	# keeps that to seconds once a clone like it was built on the machine
	ccache
	libdpdk-dev dpdk dpdk-dev libnuma-dev libmd-dev libcriterion-dev
	# the fuzz build (fuzz/): clang and libFuzzer
	clang-14 libfuzzer-14-dev
	# Linux peers and tools of the tests
	iproute2 iputils-ping procps ethtool curl socat ncat iperf3
	python3-scapy tcpdump tshark hping3 nmap
	# peers and plotting of the benchmarks
	wrk apache2-utils nginx sockperf gnuplot-nox
	# unmodified programs under the preload library (t_preload_*)
	redis-server redis-tools
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
