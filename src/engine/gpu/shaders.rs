//! The WGSL sources, and their specialisation for one job.
//!
//! Every shader file is listed once in [`SOURCES`]. A kernel's final source is
//! a generated header + the shared snippets + the kernel, with every loop
//! marked `//@unroll` expanded. The header holds what the shader files must
//! not spell out themselves: the specialisation constants (the number of
//! objectives, the boundary rule, which features are on), the kernel ABI
//! (every shared constant and buffer struct, from `engine::abi`) and the
//! partial-slot offsets (from [`PartialLayout`]). After expansion all private arrays are
//! indexed by constants, so drivers keep the state in registers, and
//! branches on the constants fold away.

use crate::engine::abi::{self, boundary_kind};
use crate::engine::partials::PartialLayout;
use crate::engine::plan::Flags;

/// Philox and normals, shared by the kernels.
pub const RNG: &str = include_str!("../../../shaders/rng.wgsl");
/// The fused simulation kernel.
pub const SIMULATE: &str = include_str!("../../../shaders/simulate.wgsl");
/// The raw-word test kernel.
pub const PHILOX_WORDS: &str = include_str!("../../../shaders/philox_words.wgsl");

/// Every shader file: `(file name, source)`.
pub const SOURCES: &[(&str, &str)] = &[
    ("rng.wgsl", RNG),
    ("simulate.wgsl", SIMULATE),
    ("philox_words.wgsl", PHILOX_WORDS),
];

/// Most values one reduction pass handles: `(WG + 16) × RS` f32 must fit in
/// the 16 KiB of workgroup memory every device offers.
pub const REDUCE_MAX: usize = 15;

/// The `simulate` kernel specialised for a job's flags.
pub fn simulate_source(flags: &Flags) -> String {
    let header = format!(
        "// generated specialisation\n\
         const N: u32 = {n}u;\n\
         const S: u32 = {s}u;\n\
         const RS: u32 = {rs}u;\n\
         const BOUNDARY: u32 = {boundary}u;\n\
         const FIXED_ONLY: bool = {fixed};\n\
         const ANY_JACOBI: bool = {jac};\n\
         const CHECK_FINITE: bool = {fin};\n\
         const KEEP_TERMINAL: bool = {keep};\n\
         const RECORD_PATHS: bool = {rec};\n\
         const GOALS: bool = {goals};\n\n\
         {abi}\n{partials}\n",
        n = flags.n,
        s = flags.s,
        rs = (1 + 2 * flags.n).min(REDUCE_MAX),
        boundary = boundary_kind::of(flags.boundary),
        fixed = flags.fixed_only,
        jac = flags.any_jacobi,
        fin = flags.check_finite,
        keep = flags.keep_terminal,
        rec = flags.record_paths,
        goals = flags.goals,
        abi = abi::wgsl_declarations(),
        partials = partial_helpers(flags),
    );
    let consts = [("N", flags.n as i64), ("S", flags.s as i64)];
    let body = format!("{RNG}\n{SIMULATE}");
    format!(
        "{header}{}",
        unroll(&body, &consts).expect("the embedded kernel unrolls")
    )
}

/// The `philox_words` test kernel. `N` only sizes `step_normals` in
/// `rng.wgsl`, which this kernel does not call; four is one Philox block.
pub fn philox_words_source() -> String {
    format!(
        "const N: u32 = 4u;\n{}\n{RNG}\n{PHILOX_WORDS}",
        abi::wgsl_declarations()
    )
}

/// Offset helpers for one partial slot, written as WGSL functions from
/// [`PartialLayout`], so that the kernel never works an offset out by hand.
/// Each offset is affine in its argument (a record index, or the number of
/// records, which the kernel reads at run time), so each helper is
/// `arg * slope + start`, read off the layout at 0 and 1.
fn partial_helpers(flags: &Flags) -> String {
    let layout = |records| PartialLayout {
        n: flags.n,
        s: flags.s,
        records,
        occupancy: !flags.fixed_only,
        goals: flags.goals,
    };
    let helpers: [(&str, &str, Offset); 5] = [
        ("partial_record", "r", &|r| layout(0).record(r)),
        ("partial_cross", "records", &|r| layout(r).cross()),
        ("partial_incr", "records", &|r| layout(r).incr()),
        ("partial_occ", "records", &|r| layout(r).occ()),
        ("partial_goal", "records", &|r| layout(r).goal()),
    ];
    let mut s = String::from("// partial-slot offsets, generated from engine::PartialLayout\n");
    for (name, arg, f) in helpers {
        let (slope, start) = affine(f);
        s.push_str(&format!(
            "fn {name}({arg}: u32) -> u32 {{ return {arg} * {slope}u + {start}u; }}\n"
        ));
    }
    s
}

