//! The observable-only adaptive policy: its validated form and its checks
//! (the rule itself is documented on [`PolicySpec::Adaptive`]).

use super::validate::{Checker, find};
use super::{PolicySpec, Strategy};

/// A validated adaptive policy, strategies resolved to indices (see
/// [`PolicySpec::Adaptive`] for the rule and each field's natural box).
#[derive(Debug, Clone, PartialEq)]
pub struct Adaptive {
    /// Strategy while no trigger holds.
    pub default: usize,
    /// EWMA memory in steps, ≥ 1.
    pub memory: f64,
    /// Floor trigger margin, a fraction of the range.
    pub floor_margin: f64,
    /// Strategy of the floor trigger.
    pub on_floor: Option<usize>,
    /// Conflict threshold, a fraction of the range per step.
    pub conflict: f64,
    /// Strategy of the conflict trigger.
    pub on_conflict: Option<usize>,
    /// Stall threshold, a fraction of the range per step.
    pub stall: f64,
    /// Strategy of the stall trigger.
    pub on_stall: Option<usize>,
    /// Relative release margin.
    pub hysteresis: f64,
    /// Decision interval in steps.
    pub every: u32,
}

/// Validates an adaptive policy spec, recording each problem with its field
/// path; `None` if any field is unusable.
pub(super) fn check(c: &mut Checker, p: &PolicySpec, strategies: &[Strategy]) -> Option<Adaptive> {
    let PolicySpec::Adaptive {
        default,
        memory,
        floor_margin,
        on_floor,
        conflict,
        on_conflict,
        stall,
        on_stall,
        hysteresis,
        every,
    } = p
    else {
        return None;
    };
    let mut ok = true;
    let mut range = |c: &mut Checker, field: &str, v: f64, lo: f64, hi: Option<f64>, want: &str| {
        let good = v.is_finite() && v >= lo && hi.is_none_or(|h| v <= h);
        if !good {
            c.fail(format!("policy.{field}"), format!("is {v}, must be {want}"));
            ok = false;
        }
    };
    range(c, "memory", *memory, 1.0, None, "finite and ≥ 1 (steps)");
    range(
        c,
        "floor_margin",
        *floor_margin,
        0.0,
        Some(0.999),
        "a fraction of the range in [0, 1)",
    );
    range(
        c,
        "conflict",
        *conflict,
        0.0,
        Some(1.0),
        "a fraction of the range per step in [0, 1]",
    );
    range(
        c,
        "stall",
        *stall,
        0.0,
        Some(1.0),
        "a fraction of the range per step in [0, 1]",
    );
    range(
        c,
        "hysteresis",
        *hysteresis,
        0.0,
        Some(1.0),
        "a relative margin in [0, 1]",
    );
    if *every == 0 {
        c.fail("policy.every", "is 0, must be ≥ 1");
        ok = false;
    }
    let default = find(c, strategies, "policy.default", default);
    let trigger = |c: &mut Checker, field: &str, name: &Option<String>| match name {
        None => Some(None),
        Some(n) => find(c, strategies, &format!("policy.{field}"), n).map(Some),
    };
    let on_floor = trigger(c, "on_floor", on_floor);
    let on_conflict = trigger(c, "on_conflict", on_conflict);
    let on_stall = trigger(c, "on_stall", on_stall);
    if !ok {
        return None;
    }
    Some(Adaptive {
        default: default?,
        memory: *memory,
        floor_margin: *floor_margin,
        on_floor: on_floor?,
        conflict: *conflict,
        on_conflict: on_conflict?,
        stall: *stall,
        on_stall: on_stall?,
        hysteresis: *hysteresis,
        every: *every,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Model, Policy};

    fn with_policy(fields: &str) -> String {
        let base = crate::model::preset("code-generation").unwrap();
        format!("{base}\n[policy]\nkind = \"adaptive\"\ndefault = \"AI\"\n{fields}\n")
    }

    #[test]
    fn defaults_fill_in_and_the_spec_round_trips() {
        let m = Model::from_toml(&with_policy("on_floor = \"SF\""), "test").unwrap();
        let Some(Policy::Adaptive(a)) = &m.policy else {
            panic!("{:?}", m.policy);
        };
        assert_eq!((a.default, a.on_floor, a.on_stall), (3, Some(1), None));
        assert_eq!((a.memory, a.every, a.hysteresis), (5.0, 1, 0.5));
        let again = Model::from_toml(&m.spec.to_toml(), "again").unwrap();
        assert_eq!(again.policy, m.policy);
    }

    #[test]
    fn every_bad_field_is_named() {
        let text = with_policy("memory = 0.0\nconflict = -1.0\nevery = 0\non_stall = \"X\"");
        let e = Model::from_toml(&text, "test").unwrap_err().to_string();
        for field in [
            "policy.memory",
            "policy.conflict",
            "policy.every",
            "policy.on_stall",
        ] {
            assert!(e.contains(field), "{field} missing from: {e}");
        }
    }
}
