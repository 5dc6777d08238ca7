//! The baselines in words, shared by the text and Markdown runbooks: what each row is called,
//! its verdict, and the one line that says what quorate saves.

use crate::plan::baselines::BaselineDocument;

/// The strategy in an operator's words: `one host at a time`, `maxUnavailable 3, name order`,
/// `one fault domain at a time`.
pub(super) fn name(b: &BaselineDocument) -> String {
    match (b.strategy.as_str(), b.hosts_per_wave) {
        ("one_host_at_a_time", _) => "one host at a time".to_string(),
        ("max_unavailable", Some(k)) => format!("maxUnavailable {k}, name order"),
        ("fault_domain_at_a_time", _) => "one fault domain at a time".to_string(),
        (other, _) => other.replace('_', " "),
    }
}

/// `safe`, `unsafe: quorum_lost in wave 2 (etcd)`, or `not checked`.
pub(super) fn verdict(b: &BaselineDocument) -> String {
    match (b.safe, &b.first_violation) {
        (Some(true), _) => "safe".to_string(),
        (Some(false), Some(first)) => {
            let wave = first.wave.map(|w| format!(" in wave {w}")).unwrap_or_default();
            format!("unsafe: {}{wave} ({})", first.code, first.subject)
        }
        (Some(false), None) => "unsafe".to_string(),
        (None, _) => "not checked".to_string(),
    }
}

/// What the plan saves against the fastest safe baseline (fewest minutes, then fewest waves),
/// or that none is safe. `None` when there are no baselines.
pub(super) fn headline(baselines: &[BaselineDocument]) -> Option<String> {
    if baselines.is_empty() {
        return None;
    }
    let Some(best) = baselines
        .iter()
        .filter(|b| b.safe == Some(true))
        .min_by_key(|b| (b.total_minutes, b.waves))
    else {
        return Some(if baselines.iter().any(|b| b.safe.is_none()) {
            "no baseline was checked safe on this cluster".to_string()
        } else {
            "none of these is safe on this cluster: each breaks a rule the plan keeps".to_string()
        });
    };
    let amount = |n: i64, one: &str, many: &str| {
        let unit = if n.abs() == 1 { one } else { many };
        format!("{} {unit}", n.abs())
    };
    let against = format!("the fastest safe one ({})", name(best));
    Some(match (best.waves_saved, best.minutes_saved) {
        (0, 0) => format!("quorate's plan matches {against}"),
        (w, m) if w >= 0 && m >= 0 => format!(
            "quorate saves {} and {} against {against}",
            amount(w, "wave", "waves"),
            amount(m, "min", "min")
        ),
        (w, m) => format!(
            "quorate's plan has {} {} and takes {} {} than {against}",
            amount(w, "wave", "waves"),
            if w <= 0 { "more" } else { "fewer" },
            amount(m, "min", "min"),
            if m <= 0 { "longer" } else { "less" }
        ),
    })
}
