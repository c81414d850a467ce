#include "cli/output.h"

#include <cstdio>
#include <iostream>

namespace attest::cli {

std::string Shown(std::string_view s, TextLayout layout) { return TerminalSafe(s, layout); }

int Fail(const Status& st) {
  std::cerr << "attest: " << Shown(st.message(), TextLayout::kLines) << "\n";
  return kExitFailure;
}

int Usage(const std::string& msg) {
  std::cerr << "attest: " << Shown(msg, TextLayout::kLines) << "\n";
  return kExitUsage;
}

int UsageOrFail(const Status& st) {
  return st.code() == Code::kInvalidArgument ? Usage(st.message()) : Fail(st);
}

void PrintJson(const Json& j) {
  const std::string text = j.dump(2, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    bool valid;
    char32_t c = NextCodePoint(text, &pos, &valid);
    if (valid && c >= 0x7F && (IsControlCharacter(c) || IsBidiControl(c))) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.append(text, start, pos - start);
    }
  }
  std::cout << out << "\n";
}

}  // namespace attest::cli
