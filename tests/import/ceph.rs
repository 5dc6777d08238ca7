//! Ceph: `ceph osd tree`, `ceph mon dump`, `ceph osd pool ls detail`,
//! `ceph osd crush rule dump` and `ceph health`, all with `-f json`.
