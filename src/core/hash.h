// SHA-256, HMAC-SHA-256 (OpenSSL) and the encodings attest uses for digests:
// lowercase hex and standard base64 (RFC 4648, with padding).
#ifndef ATTEST_CORE_HASH_H_
#define ATTEST_CORE_HASH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace attest {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);

// Incremental SHA-256 for streams. Not thread-safe.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Returns the digest; the stream may not be updated afterwards.
  Digest Finish();

 private:
  struct Internal;
  std::unique_ptr<Internal> rep_;
};

std::string ToHex(std::string_view bytes);
std::string ToHex(const Digest& d);
// Accepts upper or lower case; fails on odd length or a non-hex character.
Result<std::string> FromHex(std::string_view hex);
Result<Digest> DigestFromHex(std::string_view hex);
bool IsSha256Hex(std::string_view s);  // 64 lowercase hex characters

// The first `chars` characters of RFC 4648 base32 in lower case, no padding, most significant
// bits first (the last character takes the remaining bits, zero-filled). Record ids and API
// tokens are written so.
std::string Base32Lower(const uint8_t* bytes, size_t n, size_t chars);

std::string Base64Encode(std::string_view bytes);
std::string Base64Encode(const Digest& d);
// Strict: standard alphabet, padding required, no whitespace.
Result<std::string> Base64Decode(std::string_view b64);

std::string_view AsBytes(const Digest& d);
// Constant-time comparison of equal-length strings.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Starts libsodium once for the whole process (thread-safe); false if it could not start.
// Every user of libsodium calls this first.
bool SodiumReady();

}  // namespace attest

#endif  // ATTEST_CORE_HASH_H_
