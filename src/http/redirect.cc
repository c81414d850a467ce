#include "http/redirect.h"

#include "core/text_safety.h"

namespace attest::http {
namespace {

// White space by Unicode's White_Space property (past ASCII and C1, which are refused already),
// and the byte order mark, which URL parsers may drop too.
bool IsUnicodeSpace(char32_t c) {
  return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

}  // namespace

std::string SafeRedirectTarget(std::string_view back) {
  const std::string home = "/";
  if (back.empty() || back.size() > kMaxRedirectTarget || back[0] != '/') return home;
  if (back.size() > 1 && (back[1] == '/' || back[1] == '\\')) return home;
  for (size_t pos = 0; pos < back.size();) {
    bool valid;
    char32_t c = NextCodePoint(back, &pos, &valid);
    if (!valid || c == '\\' || c == ' ' || IsControlCharacter(c) || IsUnicodeSpace(c) ||
        IsBidiControl(c)) {
      return home;
    }
  }
  return std::string(back);
}

}  // namespace attest::http
