#include "adapters/auth/crypto.hpp"

#include <array>
#include <mutex>
#include <stdexcept>

#include <sodium.h>

namespace lf::adapters::auth {
namespace {

// libsodium's argon2 functions take NUL-terminated strings of at most crypto_pwhash_STRBYTES
// bytes (terminator included). Copies `encoded` into such a buffer; nullopt when it cannot be one
// (too long, or an embedded NUL that would silently truncate it).
std::optional<std::array<char, crypto_pwhash_STRBYTES>> to_pwhash_str(std::string_view encoded) {
  if (encoded.size() >= crypto_pwhash_STRBYTES || encoded.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::array<char, crypto_pwhash_STRBYTES> str{};
  encoded.copy(str.data(), encoded.size());
  return str;
}

std::mutex hashing_mutex;
PasswordHashing hashing_params = PasswordHashing::interactive();

// Values shorter than this are masked completely by mask_secret.
constexpr std::size_t kMaskMinLength = 16;
constexpr std::size_t kMaskShownChars = 4;
constexpr std::string_view kEllipsis = "\u2026";

// An empty std::string_view may have a null data(); libsodium's C API wants a valid pointer even for
// zero bytes.
const char* chars_of(std::string_view s) { return s.empty() ? "" : s.data(); }
const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(chars_of(s)); }

}  // namespace

void ensure_sodium_initialized() {
  // A function-local static is initialised exactly once even when threads race here (C++11
  // "magic statics"); if sodium_init throws out of the initialiser, the next call retries.
  [[maybe_unused]] static const bool kSodiumReady = [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium: sodium_init failed (no usable randomness source?)");
    }
    return true;
  }();
}

PasswordHashing PasswordHashing::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHashing PasswordHashing::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

PasswordHashing password_hashing() {
  const std::scoped_lock lock(hashing_mutex);
  return hashing_params;
}

void set_password_hashing(PasswordHashing params) {
  const std::scoped_lock lock(hashing_mutex);
  hashing_params = params;
}

std::string hash_password(std::string_view password) { return hash_password(password, password_hashing()); }

std::string hash_password(std::string_view password, const PasswordHashing& params) {
  ensure_sodium_initialized();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), chars_of(password), password.size(), params.ops_limit, params.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("libsodium: crypto_pwhash_str_alg failed (out of memory?)");
  }
  return out.data();
}

bool verify_password(std::string_view encoded, std::string_view password) {
  ensure_sodium_initialized();
  const auto str = to_pwhash_str(encoded);
  return str && crypto_pwhash_str_verify(str->data(), chars_of(password), password.size()) == 0;
}

bool password_needs_rehash(std::string_view encoded) {
  ensure_sodium_initialized();
  const auto str = to_pwhash_str(encoded);
  if (!str) {
    return true;
  }
  const PasswordHashing current = password_hashing();
  // 0: same algorithm and parameters; 1: other parameters or argon2i; -1: not a valid hash.
  return crypto_pwhash_str_needs_rehash(str->data(), current.ops_limit, current.mem_limit) != 0;
}

std::string random_token(std::size_t bytes) {
  ensure_sodium_initialized();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string token = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium_initialized();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes_of(data), data.size());
  std::array<char, (crypto_hash_sha256_BYTES * 2) + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return {hex.data(), crypto_hash_sha256_BYTES * 2};
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  ensure_sodium_initialized();
  // The _init/_update/_final API takes a key of any length (crypto_auth_hmacsha256 itself wants
  // exactly 32 bytes); keys longer than the 64-byte block are hashed first, as RFC 2104 says.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(message), message.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);  // holds key-derived pads
  return {reinterpret_cast<const char*>(mac.data()), mac.size()};
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  // sodium_memcmp compares every byte whatever the first difference; it returns 0 for equal.
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64url_encode(std::string_view data) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  // sodium_base64_ENCODED_LEN counts the terminating NUL.
  std::string out(sodium_base64_ENCODED_LEN(data.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(data), data.size(), kVariant);
  out.pop_back();
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // Every 4 characters carry 3 bytes; this bound is never too small for valid input.
  std::string out((text.size() / 4 * 3) + 3, '\0');
  std::size_t written = 0;
  // ignore = nullptr: no character is skipped. b64_end = nullptr: libsodium fails unless it
  // consumed the whole input, so an "=" or any other stray character is an error, not an end.
  // libsodium also rejects a 4n+1 length and non-zero unused bits in the last character.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), chars_of(text), text.size(), nullptr,
                        &written, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

std::string mask_secret(std::string_view secret) {
  if (secret.size() < kMaskMinLength) {
    return std::string(kEllipsis);
  }
  const std::string_view shown = secret.substr(0, kMaskShownChars);
  for (const char c : shown) {
    // Only printable ASCII is shown: cutting a multi-byte UTF-8 character would put invalid text in a
    // JSON response, and control characters have no place in a log line.
    if (c < '!' || c > '~') {
      return std::string(kEllipsis);
    }
  }
  return std::string(shown) + std::string(kEllipsis);
}

}  // namespace lf::adapters::auth
