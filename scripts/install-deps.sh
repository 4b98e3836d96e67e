#!/bin/bash
# Installs netfuse's build and test dependencies from Debian 12's packages.
#
#   scripts/install-deps.sh          build + test dependencies (what .ci/run needs)
#   scripts/install-deps.sh --build  only what ./configure && make need
#
# --no-install-recommends keeps apt from pulling openafs-modules-dkms, which would
# spend minutes compiling a kernel module that cannot be loaded on these machines.
set -euo pipefail

build_pkgs=(
	build-essential autoconf automake pkg-config
	libfuse3-dev fuse3
	libssl-dev libisal-dev libtirpc-dev rpcsvc-proto
	libcurl4-openssl-dev zlib1g-dev libcriterion-dev
	clang libclang-rt-14-dev
)
test_pkgs=(
	ceph-mon ceph-mgr ceph-osd ceph-mds ceph-common python3-rados
	python3-cephfs # libcephfs, the judge of ceph_mds.test (a CephFS client that is not netfuse)
	ceph-base # crushtool and osdmaptool, the references crush_map.test checks cephosd against
	ceph-fuse # Ceph's own FUSE client, the other client on the same cluster in ceph_interop.test
	openafs-fileserver openafs-dbserver openafs-client libopenafs-dev
	openafs-fuse # afsd.fuse, the anchor of make bench's mount figures
	xorg-server-source # /usr/src/xorg-server.tar.xz, the source tree make bench's afs_mount_untar unpacks
	# afscp-tool links these Heimdal libraries (libopenafs-dev has no .pc file)
	libkrb5-26-heimdal libhcrypto5-heimdal libroken19-heimdal
	rpcbind iproute2 procps util-linux python3 xz-utils coreutils
	time # /usr/bin/time: make bench's peak RSS of a client
	nfs-common # rpc.statd, which netfuse-lockd monitors client hosts through (lockd.test)
	libnfs-dev # libnfs's NLM client, a third party driving netfuse-lockd in lockd.test
	nfs-ganesha nfs-ganesha-vfs # the NLM server netfuse's NLM client is checked against (nlm_interop.test), and make bench's anchor
	nftables # afs_mount_faults.test: packet loss and duplicates for one mount's port
	dnsmasq-base # the DNS server of afs_dns.test (no service started, unlike dnsmasq)
)

pkgs=("${build_pkgs[@]}")
[[ "${1:-}" == "--build" ]] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi

SUDO=
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
