#!/usr/bin/env bash
# The real-Ceph end-to-end test: quorate's model of a Ceph cluster against a real one.
#
#   tests/e2e/ceph/run.sh [--capture-fixtures]
#
# Brings up a throwaway Ceph 16 cluster (cluster.sh: one mon, one mgr, six memstore OSDs under
# the CRUSH hosts ceph-a, ceph-b and ceph-c, a pool of size 3 / min_size 2 with one copy per
# host), exports it as JSON, turns it into a cluster description (`quorate import ceph`),
# plans, and then walks the plan wave by wave on the real cluster:
#   - every pre-check of the wave: its `assert` when it has one, else its `command`;
#   - `quorate verify --wave N` against fresh exports: every check it can decide passes;
#   - `ceph osd ok-to-stop` for the wave's OSDs must answer ok;
#   - the wave's steps: `ceph osd set noout` and the like run as written; entering and leaving
#     maintenance (`systemctl stop|start ceph-osd.target` over ssh on a cluster without cephadm,
#     whose daemons here are plain processes of one machine) is done by stopping and starting
#     the host's OSD daemons;
#   - while the host is down: no PG may be inactive or stale (`ceph pg stat -f json`,
#     pgs-serving.jq), some must be degraded (so the host really was down), and a write to the
#     pool must succeed;
#   - the OSDs start again, every PG active+clean, then the post-checks (and `verify --post`).
# Negative control: a hand-written plan with two of the three CRUSH hosts in one wave must be
# rejected by `quorate validate` (exit 1, fault_domain_limit), and `ceph osd ok-to-stop` must
# refuse the same OSDs (non-zero exit, ok_to_stop false).
#
# Ends with a summary; exits 1 when any check failed, 0 otherwise. Every process the cluster
# started is stopped and every temporary file removed on any exit (trap).
#
# --capture-fixtures also writes the raw outputs of the ceph commands (stdout, stderr, exit
# code) into tests/fixtures/ceph-real/, for stub tests; see SOURCES.md there.
#
# Environment: QUORATE (the binary; default: `cargo build --release` and target/release/quorate),
# CEPH_E2E_PORT (monitor port, default 43300), CEPH_E2E_TIMEOUT (seconds per wait, default 180).
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
CAPTURE=0
case "${1:-}" in
--capture-fixtures) CAPTURE=1 ;;
"") ;;
*)
    echo "usage: $0 [--capture-fixtures]" >&2
    exit 2
    ;;
esac

WORK="$(mktemp -d /tmp/quorate-ceph-e2e.XXXXXX)"
export CEPH_E2E_DIR="$WORK/cluster"
export CEPH_CONF="$CEPH_E2E_DIR/ceph.conf"
CLUSTER="$HERE/cluster.sh"
FIXTURES="$REPO/tests/fixtures/ceph-real"
STARTED=$SECONDS

