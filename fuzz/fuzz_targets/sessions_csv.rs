//! Session CSV reader: any text is an error naming a line, or sessions that
//! write back to CSV; small ones are also fitted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mosde::fit::{FitOptions, fit};
use mosde::formats::sessions::Sessions;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for allow_missing in [false, true] {
        let Ok(sessions) = Sessions::parse(text, "fuzz", allow_missing) else {
            continue;
        };
        let _ = sessions.to_csv();
        if sessions.sessions.len() <= 64 {
            let opts = FitOptions {
                bootstrap: 4,
                ..Default::default()
            };
            let _ = fit(&sessions, &opts);
        }
    }
});
