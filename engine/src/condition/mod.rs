//! Conditions (being written).
