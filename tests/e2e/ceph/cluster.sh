#!/usr/bin/env bash
# A throwaway Ceph cluster on this machine, for the real-Ceph end-to-end test (run.sh).
#
#   cluster.sh up          install Ceph if missing, build the cluster, wait for active+clean
#   cluster.sh down        stop every daemon this script started, remove the cluster's folder
#   cluster.sh stop-host H stop every daemon of CRUSH host H (its OSDs and its monitor): the
#                          harness's stand-in for a host going into maintenance
#   cluster.sh start-host H start them again, each OSD at its CRUSH location
#   cluster.sh stop-osd N  stop osd.N only
#   cluster.sh start-osd N start osd.N again
#   cluster.sh wait-clean  wait until every PG is active+clean
#   cluster.sh env         print the `export CEPH_CONF=...` that points the ceph CLI here
#
# The cluster: three monitors named after the CRUSH hosts (ceph-a, ceph-b, ceph-c) on 127.0.0.1
# at non-default ports, one manager, six memstore OSDs under the three CRUSH host buckets (two
# OSDs each), cephx off, and a replicated pool of size 3 and min_size 2 whose CRUSH rule puts
# one copy per host. All daemons run on this one machine; a "host" is its CRUSH bucket and the
# monitor of the same name. Everything
# lives in $CEPH_E2E_DIR (default /tmp/quorate-ceph-e2e): configuration, monmap, data, logs,
# sockets and the pid of every daemon started. Nothing is written to /etc/ceph or /var/lib/ceph,
# and every command is pointed at our configuration with --conf, so a Ceph already installed on
# the machine is neither read nor touched. Daemons run in the foreground (-f) in the background
# of this script, so that their pid is the one we record; `down` kills exactly those pids.
#
# How, and where each piece is defined (Ceph 16.2, Debian bookworm's packages):
# - bootstrap of a monitor (fsid, monmaptool --create --addv --fsid, ceph-mon --mkfs -i
#   --monmap --keyring) and of an OSD (`ceph osd new UUID`, `ceph-osd -i ID --mkfs
#   --osd-uuid UUID`): ceph/ceph doc/install/manual-deployment.rst, "Monitor Bootstrapping"
#   and "Adding OSDs, Long Form"; flags in the installed man pages monmaptool(8), ceph-mon(8)
#   and ceph-osd(8) (`-c/--conf`, `-f`, `--mkfs`, `--monmap`, `--keyring`, `--addv`, `--fsid`).
# - every option name written into ceph.conf or passed as --option (auth_*_required,
#   osd_objectstore, memstore_device_bytes, crush_location, osd_pool_default_*, mon_data,
#   osd_data, mgr_data, run_dir, admin_socket, log_file, ms_bind_msgr1, mon_data_avail_*, ...)
#   is in the option table of the installed binaries: `ceph-conf -c /dev/null -D` lists each
#   one with its default. `$name` in a path is Ceph's metavariable for TYPE.ID
#   (doc/rados/configuration/ceph-conf.rst, "Metavariables").
# - the CRUSH location: the crush_location option, "root=default host=ceph-a" pairs
#   (https://docs.ceph.com/en/latest/rados/operations/crush-map/, "CRUSH Location"), given on
#   the OSD's command line as --crush-location and applied at start (osd_crush_update_on_start,
#   true by default); tests/fixtures/ceph-real/osd-tree.json shows the result.
# - memstore OSDs: ceph/ceph src/vstart.sh, `osd objectstore = memstore`.
# - the CRUSH rule and pool: the monitor's own command table, as `ceph <command> -h` prints it:
#   `osd crush rule create-replicated <name> <root> <type> [<class>]`, `osd pool create <pool>
#   [<pg_num:int>] [<pgp_num:int>] [replicated|erasure] ...`, `osd pool set`, `osd pool
#   application enable <pool> <app>`.
# - readiness: `ceph pg stat -f json` gives pg_summary.num_pgs and
#   pg_summary.num_pg_by_state[{name,num}] (captured in tests/fixtures/ceph-real/pg-stat.json).
set -Eeuo pipefail

DIR="${CEPH_E2E_DIR:-/tmp/quorate-ceph-e2e}"
PORT="${CEPH_E2E_PORT:-43300}"           # first monitor's port (msgr2 only; Ceph's are 3300/6789)
OSD_BYTES="${CEPH_E2E_OSD_BYTES:-268435456}" # 256 MiB of RAM per memstore OSD
TIMEOUT="${CEPH_E2E_TIMEOUT:-180}"      # seconds any one wait may take
HOSTS=(ceph-a ceph-b ceph-c)
OSDS_PER_HOST=2
POOL="${CEPH_E2E_POOL:-e2e-rbd}"
RULE="e2e-by-host"
CONF="$DIR/ceph.conf"

