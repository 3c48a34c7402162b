//! The kernel ABI: the plain-data structs the `simulate` kernel reads from its
//! buffers, and the constants it shares with the host.
//!
//! This module is the single source of both. `gpu::shaders` writes the WGSL
//! declarations of every constant ([`CONSTANTS`]) and struct ([`STRUCTS`])
//! into the header of each kernel, so the shader files declare none of them;
//! the CPU twin reads the same structs directly. Fixed-size arrays use `NMAX`,
//! so the layout does not depend on the number of objectives. Unit tests check
//! every field's byte offset against naga's layout of the generated WGSL.

use bytemuck::{Pod, Zeroable};

use super::partials::DEAD;
use crate::rng;

/// Array length for per-objective fields.
pub const NMAX: usize = 8;
/// Array length for schedule segments.
pub const SEGMAX: usize = 16;
/// Sentinel for "none" in u32 fields.
pub const NONE: u32 = u32::MAX;
/// Threads per workgroup, and paths per sub-block.
pub const WG: u32 = 256;
/// A path whose |state| reaches this (or is NaN/∞) counts as non-finite.
pub const LIMIT: f32 = 1e15;

/// Policy kinds as the kernel numbers them.
pub mod policy_kind {
    /// Fixed strategy.
    pub const FIXED: u32 = 0;
    /// Schedule of segments.
    pub const SCHEDULE: u32 = 1;
    /// Guard with floors.
    pub const GUARD: u32 = 2;
    /// Greedy look-ahead.
    pub const GREEDY: u32 = 3;
    /// Observable-only adaptive switching.
    pub const ADAPTIVE: u32 = 4;
}

/// Boundary rules as the kernel numbers them (its `BOUNDARY` constant).
pub mod boundary_kind {
    use crate::model::Boundary;

    /// Clamp into the bounds.
    pub const CLAMP: u32 = 0;
    /// Reflect at the bounds.
    pub const REFLECT: u32 = 1;
    /// No boundary.
    pub const NONE: u32 = 2;

    /// The kernel's number for a boundary rule.
    pub fn of(b: Boundary) -> u32 {
        match b {
            Boundary::Clamp => CLAMP,
            Boundary::Reflect => REFLECT,
            Boundary::None => NONE,
        }
    }
}

/// A constant's value, typed as WGSL types it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A `u32`.
    U32(u32),
    /// An `f32`.
    F32(f32),
}

impl Value {
    /// The WGSL literal: suffixed, bit patterns and sentinels in hex, and for
    /// f32 the shortest decimal that reads back as the same bits.
    pub fn wgsl(self) -> String {
        match self {
            Value::U32(v) if v > 0xFFFF => format!("0x{v:08X}u"),
            Value::U32(v) => format!("{v}u"),
            Value::F32(v) => format!("{v:?}f"),
        }
    }
}

/// Every constant the kernels (`simulate.wgsl`, `rng.wgsl`) share with the
/// host, by WGSL name. The name is the Rust name, except `LIMIT_BITS` (the
/// kernel compares bit patterns, since WGSL has no portable NaN test) and the
/// `POLICY_`/`BOUNDARY_` prefixes that stand for the Rust modules.
pub const CONSTANTS: &[(&str, Value)] = &[
    ("WG", Value::U32(WG)),
    ("NMAX", Value::U32(NMAX as u32)),
    ("SEGMAX", Value::U32(SEGMAX as u32)),
    ("NONE", Value::U32(NONE)),
    ("LIMIT_BITS", Value::U32(LIMIT.to_bits())),
    ("DEAD", Value::F32(DEAD)),
    ("POLICY_FIXED", Value::U32(policy_kind::FIXED)),
    ("POLICY_SCHEDULE", Value::U32(policy_kind::SCHEDULE)),
    ("POLICY_GUARD", Value::U32(policy_kind::GUARD)),
    ("POLICY_GREEDY", Value::U32(policy_kind::GREEDY)),
    ("POLICY_ADAPTIVE", Value::U32(policy_kind::ADAPTIVE)),
    ("BOUNDARY_CLAMP", Value::U32(boundary_kind::CLAMP)),
    ("BOUNDARY_REFLECT", Value::U32(boundary_kind::REFLECT)),
    ("BOUNDARY_NONE", Value::U32(boundary_kind::NONE)),
    ("PHILOX_M0", Value::U32(rng::PHILOX_M0)),
    ("PHILOX_M1", Value::U32(rng::PHILOX_M1)),
    ("PHILOX_W0", Value::U32(rng::PHILOX_W0)),
    ("PHILOX_W1", Value::U32(rng::PHILOX_W1)),
    ("INIT_STEP", Value::U32(rng::INIT_STEP)),
    ("INV_2_23", Value::F32(rng::INV_2_23)),
    ("TWO_PI", Value::F32(rng::TWO_PI)),
];

