//! Patterns (being written).
