//! Built-in models, embedded in the binary. Each is also shipped as a file
//! under `examples/models/`, which is the single source of its text.

/// `(name, TOML text)` of every built-in preset.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "code-generation",
        include_str!("../../examples/models/code-generation.toml"),
    ),
    (
        "content-generation",
        include_str!("../../examples/models/content-generation.toml"),
    ),
    (
        "probe-reference",
        include_str!("../../examples/models/probe-reference.toml"),
    ),
];

/// The TOML text of a preset.
pub fn preset(name: &str) -> Result<&'static str, super::ModelError> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| super::ModelError::UnknownPreset {
            name: name.to_string(),
        })
}

/// Names of the presets.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

impl super::Model {
    /// Loads and validates a built-in preset.
    pub fn preset(name: &str) -> Result<Self, super::ModelError> {
        Self::from_toml(preset(name)?, &format!("preset '{name}'"))
    }
}
