//! Quoting names into commands.
//!
//! A name in a cluster description may hold any printable character (`esx-01; rm -rf /`,
//! `it's`, `$(id)`, a newline in a workload name pasted from a spreadsheet), and an operator
//! copies the runbook's commands into a shell. So every name goes into a command through one of
//! these functions, which make it exactly one literal argument:
//!
//! - [`sh`]: POSIX single quotes. Inside `'…'` a POSIX shell interprets nothing at all, so the
//!   only character to deal with is `'` itself, written as `'\''` (close, escaped quote, open).
//! - [`ps`]: PowerShell single quotes. Inside `'…'` PowerShell interprets nothing except the
//!   quote, which is doubled. PowerShell also treats the typographic single quotes
//!   (U+2018–U+201B) as quote characters, so those are doubled too.
//!
//! Quoting protects against the shell. A name that starts with `-` could still be read as an
//! option by the tool itself; [`sh_operands`] puts `--` before such operands for the tools that
//! honour it.

/// A name as one literal POSIX shell word: `'esx-01; rm -rf /'`, `'it'\''s'`.
pub fn sh(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('\'');
    for c in name.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Names as POSIX shell words separated by spaces, preceded by `--` when one of them starts
/// with `-`, so that a tool whose parser honours `--` (getopt, Go's flag package, cobra,
/// argparse) reads every one as an operand, never as an option.
pub fn sh_operands<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let words: Vec<String> = names.iter().map(|n| sh(n)).collect();
    if names.iter().any(|n| n.starts_with('-')) {
        format!("-- {}", words.join(" "))
    } else {
        words.join(" ")
    }
}

/// Names as POSIX shell words separated by spaces.
pub fn sh_words<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(sh).collect::<Vec<_>>().join(" ")
}

/// The characters PowerShell accepts as a single quote.
const PS_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// A name as one PowerShell single-quoted string: `'hv01'`, `'it''s'`.
pub fn ps(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('\'');
    for c in name.chars() {
        if PS_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Names as a PowerShell array of single-quoted strings: `'hv01','hv02'`.
pub fn ps_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(ps).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads single-quoted POSIX words back, as a shell would: `'…'` is literal, `\x` outside
    /// quotes is `x`, whitespace separates words. Enough for what [`sh`] produces.
    fn posix_words(text: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word: Option<String> = None;
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\'' => {
                    let w = word.get_or_insert_with(String::new);
                    for q in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        w.push(q);
                    }
                }
                '\\' => word
                    .get_or_insert_with(String::new)
                    .push(chars.next().expect("an escaped character")),
                ' ' => words.extend(word.take()),
                other => word.get_or_insert_with(String::new).push(other),
            }
        }
        words.extend(word);
        words
    }

    /// Reads one PowerShell single-quoted string back.
    fn ps_string(text: &str) -> String {
        let inner = &text[1..text.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if PS_QUOTES.contains(&c) {
                assert_eq!(chars.next(), Some(c), "a lone quote in {text:?}");
            }
            out.push(c);
        }
        out
    }

    const NASTY: &[&str] = &[
        "esx-01",
        "esx-01; rm -rf /",
        "it's",
        "''",
        "a\"b",
        "$(id)",
        "`id`",
        "line\nbreak",
        "two  spaces",
        "tab\there",
        "日本語 🦀",
        "back\\slash",
        "-rf",
        "",
        "‘curly’ ‚low‛",
    ];

    #[test]
    fn posix_quoting_gives_one_literal_word() {
        for name in NASTY {
            assert_eq!(posix_words(&sh(name)), vec![name.to_string()], "{name:?}");
        }
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh_words(["a b", "c"]), "'a b' 'c'");
    }

    #[test]
    fn operands_that_look_like_options_follow_a_double_dash() {
        assert_eq!(sh_operands(["esx01", "esx02"]), "'esx01' 'esx02'");
        assert_eq!(sh_operands(["esx01", "-rf"]), "-- 'esx01' '-rf'");
    }

    #[test]
    fn powershell_quoting_doubles_every_kind_of_single_quote() {
        for name in NASTY {
            let quoted = ps(name);
            assert!(quoted.starts_with('\'') && quoted.ends_with('\''));
            assert_eq!(ps_string(&quoted), *name, "{name:?}");
        }
        assert_eq!(ps("it's"), "'it''s'");
        assert_eq!(ps("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
        assert_eq!(ps_list(["hv01", "hv02"]), "'hv01','hv02'");
    }
}
