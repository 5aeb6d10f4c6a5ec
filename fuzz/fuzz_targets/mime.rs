//! Any bytes as an inbound e-mail: the MIME parser must return an event or an error, never
//! panic, and give the same answer twice (the store relies on stable ids).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanad_channels::email::parse::{Mailbox, parse_message};

fuzz_target!(|data: &[u8]| {
    let mailbox = Mailbox {
        own_addresses: vec!["support@example.sa".into()],
        own_message_id_domain: "sanad.example.sa".into(),
    };
    let first = parse_message(data, &mailbox);
    let second = parse_message(data, &mailbox);
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
});
