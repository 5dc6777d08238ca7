//! "Did you mean …?" for keys, enum values and names.

/// The candidate closest to `typed`, if any is close enough to be a plausible typo.
///
/// A candidate that differs only in case always wins. Otherwise the one with the highest
/// normalised Damerau–Levenshtein similarity, at least 0.5, is chosen; ties go to the earliest
/// candidate so that the suggestion is deterministic.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        if candidate == typed {
            continue;
        }
        let score = if candidate.eq_ignore_ascii_case(typed) {
            2.0
        } else {
            strsim::normalized_damerau_levenshtein(typed, candidate)
        };
        if score >= 0.5 && best.is_none_or(|(_, b)| score > b) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_case_slips() {
        let keys = ["name", "fault_domain", "cpu", "memory_gib"];
        assert_eq!(closest("memory_gb", keys), Some("memory_gib"));
        assert_eq!(closest("fault-domain", keys), Some("fault_domain"));
        assert_eq!(closest("CPU", keys), Some("cpu"));
        assert_eq!(closest("colour", keys), None);
    }

    #[test]
    fn ties_go_to_the_first_candidate() {
        assert_eq!(closest("esx-0", ["esx-01", "esx-02"]), Some("esx-01"));
    }
}
