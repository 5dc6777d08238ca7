//! Counting rules and order: quorum groups, budgets, fault domains, sites, the host cap,
//! exclusive components, order rules.

use super::*;

#[test]
fn quorum_counts_the_votes_of_hosts_down() {
    let c = four_hosts("[[quorum_group]]\nname = \"etcd\"\nmembers = [\"h1\", \"h2\", \"h3\"]\n");
    let v = expect(
        &c,
        &plan(&[&["h1", "h2"], &["h3", "h4"]]),
        &[("quorum_lost", Some(1), "etcd")],
    );
    let text = text_of(&v, 0);
    assert!(text.contains("1 of 3 votes up in wave 1, quorum is 2"), "{text}");
    // h2 (or h1) fits with h4 in wave 2? No: h3 is there. The help finds a real place.
    assert!(text.contains("move `h1` to a new wave"), "{text}");
    expect_valid(&c, &plan(&[&["h1", "h4"], &["h2"], &["h3"]]));
}

#[test]
fn quorum_honours_votes_and_explicit_quorum() {
    let c = four_hosts(
        "[[quorum_group]]\nname = \"g\"\nmembers = [\"h1\", \"h2\", \"h3\"]\nvotes = { \"h3\" = 2 }\nquorum = 2\n",
    );
    // h1 and h2 down leave 2 of 4 votes, h3 down leaves 2: both enough for quorum 2.
    expect_valid(&c, &plan(&[&["h1", "h2", "h4"], &["h3"]]));
    let v = expect(
        &c,
        &plan(&[&["h1", "h3"], &["h2", "h4"]]),
        &[("quorum_lost", Some(1), "g")],
    );
    assert!(
        v.violations[0]
            .message
            .contains("1 of 4 votes up in wave 1, quorum is 2")
    );
    // Moving h1 next to h2 keeps quorum there too: a real candidate.
    assert!(
        text_of(&v, 0).contains("move `h1` to wave 2"),
        "{}",
        text_of(&v, 0)
    );
}

const WORKLOAD_GROUP: &str = r#"
[[host]]
name = "h5"
cpu = 10
memory_gib = 100
state = "down"

[[workload]]
name = "w-live"
host = "h1"
cpu = 1
memory_gib = 1

[[workload]]
name = "w-restart"
host = "h2"
cpu = 1
memory_gib = 1
migration = "restart"

[[workload]]
name = "w-none"
host = "h3"
cpu = 1
memory_gib = 1
migration = "none"

[[workload]]
name = "w-lost"
host = "h5"
cpu = 1
memory_gib = 1
"#;

#[test]
fn quorum_counts_workloads_by_migration() {
    let c = four_hosts(&format!(
        "{WORKLOAD_GROUP}\n[[quorum_group]]\nname = \"db\"\nmembers = [\"w-live\", \"w-restart\", \"w-none\"]\n"
    ));
    // A live workload stays up: h1 with either other host keeps 2 of 3.
    expect_valid(&c, &plan(&[&["h1", "h2"], &["h3", "h4"]]));
    // Restart and none are both down.
    expect(
        &c,
        &plan(&[&["h1"], &["h2", "h3"], &["h4"]]),
        &[("quorum_lost", Some(2), "db")],
    );
}

#[test]
fn a_workload_on_an_unavailable_host_is_down_whatever_its_migration() {
    let c = four_hosts(&format!(
        "{WORKLOAD_GROUP}\n[[quorum_group]]\nname = \"db\"\nmembers = [\"w-lost\", \"w-restart\", \"w-live\"]\n"
    ));
    // w-lost is live but its host is down: with w-restart down too, 1 of 3 is up.
    let v = expect(
        &c,
        &plan(&[&["h1", "h3", "h4"], &["h2"]]),
        &[("quorum_lost", Some(2), "db")],
    );
    assert!(v.violations[0].message.contains("`w-lost`"), "{}", text_of(&v, 0));
}

#[test]
fn disruption_budgets_count_workloads_down() {
    let budget =
        "[[disruption_budget]]\nname = \"zk\"\nworkloads = [\"w-live\", \"w-restart\", \"w-none\"]\n";
    let c = four_hosts(&format!("{WORKLOAD_GROUP}\n{budget}max_unavailable = 1\n"));
    expect_valid(&c, &plan(&[&["h1", "h2", "h4"], &["h3"]]));
    let v = expect(
        &c,
        &plan(&[&["h1", "h2", "h3"], &["h4"]]),
        &[("budget_exceeded", Some(1), "zk")],
    );
    assert!(
        v.violations[0]
            .message
            .contains("2 of 3 workloads down, max_unavailable is 1")
    );
    let c = four_hosts(&format!("{WORKLOAD_GROUP}\n{budget}min_available = 3\n"));
    let v = expect(
        &c,
        &plan(&[&["h1", "h3", "h4"], &["h2"]]),
        &[
            ("budget_exceeded", Some(1), "zk"),
            ("budget_exceeded", Some(2), "zk"),
        ],
    );
    assert!(
        v.violations[1]
            .message
            .contains("2 of 3 workloads up, min_available is 3")
    );
}

