#include "text/paragraphs.h"

namespace attest::text {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::vector<Paragraph> SplitParagraphs(std::string_view utf8) {
  if (utf8.substr(0, 3) == "\xEF\xBB\xBF") utf8.remove_prefix(3);
  std::vector<Paragraph> out;
  int64_t chars = 0;  // code points before `pos`
  size_t pos = 0;
  while (pos <= utf8.size()) {
    size_t nl = utf8.find('\n', pos);
    if (nl == std::string_view::npos) nl = utf8.size();
    std::string_view line = utf8.substr(pos, nl - pos);
    size_t a = 0, b = line.size();
    while (a < b && IsBlank(line[a])) ++a;
    while (b > a && IsBlank(line[b - 1])) --b;
    auto count = [](std::string_view s) {
      int64_t n = 0;
      for (unsigned char c : s) n += IsContinuation(c) ? 0 : 1;
      return n;
    };
    if (b > a) {
      Paragraph p;
      p.text = std::string(line.substr(a, b - a));
      p.char_start = chars + count(line.substr(0, a));
      p.char_end = p.char_start + count(p.text);
      out.push_back(std::move(p));
    }
    chars += count(line) + 1;  // the line and its line break
    pos = nl + 1;
  }
  return out;
}

}  // namespace attest::text
