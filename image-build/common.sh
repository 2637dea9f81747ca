# Shared by the image-build scripts (sourced). No root needed: mmdebstrap --mode=unshare.
# shellcheck shell=bash
set -euo pipefail
IB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$IB/.." && pwd)
# Outside the checkout, so that a fresh clone (CI) reuses the apt downloads and the .deb.
CACHE=${STELE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stele-image}
SUITE=trixie
mkdir -p "$CACHE"

# Reproducible builds: file times, the package's build date and mmdebstrap's own clamp all
# come from the last commit (or a given SOURCE_DATE_EPOCH).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || echo 1764633600)
fi
export SOURCE_DATE_EPOCH
# Files the scripts write (fstab, the FAT partition's files) get the same modes whatever the
# caller's umask (./dev image-repro builds once with umask 0002); times are in UTC.
umask 0022
export TZ=UTC

step_t0=0
step() {  # step "what": prints the previous step's time, then the new step
    local now; now=$(date +%s.%N)
    [ "$step_t0" = 0 ] || printf '      %.1f s\n' "$(echo "$now - $step_t0" | bc)" >&2
    step_t0=$now
    [ $# -eq 0 ] || printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# mmdebstrap with the apt download cache kept in $CACHE/apt/<arch> between runs
# (the pattern from mmdebstrap's manual: sync the archives in before and out after).
mmdeb() {
    local arch=$1; shift
    local apt=$CACHE/apt/$arch
    mkdir -p "$apt"
    mmdebstrap --mode=unshare --arch="$arch" --skip=download/empty --skip=essential/unlink \
        --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
        --setup-hook="sync-in '$apt' /var/cache/apt/archives/" \
        --customize-hook="sync-out /var/cache/apt/archives '$apt'" \
        --aptopt='Acquire::Languages "none"' \
        "$@"
}

# The package's dependencies as an mmdebstrap --include list, read from debian/control.
deb_depends() {
    sed -n '/^Package: stele/,$p' "$REPO/debian/control" \
        | sed -n '/^Depends:/,/^[A-Z]/p' | grep -v '^[A-Z][a-z-]*:.*[^,]$' \
        | sed 's/^Depends://; s/#.*//' | tr ',' '\n' | sed 's/(.*)//; s/ //g' \
        | grep -v '^\$\|^$' | paste -sd, -
}