const RACKS: &str = r#"
[cluster]
name = "racks"

[policy]
max_fault_domains_down = 1
max_sites_down = 1

[[site]]
name = "dc1"

[[site]]
name = "dc2"

[[fault_domain]]
name = "a"
site = "dc1"

[[fault_domain]]
name = "b"
site = "dc1"

[[fault_domain]]
name = "c"
site = "dc2"

[[host]]
name = "a1"
fault_domain = "a"
cpu = 10
memory_gib = 100

[[host]]
name = "a2"
fault_domain = "a"
cpu = 10
memory_gib = 100

[[host]]
name = "b1"
fault_domain = "b"
cpu = 10
memory_gib = 100

[[host]]
name = "c1"
fault_domain = "c"
cpu = 10
memory_gib = 100
"#;

#[test]
fn fault_domains_and_sites_are_limited() {
    let c = cluster(RACKS);
    expect_valid(&c, &plan(&[&["a1", "a2"], &["b1"], &["c1"]]));
    let v = expect(
        &c,
        &plan(&[&["a1", "a2", "b1"], &["c1"]]),
        &[("fault_domain_limit", Some(1), "max_fault_domains_down")],
    );
    assert!(
        text_of(&v, 0).contains("move `b1` to a new wave"),
        "{}",
        text_of(&v, 0)
    );
    expect(
        &c,
        &plan(&[&["a1", "a2"], &["b1", "c1"]]),
        &[
            ("fault_domain_limit", Some(2), "max_fault_domains_down"),
            ("site_limit", Some(2), "max_sites_down"),
        ],
    );
}

#[test]
fn an_unavailable_host_keeps_its_fault_domain_down_in_every_wave() {
    let c = cluster(&format!(
        "{RACKS}\n[[host]]\nname = \"c2\"\nfault_domain = \"c\"\ncpu = 1\nmemory_gib = 1\nstate = \"down\"\n"
    ));
    // c is down already, so taking down a or b breaks the limit; c1 alone is fine.
    expect(
        &c,
        &plan(&[&["a1", "a2"], &["b1"], &["c1"]]),
        &[
            ("fault_domain_limit", Some(1), "max_fault_domains_down"),
            ("site_limit", Some(1), "max_sites_down"),
            ("fault_domain_limit", Some(2), "max_fault_domains_down"),
            ("site_limit", Some(2), "max_sites_down"),
        ],
    );
}

#[test]
fn the_host_cap_is_kept() {
    let c = four_hosts("[policy]\nmax_hosts_per_wave = 2\n");
    expect_valid(&c, &plan(&[&["h1", "h2"], &["h3", "h4"]]));
    let v = expect(
        &c,
        &plan(&[&["h1", "h2", "h3"], &["h4"]]),
        &[("max_hosts_exceeded", Some(1), "max_hosts_per_wave")],
    );
    assert!(text_of(&v, 0).contains("wave 1 upgrades 3 hosts, max_hosts_per_wave is 2"));
    assert!(
        text_of(&v, 0).contains("move `h3` to wave 2"),
        "{}",
        text_of(&v, 0)
    );
}

#[test]
fn an_exclusive_component_has_a_wave_of_its_own() {
    let c = four_hosts("[[component]]\nname = \"vc\"\n\n[[component]]\nname = \"nsx\"\nexclusive = false\n");
    expect_valid(&c, &plan(&[&["vc"], &["h1", "h2", "nsx"], &["h3", "h4"]]));
    let v = expect(
        &c,
        &plan(&[&["vc", "h1"], &["h2", "h3", "h4", "nsx"]]),
        &[("component_not_exclusive", Some(1), "vc")],
    );
    assert!(
        text_of(&v, 0).contains("also upgrades `h1`"),
        "{}",
        text_of(&v, 0)
    );
    expect(
        &c,
        &plan(&[&["vc", "nsx"], &["h1", "h2", "h3", "h4"]]),
        &[("component_not_exclusive", Some(1), "vc")],
    );
}

#[test]
fn order_puts_every_before_item_in_an_earlier_wave() {
    let c = four_hosts(
        "[[component]]\nname = \"vc\"\nexclusive = false\n\n[[order]]\nbefore = [\"vc\"]\nafter = [\"h1\", \"h2\"]\n",
    );
    expect_valid(&c, &plan(&[&["vc", "h3"], &["h1", "h2", "h4"]]));
    let v = expect(
        &c,
        &plan(&[&["h1"], &["vc", "h2", "h3", "h4"]]),
        &[
            ("order_violated", Some(1), "h1"),
            ("order_violated", Some(2), "h2"),
        ],
    );
    assert!(
        text_of(&v, 0)
            .contains("`h1` is upgraded in wave 1, but it must come after `vc`, upgraded in wave 2")
    );
    assert!(
        text_of(&v, 1).contains("both are in wave 2"),
        "{}",
        text_of(&v, 1)
    );
}