cleanup() {
    local rc=$?
    "$CLUSTER" down || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

RESULTS=()
FAILED=0
pass() { RESULTS+=("PASS  $*"); log "PASS  $*"; }
fail() { RESULTS+=("FAIL  $*"); FAILED=1; log "FAIL  $*"; }
na() { RESULTS+=("N/A   $*"); log "N/A   $*"; }
# check WHAT CMD...: PASS when CMD exits 0, FAIL otherwise.
check() {
    local what="$1"
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

cephc() { timeout 60 ceph --connect-timeout 20 "$@"; }

# --- quorate ----------------------------------------------------------------------------------
if [[ -z "${QUORATE:-}" ]]; then
    log "building quorate (cargo build --release)"
    (cd "$REPO" && cargo build --release --quiet)
    QUORATE="$REPO/target/release/quorate"
fi
[[ -x "$QUORATE" ]] || { echo "QUORATE=$QUORATE is not an executable" >&2; exit 2; }
Q() { "$QUORATE" --color never "$@"; }


# --- the cluster --------------------------------------------------------------------------------
"$CLUSTER" up
pass "cluster up: 3 CRUSH hosts x 2 OSDs, pool size 3 / min_size 2, HEALTH_OK ($((SECONDS - STARTED)) s)"

# The four exports quorate reads, as `ceph ... -f json` prints them.
# export_to DIR: write them into DIR.
export_to() {
    mkdir -p "$1"
    cephc osd tree -f json >"$1/osd-tree.json"
    cephc mon dump -f json >"$1/mon-dump.json" 2>/dev/null
    cephc osd pool ls detail -f json >"$1/osd-pool-ls-detail.json"
    cephc osd crush rule dump -f json >"$1/osd-crush-rule-dump.json"
    local f
    for f in "$1"/*.json; do
        jq -e . "$f" >/dev/null || { log "$f is not JSON"; return 1; }
    done
}
EXPORTS="$WORK/exports"
check "the four exports are JSON (osd tree, mon dump, osd pool ls detail, osd crush rule dump)" \
    export_to "$EXPORTS"

# capture NAME EXT CMD...: run CMD; keep stdout as NAME.EXT, stderr as NAME.stderr (when not
# empty), and the exit code in index.tsv. Only with --capture-fixtures.
capture() {
    ((CAPTURE)) || return 0
    local name="$1" ext="$2"
    shift 2
    local rc=0
    timeout 60 "$@" >"$FIXTURES/$name.$ext" 2>"$FIXTURES/$name.stderr" || rc=$?
    [[ -s "$FIXTURES/$name.stderr" ]] || rm -f "$FIXTURES/$name.stderr"
    printf '%s.%s\t%s\t%s\n' "$name" "$ext" "$rc" "$*" >>"$FIXTURES/index.tsv"
}

OSDS_A="$(cephc osd ls-tree ceph-a | xargs)"
OSDS_AB="$(cephc osd ls-tree ceph-a; cephc osd ls-tree ceph-b)"
OSDS_AB="$(echo $OSDS_AB)"
if ((CAPTURE)); then
    log "capturing raw outputs into $FIXTURES"
    mkdir -p "$FIXTURES"
    rm -f "$FIXTURES"/*.json "$FIXTURES"/*.txt "$FIXTURES"/*.stderr "$FIXTURES/index.tsv"
    printf 'file\texit\tcommand\n' >"$FIXTURES/index.tsv"
    capture osd-tree json ceph osd tree -f json
    capture mon-dump json ceph mon dump -f json
    capture osd-pool-ls-detail json ceph osd pool ls detail -f json
    capture osd-crush-rule-dump json ceph osd crush rule dump -f json
    capture osd-tree txt ceph osd tree
    capture osd-pool-ls-detail txt ceph osd pool ls detail
    capture osd-crush-rule-ls txt ceph osd crush rule ls
    capture osd-dump json ceph osd dump -f json
    capture osd-df-tree json ceph osd df tree -f json
    capture health json ceph health -f json
    capture health-detail txt ceph health detail
    capture status json ceph -s -f json
    capture status txt ceph -s
    capture pg-stat json ceph pg stat -f json
    capture versions json ceph versions -f json
    capture mon-stat txt ceph mon stat
    capture mon-stat json ceph mon stat -f json
    capture quorum-status json ceph quorum_status -f json
    capture osd-ls-tree-host txt ceph osd ls-tree ceph-a
    capture osd-ls-tree-host json ceph osd ls-tree ceph-a -f json
    capture osd-ls-tree-unknown-host txt ceph osd ls-tree no-such-host
    # shellcheck disable=SC2086 # one argument per OSD id
    capture ok-to-stop-one-host json ceph osd ok-to-stop $OSDS_A -f json
    # shellcheck disable=SC2086
    capture ok-to-stop-one-host-plain txt ceph osd ok-to-stop $OSDS_A
    # shellcheck disable=SC2086
    capture ok-to-stop-two-hosts json ceph osd ok-to-stop $OSDS_AB -f json
    # What `ceph osd ok-to-stop $(ceph osd ls-tree HOST)` runs when HOST is unknown: no ids.
    capture ok-to-stop-no-ids txt ceph osd ok-to-stop
    capture osd-set-group-noout-host txt ceph osd set-group noout ceph-a
    capture health-noout-group json ceph health -f json
    capture osd-dump-noout-group json ceph osd dump -f json
    capture osd-unset-group-noout-host txt ceph osd unset-group noout ceph-a
    capture osd-set-group-noout-unknown-host txt ceph osd set-group noout no-such-host
    capture osd-set-noout txt ceph osd set noout
    capture health-noout json ceph health -f json
    capture health-detail-noout txt ceph health detail
    capture osd-unset-noout txt ceph osd unset noout
    capture orch-host-ls txt ceph orch host ls
    capture orch-ps-host txt ceph orch ps ceph-a
    "$CLUSTER" wait-clean
fi

# --- the cluster description ------------------------------------------------------------------
CLUSTER_TOML="$WORK/cluster.toml"
check "quorate import ceph (the four exports)" \
    Q import ceph "$EXPORTS"/osd-tree.json "$EXPORTS"/mon-dump.json \
    "$EXPORTS"/osd-pool-ls-detail.json "$EXPORTS"/osd-crush-rule-dump.json --out "$CLUSTER_TOML"
check "quorate check accepts the cluster description" Q check "$CLUSTER_TOML" >/dev/null

PLAN="$WORK/plan.json"
check "quorate plan -o json" Q plan "$CLUSTER_TOML" -o json --out "$PLAN"
check "quorate validate accepts its own plan" Q validate "$CLUSTER_TOML" "$PLAN" >/dev/null
mapfile -t CRUSH_HOSTS < <(jq -r '.nodes[] | select(.type == "host") | .name' "$EXPORTS/osd-tree.json" | sort)
planned="$(jq -r '[.waves[].hosts[]] | sort | join(" ")' "$PLAN")"
check "the plan upgrades every CRUSH host exactly once ($planned)" \
    test "$planned" = "${CRUSH_HOSTS[*]}"
WAVES="$(jq '.waves | length' "$PLAN")"
log "plan: $WAVES waves: $(jq -c '[.waves[].hosts]' "$PLAN")"

# run_check ID CMD: a pre- or post-check of the plan, run as the runbook would.
run_check() {
    local id="$1" cmd="$2" what="$3"
    local out="$WORK/logs/$id.out" rc=0
    timeout 120 bash -c "$cmd" >"$out" 2>&1 || rc=$?
    if ((rc == 0)) && grep -q 'No orchestrator configured' "$out"; then
        # `a; b` exits with b's status: a `ceph orch` part failed and the line still passed.
        pass "$id $what: \`$cmd\` (exit 0, but its \`ceph orch\` part failed: no cephadm here, and the line's status is its last command's)"
    elif ((rc == 0)); then
        pass "$id $what: \`$cmd\`"
    elif grep -q 'ceph orch' <<<"$cmd"; then
        # cephadm's orchestrator: this cluster is not managed by cephadm (no `ceph orch` backend).
        na "$id $what: \`$cmd\` exit $rc (needs cephadm): $(tail -n1 "$out")"
    else
        fail "$id $what: \`$cmd\` exit $rc: $(tail -n2 "$out" | tr '\n' ' ')"
    fi
}

# run_checks WAVE pre_checks|post_checks
run_checks() {
    local wave="$1" field="$2" n i id cmd assert kind
    n="$(jq --argjson w "$wave" --arg f "$field" '.waves[$w - 1][$f] | length' "$PLAN")"
    for ((i = 0; i < n; i++)); do
        id="$(jq -r --argjson w "$wave" --arg f "$field" --argjson i "$i" '.waves[$w - 1][$f][$i].id' "$PLAN")"
        kind="$(jq -r --argjson w "$wave" --arg f "$field" --argjson i "$i" '.waves[$w - 1][$f][$i].kind' "$PLAN")"
        assert="$(jq -r --argjson w "$wave" --arg f "$field" --argjson i "$i" '.waves[$w - 1][$f][$i].assert // empty' "$PLAN")"
        cmd="$(jq -r --argjson w "$wave" --arg f "$field" --argjson i "$i" '.waves[$w - 1][$f][$i].command // empty' "$PLAN")"
        if [[ -n "$assert" ]]; then
            run_check "$id" "$assert" "($kind, assert)"
        elif [[ -n "$cmd" ]]; then
            run_check "$id" "$cmd" "($kind, command)"
        else
            na "$id ($kind): no command, prose only"
        fi
    done
}

# verify_wave WAVE [--post]: `quorate verify` against fresh exports; every check the exports
# decide must pass (exit 0), and the report is kept in the logs.
verify_wave() {
    local wave="$1"
    shift
    local dir="$WORK/exports-w$wave${1:-}" out="$WORK/logs/verify-w$wave${1:-}.txt"
    export_to "$dir"
    if Q verify "$CLUSTER_TOML" "$PLAN" --wave "$wave" "$@" "$dir"/*.json >"$out" 2>&1; then
        pass "W$wave quorate verify --wave $wave $*: $(tail -n1 "$out")"
    else
        fail "W$wave quorate verify --wave $wave $*: $(grep -E '^W[0-9.A-Z]+ +fail ' "$out" | head -n3 | tr '\n' ' ')$(tail -n1 "$out")"
    fi
}

# The monitors in quorum, by name, sorted, comma-separated; and the monitors not on HOSTS.
mon_quorum() { cephc quorum_status -f json | jq -r '.quorum_names | sort | join(",")'; }
mons_except() {
    jq -r '[.mons[].name] - $ARGS.positional | sort | join(",")' --args "$@" <"$EXPORTS/mon-dump.json"
}
quorum_is() { test "$(mon_quorum)" = "$1"; }
all_mons_in_quorum() { quorum_is "$(mons_except)"; }
health_ok() { cephc health -f json | jq -e '.status == "HEALTH_OK"' >/dev/null; }
# wait_until WHAT SECONDS CMD...
wait_until() {
    local what="$1" limit="$2"
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            log "timed out after $limit s: $what"
            return 1
        fi
        sleep 1
    done
}
osds_down() {
    local id
    for id in "$@"; do
        cephc osd dump -f json | jq -e --argjson id "$id" '.osds[] | select(.osd == $id) | .up == 0' >/dev/null || return 1
    done
}
pg_states() { cephc pg stat -f json | jq -c '[.pg_summary.num_pg_by_state[] | "\(.num) \(.name)"]'; }
# Every PG serves I/O: "active" in its state and not "stale" (pgs-serving.jq).
no_pg_inactive() {
    cephc pg stat -f json | jq -e -f "$HERE/pgs-serving.jq" >/dev/null
}
pgs_inactive() { ! no_pg_inactive; }
peering_over() {
    cephc pg stat -f json | jq -e '.pg_summary.num_pg_by_state | all(.name | test("peering") | not)' >/dev/null
}
some_pg_degraded() {
    cephc pg stat -f json | jq -e '.pg_summary.num_pg_by_state | any(.name != "active+clean")' >/dev/null
}
write_to_pool() {
    head -c 4096 /dev/urandom | timeout 30 rados -p e2e-rbd put "written-during-wave-$1" -
}

# --- the waves --------------------------------------------------------------------------------
mkdir -p "$WORK/logs"
for ((w = 1; w <= WAVES; w++)); do
    mapfile -t hosts < <(jq -r --argjson w "$w" '.waves[$w - 1].hosts[]' "$PLAN")
    osds=()
    for h in "${hosts[@]}"; do
        mapfile -t -O "${#osds[@]}" osds < <(cephc osd ls-tree "$h")
    done
    log "wave $w: hosts ${hosts[*]}, OSDs ${osds[*]}"
    wave_started=$SECONDS
    check "W$w HEALTH_OK before the wave" health_ok
    run_checks "$w" pre_checks
    verify_wave "$w"
    okjson="$(cephc osd ok-to-stop "${osds[@]}" -f json 2>/dev/null)" && okrc=0 || okrc=$?
    check "W$w ceph osd ok-to-stop ${osds[*]} answers ok (exit $okrc: $(jq -c '{ok_to_stop, num_ok_pgs, num_not_ok_pgs}' <<<"$okjson" 2>/dev/null))" \
        test "$okrc" = 0 -a "$(jq -r .ok_to_stop <<<"$okjson" 2>/dev/null)" = true

    nsteps="$(jq --argjson w "$w" '.waves[$w - 1].steps | length' "$PLAN")"
    for ((s = 0; s < nsteps; s++)); do
        step="$(jq -c --argjson w "$w" --argjson s "$s" '.waves[$w - 1].steps[$s]' "$PLAN")"
        sid="$(jq -r .id <<<"$step")"
        action="$(jq -r .action <<<"$step")"
        target="$(jq -r .target <<<"$step")"
        cmd="$(jq -r '.command // empty' <<<"$step")"
        case "$action" in
        enter_maintenance)
            na "$sid enter_maintenance $target: \`$cmd\` needs ssh to a systemd host; stopping the daemons of $target (OSDs, monitor) instead"
            "$CLUSTER" stop-host "$target"
            ;;
        exit_maintenance)
            # The host is down now (every host of the wave, once the last one entered).
            if [[ "$target" == "${hosts[0]}" ]]; then
                check "W$w the wave's OSDs are marked down" wait_until "OSDs ${osds[*]} down" 60 osds_down "${osds[@]}"
                # Right after OSDs go down their PGs re-peer: "peering" is briefly inactive. Once
                # peering is over, a PG left with fewer than min_size copies stays inactive
                # ("undersized+degraded+peered", never "active"), so waiting (bounded) for every
                # PG to be active is the check, and a wave that breaks min_size fails it.
                first_states="$(pg_states)"
                wait_until "every PG active" 60 no_pg_inactive || true
                check "W$w no PG inactive while ${hosts[*]} is down, once peering is over (first seen: $first_states; then: $(pg_states))" no_pg_inactive
                check "W$w some PGs degraded while ${hosts[*]} is down (the host really is down)" some_pg_degraded
                check "W$w a write to pool e2e-rbd succeeds while ${hosts[*]} is down" write_to_pool "$w"
                # The monitors notice a peer gone only after an election (seconds): wait for the
                # quorum without the wave's monitors; a lost quorum makes every ceph command time out.
                wait_until "quorum of $(mons_except "${hosts[@]}")" 60 quorum_is "$(mons_except "${hosts[@]}")" || true
                check "W$w the monitors keep a quorum while ${hosts[*]} is down (quorum: $(mon_quorum))" \
                    quorum_is "$(mons_except "${hosts[@]}")"
                if ((CAPTURE && w == 1)); then
                    capture host-down-pg-stat json ceph pg stat -f json
                    capture host-down-health json ceph health -f json
                    capture host-down-health-detail txt ceph health detail
                    capture host-down-status json ceph -s -f json
                    capture host-down-osd-tree json ceph osd tree -f json
                    capture host-down-osd-dump json ceph osd dump -f json
                    # shellcheck disable=SC2086
                    capture host-down-ok-to-stop-next-host json ceph osd ok-to-stop $(ceph osd ls-tree ceph-b) -f json
                fi
            fi
            na "$sid exit_maintenance $target: \`$cmd\` needs ssh to a systemd host; starting the daemons of $target instead"
            "$CLUSTER" start-host "$target"
            ;;
        *)
            if [[ -z "$cmd" ]]; then
                na "$sid $action $target: prose only ($(jq -r '.detail // ""' <<<"$step" | cut -c1-60)...)"
            elif [[ "$action" == unset_noout ]]; then
                # The runbook unsets noout "once every OSD of this wave is up and in again".
                check "W$w every PG active+clean again after ${hosts[*]} came back" "$CLUSTER" wait-clean
                run_check "$sid" "$cmd" "($action)"
            else
                run_check "$sid" "$cmd" "($action)"
            fi
            ;;
        esac
    done
    check "W$w every PG active+clean after the wave" "$CLUSTER" wait-clean
    check "W$w every monitor back in quorum after the wave" wait_until "all monitors in quorum" 120 all_mons_in_quorum
    check "W$w HEALTH_OK after the wave" wait_until "HEALTH_OK" 120 health_ok
    run_checks "$w" post_checks
    verify_wave "$w" --post
    log "wave $w done in $((SECONDS - wave_started)) s"
done

# --- negative control -------------------------------------------------------------------------
BAD_PLAN="$WORK/two-hosts-in-one-wave.toml"
cat >"$BAD_PLAN" <<PLAN
# Hand-written and unsafe: two of the three CRUSH hosts down at once leaves one copy of every
# PG, below min_size 2.
[[wave]]
hosts = ["${CRUSH_HOSTS[0]}", "${CRUSH_HOSTS[1]}"]

[[wave]]
hosts = ["${CRUSH_HOSTS[2]}"]
PLAN
vrc=0
Q validate "$CLUSTER_TOML" "$BAD_PLAN" -o json >"$WORK/bad-validate.json" 2>/dev/null || vrc=$?
check "negative control: quorate validate rejects ${CRUSH_HOSTS[0]} + ${CRUSH_HOSTS[1]} in one wave (exit $vrc, codes $(jq -c '[.violations[].code] | unique' "$WORK/bad-validate.json" 2>/dev/null))" \
    test "$vrc" = 1 -a "$(jq -r 'any(.violations[]; .code == "fault_domain_limit")' "$WORK/bad-validate.json" 2>/dev/null)" = true
bad_osds=()
for h in "${CRUSH_HOSTS[0]}" "${CRUSH_HOSTS[1]}"; do
    mapfile -t -O "${#bad_osds[@]}" bad_osds < <(cephc osd ls-tree "$h")
done
badjson="$(cephc osd ok-to-stop "${bad_osds[@]}" -f json 2>/dev/null)" && badrc=0 || badrc=$?
check "negative control: ceph osd ok-to-stop ${bad_osds[*]} refuses (exit $badrc: $(jq -c '{ok_to_stop, num_ok_pgs, num_not_ok_pgs}' <<<"$badjson" 2>/dev/null))" \
    test "$badrc" != 0 -a "$(jq -r .ok_to_stop <<<"$badjson" 2>/dev/null)" = false

# The check "no PG inactive" must be able to fail: with the OSDs of two CRUSH hosts actually
# stopped, one copy of each PG is left, below min_size, and once peering is over PGs must stay
# inactive. (The cluster is torn down right after, so nothing is started again.)
stoppers=()
for id in "${bad_osds[@]}"; do
    "$CLUSTER" stop-osd "$id" &
    stoppers+=($!)
done
wait "${stoppers[@]}"
# With two of three hosts stopped, the OSDs left all sit on one host, and the monitor wants
# failure reports from two hosts (mon_osd_min_down_reporters, mon_osd_reporter_subtree_level):
# a stopped OSD that did not mark itself down stays "up" and its PGs go stale+active instead of
# inactive. Mark them down, as an operator would (`ceph osd down`, doc/rados/operations).
cephc osd down "${bad_osds[@]}" >/dev/null 2>&1 || true
wait_until "OSDs ${bad_osds[*]} down" 60 osds_down "${bad_osds[@]}" || true
wait_until "peering over" 60 peering_over || true
wait_until "PGs inactive" 60 pgs_inactive || true
check "negative control: with ${bad_osds[*]} stopped and peering over, PGs are inactive, so the check above can fail ($(pg_states))" \
    pgs_inactive

# --- summary ----------------------------------------------------------------------------------
echo
echo "Real Ceph end-to-end test: $(ceph --version | cut -d' ' -f1-3), $WAVES waves, $((SECONDS - STARTED)) s"
printf '  %s\n' "${RESULTS[@]}"
if ((FAILED)); then
    echo "FAILED"
    exit 1
fi
echo "OK"
