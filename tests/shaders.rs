//! Tier 1 and 2 of the GPU tests, no adapter needed: every shader validates
//! with naga in every specialisation, and every pipeline builds on the noop
//! device. (The kernel ABI's layout is checked field by field by unit tests
//! in `engine::abi`, since the ABI is private to the crate.)

use mosde::engine::gpu::{self, shaders};
use mosde::engine::plan::Flags;
use mosde::model::Boundary;

fn parse(name: &str, src: &str) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string_with_path(src, name)));
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string_with_path(src, name)));
    (module, info)
}

fn flags(n: usize) -> impl Iterator<Item = Flags> {
    let mut all = Vec::new();
    for boundary in [Boundary::Clamp, Boundary::Reflect, Boundary::None] {
        for bits in 0..32u32 {
            all.push(Flags {
                n,
                s: 1 + (n + bits as usize) % 5,
                boundary,
                fixed_only: bits & 1 != 0,
                any_jacobi: bits & 2 != 0,
                check_finite: boundary == Boundary::None,
                keep_terminal: bits & 4 != 0,
                record_paths: bits & 8 != 0,
                goals: bits & 16 != 0,
            });
        }
    }
    all.into_iter()
}

#[test]
fn every_shader_file_is_listed_and_named() {
    let files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".wgsl"))
        .collect();
    for f in &files {
        assert!(
            shaders::SOURCES.iter().any(|(n, _)| n == f),
            "{f} is not in shaders::SOURCES"
        );
    }
    assert_eq!(files.len(), shaders::SOURCES.len());
}

#[test]
fn simulate_validates_for_every_specialisation() {
    for n in 1..=8 {
        for f in flags(n) {
            let src = shaders::simulate_source(&f);
            let (module, _) = parse(&format!("simulate {f:?}"), &src);
            assert!(
                module.entry_points.iter().any(|e| e.name == "simulate"),
                "entry point simulate"
            );
        }
    }
}

#[test]
fn unrolled_kernel_has_no_objective_loops_left() {
    let f = Flags {
        n: 3,
        s: 4,
        boundary: Boundary::Clamp,
        fixed_only: true,
        any_jacobi: false,
        check_finite: false,
        keep_terminal: true,
        record_paths: false,
        goals: false,
    };
    let src = shaders::simulate_source(&f);
    // Loops left: philox rounds, reduction trees, sub-blocks, steps and the
    // greedy candidates; none of them is over objectives.
    assert!(!src.contains("i < N"), "an objective loop was not unrolled");
    assert!(!src.lines().any(|l| l.trim() == "//@unroll"));
}

#[test]
fn philox_words_validates() {
    let (module, _) = parse("philox_words", &shaders::philox_words_source());
    assert!(module.entry_points.iter().any(|e| e.name == "philox_words"));
}

#[test]
fn pipelines_build_on_the_noop_device() {
    let (device, _queue) = wgpu::Device::noop(&wgpu::DeviceDescriptor {
        label: Some("noop"),
        required_limits: wgpu::Limits::default(),
        ..Default::default()
    });
    for n in [1, 3, 4, 5, 8] {
        for f in flags(n).step_by(7) {
            let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
            let _k = gpu::simulate_kernel(&device, &f, true);
            let _u = gpu::simulate_kernel(&device, &f, false);
            if let Some(e) = pollster::block_on(scope.pop()) {
                panic!("simulate {f:?}: {e}");
            }
        }
    }
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let _p = gpu::philox_kernel(&device);
    assert!(pollster::block_on(scope.pop()).is_none());
}
