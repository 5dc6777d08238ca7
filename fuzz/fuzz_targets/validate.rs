//! `validate` on arbitrary plans (TOML or JSON) against every example cluster, with each
//! violation rendered on the plan as the binary does.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quorate::planfile::{self, ViolationReport};
use quorate::{Cluster, Source};

#[path = "render.rs"]
mod render;

const EXAMPLES: [(&str, &str); 7] = [
    ("hyperv-failover", include_str!("../../examples/hyperv-failover.toml")),
    ("kubernetes", include_str!("../../examples/kubernetes.toml")),
    ("nutanix-ahv", include_str!("../../examples/nutanix-ahv.toml")),
    ("openstack-kvm", include_str!("../../examples/openstack-kvm.toml")),
    ("proxmox-ceph", include_str!("../../examples/proxmox-ceph.toml")),
    ("vsan-16-hosts", include_str!("../../examples/vsan-16-hosts.toml")),
    ("vsan-stretched", include_str!("../../examples/vsan-stretched.toml")),
];

fn clusters() -> &'static [Cluster] {
    static CLUSTERS: OnceLock<Vec<Cluster>> = OnceLock::new();
    CLUSTERS.get_or_init(|| {
        EXAMPLES
            .iter()
            .map(|(name, text)| quorate::load(&Source::new(*name, *text)).expect("the examples load").cluster)
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source::new("plan", text);
    let plan = match planfile::read(&source) {
        Ok(plan) => plan,
        Err(errors) => {
            render::render(&errors);
            return;
        }
    };
    for cluster in clusters() {
        let validation = quorate::validate::validate(cluster, &plan);
        for violation in validation.violations.iter().take(50) {
            render::render(&ViolationReport::new(violation, &source));
        }
        planfile::summary(&validation, &source, cluster);
    }
});
