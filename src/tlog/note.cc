#include "tlog/note.h"

#include <sodium.h>

#include <charconv>
#include <cstring>

#include "core/json.h"

namespace attest::tlog {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr uint8_t kAlgEd25519 = 1;

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

Result<uint32_t> ParseHex8(std::string_view s) {
  if (s.size() != 8) return Status::InvalidArgument("key hash is not 8 hex digits");
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return Status::InvalidArgument("key hash is not 8 hex digits");
  }
  return v;
}

// Splits at `sep`, into at most `max_parts` parts (the last keeps any further separators:
// base64 may contain '+').
std::vector<std::string_view> Split(std::string_view s, char sep, size_t max_parts = SIZE_MAX) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = out.size() + 1 >= max_parts ? std::string_view::npos : s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

}  // namespace

uint32_t KeyHash(std::string_view name, const std::array<uint8_t, 32>& public_key) {
  std::string msg(name);
  msg.push_back('\n');
  msg.push_back(static_cast<char>(kAlgEd25519));
  msg.append(reinterpret_cast<const char*>(public_key.data()), 32);
  Digest d = Sha256(msg);
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | d[3];
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c > '~' || c == '+') return false;
  }
  return true;
}

std::string FormatCheckpointBody(const Checkpoint& cp) {
  return cp.origin + "\n" + std::to_string(cp.size) + "\n" + Base64Encode(cp.root) + "\n";
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return Status::InvalidArgument("checkpoint body does not end with a newline");
  }
  auto lines = Split(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 3) return Status::InvalidArgument("checkpoint body has fewer than 3 lines");
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  if (cp.origin.empty()) return Status::InvalidArgument("checkpoint origin is empty");
  std::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0')) {
    return Status::InvalidArgument("checkpoint tree size is not a decimal number");
  }
  auto [p, ec] = std::from_chars(size.data(), size.data() + size.size(), cp.size);
  if (ec != std::errc() || p != size.data() + size.size()) {
    return Status::InvalidArgument("checkpoint tree size is not a decimal number");
  }
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != 32) {
    return Status::InvalidArgument("checkpoint root hash is not 32 bytes of base64");
  }
  std::memcpy(cp.root.data(), root->data(), 32);
  return cp;
}

Result<Verifier> Verifier::FromVkey(std::string_view vkey) {
  auto parts = Split(vkey, '+', 3);
  if (parts.size() != 3) {
    return Status::InvalidArgument("verifier key is not of the form name+hash+key");
  }
  Verifier v;
  v.name_ = std::string(parts[0]);
  if (!IsValidKeyName(v.name_)) return Status::InvalidArgument("verifier key has a bad name");
  ASSIGN_OR_RETURN(v.key_hash_, ParseHex8(parts[1]));
  auto key = Base64Decode(parts[2]);
  if (!key.ok() || key->size() != 33 || static_cast<uint8_t>((*key)[0]) != kAlgEd25519) {
    return Status::InvalidArgument("verifier key is not an Ed25519 key (0x01 + 32 bytes)");
  }
  std::memcpy(v.public_key_.data(), key->data() + 1, 32);
  if (KeyHash(v.name_, v.public_key_) != v.key_hash_) {
    return Status::InvalidArgument("verifier key hash does not match its name and key");
  }
  return v;
}

std::string Verifier::Vkey() const {
  std::string key(1, static_cast<char>(kAlgEd25519));
  key.append(reinterpret_cast<const char*>(public_key_.data()), 32);
  return name_ + "+" + Hex8(key_hash_) + "+" + Base64Encode(key);
}

