// Fuzz target: HTTP request heads as a client sends them to `attest serve` (the gate parses
// each before any thread of the pool sees it).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attest::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  HeadLimits limits;
  limits.max_bytes = 4096;
  limits.max_fields = 20;
  HeadParse p = ParseRequestHead(in, limits);
  if (p.state == HeadState::kComplete) {
    const RequestHead& h = p.head;
    // The head lies within the input and within the limits, and each view lies in the head.
    if (h.length == 0 || h.length > in.size() || h.length > limits.max_bytes) std::abort();
    if (h.fields.size() > limits.max_fields) std::abort();
    auto inside = [&](std::string_view v) {
      return v.data() >= in.data() && v.data() + v.size() <= in.data() + h.length;
    };
    if (!inside(h.method) || !inside(h.target) || !inside(h.version)) std::abort();
    for (const auto& f : h.fields) {
      if (!inside(f.name) || !inside(f.value) || f.name.empty()) std::abort();
      for (char c : f.value) {
        if (c == '\r' || c == '\n') std::abort();
      }
    }
    if (auto r = h.Find("Range")) (void)ParseRange(*r);
  } else if (p.state != HeadState::kIncomplete && p.error.empty()) {
    std::abort();
  }
  // A prefix of an incomplete head is incomplete or already refused, never complete.
  if (p.state == HeadState::kIncomplete && size > 0) {
    HeadParse shorter = ParseRequestHead(in.substr(0, size - 1), limits);
    if (shorter.state == HeadState::kComplete) std::abort();
  }
  return 0;
}
