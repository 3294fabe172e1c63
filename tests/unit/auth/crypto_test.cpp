// Password hashing, tokens, hashes and base64url of adapters/auth/crypto.
#include "adapters/auth/crypto.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace lf::adapters::auth {
namespace {

using namespace std::string_literals;

// Argon2id at its minimum cost: these tests hash a dozen passwords and only check behaviour.
class CryptoPassword : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    saved_hashing = password_hashing();
    set_password_hashing(PasswordHashing::minimum());
  }
  static void TearDownTestSuite() { set_password_hashing(saved_hashing); }

 private:
  static inline PasswordHashing saved_hashing{};
};

TEST(CryptoPasswordDefaults, ProductionDefaultIsInteractive) {
  const PasswordHashing interactive = PasswordHashing::interactive();
  EXPECT_EQ(password_hashing().ops_limit, interactive.ops_limit);
  EXPECT_EQ(password_hashing().mem_limit, interactive.mem_limit);
  EXPECT_GT(interactive.mem_limit, PasswordHashing::minimum().mem_limit);
}

TEST_F(CryptoPassword, RightPasswordVerifiesWrongOneDoesNot) {
  const std::string encoded = hash_password("correct horse battery staple");
  EXPECT_TRUE(verify_password(encoded, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(encoded, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(encoded, "Correct horse battery staple"));
  EXPECT_FALSE(verify_password(encoded, ""));
}

TEST_F(CryptoPassword, EncodedHashIsArgon2idWithItsParameters) {
  // Spaces and '!' are outside the encoding's base64 alphabet: the password cannot turn up in
  // the random salt or hash by chance ("pw" did, in about one run in sixty).
  const std::string password = "my pw!";
  const std::string encoded = hash_password(password);
  EXPECT_TRUE(encoded.starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << encoded;
  EXPECT_EQ(encoded.find(password), std::string::npos);
}

TEST_F(CryptoPassword, EachHashHasItsOwnSalt) {
  const std::string first = hash_password("same password");
  const std::string second = hash_password("same password");
  EXPECT_NE(first, second);
  EXPECT_TRUE(verify_password(first, "same password"));
  EXPECT_TRUE(verify_password(second, "same password"));
}

TEST_F(CryptoPassword, EmptyAndBinaryPasswordsRoundTrip) {
  EXPECT_TRUE(verify_password(hash_password(""), ""));
  const std::string binary = "a\0b\xff"s;
  const std::string encoded = hash_password(binary);
  EXPECT_TRUE(verify_password(encoded, binary));
  EXPECT_FALSE(verify_password(encoded, "a"));  // the NUL does not end the password
}

TEST_F(CryptoPassword, MalformedEncodedValuesNeverVerify) {
  const std::string encoded = hash_password("pw");
  EXPECT_FALSE(verify_password("", "pw"));
  EXPECT_FALSE(verify_password("pw", "pw"));
  EXPECT_FALSE(verify_password("$argon2id$", "pw"));
  EXPECT_FALSE(verify_password(encoded.substr(0, encoded.size() - 5), "pw"));
  EXPECT_FALSE(verify_password(encoded + "\0garbage"s, "pw"));
  EXPECT_FALSE(verify_password(encoded + std::string(200, 'A'), "pw"));
  EXPECT_FALSE(verify_password(sha256_hex("pw"), "pw"));
}

TEST_F(CryptoPassword, NeedsRehashWhenParametersChange) {
  const std::string encoded = hash_password("pw");
  EXPECT_FALSE(password_needs_rehash(encoded));
  set_password_hashing(PasswordHashing::interactive());
  EXPECT_TRUE(password_needs_rehash(encoded));
  set_password_hashing(PasswordHashing::minimum());
  EXPECT_TRUE(password_needs_rehash("not a hash"));
}

TEST(CryptoBase64Url, Rfc4648Vectors) {
  // RFC 4648 section 10, without the padding.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  for (const char* plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(plain)), plain);
  }
}

TEST(CryptoBase64Url, UsesTheUrlAlphabet) {
  // Standard base64: "+/8=" and "++++" / "////"; base64url: "-" for 62, "_" for 63.
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("\xfb\xef\xbe"), "----");
  EXPECT_EQ(base64url_encode("\xff\xff\xff"), "____");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
}

TEST(CryptoBase64Url, EveryByteRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) {
    all.push_back(static_cast<char>(b));
  }
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const std::string part = all.substr(0, len);
    EXPECT_EQ(base64url_decode(base64url_encode(part)), part) << len;
  }
}

TEST(CryptoBase64Url, StrictDecodeRejects) {
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_FALSE(base64url_decode("Zg=="));    // padding
  EXPECT_FALSE(base64url_decode("Zm9v="));   // stray padding
  EXPECT_FALSE(base64url_decode("+/8"));     // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9 v"));   // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v\n"));  // trailing newline
  EXPECT_FALSE(base64url_decode("Z"));       // 4n+1 characters carry no whole byte
  EXPECT_FALSE(base64url_decode("Zm9vY"));   // ditto
  EXPECT_FALSE(base64url_decode("Zh"));      // unused bits set: only "Zg" encodes "f"
  EXPECT_FALSE(base64url_decode("Zm9\0"s));  // embedded NUL
  EXPECT_FALSE(base64url_decode("Zm9v.Zm9v"));
}

TEST(CryptoTokens, RandomTokenIsBase64UrlOfFreshBytes) {
  const std::string token = random_token(32);
  EXPECT_EQ(token.size(), 43U);
  ASSERT_TRUE(base64url_decode(token));
  EXPECT_EQ(base64url_decode(token)->size(), 32U);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    seen.insert(random_token(32));
  }
  EXPECT_EQ(seen.size(), 100U);
  EXPECT_EQ(random_token(0), "");
}

TEST(CryptoTokens, Sha256HexKnownAnswers) {
  // FIPS 180-2 "abc", and the empty string.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

std::string hex(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4U];
    out += kDigits[b & 0xFU];
  }
  return out;
}

TEST(CryptoTokens, HmacSha256Rfc4231Vectors) {
  // Test case 2: a key shorter than the block.
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key, longer than the 64-byte block, is hashed first.
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTokens, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
  EXPECT_FALSE(constant_time_equals("", "a"));
  EXPECT_TRUE(constant_time_equals("a\0b"s, "a\0b"s));
  EXPECT_FALSE(constant_time_equals("a\0b"s, "a\0c"s));
}

TEST(CryptoTokens, MaskSecretShowsAtMostFourCharacters) {
  const std::string key = "lf_k" + random_token(32);
  EXPECT_EQ(mask_secret(key), "lf_k\u2026");
  EXPECT_EQ(mask_secret("0123456789abcdef"), "0123\u2026");  // 16 bytes: the shortest shown
  EXPECT_EQ(mask_secret("0123456789abcde"), "\u2026");       // 15 bytes: all masked
  EXPECT_EQ(mask_secret("abc"), "\u2026");
  EXPECT_EQ(mask_secret(""), "\u2026");
  EXPECT_EQ(mask_secret("\xc3\xa9t\xc3\xa9-0123456789abcdef"), "\u2026");  // would split a character
  EXPECT_EQ(mask_secret("ab\ncd0123456789abcdef"), "\u2026");
}

}  // namespace
}  // namespace lf::adapters::auth