/// Rust field types that have a WGSL spelling with the same layout.
pub trait WgslType {
    /// The WGSL type.
    fn wgsl() -> String;
}

impl WgslType for u32 {
    fn wgsl() -> String {
        "u32".into()
    }
}

impl WgslType for f32 {
    fn wgsl() -> String {
        "f32".into()
    }
}

impl<T: WgslType, const L: usize> WgslType for [T; L] {
    fn wgsl() -> String {
        format!("array<{}, {L}>", T::wgsl())
    }
}

/// One field of a kernel struct, as Rust lays it out.
#[derive(Debug, Clone, Copy)]
pub struct WgslField {
    /// Field name (the same on both sides).
    pub name: &'static str,
    /// Byte offset in the Rust struct.
    pub offset: usize,
    /// Byte size in the Rust struct.
    pub size: usize,
    /// The WGSL type.
    pub ty: fn() -> String,
}

/// A kernel struct: its name, size and fields in declaration order.
#[derive(Debug, Clone, Copy)]
pub struct WgslStruct {
    /// Struct name (the same on both sides).
    pub name: &'static str,
    /// Byte size of the Rust struct.
    pub size: usize,
    /// Fields in order.
    pub fields: &'static [WgslField],
}

impl WgslStruct {
    /// The WGSL `struct` declaration.
    pub fn declaration(&self) -> String {
        let mut s = format!("struct {} {{\n", self.name);
        for f in self.fields {
            s.push_str(&format!("    {}: {},\n", f.name, (f.ty)()));
        }
        s.push_str("}\n");
        s
    }
}

/// Declares a `#[repr(C)]` kernel struct and its [`WgslStruct`] description
/// (the associated const `WGSL`) from one field list, so the two cannot drift.
macro_rules! kernel_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[repr(C)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// This struct as the kernel declares it.
            pub const WGSL: WgslStruct = WgslStruct {
                name: stringify!($name),
                size: ::core::mem::size_of::<$name>(),
                fields: &[$(WgslField {
                    name: stringify!($field),
                    offset: ::core::mem::offset_of!($name, $field),
                    size: ::core::mem::size_of::<$ty>(),
                    ty: <$ty as WgslType>::wgsl,
                },)*],
            };
        }
    };
}

kernel_struct! {
    /// Per-dispatch constants (WGSL `RunParams`, a uniform buffer).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
    pub struct RunParams {
        /// Work items in this dispatch.
        pub items: u32,
        /// Steps per path.
        pub steps: u32,
        /// Record moments every this many steps.
        pub record_every: u32,
        /// Number of records (including t = 0 and the final step).
        pub records: u32,
        /// Philox key, low word.
        pub key0: u32,
        /// Philox key, high word.
        pub key1: u32,
        /// Sub-blocks of `WG` paths per block.
        pub sub: u32,
        /// f32 values per partial slot.
        pub partial_len: u32,
        /// Histogram bins per set (`steps + 2`).
        pub hist_len: u32,
        /// Start of the goal histograms in the histogram buffer (after every
        /// set's first-passage histogram).
        pub goal_hist: u32,
        /// Padding.
        pub pad1: u32,
        /// Padding.
        pub pad2: u32,
    }
}

