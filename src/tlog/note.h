// C2SP signed notes with Ed25519 keys (libsodium), and C2SP tlog-checkpoint bodies.
// See doc/format/checkpoint.md. Signer and Verifier are immutable after creation; thread-safe.
#ifndef ATTEST_TLOG_NOTE_H_
#define ATTEST_TLOG_NOTE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/hash.h"
#include "core/status.h"

namespace attest::tlog {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Digest root{};
};

std::string FormatCheckpointBody(const Checkpoint& cp);
Result<Checkpoint> ParseCheckpointBody(std::string_view body);
// Printable ASCII, no spaces or '+', not empty.
bool IsValidKeyName(std::string_view name);

class Verifier {
 public:
  // Parses "<name>+<hash hex>+<base64(0x01 ‖ public key)>".
  static Result<Verifier> FromVkey(std::string_view vkey);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  std::string Vkey() const;
  // Checks that `note` carries a valid signature by this key; returns the signed body.
  Result<std::string> Open(std::string_view note) const;

 private:
  friend class Signer;
  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 32> public_key_{};
};

class Signer {
 public:
  static Result<Signer> Generate(std::string_view name, Env* env);
  static Result<Signer> FromSeed(std::string_view name, std::string_view seed32);
  // Parses "PRIVATE+KEY+<name>+<hash hex>+<base64(0x01 ‖ seed)>".
  static Result<Signer> FromSkey(std::string_view skey);

  std::string Skey() const;
  const Verifier& verifier() const { return verifier_; }
  // The signed note: body (ending in "\n"), a blank line, one signature line.
  Result<std::string> Sign(std::string_view body) const;

 private:
  Verifier verifier_;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 64> secret_key_{};
};

uint32_t KeyHash(std::string_view name, const std::array<uint8_t, 32>& public_key);

}  // namespace attest::tlog

#endif  // ATTEST_TLOG_NOTE_H_
