//! `mosde devices`.

use super::common;
use clap::Args;
use mosde::engine::gpu;
use mosde::report;

/// Flags of `devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(a: DevicesArgs) -> anyhow::Result<()> {
    let list = gpu::adapters();
    if a.json {
        common::out!("{}", String::from_utf8(report::adapters_json(&list))?)?;
        return Ok(());
    }
    if list.is_empty() {
        common::outln!(
            "no adapters found (WGPU_BACKEND={})",
            std::env::var("WGPU_BACKEND").unwrap_or_else(|_| "unset".into())
        )?;
        common::outln!(
            "mosde will use its CPU engine; on Linux, install mesa-vulkan-drivers for the lavapipe adapter"
        )?;
        return Ok(());
    }
    common::out!("{}", report::adapters_table(&list))?;
    Ok(())
}
