//! `generic`: a platform quorate has no CLI for. Every check and step is stated in words, with
//! the numbers, and no command: the trait's defaults are exactly that.

use super::Commands;

/// A platform without commands.
pub struct Generic;

impl Commands for Generic {}
