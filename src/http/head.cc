#include "http/head.h"

#include <algorithm>

#include "http/numbers.h"

namespace attest::http {
namespace {

bool IsTchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Field values: visible characters, obs-text, spaces and tabs (RFC 9110 5.5).
bool IsFieldValue(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

bool IsTarget(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadParse Fail(HeadState state, std::string why) {
  HeadParse p;
  p.state = state;
  p.error = std::move(why);
  return p;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> RequestHead::Find(std::string_view name) const {
  for (const auto& f : fields) {
    if (EqualsIgnoreCase(f.name, name)) return f.value;
  }
  return std::nullopt;
}

size_t RequestHead::Count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(fields.begin(), fields.end(), [&](const HeaderField& f) {
    return EqualsIgnoreCase(f.name, name);
  }));
}

HeadParse ParseRequestHead(std::string_view in, const HeadLimits& limits) {
  auto too_large = [&] {
    return Fail(HeadState::kTooLarge, "the request head is over " +
                                          std::to_string(limits.max_bytes / 1024) + " KiB or " +
                                          std::to_string(limits.max_fields) + " header lines");
  };
  // Only the first max_bytes count: a head that has not ended by then never will in time.
  std::string_view window = in.substr(0, limits.max_bytes);
  size_t pos = 0;
  // Takes the next line (without its end) from `window`; false if it has not ended yet.
  auto next_line = [&](std::string_view* line) {
    size_t lf = window.find('\n', pos);
    if (lf == std::string_view::npos) return false;
    size_t end = lf > pos && window[lf - 1] == '\r' ? lf - 1 : lf;
    *line = window.substr(pos, end - pos);
    pos = lf + 1;
    return true;
  };
  auto incomplete = [&] {
    if (in.size() >= limits.max_bytes) return too_large();
    return Fail(HeadState::kIncomplete, "");
  };

  std::string_view line;
  int empty = 0;
  while (true) {
    if (!next_line(&line)) return incomplete();
    if (!line.empty()) break;
    if (++empty > 4) return Fail(HeadState::kMalformed, "the request starts with empty lines");
  }
  HeadParse p;
  RequestHead& h = p.head;
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(HeadState::kMalformed, "the request line is not 'METHOD TARGET HTTP/1.1'");
  }
  h.method = line.substr(0, sp1);
  h.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  h.version = line.substr(sp2 + 1);
  if (!IsToken(h.method)) return Fail(HeadState::kMalformed, "the method is not a token");
  if (!IsTarget(h.target)) {
    return Fail(HeadState::kMalformed, "the request target is empty or has spaces or controls");
  }
  if (h.version != "HTTP/1.1" && h.version != "HTTP/1.0") {
    return Fail(HeadState::kMalformed, "only HTTP/1.0 and HTTP/1.1 are spoken here");
  }
  while (true) {
    if (!next_line(&line)) return incomplete();
    if (line.empty()) break;
    if (h.fields.size() >= limits.max_fields) return too_large();
    if (line.front() == ' ' || line.front() == '\t') {
      return Fail(HeadState::kMalformed, "a header line is folded (starts with a space)");
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Fail(HeadState::kMalformed, "a header line is not 'Name: value'");
    }
    std::string_view value = Trim(line.substr(colon + 1));
    if (!IsFieldValue(value)) {
      return Fail(HeadState::kMalformed, "a header value has control characters");
    }
    h.fields.push_back({line.substr(0, colon), value});
  }
  // A bare CR anywhere in the head (outside a line end) is a control character in a value or
  // the request line, caught above; the blank line may be "\r\n" or "\n".
  h.length = pos;
  p.state = HeadState::kComplete;
  return p;
}

std::string ByteRange::ToHeader() const {
  if (!first) return "bytes=-" + std::to_string(suffix);
  return "bytes=" + std::to_string(*first) + "-" + (last ? std::to_string(*last) : "");
}

std::optional<ByteRange> ParseRange(std::string_view value) {
  size_t eq = value.find('=');
  if (eq == std::string_view::npos || !EqualsIgnoreCase(Trim(value.substr(0, eq)), "bytes")) {
    return std::nullopt;
  }
  std::vector<ByteRange> ranges;
  std::string_view rest = value.substr(eq + 1);
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (!item.empty()) {  // empty list elements are allowed (RFC 9110 5.6.1)
      size_t dash = item.find('-');
      if (dash == std::string_view::npos) return std::nullopt;
      std::string_view a = item.substr(0, dash), b = item.substr(dash + 1);
      ByteRange r;
      // Positions of at most 18 digits.
      if (a.empty()) {
        auto n = ParseDigits(b, 18);
        if (!n) return std::nullopt;
        r.suffix = *n;
      } else {
        r.first = ParseDigits(a, 18);
        if (!r.first) return std::nullopt;
        if (!b.empty()) {
          r.last = ParseDigits(b, 18);
          if (!r.last || *r.last < *r.first) return std::nullopt;
        }
      }
      ranges.push_back(r);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (ranges.empty()) return std::nullopt;
  size_t suffixes = static_cast<size_t>(
      std::count_if(ranges.begin(), ranges.end(), [](const ByteRange& r) { return !r.first; }));
  if (suffixes == ranges.size()) {
    // The last n bytes for the largest n holds every other suffix.
    ByteRange r;
    for (const auto& s : ranges) r.suffix = std::max(r.suffix, s.suffix);
    return r;
  }
  if (suffixes > 0) return std::nullopt;
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& x, const ByteRange& y) { return *x.first < *y.first; });
  ByteRange joined = ranges.front();
  for (size_t i = 1; i < ranges.size(); ++i) {
    const ByteRange& r = ranges[i];
    if (!joined.last) continue;                            // open-ended: holds all that start later
    if (*r.first > *joined.last + 1) return std::nullopt;  // a gap: two ranges remain
    if (!r.last) {
      joined.last.reset();
    } else {
      joined.last = std::max(*joined.last, *r.last);
    }
  }
  return joined;
}

bool ResolveRange(const ByteRange& range, uint64_t size, uint64_t* offset, uint64_t* length) {
  if (size == 0) return false;
  if (!range.first) {
    if (range.suffix == 0) return false;
    uint64_t n = std::min(range.suffix, size);
    *offset = size - n;
    *length = n;
    return true;
  }
  if (*range.first >= size) return false;
  uint64_t last = range.last ? std::min(*range.last, size - 1) : size - 1;
  *offset = *range.first;
  *length = last - *range.first + 1;
  return true;
}

}  // namespace attest::http
