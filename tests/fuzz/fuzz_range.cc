// Fuzz target: Range header values (one range at most comes out, and it resolves within the
// file).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attest::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = ParseRange(in);
  if (!r) return 0;
  if (r->first && r->last && *r->last < *r->first) std::abort();
  // Its header form parses back to itself.
  auto again = ParseRange(r->ToHeader());
  if (!again || again->first != r->first || again->last != r->last ||
      (!r->first && again->suffix != r->suffix)) {
    std::abort();
  }
  for (uint64_t file : {uint64_t{0}, uint64_t{1}, uint64_t{100}, uint64_t{1} << 40}) {
    uint64_t offset = 0, length = 0;
    if (ResolveRange(*r, file, &offset, &length)) {
      if (length == 0 || offset >= file || length > file - offset) std::abort();
    }
  }
  return 0;
}
