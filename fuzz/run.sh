#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60), one after the other, in one process
# on one core (libFuzzer's default; no -jobs or -fork).
#
#   fuzz/run.sh 600            # ten minutes per target
#   fuzz/run.sh 60 validate    # one target
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each target starts
# from the seeds in the repository (examples/, plans/, tests/bad_input/) and keeps what it
# finds in fuzz/corpus/TARGET (not committed). A crash is written to fuzz/artifacts/TARGET/ and
# stops the run with a non-zero status: turn it into a regression test, then fix it.
set -eu
SECONDS_EACH=${1:-60}
shift 2>/dev/null || true
TARGETS=${*:-"cluster plan_toml plan_json validate import"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/fuzz"

# The import target reads a platform byte (the index in quorate::live::PLATFORMS), then the
# export files joined by NUL bytes: one seed per platform, from the small fixture sets.
import_seeds() {
    dir="$ROOT/fuzz/corpus/import-seeds"
    mkdir -p "$dir"
    fixtures="$ROOT/tests/fixtures/import"
    index=0
    for set in "kubernetes small.json" \
        "ceph small-osd-tree.json small-mon-dump.json small-pools.json small-rules.json small-health.json" \
        "proxmox small-resources.json small-status.json small-ha.json affinity-ha-pve8.json affinity-groups.json affinity-rules.json" \
        "openstack small-hypervisors.json small-servers.json small-flavors.json small-server-groups.json small-services.json" \
        "vsphere small-hosts.json small-vms.json small-rules.json"; do
        # shellcheck disable=SC2086
        set -- $set
        folder=$1
        shift
        {
            printf "\\$(printf %03o "$index")"
            first=1
            for file in "$@"; do
                [ "$first" = 1 ] || printf '\0'
                first=0
                cat "$fixtures/$folder/$file"
            done
        } >"$dir/$folder"
        index=$((index + 1))
    done
    echo "$dir"
}

seeds() {
    case $1 in
        cluster) echo "$ROOT/examples $ROOT/plans/clusters $ROOT/tests/bad_input/cluster" ;;
        import) import_seeds ;;
        *) echo "$ROOT/plans $ROOT/plans/violations $ROOT/tests/bad_input/plan" ;;
    esac
}

for target in $TARGETS; do
    mkdir -p "corpus/$target"
    echo "== $target: $SECONDS_EACH s"
    # shellcheck disable=SC2046
    cargo +nightly fuzz run -O "$target" "corpus/$target" $(seeds "$target") -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -print_final_stats=1
done
