//! Sweep spec parser and validator: any text is an error or a sweep whose
//! design points can be listed (for small designs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mosde::sweep::Sweep;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sweep) = Sweep::from_toml(text, "fuzz", None) else {
        return;
    };
    if sweep.spec.samples <= 64 && sweep.parameters.len() <= 4 {
        for u in sweep.unit_points().iter().take(64) {
            let values = sweep.values(u);
            let spec = mosde::sweep::apply(&sweep.model.spec, &sweep.parameters, &values);
            let _ = mosde::model::Model::from_spec(spec, "point");
        }
    }
});