kernel_struct! {
    /// Per-parameter-set constants (WGSL `SetParams`).
    #[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
    pub struct SetParams {
        /// Paths in the set (path indices `0..paths`).
        pub paths: u32,
        /// The parameter-set index used in the RNG counter.
        pub set_index: u32,
        /// Policy kind (`policy_kind`).
        pub policy: u32,
        /// Fixed strategy, guard default, or initial strategy.
        pub strategy: u32,
        /// Greedy decision interval.
        pub every: u32,
        /// Greedy: 1 for a weighted sum, 0 for min.
        pub weighted: u32,
        /// Number of schedule segments.
        pub segments: u32,
        /// Index of the set's first strategy in the strategy buffer.
        pub strategy_base: u32,
        /// Number of strategies of the set.
        pub strategies: u32,
        /// Keep terminal states of paths below this index.
        pub keep_terminal: u32,
        /// Record whole trajectories of paths below this index.
        pub record_paths: u32,
        /// 1 when x0_sd is non-zero.
        pub jitter: u32,
        /// Time step.
        pub dt: f32,
        /// sqrt(dt).
        pub sqrt_dt: f32,
        /// Guard hysteresis.
        pub hysteresis: f32,
        /// Padding.
        pub pad0: f32,
        /// Adaptive: EWMA weight, 1 / memory.
        pub alpha: f32,
        /// Adaptive: floor trigger margin (fraction of the range).
        pub floor_margin: f32,
        /// Adaptive: conflict threshold (fraction of the range per step).
        pub conflict: f32,
        /// Adaptive: stall threshold (fraction of the range per step).
        pub stall: f32,
        /// Adaptive: strategy of the floor trigger, or NONE.
        pub on_floor: u32,
        /// Adaptive: strategy of the conflict trigger, or NONE.
        pub on_conflict: u32,
        /// Adaptive: strategy of the stall trigger, or NONE.
        pub on_stall: u32,
        /// Adaptive: steps of history before conflict and stall are checked.
        pub warmup: u32,
        /// Lower bounds.
        pub lower: [f32; NMAX],
        /// Upper bounds.
        pub upper: [f32; NMAX],
        /// 1 / (upper − lower).
        pub inv_range: [f32; NMAX],
        /// Initial state.
        pub x0: [f32; NMAX],
        /// Initial jitter.
        pub x0_sd: [f32; NMAX],
        /// Shift subtracted before moments are summed (keeps f32 sums accurate).
        pub shift: [f32; NMAX],
        /// First-passage target (projected into the bounds).
        pub passage_target: [f32; NMAX],
        /// First-passage tolerance per objective (absolute).
        pub passage_tol: [f32; NMAX],
        /// Guard floors.
        pub floors: [f32; NMAX],
        /// Greedy weights.
        pub weights: [f32; NMAX],
        /// Guard: strategy per objective in rescue.
        pub rescue: [u32; NMAX],
        /// Schedule: strategy of each segment.
        pub seg_strategy: [u32; SEGMAX],
        /// Schedule: cumulative end step of each segment.
        pub seg_end: [u32; SEGMAX],
        /// Goal region, lower corner (−f32::MAX where unconstrained).
        pub goal_lo: [f32; NMAX],
        /// Goal region, upper corner (f32::MAX where unconstrained).
        pub goal_hi: [f32; NMAX],
        /// Constraint box, lower corner.
        pub cons_lo: [f32; NMAX],
        /// Constraint box, upper corner.
        pub cons_hi: [f32; NMAX],
    }
}

