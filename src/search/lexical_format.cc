// The lexical index on disk: doc/format/search_index.md.
#include "search/lexical_format.h"

#include "text/names.h"

namespace attest::search::lexical {

std::string LevelDir(const std::string& dir, size_t level, size_t lane) {
  return dir + "/" + meta::ConsentName(kLevels[level]) + "-" + std::to_string(lane);
}

int SampleBits(uint64_t segment_id) {
  uint64_t z = segment_id + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  int bits = 0;
  while (bits < kMaxSampleBits && (z & (1ULL << bits)) == 0) ++bits;
  return bits;
}

std::string PlaceKey(std::string_view place) {
  std::string key;
  for (const auto& k : text::NameKeys(place)) key += (key.empty() ? "" : " ") + k;
  return key;
}

// doc/format/search_index.md, "A segment's document": LEB128 varints, zigzag for signed ones,
// strings as their length and bytes, word ranges as deltas.
std::string SegmentData::Encode(const SegmentDoc& s, const std::vector<text::Term>& terms) {
  std::string out(1, kForm);
  auto put = [&](uint64_t v) {
    while (v >= 0x80) {
      out += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out += static_cast<char>(v);
  };
  auto put_signed = [&](int64_t v) {
    put((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  };
  auto put_string = [&](std::string_view v) {
    put(v.size());
    out += v;
  };
  put(static_cast<uint64_t>(s.segment_id));
  put_string(s.record_id);
  put(static_cast<uint64_t>(s.version));
  put_string(s.lang);
  for (int64_t v : {s.start_ms, s.end_ms, static_cast<int64_t>(s.page), s.char_start}) {
    put_signed(v);
  }
  put_string(s.witness_id);
  put_string(s.collection_id);
  put_string(meta::ConsentName(s.consent));
  put_string(s.text);
  std::vector<std::pair<uint32_t, uint32_t>> words;
  for (const text::Term& t : terms) {
    if (words.empty() || t.start >= words.back().second) words.emplace_back(t.start, t.end);
  }
  put(words.size());
  uint32_t last = 0;
  for (const auto& [start, end] : words) {
    put(start - last);
    put(end - start);
    last = end;
  }
  return out;
}

Hit SegmentData::ToHit() const {
  Hit h;
  h.segment_id = segment;
  h.version = static_cast<int>(version);
  h.lang = std::string(lang);
  h.start_ms = start_ms;
  h.end_ms = end_ms;
  h.page = static_cast<int>(page);
  h.level = std::string(level);
  return h;
}

bool SegmentData::Decode(std::string_view data) {
  size_t at = 0;
  bool good = !data.empty() && data[at++] == kForm;
  auto get = [&]() -> uint64_t {
    uint64_t v = 0;
    for (int shift = 0; good; shift += 7) {
      if (at >= data.size() || shift > 63) {
        good = false;
        break;
      }
      auto b = static_cast<uint8_t>(data[at++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    return v;
  };
  auto get_signed = [&]() -> int64_t {
    uint64_t v = get();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  };
  auto get_string = [&]() -> std::string_view {
    uint64_t n = get();
    if (!good || n > data.size() - at) {
      good = false;
      return {};
    }
    at += n;
    return data.substr(at - n, n);
  };
  segment = static_cast<int64_t>(get());
  record = get_string();
  version = static_cast<int64_t>(get());
  lang = get_string();
  start_ms = get_signed();
  end_ms = get_signed();
  page = get_signed();
  char_start = get_signed();
  witness = get_string();
  collection = get_string();
  level = get_string();
  text = get_string();
  uint64_t n = get();
  words.clear();
  uint64_t last = 0;
  for (uint64_t i = 0; good && i < n; ++i) {
    uint64_t start = last + get();
    uint64_t end = start + get();
    if (end > text.size()) good = false;
    words.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(end));
    last = end;
  }
  return good && at == data.size();
}

std::string FacetFields::Pack(const SegmentDoc& s) {
  std::string out = meta::ConsentName(s.consent);
  for (std::string_view f :
       {std::string_view(s.lang), std::string_view(s.collection_id), std::string_view(s.record_id),
        s.places.empty() ? std::string_view() : s.places.front(),
        std::string_view(s.date_from).substr(0, 7)}) {
    out += kUnitSep;
    out += f;
  }
  return out;
}

FacetFields::FacetFields(const std::string& value) {
  std::string_view rest(value);
  for (auto& p : part) {
    size_t sep = rest.find(kUnitSep);
    p = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 1);
  }
}

}  // namespace attest::search::lexical
