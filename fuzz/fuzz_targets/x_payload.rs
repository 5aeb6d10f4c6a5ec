//! Any bytes as an X Account Activity webhook body: the parser must return events or
//! `WebhookError::Malformed`, never panic, and give the same events twice (the store
//! deduplicates on the ids it returns).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanad_channels::x::parse_webhook;

fuzz_target!(|data: &[u8]| {
    let first = parse_webhook(data);
    assert_eq!(first, parse_webhook(data));
});
