// Fuzz target: log leaves (from tiles a mirror serves), JSON, canonical JSON and base64.
#include <cstdint>
#include <string>

#include "archive/manifest.h"
#include "core/hash.h"
#include "core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)attest::archive::ParseLeaf(in);
  auto j = attest::ParseJson(in, "input");
  if (j.ok()) {
    auto canon = attest::CanonicalJson(*j);
    // Canonical form is a fixed point.
    if (canon.ok()) {
      auto again = attest::CanonicalJson(*attest::ParseJson(*canon, "canonical"));
      if (!again.ok() || *again != *canon) __builtin_trap();
    }
  }
  auto raw = attest::Base64Decode(in);
  if (raw.ok() && attest::Base64Encode(*raw) != in) __builtin_trap();
  (void)attest::IsValidUtf8(in);
  return 0;
}
