//! Kubernetes resource quantities (`3800m`, `16393388Ki`, `1.5Gi`, `129e6`).
//!
//! The grammar is that of `resource.Quantity` (kubernetes/apimachinery,
//! `pkg/api/resource/quantity.go`): a signed decimal number, then a binary suffix (Ki, Mi,
//! Gi, Ti, Pi, Ei), a decimal suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent
//! (`e3`, `E-2`).

/// The value of a quantity, or `None` when it is not one.
pub fn parse(text: &str) -> Option<f64> {
    let text = text.trim();
    let number_end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '+' || c == '-'))))
        .map_or(text.len(), |(i, _)| i);
    let (number, suffix) = text.split_at(number_end);
    if !number.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    // Fractions divide rather than multiply by 0.001, so that 3800m is exactly 3.8.
    let (multiply, divide) = match suffix {
        "" => (1.0, 1.0),
        "n" => (1.0, 1e9),
        "u" => (1.0, 1e6),
        "m" => (1.0, 1e3),
        "k" => (1e3, 1.0),
        "M" => (1e6, 1.0),
        "G" => (1e9, 1.0),
        "T" => (1e12, 1.0),
        "P" => (1e15, 1.0),
        "E" => (1e18, 1.0),
        "Ki" => (1024f64, 1.0),
        "Mi" => (1024f64.powi(2), 1.0),
        "Gi" => (1024f64.powi(3), 1.0),
        "Ti" => (1024f64.powi(4), 1.0),
        "Pi" => (1024f64.powi(5), 1.0),
        "Ei" => (1024f64.powi(6), 1.0),
        exponent => {
            let digits = exponent.strip_prefix(['e', 'E'])?;
            let power: i32 = digits.parse().ok()?;
            if !(-30..=30).contains(&power) {
                return None;
            }
            if power >= 0 {
                (10f64.powi(power), 1.0)
            } else {
                (1.0, 10f64.powi(-power))
            }
        }
    };
    let value = base * multiply / divide;
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn suffixes_and_exponents() {
        assert_eq!(parse("4"), Some(4.0));
        assert_eq!(parse("3800m"), Some(3.8));
        assert_eq!(parse("16Gi"), Some(16.0 * 1024f64.powi(3)));
        assert_eq!(parse("1k"), Some(1000.0));
        assert_eq!(parse("129e6"), Some(129e6));
        assert_eq!(parse("1.5"), Some(1.5));
        assert_eq!(parse("2E"), Some(2e18));
    }

    #[test]
    fn rejects_what_is_not_a_quantity() {
        for bad in ["", "abc", "Gi", "1Gb", "1e", "1e99999", "--1", "1.2.3"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
