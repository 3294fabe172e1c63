#pragma once
// Cryptographic primitives for accounts, tokens and webhook secrets, all on libsodium.
//
// Two kinds of secret, two kinds of hash:
//   - passwords are chosen by people and have little entropy, so they get a slow, salted,
//     memory-hard hash (Argon2id) that makes guessing expensive;
//   - API keys, refresh tokens and webhook secrets are generated here (random_token) with 256 bits
//     of entropy, so nobody can guess them and a fast hash (SHA-256) is enough to keep the stored
//     form useless to a reader of the database while allowing a lookup by hash.
//
// Every function initialises libsodium on first use; ensure_sodium_initialized() lets main()
// fail fast at startup instead.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lf::adapters::auth {

// Calls sodium_init() once per process (thread-safe). Throws std::runtime_error if libsodium cannot
// initialise (no usable randomness source): nothing in this module is safe to run then.
void ensure_sodium_initialized();

// Argon2id cost parameters. Production uses interactive() (libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE:
// 2 passes over 64 MiB, tens of milliseconds per hash). minimum() exists only so that tests hashing
// many passwords stay fast; it is far too cheap for real passwords.
struct PasswordHashing {
  unsigned long long ops_limit;
  std::size_t mem_limit;

  static PasswordHashing interactive();
  static PasswordHashing minimum();
};

// The parameters hash_password(password) uses; interactive() unless changed. Thread-safe.
PasswordHashing password_hashing();
void set_password_hashing(PasswordHashing params);

// Argon2id (crypto_pwhash_str_alg, ALG_ARGON2ID13) with a fresh random salt. Returns the encoded
// form, "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>", which carries its own parameters, so
// hashes made with other parameters still verify. Throws std::runtime_error only if the hash
// cannot be computed at all (out of memory).
std::string hash_password(std::string_view password);
std::string hash_password(std::string_view password, const PasswordHashing& params);

// True when `password` matches `encoded` (from hash_password). False on a wrong password and on
// any malformed, truncated or unsupported encoded value.
bool verify_password(std::string_view encoded, std::string_view password);

// True when `encoded` was made with parameters other than the current password_hashing() (or is
// malformed): after a successful login, re-hash the password and store the new hash.
bool password_needs_rehash(std::string_view encoded);

// `bytes` random bytes (randombytes_buf) as base64url without padding. 32 bytes (43 characters) for
// anything that authenticates: API keys, refresh tokens, webhook secrets.
std::string random_token(std::size_t bytes);

// Lower-case hex SHA-256 (crypto_hash_sha256). For high-entropy random values only (see above);
// never for passwords.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 (RFC 2104) of `message` under `key` of any length, as the 32 raw bytes. For JWTs
// and for signing webhook deliveries.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Compares in time that depends only on the lengths, not on where the values differ. The length
// itself is not secret: compare values of a fixed length (hashes, MACs).
bool constant_time_equals(std::string_view a, std::string_view b);

// RFC 4648 section 5 (base64url, "-" and "_"), without padding.
std::string base64url_encode(std::string_view data);
// Strict inverse of base64url_encode: nullopt on characters outside the url alphabet (including
// "+", "/", whitespace), on "=" padding, on an impossible length (4n+1) and on non-zero unused bits
// in the last character, so that each byte string has exactly one accepted encoding.
std::optional<std::string> base64url_decode(std::string_view text);

// A secret as it may be shown or logged: its first 4 characters and "…" ("lf_k…"), enough to tell
// keys apart. Values shorter than 16 bytes, or not printable ASCII in their first 4 bytes, become "…" alone:
// 4 characters would be too large a share of a short value, and its length is not shown either.
std::string mask_secret(std::string_view secret);

}  // namespace lf::adapters::auth