/// An offset in a partial slot as a function of one argument.
type Offset<'a> = &'a dyn Fn(usize) -> usize;

/// `(slope, start)` of an affine offset function.
fn affine(f: Offset) -> (usize, usize) {
    (f(1) - f(0), f(0))
}

/// Expands every `for (var v = A; v < B; v++) {` (or `<=`) loop whose
/// preceding line is `//@unroll` into one braced copy of its body per value
/// of `v`, with `v` replaced by a `u32` literal. `A` and `B` may use integer
/// literals, `+ - * / %`, parentheses and the names in `consts`.
pub fn unroll(src: &str, consts: &[(&str, i64)]) -> Result<String, String> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = String::with_capacity(src.len() * 2);
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "//@unroll" {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        let header = lines.get(i + 1).ok_or("//@unroll on the last line")?;
        let (var, start, end, inclusive) = parse_for(header)?;
        // Find the loop body: from the `{` ending the header to its match.
        let mut depth = 1i32;
        let mut j = i + 2;
        let mut body = Vec::new();
        loop {
            let line = lines
                .get(j)
                .ok_or_else(|| format!("unclosed loop: {header}"))?;
            let opens = line.matches('{').count() as i32;
            let closes = line.matches('}').count() as i32;
            if depth + opens - closes <= 0 {
                break;
            }
            depth += opens - closes;
            body.push(*line);
            j += 1;
        }
        let a = eval(&start, consts)?;
        let b = eval(&end, consts)? + i64::from(inclusive);
        let indent: String = header.chars().take_while(|c| c.is_whitespace()).collect();
        let body = body.join("\n");
        for v in a..b {
            let replaced = replace_ident(&body, &var, &format!("{v}u"));
            out.push_str(&indent);
            out.push_str("{\n");
            out.push_str(&unroll(&replaced, consts)?);
            out.push_str(&indent);
            out.push_str("}\n");
        }
        i = j + 1;
    }
    Ok(out)
}

/// Parses `for (var v = A; v < B; v++) {` into `(v, A, B, inclusive)`.
fn parse_for(line: &str) -> Result<(String, String, String, bool), String> {
    let bad = || {
        format!(
            "cannot unroll `{}`: expected `for (var v = A; v < B; v++) {{`",
            line.trim()
        )
    };
    let rest = line.trim().strip_prefix("for (var ").ok_or_else(bad)?;
    let (var, rest) = rest.split_once('=').ok_or_else(bad)?;
    let var = var.trim().to_string();
    let (start, rest) = rest.split_once(';').ok_or_else(bad)?;
    let (cond, rest) = rest.split_once(';').ok_or_else(bad)?;
    if rest.trim() != format!("{var}++) {{") {
        return Err(bad());
    }
    let cond = cond.trim().strip_prefix(&var).ok_or_else(bad)?.trim();
    let (end, inclusive) = match cond.strip_prefix("<=") {
        Some(e) => (e, true),
        None => (cond.strip_prefix('<').ok_or_else(bad)?, false),
    };
    Ok((
        var,
        start.trim().to_string(),
        end.trim().to_string(),
        inclusive,
    ))
}

