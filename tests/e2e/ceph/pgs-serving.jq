# Reads `ceph pg stat -f json` (pg_summary.num_pg_by_state: [{"name": "active+clean", "num": N}])
# and is true when every PG serves I/O: "active" in its state and not "stale". A stale PG is one
# whose primary has stopped reporting to the monitors (ceph/ceph doc/rados/operations/pg-states.rst:
# "stale: The placement group is in an unknown state - the monitors have not received an update
# for it since the placement group mapping changed"); it keeps its last known state, so
# "stale+active+clean" still says active although nothing serves it (seen on the real cluster
# when the OSDs of two hosts were stopped; tests/e2e/ceph/run.sh).
def states: .name | split("+");
.pg_summary.num_pg_by_state
| all(states | index("active") != null and index("stale") == null)
