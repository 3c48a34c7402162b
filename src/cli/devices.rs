//! `mosde devices`.

use clap::Args;

/// Flags of `devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {}

pub fn run(_a: DevicesArgs) -> anyhow::Result<()> {
    anyhow::bail!("the GPU engine is not built yet")
}
