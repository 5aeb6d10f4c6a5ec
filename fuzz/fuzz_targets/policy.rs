//! Any UTF-8 text as a service-level policy file: `Policy::parse` must return a policy or
//! errors, never panic, and every error must format (the messages point at a line and column,
//! which is where offset arithmetic on multi-byte text could go wrong). A policy that parses
//! must also render as the public policy page in both languages, because the page is generated
//! from whatever file an operator uploads.
//!
//! The seeds are the shipped policies (`policies/*.toml`) and the dictionary holds their keys
//! and values, so most mutations stay close to a real policy and reach the validation rules
//! instead of stopping at the TOML syntax.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanad_domain::policy::{Lang, Policy, render_markdown};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    match Policy::parse(source, "fuzz.toml") {
        Ok(policy) => {
            let arabic = render_markdown(&policy, Lang::Ar);
            let english = render_markdown(&policy, Lang::En);
            assert!(!arabic.is_empty() && !english.is_empty());
        }
        Err(errors) => {
            // Parsing reports at least one error when it fails, and each one says where.
            assert!(!errors.is_empty());
            let message = errors.to_string();
            assert!(message.contains("fuzz.toml"), "{message}");
        }
    }
});
