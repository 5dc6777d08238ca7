//! Names and coverage: unknown and unavailable items, items upgraded twice or never, the
//! cluster name.

use super::*;

#[test]
fn every_host_once_is_valid() {
    let c = four_hosts("");
    expect_valid(&c, &plan(&[&["h1", "h2"], &["h3", "h4"]]));
    expect_valid(&c, &plan(&[&["h1", "h2", "h3", "h4"]]));
}

#[test]
fn an_unknown_name_suggests_the_closest_item() {
    let c = four_hosts("");
    let v = expect(
        &c,
        &plan(&[&["h1", "h2", "h3"], &["H4"]]),
        &[("host_not_upgraded", None, "h4"), ("unknown_item", Some(2), "H4")],
    );
    assert!(
        v.violations[1].help.contains("did you mean `h4`?"),
        "{}",
        text_of(&v, 1)
    );
}

#[test]
fn a_workload_listed_as_an_item_points_at_its_host() {
    let c = four_hosts("[[workload]]\nname = \"vm-1\"\nhost = \"h2\"\ncpu = 1\nmemory_gib = 1\n");
    let v = expect(
        &c,
        &plan(&[&["h1", "h3", "h4", "vm-1"]]),
        &[
            ("host_not_upgraded", None, "h2"),
            ("unknown_item", Some(1), "vm-1"),
        ],
    );
    assert!(v.violations[1].help.contains("list `h2`"), "{}", text_of(&v, 1));
    // The missing host gets a real place: not wave 1, where `vm-1` would have no host left.
    assert!(
        v.violations[0].help.contains("add `h2` to a new wave"),
        "{}",
        text_of(&v, 0)
    );
}

#[test]
fn a_plan_for_another_cluster_is_reported() {
    let c = four_hosts("");
    let mut p = plan(&[&["h1", "h2", "h3", "h4"]]);
    p.cluster = Some(Named::new("other"));
    let v = expect(&c, &p, &[("unknown_item", None, "other")]);
    assert!(v.violations[0].message.contains("`t`"), "{}", text_of(&v, 0));
    p.cluster = Some(Named::new("t"));
    expect_valid(&c, &p);
}

#[test]
fn an_unavailable_host_may_not_be_in_a_wave() {
    let c = cluster(
        r#"
[[host]]
name = "h1"
cpu = 1
memory_gib = 1

[[host]]
name = "h2"
cpu = 1
memory_gib = 1
state = "maintenance"
"#,
    );
    let v = expect(
        &c,
        &plan(&[&["h1", "h2"]]),
        &[("unavailable_host_in_plan", Some(1), "h2")],
    );
    assert!(
        v.violations[0].message.contains("maintenance"),
        "{}",
        text_of(&v, 0)
    );
    // Leaving it out is right: it is not upgraded by the plan.
    expect_valid(&c, &plan(&[&["h1"]]));
}

#[test]
fn items_upgraded_twice_or_never_are_reported() {
    let c = four_hosts("[[component]]\nname = \"vc\"\n");
    expect(
        &c,
        &plan(&[&["h1", "h2"], &["h2", "h3", "h4"]]),
        &[
            ("host_not_upgraded", None, "vc"),
            ("host_upgraded_twice", Some(2), "h2"),
        ],
    );
    expect(
        &c,
        &plan(&[&["h1", "h1", "h2", "h3", "h4"], &["vc"]]),
        &[("host_upgraded_twice", Some(1), "h1")],
    );
}

#[test]
fn a_component_is_upgraded_too() {
    let c = four_hosts("[[component]]\nname = \"vc\"\nexclusive = false\n");
    expect_valid(&c, &plan(&[&["h1", "h2", "vc"], &["h3", "h4"]]));
}

#[test]
fn a_name_that_is_a_host_and_a_component_never_reaches_the_validator() {
    // Plans name hosts and components alike, so the description itself is rejected.
    let text = format!("{}\n[[component]]\nname = \"h1\"\n", super::FOUR_HOSTS);
    let errors = crate::load(&crate::Source::new("t.toml", text)).expect_err("an input error");
    assert!(
        errors
            .errors()
            .iter()
            .any(|e| e.kind() == crate::ErrorKind::AmbiguousName && e.message().contains("`h1`"))
    );
}

#[test]
fn an_empty_plan_upgrades_nothing() {
    let c = four_hosts("");
    expect(
        &c,
        &plan(&[]),
        &[
            ("host_not_upgraded", None, "h1"),
            ("host_not_upgraded", None, "h2"),
            ("host_not_upgraded", None, "h3"),
            ("host_not_upgraded", None, "h4"),
        ],
    );
}

/// Issue 11: one host listed in 2,000 waves took 6.4 s in a debug build. The help for each host
/// left out tries every wave, and the order check of each try read every wave of the repeated
/// host: waves × waves. Counted, not timed: the waves read must grow linearly with the plan.
#[test]
fn a_host_repeated_in_every_wave_costs_linear_work() {
    let c = four_hosts("[[order]]\nbefore = [\"h1\"]\nafter = [\"h2\", \"h3\", \"h4\"]\n");
    let read = |waves: usize| {
        let p = plan(&vec![&["h1"][..]; waves]);
        crate::validate::order::WAVES_READ.with(|n| n.set(0));
        let v = validate(&c, &p);
        assert_eq!(
            v.violations
                .iter()
                .filter(|v| v.code.as_str() == "host_upgraded_twice")
                .count(),
            waves - 1
        );
        crate::validate::order::WAVES_READ.with(|n| n.get())
    };
    let (small, large) = (read(500), read(2000));
    // Three hosts left out, each tried in every wave: about 3 × 2,000 reads, never 2,000².
    assert!(large <= 8 * 2000, "{large} waves read for 2,000 waves");
    assert!(
        large <= 5 * small,
        "{small} reads for 500 waves, {large} for 2,000"
    );
}
