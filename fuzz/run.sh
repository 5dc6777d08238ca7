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
TARGETS=${*:-"cluster plan_toml plan_json validate"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/fuzz"

seeds() {
    case $1 in
        cluster) echo "$ROOT/examples $ROOT/plans/clusters $ROOT/tests/bad_input/cluster" ;;
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
