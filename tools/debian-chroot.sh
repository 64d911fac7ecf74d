# tools/debian-chroot.sh — shared by tools/fresh-debian and tools/deb-install (sourced, bash):
# a Debian 12 base built once with debootstrap and cached, pristine copies of it as overlays, the
# kernel file systems a chroot needs, and the clean-up of all of it.
#
# The sourcing script sets CACHE, VARIANT, LOGS, HOSTNAME_IN and defines say() and die(); it runs
# in a private mount namespace (unshare --mount) and calls stop_chroot_processes and unmount_all
# from its EXIT trap.

MIRROR=http://deb.debian.org/debian
SUITE=bookworm
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

MOUNTS=()                                  # mount points, in mounting order
mnt() {                                    # mnt TARGET MOUNT-ARGS… : mount and remember it
    local target="$1"; shift
    mkdir -p "$target"
    mount "$@" "$target" || return
    MOUNTS+=("$target")
}

# Processes whose root directory is inside $1 (started in the chroot), by PID.
chroot_pids() {
    local p link
    for p in /proc/[0-9]*; do
        link="$(readlink "$p/root" 2>/dev/null)" || continue
        case "$link" in "$1"|"$1"/*) [ "${p#/proc/}" != "$$" ] && echo "${p#/proc/}" ;; esac
    done
}

stop_chroot_processes() {                  # TERM, then KILL after 10 s, what still runs in $1
    local pids deadline
    pids="$(chroot_pids "$1")"; [ -n "$pids" ] || return 0
    say "stopping processes left in the chroot: $(echo $pids)"
    kill -TERM $pids 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while [ -n "$(chroot_pids "$1")" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    pids="$(chroot_pids "$1")"
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    deadline=$((SECONDS + 5))
    while [ -n "$(chroot_pids "$1")" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
}

unmount_all() {
    local i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null \
            || say "could not unmount ${MOUNTS[i]}" >&2
    done
    MOUNTS=()
}

# Long commands run in the background and are waited for: a trapped signal (Ctrl-C) interrupts
# `wait` at once, where bash would let a foreground command (the whole test suite) finish first.
waitfor() { "$@" & wait $!; }

# The kernel file systems a Debian system expects, mounted into the tree at $1.
mount_system() {
    local root="$1"
    mnt "$root/proc" -t proc proc
    mnt "$root/sys" -t sysfs sysfs
    mnt "$root/dev" --bind /dev
    mnt "$root/dev/pts" --bind /dev/pts
    mnt "$root/dev/shm" -t tmpfs -o mode=1777,nosuid,nodev tmpfs     # Chromium, multiprocessing, libfaketime
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
}

build_base() {
    command -v debootstrap >/dev/null || {
        say "installing debootstrap on the host"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    BUILD="$CACHE/.build-$SUITE-$VARIANT.$$"
    rm -rf "$BUILD"
    local variant=(); [ "$VARIANT" = minbase ] && variant=(--variant=minbase)
    say "building the $SUITE base ($VARIANT variant) in $BASE (once; log: $LOGS/base.log)"
    waitfor debootstrap "${variant[@]}" "$SUITE" "$BUILD" "$MIRROR" >>"$LOGS/base.log" 2>&1 \
        || { tail -20 "$LOGS/base.log" >&2; die "debootstrap failed"; }
    # What the Debian installer writes and debootstrap does not: the full apt sources, hosts, hostname.
    rm -f "$BUILD/etc/apt/sources.list"
    cat >"$BUILD/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    echo "$HOSTNAME_IN" >"$BUILD/etc/hostname"
    printf "127.0.0.1\tlocalhost\n127.0.1.1\t$HOSTNAME_IN\n\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n" \
        >"$BUILD/etc/hosts"
    mount_system "$BUILD"
    waitfor chroot "$BUILD" /usr/bin/env -i PATH=$CHROOT_PATH HOME=/root DEBIAN_FRONTEND=noninteractive \
        sh -c 'apt-get update && apt-get -y upgrade && apt-get clean' >>"$LOGS/base.log" 2>&1 </dev/null \
        || { tail -20 "$LOGS/base.log" >&2; die "apt-get upgrade in the base failed"; }
    stop_chroot_processes "$BUILD"
    unmount_all
    rm -f "$BUILD/etc/resolv.conf"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$BUILD/.fresh-debian-built"
    rm -rf "$BASE"; mv "$BUILD" "$BASE"; BUILD=""
}

# A pristine copy of the tree(s) $1 (overlay lower dirs, "upper:lower") at $2/root, writing to
# $2/upper, with the kernel file systems and no service started by a package's installation.
pristine_copy() {
    local lower="$1" run="$2"
    mkdir -p "$run/upper" "$run/work" "$run/root"
    if ! mnt "$run/root" -t overlay overlay -o "lowerdir=$lower,upperdir=$run/upper,workdir=$run/work" 2>/dev/null; then
        say "no overlayfs here: copying the base instead"
        local layer
        for layer in $(echo "$lower" | tr ':' '\n' | tac); do cp -a "$layer/." "$run/root/"; done
    fi
    mount_system "$run/root"
    # No init runs in a chroot: packages' services must not be started by their installation.
    printf '#!/bin/sh\nexit 101\n' >"$run/root/usr/sbin/policy-rc.d"; chmod 755 "$run/root/usr/sbin/policy-rc.d"
}
