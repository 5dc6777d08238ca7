//! Pass 7: turning a plan into text for people and files for tools.

pub mod text;
