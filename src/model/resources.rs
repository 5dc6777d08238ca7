//! Resource quantities in exact fixed point.
//!
//! Capacities and demands are stored in thousandths of the input unit (milli-cores, milli-GiB)
//! as integers, so that sums over thousands of workloads are exact and the solver, the placement
//! and the validator can never disagree by a rounding error about whether a wave fits.

use std::fmt;
use std::ops::{Add, AddAssign, Index, IndexMut, Sub};

/// Thousandths of the input unit.
pub const SCALE: f64 = 1000.0;

/// A resource the planner tracks per host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// CPU cores.
    Cpu,
    /// Memory in GiB.
    Memory,
    /// Storage in GiB.
    Storage,
}

impl Resource {
    /// All resources, in a fixed order.
    pub const ALL: [Resource; 3] = [Resource::Cpu, Resource::Memory, Resource::Storage];

    /// The key that names this resource in the input format.
    pub fn key(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "memory_gib",
            Resource::Storage => "storage_gib",
        }
    }

    /// The unit an operator reads.
    pub fn unit(self) -> &'static str {
        match self {
            Resource::Cpu => "cores",
            Resource::Memory | Resource::Storage => "GiB",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "memory",
            Resource::Storage => "storage",
        })
    }
}

/// Converts an input quantity to fixed point, rounding to the nearest thousandth.
pub fn to_fixed(value: f64) -> u64 {
    (value * SCALE).round() as u64
}

/// Converts a fixed-point quantity back to the input unit.
pub fn from_fixed(value: u64) -> f64 {
    value as f64 / SCALE
}

/// A fixed-point quantity as a decimal number in the input unit, e.g. `412` or `7.5`.
pub fn decimal(value: u64) -> String {
    let whole = value / 1000;
    let frac = value % 1000;
    if frac == 0 {
        whole.to_string()
    } else {
        let digits = format!("{frac:03}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Formats a fixed-point quantity with its unit, e.g. `412 GiB` or `7.5 cores`.
pub fn show(value: u64, resource: Resource) -> String {
    let number = decimal(value);
    let unit = match (resource, value) {
        (Resource::Cpu, 1000) => "core",
        _ => resource.unit(),
    };
    format!("{number} {unit}")
}

/// An amount of every resource, in fixed point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Resources([u64; 3]);

impl Resources {
    /// Nothing of anything.
    pub const ZERO: Resources = Resources([0; 3]);

    /// Builds from per-resource fixed-point amounts.
    pub fn new(cpu: u64, memory: u64, storage: u64) -> Self {
        Resources([cpu, memory, storage])
    }

    /// Whether every amount is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 3]
    }

    /// Saturating subtraction per resource.
    pub fn saturating_sub(self, other: Resources) -> Resources {
        let mut out = self;
        for r in Resource::ALL {
            out[r] = self[r].saturating_sub(other[r]);
        }
        out
    }
}

impl Index<Resource> for Resources {
    type Output = u64;
    fn index(&self, r: Resource) -> &u64 {
        &self.0[r.slot()]
    }
}

impl IndexMut<Resource> for Resources {
    fn index_mut(&mut self, r: Resource) -> &mut u64 {
        &mut self.0[r.slot()]
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(mut self, other: Resources) -> Resources {
        self += other;
        self
    }
}

impl AddAssign for Resources {
    fn add_assign(&mut self, other: Resources) {
        for r in Resource::ALL {
            self[r] += other[r];
        }
    }
}

impl Sub for Resources {
    type Output = Resources;
    /// Subtraction that saturates at zero; callers compare before subtracting where it matters.
    fn sub(self, other: Resources) -> Resources {
        self.saturating_sub(other)
    }
}

impl std::iter::Sum for Resources {
    fn sum<I: Iterator<Item = Resources>>(iter: I) -> Resources {
        iter.fold(Resources::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_round_trips_and_shows_units() {
        assert_eq!(to_fixed(7.5), 7500);
        assert_eq!(to_fixed(0.1) + to_fixed(0.2), to_fixed(0.3));
        assert_eq!(show(412_000, Resource::Memory), "412 GiB");
        assert_eq!(show(7_500, Resource::Cpu), "7.5 cores");
        assert_eq!(show(25, Resource::Cpu), "0.025 cores");
        assert_eq!(show(1000, Resource::Cpu), "1 core");
    }

    #[test]
    fn arithmetic_is_per_resource() {
        let a = Resources::new(1, 2, 3);
        let b = Resources::new(3, 1, 0);
        assert_eq!(a + b, Resources::new(4, 3, 3));
        assert_eq!(a - b, Resources::new(0, 1, 3));
        assert_eq!([a, b].into_iter().sum::<Resources>(), Resources::new(4, 3, 3));
    }
}
