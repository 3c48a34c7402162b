//! Model TOML parser and validator: any text either fails with an error or
//! gives a model that plans, analyses and runs a few paths on the CPU engine
//! with every state inside the bounds (clamp and reflect).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mosde::analysis::spectral;
use mosde::engine::cpu::CpuEngine;
use mosde::engine::{Integration, JobOptions, SaveAt};
use mosde::model::{Boundary, Model};
use mosde::shard::Shard;
use mosde::simulation::Simulation;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = Model::from_toml(text, "fuzz") else {
        return;
    };
    let _ = spectral::analyze(&model, model.dt);
    let options = JobOptions {
        integration: Integration {
            paths: 8,
            steps: Some(model.steps.min(16)),
            ..Default::default()
        },
        save: SaveAt {
            record_paths: 8,
            keep_terminal: 8,
            ..Default::default()
        },
        ..Default::default()
    };
    let bounds = model.bounds();
    let boundary = model.boundary;
    let sim = Simulation::new(model, &[], options);
    let mut engine = CpuEngine::new(1).expect("a CPU engine");
    let Ok(run) = sim.run(&mut engine, Shard::WHOLE, &mut |_| {}) else {
        return;
    };
    let _ = sim.report(&run);
    if boundary != Boundary::None {
        for set in &run.output.sets {
            for row in set
                .paths
                .chunks(bounds.len())
                .chain(set.terminal.chunks(bounds.len()))
            {
                for (v, (lo, hi)) in row.iter().zip(&bounds) {
                    assert!(
                        *v >= *lo as f32 && *v <= *hi as f32,
                        "state {v} outside [{lo}, {hi}] under {boundary:?}"
                    );
                }
            }
        }
    }
});
