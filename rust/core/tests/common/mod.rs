//! Helpers shared by the integration tests.

/// Index of a statistics field by its name (`Stats::FIELDS`), so tests never hard-code the layout.
pub fn ix(name: &str) -> usize {
    shmlite_core::stats::Stats::FIELDS
        .iter()
        .position(|f| *f == name)
        .unwrap_or_else(|| panic!("no statistics field {name}"))
}
