// Fuzz target: signed notes, checkpoint bodies and keys, as read from a mirror or a user.
#include <cstdint>
#include <string>

#include "tlog/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attest::tlog;
  std::string in(reinterpret_cast<const char*>(data), size);
  static const Verifier verifier = *Verifier::FromVkey(
      "example.org/attest-test+c4e95b97+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs");
  auto body = verifier.Open(in);
  if (body.ok()) (void)ParseCheckpointBody(*body);
  (void)ParseCheckpointBody(in);
  (void)Verifier::FromVkey(in);
  (void)Signer::FromSkey(in);
  return 0;
}
