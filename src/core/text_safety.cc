#include "core/text_safety.h"

#include <cstdio>

namespace attest {

char32_t NextCodePoint(std::string_view s, size_t* pos, bool* valid) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(*pos);
  *valid = true;
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  }
  size_t len;
  char32_t c, min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    len = 0, c = 0, min = 0;
  }
  bool ok = len != 0 && *pos + len <= s.size();
  for (size_t i = 1; ok && i < len; ++i) {
    ok = (byte(*pos + i) & 0xC0) == 0x80;
    c = (c << 6) | (byte(*pos + i) & 0x3F);
  }
  if (!ok || c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    *valid = false;
    ++*pos;
    return 0xFFFD;
  }
  *pos += len;
  return c;
}

bool IsControlCharacter(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

bool IsBidiControl(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Characters that break or hide text with no use in it: line and paragraph separators, the
// zero-width space, invisible operators, the byte-order mark. (ZWJ and ZWNJ shape Arabic and
// Persian words, LRM and RLM order mixed-direction text: those stay.)
bool IsInvisibleBreak(char32_t c) {
  return c == 0x200B || c == 0x2028 || c == 0x2029 || (c >= 0x2060 && c <= 0x2064) ||
         c == 0xFEFF;
}

std::string CleanText(std::string_view s, TextLayout layout) {
  std::string out;
  out.reserve(s.size());
  const bool lines = layout == TextLayout::kLines;
  for (size_t pos = 0; pos < s.size();) {
    const size_t start = pos;
    bool valid;
    char32_t c = NextCodePoint(s, &pos, &valid);
    if (!valid) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else if (c == '\t' || c == '\n' || c == '\r') {
      if (!lines) {
        out.push_back(' ');
      } else if (c != '\r') {
        out.push_back(static_cast<char>(c));
      } else if (pos >= s.size() || s[pos] != '\n') {
        out.push_back('\n');  // a lone CR ends a line; a CR before LF goes
      }
    } else if (!IsControlCharacter(c) && !IsBidiControl(c) && !IsInvisibleBreak(c)) {
      out.append(s.substr(start, pos - start));
    }
  }
  return out;
}

std::string TerminalSafe(std::string_view s, TextLayout layout) {
  std::string out;
  out.reserve(s.size());
  char buf[16];
  for (size_t pos = 0; pos < s.size();) {
    const size_t start = pos;
    bool valid;
    char32_t c = NextCodePoint(s, &pos, &valid);
    if (!valid) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[start]));
      out += buf;
    } else if (layout == TextLayout::kLines && (c == '\t' || c == '\n')) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x80 && IsControlCharacter(c)) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      out += buf;
    } else if (IsControlCharacter(c) || IsBidiControl(c) || IsInvisibleBreak(c)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  return out;
}

}  // namespace attest
