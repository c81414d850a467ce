// The lexical index on disk (doc/format/search_index.md): its directories, and the terms, values
// and data of a segment's document. Internal to search/ (lexical_*.cc). Thread-safe: constants
// and pure functions.
#ifndef ATTEST_SEARCH_LEXICAL_FORMAT_H_
#define ATTEST_SEARCH_LEXICAL_FORMAT_H_

#include <xapian.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meta/store.h"
#include "search/lexical_index.h"
#include "text/analyzer.h"

namespace attest::search::lexical {

// Term namespaces (Xapian's convention: an upper-case prefix). Word forms have none.
inline constexpr char kStem[] = "Z";
// A word's consonant skeleton across scripts (text/names.h).
inline constexpr char kNameKey[] = "N";
inline constexpr char kLang[] = "XL";
inline constexpr char kWitness[] = "XW";
inline constexpr char kCollection[] = "XO";
inline constexpr char kRecord[] = "XR";
inline constexpr char kPlace[] = "XP";   // a place's name keys, joined by spaces
inline constexpr char kSample[] = "XS";  // + k: 1 segment in 2^k, the facet sample
inline constexpr char kLevel[] = "XV";   // + consent level (layout 7)
inline constexpr char kAddedBy[] = "XA";  // + who added the record (layout 7)
inline constexpr char kHeld[] = "XH";     // a held version's segment (layout 7)
// Consent level, language, collection, record, first place, month, joined by kUnitSep: a match
// is counted in every facet with one value read (Xapian looks each value up on its own).
inline constexpr Xapian::valueno kSlotFacets = 0;
inline constexpr char kUnitSep = '\x1f';
inline constexpr Xapian::valueno kSlotRecord = 2;  // the collapse key: results group by record
inline constexpr Xapian::valueno kSlotDateFrom = 4;
inline constexpr Xapian::valueno kSlotDateTo = 5;
inline constexpr Xapian::valueno kSlotVersion = 7;
inline constexpr size_t kMaxTermBytes = 240;       // Xapian's limit is 245
inline constexpr Xapian::termpos kFieldGap = 100;  // metadata words sit this far past the text
// Writer lanes (threads, each with its own databases); part of the on-disk layout.
inline constexpr size_t kLanes = 2;
inline constexpr int kMaxSampleBits = 8;  // the sparsest sample: 1 segment in 256

// The consent levels search may show, one database each, in order of openness.
inline constexpr std::array<meta::Consent, 3> kLevels = {
    meta::Consent::kPublic, meta::Consent::kResearch, meta::Consent::kRestricted};

// The directory of level `level` (an index in kLevels) of lane `lane` in the index `dir`.
std::string LevelDir(const std::string& dir, size_t level, size_t lane);

// The sample bits of a segment: how many low bits of a mix of its id are zero (at most
// kMaxSampleBits). splitmix64's finaliser, so neighbouring ids fall apart.
int SampleBits(uint64_t segment_id);

// The place filter's term (after kPlace): the same for a name in any script.
std::string PlaceKey(std::string_view place);

// The data of a segment's document: what a hit shows, with the byte ranges of the text's words
// (doc/format/search_index.md, "A segment's document").
struct SegmentData {
  static constexpr char kForm = 1;
  int64_t segment = 0;
  std::string_view record;
  int64_t version = 0;
  std::string_view lang;
  int64_t start_ms = -1, end_ms = -1, page = -1, char_start = -1;
  std::string_view witness, collection, level, text;
  std::vector<std::pair<uint32_t, uint32_t>> words;  // byte ranges in `text`

  // `words`: the analysed terms of s.text (a word's terms share its position and range).
  static std::string Encode(const SegmentDoc& s, const std::vector<text::Term>& terms);
  // A hit of this segment, without its weight, snippet and marks.
  Hit ToHit() const;
  // Reads `data` (views into it); false if it is not this form or is cut short.
  bool Decode(std::string_view data);
};

// The fields of a document's packed facet value (kSlotFacets).
struct FacetFields {
  // The packed value of `s`: its fields joined by kUnitSep, in the order the accessors read.
  static std::string Pack(const SegmentDoc& s);
  explicit FacetFields(const std::string& value);
  std::string_view level() const { return part[0]; }
  std::string_view lang() const { return part[1]; }
  std::string_view collection() const { return part[2]; }
  std::string_view record() const { return part[3]; }
  std::string_view place() const { return part[4]; }
  std::string_view month() const { return part[5]; }
  std::string_view part[6];
};

}  // namespace attest::search::lexical

#endif  // ATTEST_SEARCH_LEXICAL_FORMAT_H_
