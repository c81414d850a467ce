// Fuzz target: proof JSON as given to `attest verify-proof` by anyone.
#include <cstdint>
#include <optional>
#include <string>

#include "archive/archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)attest::archive::VerifyProof(
      attest::Env::Default(), in,
      "example.org/attest-test+c4e95b97+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs",
      std::nullopt);
  return 0;
}
