//! Integration tokens. A token is shown once when it is created; only its SHA-256 digest is
//! stored. A fast digest is right here (unlike passwords): tokens carry 256 random bits, so there
//! is nothing to guess, and every API request must check one.

use base64::Engine;
use sha2::{Digest, Sha256};

/// The prefix makes a leaked token recognisable to secret scanners and to people.
pub const TOKEN_PREFIX: &str = "sanad_";

/// A new random token secret.
pub fn generate_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A tracking code people can read out and type: ten characters from an alphabet without
/// look-alikes (no 0/O, 1/I/L), about 50 bits; guessing is further limited by the sign-in
/// throttle on the tracking form. Stored only as its [`token_digest`].
pub fn new_tracking_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let bytes: [u8; 10] = rand::random();
    let text: String = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect();
    format!("{}-{}", &text[..5], &text[5..])
}

/// The digest under which a token secret is stored and looked up.
pub fn token_digest(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// Hex SHA-256 of some bytes (request digests for idempotency keys, attachment addresses).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let first = generate_token();
        let second = generate_token();
        assert_ne!(first, second);
        assert!(first.starts_with(TOKEN_PREFIX) && first.len() == TOKEN_PREFIX.len() + 43);
        assert_eq!(token_digest("x"), token_digest("x"));
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
