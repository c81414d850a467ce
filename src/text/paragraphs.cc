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

std::vector<Paragraph> SplitBlocks(std::string_view utf8, int64_t max_chars) {
  std::vector<Paragraph> lines = SplitParagraphs(utf8);
  size_t bom = utf8.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  // Byte offsets of each code point boundary are not kept; find line numbers instead: a
  // line's number is the count of '\n' before its first code point.
  std::vector<int64_t> line_no;
  {
    int64_t chars = 0, newlines = 0;
    size_t li = 0;
    for (size_t i = bom; i <= utf8.size() && li < lines.size(); ++i) {
      while (li < lines.size() && lines[li].char_start == chars) {
        line_no.push_back(newlines);
        ++li;
      }
      if (i == utf8.size()) break;
      unsigned char c = static_cast<unsigned char>(utf8[i]);
      if (!IsContinuation(c)) ++chars;
      if (c == '\n') ++newlines;
    }
  }
  std::vector<Paragraph> out;
  std::string_view body = utf8.substr(bom);
  auto span = [&](int64_t from_char, int64_t to_char) {
    // The text between two code point offsets.
    size_t i = 0;
    int64_t n = 0;
    while (i < body.size() && n < from_char) {
      ++i;
      while (i < body.size() && IsContinuation(static_cast<unsigned char>(body[i]))) ++i;
      ++n;
    }
    size_t j = i;
    while (j < body.size() && n < to_char) {
      ++j;
      while (j < body.size() && IsContinuation(static_cast<unsigned char>(body[j]))) ++j;
      ++n;
    }
    return std::string(body.substr(i, j - i));
  };
  for (size_t i = 0; i < lines.size() && i < line_no.size();) {
    size_t j = i + 1;
    while (j < lines.size() && j < line_no.size() && line_no[j] == line_no[j - 1] + 1 &&
           lines[j].char_end - lines[i].char_start <= max_chars) {
      ++j;
    }
    Paragraph p;
    p.char_start = lines[i].char_start;
    p.char_end = lines[j - 1].char_end;
    p.text = j == i + 1 ? lines[i].text : span(p.char_start, p.char_end);
    out.push_back(std::move(p));
    i = j;
  }
  return out;
}

}  // namespace attest::text
