//! Limits on what one run reads and reports, so that no input can exhaust memory or time.
//!
//! quorate reads files from exports, scripts and people in a hurry. Each limit here is far above
//! what a real cluster needs (the defaults pass 5,000 hosts and 100,000 workloads with room to
//! spare), is checked before the work it protects, and when crossed gives a `quorate::limit`
//! input error that names the limit and says how to raise it: `--limit NAME=VALUE` on the
//! command line. The names are a contract: scripts may pass them.

use std::fmt;
use std::str::FromStr;

use crate::diagnostic::{ErrorKind, InputError};
use crate::source::Span;

/// One limit, by the name `--limit NAME=VALUE` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Bytes in one input file.
    Bytes,
    /// `[[host]]` tables in a description.
    Hosts,
    /// `[[workload]]` tables in a description.
    Workloads,
    /// Entries in any one list or array (group members, a wave's hosts, a budget's workloads).
    List,
    /// Waves in a plan file.
    Waves,
    /// Diagnostics shown in one run; the rest are counted, not rendered.
    Diagnostics,
}

impl Limit {
    /// Every limit, in the order the documentation lists them.
    pub const ALL: [Limit; 6] = [
        Limit::Bytes,
        Limit::Hosts,
        Limit::Workloads,
        Limit::List,
        Limit::Waves,
        Limit::Diagnostics,
    ];

    /// The name `--limit` takes.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Bytes => "bytes",
            Limit::Hosts => "hosts",
            Limit::Workloads => "workloads",
            Limit::List => "list",
            Limit::Waves => "waves",
            Limit::Diagnostics => "diagnostics",
        }
    }

    /// What is counted, for messages: "hosts", "bytes".
    fn counted(self) -> &'static str {
        match self {
            Limit::Bytes => "bytes",
            Limit::Hosts => "`[[host]]` tables",
            Limit::Workloads => "`[[workload]]` tables",
            Limit::List => "entries in one list",
            Limit::Waves => "waves",
            Limit::Diagnostics => "diagnostics",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in one input file: 64 MiB.
    pub bytes: u64,
    /// Hosts in a description: 20,000.
    pub hosts: usize,
    /// Workloads in a description: 1,000,000.
    pub workloads: usize,
    /// Entries in one list: 200,000.
    pub list: usize,
    /// Waves in a plan: 50,000.
    pub waves: usize,
    /// Diagnostics shown: 50.
    pub diagnostics: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bytes: 64 * 1024 * 1024,
            hosts: 20_000,
            workloads: 1_000_000,
            list: 200_000,
            waves: 50_000,
            diagnostics: crate::diagnostic::SHOWN_BY_DEFAULT,
        }
    }
}

impl Limits {
    /// The value of `limit`.
    pub fn get(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Bytes => self.bytes,
            Limit::Hosts => self.hosts as u64,
            Limit::Workloads => self.workloads as u64,
            Limit::List => self.list as u64,
            Limit::Waves => self.waves as u64,
            Limit::Diagnostics => self.diagnostics as u64,
        }
    }

    /// Sets `limit` to `value` (saturating on 32-bit targets).
    pub fn set(&mut self, limit: Limit, value: u64) {
        let count = usize::try_from(value).unwrap_or(usize::MAX);
        match limit {
            Limit::Bytes => self.bytes = value,
            Limit::Hosts => self.hosts = count,
            Limit::Workloads => self.workloads = count,
            Limit::List => self.list = count,
            Limit::Waves => self.waves = count,
            Limit::Diagnostics => self.diagnostics = count,
        }
    }

    /// The input error for `found` of `limit` at `span`: it names the limit, the number found
    /// and the flag that raises it.
    pub fn exceeded(&self, limit: Limit, found: impl fmt::Display, span: Span) -> InputError {
        let max = self.get(limit);
        InputError::new(
            ErrorKind::Limit,
            span,
            format!(
                "more {} than the `{limit}` limit allows ({found}; the limit is {max})",
                limit.counted()
            ),
            format!("beyond the `{limit}` limit"),
        )
        .with_help(format!(
            "if the input is right, raise the limit: `--limit {limit}={}`",
            max.saturating_mul(2).max(1)
        ))
    }
}

/// `NAME=VALUE`, as `--limit` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSetting {
    /// The limit.
    pub limit: Limit,
    /// Its new value.
    pub value: u64,
}

impl FromStr for LimitSetting {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let names = || Limit::ALL.iter().map(|l| l.name()).collect::<Vec<_>>().join(", ");
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=VALUE, where NAME is one of {}", names()))?;
        let limit = Limit::ALL
            .into_iter()
            .find(|l| l.name() == name.trim())
            .ok_or_else(|| format!("unknown limit `{}`; the limits are {}", name.trim(), names()))?;
        let value: u64 = value.trim().replace('_', "").parse().map_err(|_| {
            format!(
                "the value of `{limit}` must be a whole number, not `{}`",
                value.trim()
            )
        })?;
        if value == 0 {
            return Err(format!("the `{limit}` limit must be at least 1"));
        }
        Ok(LimitSetting { limit, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_names_a_known_limit_and_a_positive_whole_number() {
        let s: LimitSetting = "hosts=50_000".parse().unwrap();
        assert_eq!((s.limit, s.value), (Limit::Hosts, 50_000));
        assert!(
            "hosts"
                .parse::<LimitSetting>()
                .unwrap_err()
                .contains("NAME=VALUE")
        );
        assert!(
            "host=3"
                .parse::<LimitSetting>()
                .unwrap_err()
                .contains("unknown limit `host`")
        );
        assert!(
            "waves=-1"
                .parse::<LimitSetting>()
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            "list=0"
                .parse::<LimitSetting>()
                .unwrap_err()
                .contains("at least 1")
        );
    }

    #[test]
    fn set_then_get_gives_the_value_back_for_every_limit() {
        let mut limits = Limits::default();
        for (i, limit) in Limit::ALL.into_iter().enumerate() {
            limits.set(limit, 7 + i as u64);
            assert_eq!(limits.get(limit), 7 + i as u64);
        }
    }

    #[test]
    fn the_error_names_the_limit_and_the_flag() {
        let e = Limits::default().exceeded(Limit::Waves, 60_000, 0..1);
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert!(e.message().contains("`waves` limit"), "{}", e.message());
        assert!(e.help_text().unwrap().contains("--limit waves=100000"));
    }
}
