//! Given moves: each one correct, the list complete.

use super::*;

/// Hosts h1..h4 (h1 carries `a` live and `b` restart, `n` with migration none; h2 carries `c`),
/// h5 down; `a` may run only on h1 and h2.
fn cluster_with_moves() -> Cluster {
    four_hosts(
        r#"
[[host]]
name = "h5"
cpu = 10
memory_gib = 100
state = "down"

[[workload]]
name = "a"
host = "h1"
cpu = 1
memory_gib = 1
allowed_hosts = ["h1", "h2"]

[[workload]]
name = "b"
host = "h1"
cpu = 1
memory_gib = 1
migration = "restart"

[[workload]]
name = "n"
host = "h1"
cpu = 1
memory_gib = 1
migration = "none"

[[workload]]
name = "c"
host = "h2"
cpu = 1
memory_gib = 1
"#,
    )
}

fn with_first(first: WaveInput) -> PlanInput {
    plan_of(vec![first, wave(&["h2"]), wave(&["h3", "h4"])])
}

#[test]
fn complete_correct_moves_are_valid() {
    let c = cluster_with_moves();
    expect_valid(&c, &with_first(wave_moving(&["h1"], &[("a", "h2"), ("b", "h4")])));
    // `from` may be stated when it is right.
    let mut first = wave_moving(&["h1"], &[("a", "h2"), ("b", "h4")]);
    first.moves.as_mut().unwrap()[0].from = Some(Named::new("h1"));
    expect_valid(&c, &with_first(first));
}

#[test]
fn an_explicitly_empty_move_list_must_still_be_complete() {
    let c = cluster_with_moves();
    let v = expect(
        &c,
        &with_first(wave_moving(&["h1"], &[])),
        &[("move_invalid", Some(1), "a"), ("move_invalid", Some(1), "b")],
    );
    assert!(
        text_of(&v, 0).contains("has no move in wave 1"),
        "{}",
        text_of(&v, 0)
    );
    // A wave whose hosts carry nothing that moves may say so.
    let p = plan_of(vec![
        wave(&["h1"]),
        wave_moving(&["h3", "h4"], &[]),
        wave(&["h2"]),
    ]);
    expect_valid(&c, &p);
}

#[test]
fn each_wrong_move_is_reported() {
    let c = cluster_with_moves();
    let v = expect(
        &c,
        &with_first(wave_moving(
            &["h1"],
            &[
                ("ghost", "h3"),
                ("c", "h3"),
                ("n", "h3"),
                ("a", "h3"),
                ("b", "nowhere"),
            ],
        )),
        &[
            ("move_invalid", Some(1), "a"),
            ("move_invalid", Some(1), "b"),
            ("move_invalid", Some(1), "c"),
            ("move_invalid", Some(1), "ghost"),
            ("move_invalid", Some(1), "n"),
        ],
    );
    let all: Vec<String> = (0..5).map(|i| text_of(&v, i)).collect();
    assert!(
        all[0].contains("may run only on `h1` and `h2`, not on `h3`"),
        "{}",
        all[0]
    );
    assert!(all[0].contains("e.g. `h2`"), "{}", all[0]);
    assert!(all[1].contains("which is not a host"), "{}", all[1]);
    assert!(all[2].contains("not upgraded in wave 1"), "{}", all[2]);
    assert!(all[3].contains("not a workload"), "{}", all[3]);
    assert!(all[4].contains("migration `none`"), "{}", all[4]);
}

#[test]
fn targets_must_stay_up() {
    let c = cluster_with_moves();
    let p = with_first(wave_moving(&["h1", "h3"], &[("a", "h2"), ("b", "h3")]));
    let p = plan_of(vec![p.waves[0].clone(), wave(&["h2"]), wave(&["h4"])]);
    let v = expect(&c, &p, &[("move_invalid", Some(1), "b")]);
    assert!(
        text_of(&v, 0).contains("upgraded in wave 1 as well"),
        "{}",
        text_of(&v, 0)
    );
    let v = expect(
        &c,
        &with_first(wave_moving(&["h1"], &[("a", "h2"), ("b", "h5")])),
        &[("move_invalid", Some(1), "b")],
    );
    assert!(text_of(&v, 0).contains("which is down"), "{}", text_of(&v, 0));
}

#[test]
fn a_wrong_from_or_a_second_move_is_reported() {
    let c = cluster_with_moves();
    let mut first = wave_moving(&["h1"], &[("a", "h2"), ("b", "h4")]);
    first.moves.as_mut().unwrap()[1].from = Some(Named::new("h2"));
    let v = expect(&c, &with_first(first), &[("move_invalid", Some(1), "b")]);
    assert!(
        text_of(&v, 0).contains("says it leaves `h2`, but it runs on `h1`"),
        "{}",
        text_of(&v, 0)
    );
    let v = expect(
        &c,
        &with_first(wave_moving(&["h1"], &[("a", "h2"), ("b", "h4"), ("b", "h3")])),
        &[("move_invalid", Some(1), "b")],
    );
    assert!(
        text_of(&v, 0).contains("moved more than once"),
        "{}",
        text_of(&v, 0)
    );
}

#[test]
fn violations_point_at_the_move_that_causes_them() {
    let c = cluster_with_moves();
    let mut first = wave_moving(&["h1"], &[("a", "h2"), ("b", "h5")]);
    first.span = Some(0..100);
    let moves = first.moves.as_mut().unwrap();
    moves[1].span = Some(50..80);
    moves[1].to.span = Some(70..74);
    let v = expect(&c, &with_first(first), &[("move_invalid", Some(1), "b")]);
    assert_eq!(v.violations[0].span, Some(70..74));
}