/// Replaces identifier `name` (not a field access) with `with`.
fn replace_ident(text: &str, name: &str, with: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let s = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[s..i];
            let field = s > 0 && bytes[s - 1] == b'.';
            out.push_str(if word == name && !field { with } else { word });
        } else if c.is_ascii_digit() {
            // Numbers (with suffixes such as 4u or 1e-3) pass through whole.
            let s = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            out.push_str(&text[s..i]);
        } else {
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Evaluates a small integer expression.
fn eval(expr: &str, consts: &[(&str, i64)]) -> Result<i64, String> {
    let tokens = tokenize(expr)?;
    let mut p = Parser {
        t: &tokens,
        i: 0,
        consts,
    };
    let v = p.sum()?;
    if p.i != tokens.len() {
        return Err(format!("trailing input in `{expr}`"));
    }
    Ok(v)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(char),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let st = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Tok::Num(s[st..i].parse().map_err(|e| format!("{e}"))?));
            if i < b.len() && (b[i] == b'u' || b[i] == b'i') {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Name(s[st..i].to_string()));
        } else if "+-*/%()".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else {
            return Err(format!("unexpected `{c}` in `{s}`"));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
    consts: &'a [(&'a str, i64)],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn sum(&mut self) -> Result<i64, String> {
        let mut v = self.product()?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.i += 1;
            let r = self.product()?;
            v = if op == '+' { v + r } else { v - r };
        }
        Ok(v)
    }
    fn product(&mut self) -> Result<i64, String> {
        let mut v = self.atom()?;
        while let Some(Tok::Op(op @ ('*' | '/' | '%'))) = self.peek().cloned() {
            self.i += 1;
            let r = self.atom()?;
            v = match op {
                '*' => v * r,
                '/' => v.checked_div(r).ok_or("division by zero")?,
                _ => v.checked_rem(r).ok_or("division by zero")?,
            };
        }
        Ok(v)
    }
    fn atom(&mut self) -> Result<i64, String> {
        let tok = self.peek().cloned().ok_or("unexpected end of expression")?;
        self.i += 1;
        match tok {
            Tok::Num(v) => Ok(v),
            Tok::Name(n) => self
                .consts
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| *v)
                .ok_or(format!("unknown constant `{n}`")),
            Tok::Op('(') => {
                let v = self.sum()?;
                match self.peek() {
                    Some(Tok::Op(')')) => {
                        self.i += 1;
                        Ok(v)
                    }
                    _ => Err("missing `)`".into()),
                }
            }
            Tok::Op(c) => Err(format!("unexpected `{c}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrolls_nested_loops_with_dependent_bounds() {
        let src = "  //@unroll\n  for (var i = 0u; i < N; i++) {\n    //@unroll\n    for (var j = i; j <= i + 1u; j++) {\n      a[i * N + j] = s.i;\n    }\n  }\n";
        let out = unroll(src, &[("N", 2)]).unwrap();
        for pair in [
            "a[0u * N + 0u]",
            "a[0u * N + 1u]",
            "a[1u * N + 1u]",
            "a[1u * N + 2u]",
        ] {
            assert!(out.contains(pair), "{pair} missing in\n{out}");
        }
        assert!(out.contains("s.i"), "field names must survive:\n{out}");
        assert!(!out.contains("for ("), "{out}");
    }

    #[test]
    fn evaluates_bounds() {
        assert_eq!(eval("(N + 3u) / 4u", &[("N", 5)]).unwrap(), 2);
        assert_eq!(eval("1u + 2u * 3u", &[]).unwrap(), 7);
        assert!(eval("M", &[]).is_err());
    }

    #[test]
    fn partial_offsets_are_affine_in_their_argument() {
        for n in 1..=8 {
            for (s, occupancy) in [(1, false), (3, true), (8, true)] {
                let at = |records| PartialLayout {
                    n,
                    s,
                    records,
                    occupancy,
                    goals: true,
                };
                let offsets: [Offset; 5] = [
                    &|r| at(0).record(r),
                    &|r| at(r).cross(),
                    &|r| at(r).incr(),
                    &|r| at(r).occ(),
                    &|r| at(r).goal(),
                ];
                for f in offsets {
                    let (slope, start) = affine(f);
                    for k in 0..200 {
                        assert_eq!(f(k), start + k * slope, "n {n}, k {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn kernel_workgroup_size_is_wg() {
        let f = Flags {
            n: 2,
            s: 2,
            boundary: crate::model::Boundary::Reflect,
            fixed_only: false,
            any_jacobi: true,
            check_finite: false,
            keep_terminal: true,
            record_paths: true,
            goals: true,
        };
        let src = simulate_source(&f);
        let module = naga::front::wgsl::parse_str(&src)
            .unwrap_or_else(|e| panic!("{}", e.emit_to_string_with_path(&src, "simulate")));
        let ep = module
            .entry_points
            .iter()
            .find(|e| e.name == "simulate")
            .expect("entry point simulate");
        assert_eq!(ep.workgroup_size, [abi::WG, 1, 1]);
    }

    /// The text from `open` to the brace that closes the block it opens.
    fn block<'a>(src: &'a str, open: &str) -> &'a str {
        let start = src
            .find(open)
            .unwrap_or_else(|| panic!("`{open}` not found"));
        let mut depth = 0;
        for (i, c) in src[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => return &src[start..start + i],
                '}' => depth -= 1,
                _ => {}
            }
        }
        panic!("`{open}` is not closed");
    }

    #[test]
    fn step_loop_reads_no_set_params() {
        // CPU adapters do not hoist a storage load out of the step loop: it
        // stays a per-lane gather every step (20% of a step on lavapipe).
        // Per-set values are read once, by load_set.
        let mut hot = vec![block(SIMULATE, "for (; s < s_end; s++) {")];
        for f in ["em_step", "apply_boundary", "accumulate", "check_passage"] {
            hot.push(block(SIMULATE, &format!("fn {f}(")));
        }
        hot.push(block(RNG, "fn step_normals("));
        for text in hot {
            assert!(
                !text.contains("sets["),
                "storage read in the step loop:\n{text}"
            );
        }
    }

    #[test]
    fn rejects_loops_it_cannot_unroll() {
        let src = "//@unroll\nfor (var i = 0u; i < n; i += 2u) {\n}\n";
        assert!(unroll(src, &[]).is_err());
    }
}
