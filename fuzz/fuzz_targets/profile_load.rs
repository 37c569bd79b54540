//! Fuzz profile loading: any text must load or fail with a message that names
//! the file, never panic, and never quote more than a short excerpt of itself.

#![no_main]

use libfuzzer_sys::fuzz_target;

use harava::profile::Profile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = Profile::from_toml(text, "fuzz.toml") {
        let message = error.to_string();
        assert!(message.starts_with("profile fuzz.toml: "), "{message}");
        // The message may quote the input, but only a short piece of it.
        assert!(message.chars().count() < 600, "{} chars", message.len());
    }
});