kernel_struct! {
    /// Per-strategy constants (WGSL `StrategyParams`).
    #[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
    pub struct StrategyParams {
        /// x*.
        pub xstar: [f32; NMAX],
        /// A, row-major with stride NMAX.
        pub a: [f32; NMAX * NMAX],
        /// L (lower triangular), row-major with stride NMAX.
        pub l: [f32; NMAX * NMAX],
        /// 1 for jacobi diffusion.
        pub jacobi: u32,
        /// Padding.
        pub pad: [u32; 3],
    }
}

kernel_struct! {
    /// One workgroup's work (WGSL `WorkItem`).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
    pub struct WorkItem {
        /// Parameter set.
        pub pset: u32,
        /// Block index within the set.
        pub block: u32,
        /// Slot (in paths) of the block's first path in the terminal buffer, or NONE.
        pub term_base: u32,
        /// Slot (in paths) of the block's first path in the recorded-path buffer, or NONE.
        pub path_base: u32,
    }
}

/// Every struct the kernel reads from its buffers.
pub const STRUCTS: [WgslStruct; 4] = [
    RunParams::WGSL,
    SetParams::WGSL,
    StrategyParams::WGSL,
    WorkItem::WGSL,
];

/// The WGSL declarations of [`CONSTANTS`] and [`STRUCTS`], for kernel headers.
pub fn wgsl_declarations() -> String {
    let mut s = String::from("// kernel ABI, generated from src/engine/abi.rs\n");
    for (name, v) in CONSTANTS {
        let ty = match v {
            Value::U32(_) => "u32",
            Value::F32(_) => "f32",
        };
        s.push_str(&format!("const {name}: {ty} = {};\n", v.wgsl()));
    }
    for st in STRUCTS {
        s.push('\n');
        s.push_str(&st.declaration());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> naga::Module {
        naga::front::wgsl::parse_str(src)
            .unwrap_or_else(|e| panic!("{}", e.emit_to_string_with_path(src, "abi")))
    }

    #[test]
    fn limit_matches_kernel_bits() {
        assert_eq!(LIMIT.to_bits(), 0x5863_5FA9);
    }

    #[test]
    fn every_field_has_naga_offset_and_size() {
        let module = parse(&wgsl_declarations());
        let mut layouter = naga::proc::Layouter::default();
        layouter.update(module.to_ctx()).unwrap();
        for st in STRUCTS {
            let (handle, members, span) = module
                .types
                .iter()
                .find_map(|(h, t)| match (&t.name, &t.inner) {
                    (Some(n), naga::TypeInner::Struct { members, span }) if n == st.name => {
                        Some((h, members, *span))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| panic!("struct {} not declared", st.name));
            assert_eq!(span as usize, st.size, "{} size", st.name);
            assert_eq!(layouter[handle].size as usize, st.size, "{} size", st.name);
            assert_eq!(members.len(), st.fields.len(), "{} fields", st.name);
            for (m, f) in members.iter().zip(st.fields) {
                assert_eq!(m.name.as_deref(), Some(f.name), "{} field order", st.name);
                assert_eq!(m.offset as usize, f.offset, "{}.{} offset", st.name, f.name);
                assert_eq!(
                    layouter[m.ty].size as usize, f.size,
                    "{}.{} size",
                    st.name, f.name
                );
            }
        }
    }

    #[test]
    fn constants_keep_their_bits_in_wgsl() {
        let module = parse(&wgsl_declarations());
        for (name, v) in CONSTANTS {
            let c = module
                .constants
                .iter()
                .find(|(_, c)| c.name.as_deref() == Some(name))
                .map(|(_, c)| c)
                .unwrap_or_else(|| panic!("{name} not declared"));
            let got = match module.global_expressions[c.init] {
                naga::Expression::Literal(naga::Literal::U32(u)) => Value::U32(u),
                naga::Expression::Literal(naga::Literal::F32(f)) => Value::F32(f),
                ref e => panic!("{name} = {e:?}"),
            };
            match (got, *v) {
                (Value::F32(a), Value::F32(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{name}"),
                (a, b) => assert_eq!(a, b, "{name}"),
            }
        }
    }
}
