#include "archive/redaction.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "core/json.h"

namespace attest::archive {
namespace {

// The byte offset of code point `cp` of UTF-8 `text` (its size if past the end).
size_t ByteOfCodePoint(std::string_view text, int64_t cp) {
  size_t i = 0;
  for (int64_t n = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (n++ == cp) return i;
  }
  return text.size();
}

// Code points [from, to) of `text`.
std::string CodePointSpan(std::string_view text, int64_t from, int64_t to) {
  size_t a = ByteOfCodePoint(text, std::max<int64_t>(0, from));
  size_t b = ByteOfCodePoint(text, std::max(from, to));
  return std::string(text.substr(a, b - a));
}

// How many code points of a hidden span's neighbours must be found again beside its words for
// an occurrence to count as "the same passage".
constexpr int64_t kContext = 16;

// How many times `words` occur in `text`.
size_t Occurrences(std::string_view text, std::string_view words) {
  size_t n = 0;
  for (size_t at = text.find(words); at != std::string_view::npos; at = text.find(words, at + 1)) {
    ++n;
  }
  return n;
}

// Whether `g` took its level from a passage of an earlier version (the store gives a new
// version's segments the level of the passages they overlap, in time or in characters): it is
// that passage again, and the passage itself says where it is found and which versions are
// held. Were it a passage of its own, a correction of the passage's words would hold the very
// version the level was set in, and the record's text would be read by nobody.
bool InheritsLevel(const std::vector<meta::SegmentState>& segments, const meta::Segment& g) {
  for (const meta::SegmentState& st1 : segments) {
    const meta::Segment& g1 = st1.segment;
    if (g1.version >= g.version || !g1.consent || *g1.consent == meta::Consent::kPublic) continue;
    const bool overlaps =
        g.start_ms >= 0 ? g1.start_ms >= 0 && g1.start_ms < g.end_ms && g1.end_ms > g.start_ms
                        : g1.start_ms < 0 && g1.char_start >= 0 && g1.char_start < g.char_end &&
                              g1.char_end > g.char_start;
    if (overlaps) return true;
  }
  return false;
}

}  // namespace

RedactionPlan PlanRedactions(const std::vector<meta::SegmentState>& segments,
                             const std::vector<meta::Redaction>& redactions) {
  RedactionPlan plan;
  constexpr int64_t kWhole = std::numeric_limits<int64_t>::max();
  std::map<int64_t, const meta::SegmentState*> by_id;
  std::map<int, std::vector<const meta::SegmentState*>> by_version;
  for (const meta::SegmentState& st : segments) {
    by_id[st.segment.id] = &st;
    by_version[st.segment.version].push_back(&st);
  }
  std::set<std::pair<int64_t, int>> confirmed;
  for (const meta::Redaction& r : redactions) {
    // A passage's level confirmed is -its segment id (ConfirmRedactions).
    if (r.confirms != 0) confirmed.insert({r.confirms, r.confirms_version});
  }
  for (const meta::Redaction& r : redactions) {
    if (r.confirms != 0) continue;
    auto own = by_id.find(r.segment_id);
    if (own == by_id.end()) continue;  // not this record's: nothing of it here
    const meta::Segment& g0 = own->second->segment;
    const int64_t length = static_cast<int64_t>(CodePoints(g0.text));
    const int64_t from = r.char_from < 0 ? 0 : std::min(r.char_from, length);
    const int64_t to = r.char_from < 0 ? length : std::min(std::max(r.char_to, from), length);
    plan.hide[g0.id].push_back(r.char_from < 0 ? std::make_pair(int64_t{0}, kWhole)
                                               : std::make_pair(from, to));
    // The hidden words, without the blanks at their edges, and their neighbours.
    std::string words = CodePointSpan(g0.text, from, to);
    std::string before = CodePointSpan(g0.text, from - kContext, from);
    std::string after = CodePointSpan(g0.text, to, to + kContext);
    while (!words.empty() && std::isspace(static_cast<unsigned char>(words.front()))) {
      before.push_back(words.front());
      words.erase(words.begin());
    }
    while (!words.empty() && std::isspace(static_cast<unsigned char>(words.back()))) {
      after.insert(after.begin(), words.back());
      words.pop_back();
    }
    // How often the words were left to be read in the redaction's own version: more than that
    // elsewhere, and the hidden one may be among them.
    size_t visible_in_own = 0;
    if (!words.empty()) {
      size_t hidden_in_own = 0;
      for (const meta::SegmentState* st : by_version[g0.version]) {
        visible_in_own += Occurrences(st->segment.text, words);
      }
      for (const meta::Redaction& other : redactions) {
        auto seg = by_id.find(other.segment_id);
        if (other.confirms == 0 && seg != by_id.end() &&
            seg->second->segment.version == g0.version) {
          int64_t a = other.char_from < 0 ? 0 : other.char_from;
          int64_t b = other.char_from < 0
                          ? static_cast<int64_t>(CodePoints(seg->second->segment.text))
                          : other.char_to;
          hidden_in_own += Occurrences(CodePointSpan(seg->second->segment.text, a, b), words);
        }
      }
      visible_in_own = visible_in_own > hidden_in_own ? visible_in_own - hidden_in_own : 0;
    }
    for (const auto& [version, version_segments] : by_version) {
      // A recording's versions share its clock: what is spoken in the range is hidden whole.
      std::string spoken;  // the text of those segments, joined
      if (r.start_ms >= 0) {
        for (const meta::SegmentState* st : version_segments) {
          const meta::Segment& g = st->segment;
          if (g.id == g0.id || g.start_ms < 0) continue;
          if (g.end_ms > r.start_ms && g.start_ms < r.end_ms) {
            plan.hide[g.id].push_back({0, kWhole});
            spoken += (spoken.empty() ? "" : " ") + g.text;
          }
        }
      }
      if (version == g0.version) continue;
      if (words.empty()) continue;  // nothing was hidden: nothing to find
      // By its words: the occurrences beside the neighbours they had (the same passage); and
      // if more occurrences are left than could be read in its own version, all of them (a
      // witness who names someone once may name them again; a corrected transcript may cut
      // its lines elsewhere).
      bool placed = spoken.find(words) != std::string::npos;
      std::vector<std::pair<const meta::Segment*, size_t>> beside, rest;
      for (const meta::SegmentState* st : version_segments) {
        const std::string& text = st->segment.text;
        for (size_t at = text.find(words); at != std::string::npos; at = text.find(words, at + 1)) {
          std::string_view left = std::string_view(text).substr(0, at);
          std::string_view right = std::string_view(text).substr(at + words.size());
          bool same_left = left.ends_with(before) || std::string_view(before).ends_with(left);
          bool same_right = right.starts_with(after) || std::string_view(after).starts_with(right);
          (same_left && same_right ? beside : rest).push_back({&st->segment, at});
        }
      }
      auto hide_at = [&](const meta::Segment* g, size_t at) {
        int64_t a = static_cast<int64_t>(CodePoints(std::string_view(g->text).substr(0, at)));
        plan.hide[g->id].push_back({a, a + static_cast<int64_t>(CodePoints(words))});
        placed = true;
      };
      for (const auto& [g, at] : beside) hide_at(g, at);
      if (rest.size() > visible_in_own) {
        for (const auto& [g, at] : rest) hide_at(g, at);
      }
      if (!placed && !confirmed.count({r.id, version})) plan.held[version].push_back(r.id);
    }
  }
  // Passages with a level of their own: the same passage in other versions, found by its time
  // in a recording or by its words, is read at that level too; a version it cannot be found in
  // is held (a confirmation names it as -segment id).
  auto trimmed = [](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    return t;
  };
  for (const meta::SegmentState& st0 : segments) {
    const meta::Segment& g0 = st0.segment;
    if (!g0.consent || *g0.consent == meta::Consent::kPublic) continue;
    const bool holds = !InheritsLevel(segments, g0);
    std::string_view words = trimmed(g0.text);
    for (const auto& [version, version_segments] : by_version) {
      if (version == g0.version) continue;
      bool placed = false;
      for (const meta::SegmentState* st : version_segments) {
        const meta::Segment& g = st->segment;
        std::string_view other = trimmed(g.text);
        bool same = g0.start_ms >= 0 && g.start_ms >= 0
                        ? g.end_ms > g0.start_ms && g.start_ms < g0.end_ms
                        : !words.empty() &&
                              (other.find(words) != std::string_view::npos ||
                               (!other.empty() && words.find(other) != std::string_view::npos));
        if (!same) continue;
        auto [it, fresh] = plan.levels.emplace(g.id, *g0.consent);
        if (!fresh) it->second = meta::Strictest(it->second, *g0.consent);
        placed = true;
      }
      if (holds && !placed && !words.empty() && !confirmed.count({-g0.id, version})) {
        plan.held[version].push_back(-g0.id);
      }
    }
  }
  return plan;
}

RedactedText ApplyRedactions(const meta::SegmentState& s, const RedactionPlan& plan) {
  const meta::Segment& g = s.segment;
  RedactedText out;
  auto found = plan.hide.find(g.id);
  if (found == plan.hide.end()) {
    out.text = g.text;
    return out;
  }
  std::vector<std::pair<int64_t, int64_t>> hide = found->second;
  std::sort(hide.begin(), hide.end());
  // Walk the text by code point, replacing each hidden run with one mark.
  int64_t cp = 0;
  size_t i = 0;
  bool in_mark = false;
  auto hidden = [&](int64_t at) {
    for (const auto& [from, to] : hide) {
      if (at >= from && at < to) return true;
    }
    return false;
  };
  while (i < g.text.size()) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(g.text[i]);
    if (c >= 0xF0) {
      len = 4;
    } else if (c >= 0xE0) {
      len = 3;
    } else if (c >= 0xC0) {
      len = 2;
    }
    len = std::min(len, g.text.size() - i);
    if (hidden(cp)) {
      if (!in_mark) {
        uint32_t at = static_cast<uint32_t>(out.text.size());
        out.text += kRedactionMark;
        out.marks.push_back({at, static_cast<uint32_t>(out.text.size())});
        in_mark = true;
      }
    } else {
      in_mark = false;
      out.text.append(g.text, i, len);
    }
    i += len;
    ++cp;
  }
  return out;
}

}  // namespace attest::archive
