//! Generating and checking the secrets the reference server issues: session tokens (64 hex),
//! PATs (`cru_` + 48 hex), agent tokens (`sk_` + 48 hex), hook keys (64 hex), claim codes
//! (`cru_claim_` + 32 hex), invite codes, and salted password hashes.

use super::store::PasswordHash;
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    hex::encode(buf)
}

pub fn session_token() -> String {
    random_hex(32)
}

pub fn pat_token() -> String {
    format!("cru_{}", random_hex(24))
}

pub fn agent_token() -> String {
    format!("sk_{}", random_hex(24))
}

pub fn hook_key() -> String {
    random_hex(32)
}

pub fn claim_code() -> String {
    format!("cru_claim_{}", random_hex(16))
}

/// 10 characters from `A–Z 2–9` (endpoints.md §9).
pub fn invite_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn digest(salt: &str, password: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{password}").as_bytes()))
}

pub fn hash_password(password: &str) -> PasswordHash {
    let salt = random_hex(16);
    PasswordHash {
        digest: digest(&salt, password),
        salt,
    }
}

/// Constant-time comparison of a password against its stored hash.
pub fn verify_password(stored: &PasswordHash, password: &str) -> bool {
    digest(&stored.salt, password)
        .as_bytes()
        .ct_eq(stored.digest.as_bytes())
        .into()
}

/// Constant-time string equality (metrics key).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_spec() {
        let pat = pat_token();
        assert!(pat.starts_with("cru_") && pat.len() == 52);
        assert!(
            pat[4..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(session_token().len(), 64);
        assert!(agent_token().starts_with("sk_") && agent_token().len() == 51);
        assert_eq!(claim_code().len(), "cru_claim_".len() + 32);
        let code = invite_code();
        assert!(
            code.len() == 10
                && code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c))
        );
    }

    #[test]
    fn passwords_verify_only_when_equal() {
        let stored = hash_password("correct horse");
        assert!(verify_password(&stored, "correct horse"));
        assert!(!verify_password(&stored, "correct horsE"));
    }
}