Result<std::string> Verifier::Open(std::string_view note) const {
  (void)SodiumReady();
  if (!IsValidUtf8(note) || note.empty() || note.back() != '\n') {
    return Status::InvalidArgument("signed note is malformed (not UTF-8 text ending in newline)");
  }
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("signed note has no blank line before its signatures");
  }
  std::string_view body = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  bool found_key = false;
  for (std::string_view line : Split(sigs.substr(0, sigs.size() - 1), '\n')) {
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return Status::InvalidArgument("signed note has a malformed signature line");
    }
    line.remove_prefix(kSigPrefix.size());
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      return Status::InvalidArgument("signed note has a malformed signature line");
    }
    if (line.substr(0, sp) != name_) continue;
    auto sig = Base64Decode(line.substr(sp + 1));
    if (!sig.ok() || sig->size() < 5) {
      return Status::InvalidArgument("signed note has a malformed signature");
    }
    uint32_t hash = uint32_t{static_cast<uint8_t>((*sig)[0])} << 24 |
                    uint32_t{static_cast<uint8_t>((*sig)[1])} << 16 |
                    uint32_t{static_cast<uint8_t>((*sig)[2])} << 8 |
                    static_cast<uint8_t>((*sig)[3]);
    if (hash != key_hash_) continue;
    found_key = true;
    if (sig->size() != 68) continue;
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data() + 4),
                                    reinterpret_cast<const unsigned char*>(body.data()),
                                    body.size(), public_key_.data()) == 0) {
      return std::string(body);
    }
  }
  if (!found_key) {
    return Status::PermissionDenied("signed note carries no signature by key " + name_ + "+" +
                                    Hex8(key_hash_));
  }
  return Status::Corruption("signature by " + name_ + " does not verify: the note was altered");
}

Result<Signer> Signer::FromSeed(std::string_view name, std::string_view seed32) {
  (void)SodiumReady();
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument("key name '" + std::string(name) +
                                   "' must be printable ASCII without spaces or '+'");
  }
  if (seed32.size() != 32) return Status::InvalidArgument("Ed25519 seed must be 32 bytes");
  Signer s;
  std::memcpy(s.seed_.data(), seed32.data(), 32);
  crypto_sign_seed_keypair(s.verifier_.public_key_.data(), s.secret_key_.data(), s.seed_.data());
  s.verifier_.name_ = std::string(name);
  s.verifier_.key_hash_ = KeyHash(name, s.verifier_.public_key_);
  return s;
}

Result<Signer> Signer::Generate(std::string_view name, Env* env) {
  std::string seed(32, '\0');
  env->RandomBytes(seed.data(), seed.size());
  return FromSeed(name, seed);
}

Result<Signer> Signer::FromSkey(std::string_view skey) {
  while (!skey.empty() && (skey.back() == '\n' || skey.back() == '\r')) skey.remove_suffix(1);
  auto parts = Split(skey, '+', 5);
  if (parts.size() != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY") {
    return Status::InvalidArgument("signing key is not of the form PRIVATE+KEY+name+hash+key");
  }
  ASSIGN_OR_RETURN(uint32_t hash, ParseHex8(parts[3]));
  auto key = Base64Decode(parts[4]);
  if (!key.ok() || key->size() != 33 || static_cast<uint8_t>((*key)[0]) != kAlgEd25519) {
    return Status::InvalidArgument("signing key is not an Ed25519 seed (0x01 + 32 bytes)");
  }
  ASSIGN_OR_RETURN(Signer s, FromSeed(parts[2], std::string_view(*key).substr(1)));
  if (s.verifier_.key_hash_ != hash) {
    return Status::Corruption("signing key hash does not match its key");
  }
  return s;
}

std::string Signer::Skey() const {
  std::string key(1, static_cast<char>(kAlgEd25519));
  key.append(reinterpret_cast<const char*>(seed_.data()), 32);
  return "PRIVATE+KEY+" + verifier_.name_ + "+" + Hex8(verifier_.key_hash_) + "+" +
         Base64Encode(key);
}

Result<std::string> Signer::Sign(std::string_view body) const {
  if (body.empty() || body.back() != '\n' || body.find("\n\n") != std::string_view::npos) {
    return Status::InvalidArgument("note body must be non-empty lines ending in a newline");
  }
  std::string sig(4 + crypto_sign_BYTES, '\0');
  uint32_t h = verifier_.key_hash_;
  sig[0] = static_cast<char>(h >> 24);
  sig[1] = static_cast<char>(h >> 16);
  sig[2] = static_cast<char>(h >> 8);
  sig[3] = static_cast<char>(h);
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data() + 4), nullptr,
                       reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                       secret_key_.data());
  std::string note(body);
  note += "\n";
  note += kSigPrefix;
  note += verifier_.name_ + " " + Base64Encode(sig) + "\n";
  return note;
}

}  // namespace attest::tlog