log() { printf '[cluster %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The ceph CLI, always at our cluster, never waiting forever for a monitor.
cephc() { timeout 60 ceph --conf "$CONF" --connect-timeout 20 "$@"; }

install_packages() {
    local missing=()
    local bin
    for bin in ceph-mon ceph-mgr ceph-osd ceph jq uuidgen; do
        command -v "$bin" >/dev/null || missing+=("$bin")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "installing Debian's Ceph packages (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq ceph-mon ceph-mgr ceph-osd ceph-common jq uuid-runtime >/dev/null
}

# Start a daemon in the foreground, in the background of this shell, and record its pid.
# Output goes to the daemon's own log, never to the caller's terminal.
start_daemon() {
    local name="$1"
    shift
    nohup "$@" -f >"$DIR/log/$name.out" 2>&1 </dev/null &
    echo $! >"$DIR/pid/$name"
    log "started $name (pid $!)"
}

# True when the pid recorded for NAME is a live process started with our ceph.conf: a recycled
# pid belonging to something else is never signalled.
ours() {
    local pidfile="$DIR/pid/$1"
    [[ -f "$pidfile" ]] || return 1
    local pid
    pid="$(cat "$pidfile")"
    [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CONF"
}

stop_daemon() {
    local name="$1"
    local pidfile="$DIR/pid/$name"
    if ! ours "$name"; then
        rm -f "$pidfile"
        return 0
    fi
    local pid
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) ignored SIGTERM for 10 s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    log "stopped $name (pid $pid)"
}

# The monitors' addresses, one address vector each: [v2:127.0.0.1:PORT],[v2:127.0.0.1:PORT+1],...
mon_addrs() {
    local i addrs=()
    for ((i = 0; i < ${#HOSTS[@]}; i++)); do addrs+=("[v2:127.0.0.1:$((PORT + i))]"); done
    (IFS=,; echo "${addrs[*]}")
}

write_conf() {
    local fsid="$1"
    cat >"$CONF" <<CONF
# Written by tests/e2e/ceph/cluster.sh: a throwaway test cluster.
[global]
fsid = $fsid
mon_host = $(mon_addrs)
ms_bind_msgr1 = false
public_addr = 127.0.0.1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
keyring = $DIR/keyring
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
mon_data = $DIR/data/\$name
mgr_data = $DIR/data/\$name
osd_data = $DIR/data/\$name
osd_objectstore = memstore
memstore_device_bytes = $OSD_BYTES
osd_pool_default_size = 3
osd_pool_default_min_size = 2
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 1
# cephx is off, so the reclaim of global ids is moot; allowing it would be a HEALTH_WARN.
auth_allow_insecure_global_id_reclaim = false
# The monitor's store is a few MiB; a build machine's disk may well be more than 70 % full,
# which is MON_DISK_LOW (HEALTH_WARN) at the default of 30 % free.
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_allow_pool_delete = true
# One machine, small memory: no large caches, few threads.
osd_memory_target = 939524096
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 1
CONF
}

cmd_up() {
    install_packages
    if [[ -e "$DIR" ]]; then
        die "$DIR exists: another run is up, or one was not cleaned (run: $0 down)"
    fi
    mkdir -p "$DIR"/{data,log,run,pid}
    # From here on, a failure tears down whatever was started.
    trap 'log "bring-up failed; cleaning up"; cmd_down' ERR
    local started=$SECONDS
    local fsid
    fsid="$(uuidgen)"
    write_conf "$fsid"
    log "fsid $fsid, monitors at $(mon_addrs), folder $DIR"

    # Keyring: ceph-mon --mkfs wants the mon. secret even with cephx off (ceph-mon(8), --mkfs).
    ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' \
        --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
    # One monitor per CRUSH host, named after it, as on Proxmox VE or cephadm clusters: the
    # monitor map then says which host each monitor lives on.
    local monmap_args=() i
    for ((i = 0; i < ${#HOSTS[@]}; i++)); do
        monmap_args+=(--addv "${HOSTS[i]}" "[v2:127.0.0.1:$((PORT + i))]")
    done
    monmaptool --create "${monmap_args[@]}" --fsid "$fsid" "$DIR/monmap" >/dev/null
    local h
    for h in "${HOSTS[@]}"; do
        ceph-mon --conf "$CONF" --mkfs -i "$h" --monmap "$DIR/monmap" --keyring "$DIR/keyring"
        start_daemon "mon.$h" ceph-mon --conf "$CONF" -i "$h"
    done
    wait_for "the monitors to form a quorum of ${#HOSTS[@]}" mons_in_quorum "${#HOSTS[@]}"

    mkdir -p "$DIR/data/mgr.x"
    start_daemon mgr.x ceph-mgr --conf "$CONF" -i x

    local id uuid
    for h in "${HOSTS[@]}"; do
        for ((i = 0; i < OSDS_PER_HOST; i++)); do
            uuid="$(uuidgen)"
            id="$(cephc osd new "$uuid")"
            mkdir -p "$DIR/data/osd.$id"
            echo "host=$h root=default" >"$DIR/data/osd.$id.crush_location"
            ceph-osd --conf "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" >>"$DIR/log/osd.$id.mkfs" 2>&1
            # Starting an OSD right after `ceph osd new` was seen to fail with "wrong fsid";
            # a second's pause avoids it.
            sleep 1
            start_osd "$id"
        done
    done
    wait_for "6 OSDs up and in" osds_up_in 6
    cephc osd crush rule create-replicated "$RULE" default host >/dev/null 2>&1
    cephc osd pool create "$POOL" 32 32 replicated "$RULE" >/dev/null 2>&1
    cephc osd pool set "$POOL" size 3 >/dev/null 2>&1
    cephc osd pool set "$POOL" min_size 2 >/dev/null 2>&1
    cephc osd pool application enable "$POOL" rbd >/dev/null 2>&1
    cmd_wait_clean
    # A few objects, so that the PGs hold data that a stopped host leaves with two copies.
    local n
    for n in 1 2 3 4 5 6 7 8; do
        head -c 65536 /dev/urandom | timeout 60 rados --conf "$CONF" -p "$POOL" put "object-$n" -
    done
    cmd_wait_clean
    wait_for "HEALTH_OK" health_ok
    trap - ERR
    log "cluster up in $((SECONDS - started)) s: $(cephc -s -f json | jq -c '{health: .health.status, osds: .osdmap.num_up_osds, pgs: .pgmap.num_pgs}')"
}

start_osd() {
    local id="$1"
    [[ -f "$DIR/data/osd.$id.crush_location" ]] || die "osd.$id is not one of this cluster's OSDs"
    if ours "osd.$id"; then
        log "osd.$id already runs"
        return 0
    fi
    start_daemon "osd.$id" ceph-osd --conf "$CONF" -i "$id" \
        --crush-location "$(cat "$DIR/data/osd.$id.crush_location")"
}

mons_in_quorum() {
    cephc quorum_status -f json | jq -e --argjson n "$1" '.quorum | length == $n' >/dev/null
}

osds_up_in() {
    cephc osd stat -f json | jq -e --argjson n "$1" '.num_up_osds == $n and .num_in_osds == $n' >/dev/null
}

health_ok() {
    cephc health -f json | jq -e '.status == "HEALTH_OK"' >/dev/null
}

# Every PG active+clean, and at least one PG.
all_clean() {
    cephc pg stat -f json | jq -e '.pg_summary
        | .num_pgs > 0
          and ([.num_pg_by_state[] | select(.name == "active+clean") | .num] | add // 0) == .num_pgs
    ' >/dev/null
}

# wait_for WHAT CMD ARGS...: run CMD every second until it succeeds, at most $TIMEOUT seconds.
wait_for() {
    local what="$1"
    shift
    local deadline=$((SECONDS + TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            log "timed out after ${TIMEOUT} s waiting for $what"
            cephc -s >&2 || true
            return 1
        fi
        sleep 1
    done
}

cmd_wait_clean() {
    wait_for "every PG active+clean" all_clean
}

cmd_down() {
    trap - ERR
    [[ -d "$DIR" ]] || return 0
    local f stoppers=()
    # OSDs and manager together (each takes a second or two to stop), the monitor last, so that
    # nobody waits for a monitor that is gone. Wait for the stoppers by pid: a bare `wait` would
    # also wait for the daemons this shell started.
    for f in "$DIR"/pid/osd.* "$DIR"/pid/mgr.*; do
        [[ -e "$f" ]] || continue
        stop_daemon "$(basename "$f")" &
        stoppers+=($!)
    done
    [[ ${#stoppers[@]} -eq 0 ]] || wait "${stoppers[@]}"
    for f in "$DIR"/pid/mon.*; do
        [[ -e "$f" ]] && stop_daemon "$(basename "$f")"
    done
    rm -rf "$DIR"
    log "removed $DIR"
}

# The daemons of a CRUSH host: its OSDs (from the locations written at creation) and its monitor.
host_daemons() {
    local host="$1" f
    [[ " ${HOSTS[*]} " == *" $host "* ]] || die "$host is not one of this cluster's hosts"
    for f in "$DIR"/data/osd.*.crush_location; do
        grep -qx "host=$host root=default" "$f" && basename "$f" .crush_location
    done
    echo "mon.$host"
}

# stop-host HOST: every daemon of HOST at once, as when the host goes into maintenance.
cmd_stop_host() {
    local d stoppers=()
    for d in $(host_daemons "$1"); do
        stop_daemon "$d" &
        stoppers+=($!)
    done
    wait "${stoppers[@]}"
}

cmd_start_host() {
    local d
    for d in $(host_daemons "$1"); do
        case "$d" in
        mon.*) ours "$d" || start_daemon "$d" ceph-mon --conf "$CONF" -i "${d#mon.}" ;;
        osd.*) start_osd "${d#osd.}" ;;
        esac
    done
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
stop-osd) stop_daemon "osd.${2:?osd id}" ;;
start-osd) start_osd "${2:?osd id}" ;;
stop-host) cmd_stop_host "${2:?host}" ;;
start-host) cmd_start_host "${2:?host}" ;;
wait-clean) cmd_wait_clean ;;
env) echo "export CEPH_CONF=$CONF" ;;
*)
    echo "usage: $0 up|down|stop-osd ID|start-osd ID|stop-host HOST|start-host HOST|wait-clean|env" >&2
    exit 2
    ;;
esac
