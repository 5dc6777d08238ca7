//! The runbook: what an operator verifies and executes in each wave of a plan.
//!
//! Every number a runbook states is computed from the model ([`facts`]); names reach commands
//! only through [`quote`].

pub mod facts;
pub mod quote;
