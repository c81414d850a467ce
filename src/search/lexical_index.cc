#include "search/lexical_index.h"

#include <sys/stat.h>
#include <xapian.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/hash.h"
#include "core/json.h"  // IsValidUtf8, CodePoints
#include "search/dates.h"
#include "search/query.h"
#include "search/result_cache.h"
#include "text/analyzer.h"
#include "text/names.h"

namespace attest::search {
namespace {

// Term namespaces (Xapian's convention: an upper-case prefix). Word forms have none.
constexpr char kStem[] = "Z";
constexpr char kNameKey[] = "N";  // a word's consonant skeleton across scripts (text/names.h)
constexpr char kLang[] = "XL";
constexpr char kWitness[] = "XW";
constexpr char kCollection[] = "XO";
constexpr char kRecord[] = "XR";
constexpr char kPlace[] = "XP";   // a place's name keys, joined by spaces
constexpr char kSample[] = "XS";  // + k: 1 segment in 2^k, the facet sample
// Consent level, language, collection, record, first place, month, joined by kUnitSep: a match
// is counted in every facet with one value read (Xapian looks each value up on its own).
constexpr Xapian::valueno kSlotFacets = 0;
constexpr char kUnitSep = '\x1f';
constexpr Xapian::valueno kSlotRecord = 2;  // the collapse key: results group by record
constexpr Xapian::valueno kSlotDateFrom = 4;
constexpr Xapian::valueno kSlotDateTo = 5;
constexpr Xapian::valueno kSlotVersion = 7;
constexpr size_t kMaxTermBytes = 240;  // Xapian's limit is 245
constexpr size_t kSnippetBytes = 320;
constexpr Xapian::termcount kMaxPrefixExpansion = 200;  // most frequent words a prefix stands for
constexpr Xapian::termpos kFieldGap = 100;              // metadata words sit this far past the text
constexpr size_t kMaxLimit = 1000;
constexpr size_t kNameKeyCacheSize = 1 << 18;
// Writer lanes (threads, each with its own databases); part of the on-disk layout.
constexpr size_t kLanes = 2;
constexpr size_t kLaneQueue = 256;  // segments waiting per lane
// Matches counted exactly (totals, facets) before the match may stop early and estimate;
// beyond, facets are counted over a sample of about half as many to this many matches.
constexpr Xapian::doccount kExactCountsUpTo = 2000;
constexpr int kMaxSampleBits = 8;  // the sparsest sample: 1 segment in 256
// Queries whose words occur in at most this many segments (Xapian's bound before matching) are
// ranked, grouped and counted in one pass over every match (doc/search.md, "Results").
std::atomic<uint64_t> one_pass_limit{50000};
uint64_t OnePassLimit() { return one_pass_limit.load(std::memory_order_relaxed); }

// The sample bits of a segment: how many low bits of a mix of its id are zero (at most
// kMaxSampleBits). splitmix64's finaliser, so neighbouring ids fall apart.
int SampleBits(uint64_t segment_id) {
  uint64_t z = segment_id + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  int bits = 0;
  while (bits < kMaxSampleBits && (z & (1ULL << bits)) == 0) ++bits;
  return bits;
}

// The consent levels search may show, one database each, in order of openness.
constexpr std::array<meta::Consent, 3> kLevels = {meta::Consent::kPublic, meta::Consent::kResearch,
                                                  meta::Consent::kRestricted};

}  // namespace

size_t VisibleLevels(Role role) {
  switch (role) {
    case Role::kArchivist:
      return 3;
    case Role::kResearcher:
      return 2;
    case Role::kAnonymous:
      return 1;
  }
  return 1;
}

namespace {

// A query is read in every language at once: under each of these analysers.
constexpr text::Lang kQueryLangs[] = {text::Lang::kArabic, text::Lang::kHebrew,
                                      text::Lang::kEnglish, text::Lang::kFrench,
                                      text::Lang::kUnknown};

// Whether the words from position `i` on spell the name whose keys are `seq`; `has(p, key)`
// says whether the word at position p (of n) has that key.
template <class Has>
bool SpellsAt(const std::vector<std::string>& seq, size_t i, size_t n, const Has& has) {
  if (i + seq.size() > n) return false;
  for (size_t k = 0; k < seq.size(); ++k) {
    if (!has(i + k, seq[k])) return false;
  }
  return true;
}

std::string FieldPrefix(const std::string& field) {
  if (field == "lang") return kLang;
  if (field == "witness") return kWitness;
  if (field == "collection") return kCollection;
  return kRecord;
}

// The place filter's term: the same for a name in any script.
std::string PlaceKey(std::string_view place) {
  std::string key;
  for (const auto& k : text::NameKeys(place)) key += (key.empty() ? "" : " ") + k;
  return key;
}

// What a field clause (lang:, witness:, collection:, record:, place:, date:) asks of a
// segment's document: a term it holds, or a date range its dates overlap.
struct FieldFilter {
  std::string term;
  std::optional<DateRange> dates;
};
Result<FieldFilter> FieldFilterOf(const Clause& c) {
  FieldFilter f;
  if (c.field == "date") {
    ASSIGN_OR_RETURN(f.dates, ParseDateRange(c.text, "date:"));
  } else if (c.field == "place") {
    std::string key = PlaceKey(c.text);
    if (key.empty())
      return Status::InvalidArgument("place:'" + c.text + "' has no letters to match");
    f.term = kPlace + key;
  } else {
    f.term = FieldPrefix(c.field) + c.text;
  }
  return f;
}

// A cursor names the page after the one returned, for the same query and caller.
std::string QueryTag(const SearchRequest& r) {
  std::string weighted = r.any_word ? "\nany" : "";
  for (const auto& [word, weight] : r.weighted_words) {
    weighted += '\n' + word + '\t' + std::to_string(weight);
  }
  return ToHex(Sha256(r.query + '\n' + std::to_string(static_cast<int>(r.role)) + '\n' +
                      std::to_string(r.per_record) + (r.exact_counts ? "\ne" : "") + weighted))
      .substr(0, 12);
}

}  // namespace

// What analysing text needs, for one thread: analysers, the name-key cache, known names.
struct Analysis {
  std::map<text::Lang, std::unique_ptr<text::Analyzer>> analyzers;
  std::unordered_map<std::string, std::string> name_keys;  // spelling → key
  std::vector<std::string> names;                          // NameKeySeqs' last argument
  std::vector<std::vector<std::string>> name_key_seqs;     // their keys
  std::vector<std::vector<std::string>> tag_names;         // SetNames: the keys of each

  text::Analyzer* For(text::Lang lang) {
    auto& a = analyzers[lang];
    if (!a) a = text::Analyzer::For(lang);
    return a.get();
  }

  // The key of a spelling; the reference holds until TrimCache.
  const std::string& KeyOf(const std::string& surface) {
    auto it = name_keys.find(surface);
    if (it != name_keys.end()) return it->second;
    return name_keys.emplace(surface, text::NameKey(surface)).first->second;
  }

  // One word of a text in some language, as hits meet it: its index terms (stems with their
  // prefix), kept across searches (the words of the hits shown repeat, and analysing is the
  // costly part), and whether the search stamped `stamp` matched it.
  struct WordTerm {
    std::string term;
    bool stem = false;
  };
  struct Word {
    std::vector<WordTerm> terms;
    uint64_t stamp = 0;
    bool matched = false;
  };
  // The word `surface` of a text in `lang`; the reference holds until TrimCache.
  Word& WordOf(text::Lang lang, std::string_view surface) {
    auto& words = words_by_lang[static_cast<size_t>(lang)];
    auto it = words.find(surface);
    if (it != words.end()) return it->second;
    text::Token token;
    token.surface = std::string(surface);
    token.norm = text::NormalizeFold(surface);
    token.end = static_cast<uint32_t>(surface.size());
    Word word;
    for (text::Term& t : For(lang)->AnalyzeToken(token)) {
      bool stem = t.kind == text::TermKind::kStem;
      word.terms.push_back({stem ? kStem + t.text : std::move(t.text), stem});
    }
    return words.emplace(std::move(token.surface), std::move(word)).first->second;
  }

  void TrimCache() {
    if (name_keys.size() >= kNameKeyCacheSize) name_keys.clear();
    for (auto& words : words_by_lang) {
      if (words.size() >= kNameKeyCacheSize / 4) words.clear();
    }
  }
  struct ViewHash {  // looks a std::string key up by a string_view
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::array<std::unordered_map<std::string, Word, ViewHash, std::equal_to<>>, 5> words_by_lang;
  uint64_t searches = 0;  // stamps Word::matched

  // A query word's spellings under every analyser, and (with `stems`) its stems as index
  // terms.
  void QueryForms(const text::Token& token, std::set<std::string>* plain,
                  std::set<std::string>* stems = nullptr) {
    for (text::Lang l : kQueryLangs) {
      for (const text::Term& t : For(l)->AnalyzeToken(token)) {
        if (t.kind != text::TermKind::kStem) {
          plain->insert(t.text);
        } else if (stems) {
          stems->insert(kStem + t.text);
        }
      }
    }
  }

  const std::vector<std::vector<std::string>>& NameKeySeqs(const std::vector<std::string>& n) {
    if (n != names) {
      names = n;
      name_key_seqs.clear();
      std::set<std::vector<std::string>> seen;
      for (const auto& name : names) {
        auto keys = text::NameKeys(name);
        if (!keys.empty() && seen.insert(keys).second) name_key_seqs.push_back(keys);
      }
      // Longest first, so "Kfar Aza" wins over "Aza" where both are names.
      std::stable_sort(name_key_seqs.begin(), name_key_seqs.end(),
                       [](const auto& a, const auto& b) { return a.size() > b.size(); });
    }
    return name_key_seqs;
  }
};

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
  static std::string Encode(const SegmentDoc& s, const std::vector<text::Term>& terms) {
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

  // Reads `data` (views into it); false if it is not this form or is cut short.
  // A hit of this segment, without its weight, snippet and marks.
  Hit ToHit() const {
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
  bool Decode(std::string_view data) {
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
};

// One lane of the writer: its own databases (one per level) and a thread that analyses and
// writes the segments routed to it, so that indexing uses every core (Xapian writes a
// database from one thread). A segment's lane is its id modulo kLanes, for ever.
struct Lane {
  std::array<std::unique_ptr<Xapian::WritableDatabase>, 3> w;
  Analysis an;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<SegmentDoc> queue;
  bool busy = false;
  bool stop = false;
  Status error;  // the first failure, reported by the next Put or Commit
  std::thread thread;

  ~Lane() {
    if (thread.joinable()) {
      {
        std::lock_guard<std::mutex> l(mu);
        stop = true;
      }
      cv.notify_all();
      thread.join();
    }
  }

  void Run() {
    std::unique_lock<std::mutex> l(mu);
    while (true) {
      cv.wait(l, [&] { return stop || !queue.empty(); });
      if (queue.empty()) return;
      SegmentDoc d = std::move(queue.front());
      queue.pop_front();
      busy = true;
      cv.notify_all();  // room in the queue
      l.unlock();
      Status st;
      try {
        st = Index(d);
      } catch (const Xapian::Error& e) {
        st = Status::IOError("search index: " + e.get_msg());
      }
      l.lock();
      busy = false;
      if (!st.ok() && error.ok()) error = st;
      cv.notify_all();
    }
  }

  // Waits until every queued segment is written; the first failure so far.
  Status Drain() {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return queue.empty() && !busy; });
    return error;
  }

  // Deletes document `docid` from every level but `except`, wherever it is.
  void DeleteDoc(Xapian::docid docid, int except = -1) {
    for (int i = 0; i < 3; ++i) {
      if (i == except || w[i]->get_lastdocid() < docid) continue;
      try {
        w[i]->delete_document(docid);
      } catch (const Xapian::DocNotFoundError&) {
      }
    }
  }

  Status Index(const SegmentDoc& s);
};

// The fields of a document's packed facet value (kSlotFacets).
struct FacetFields {
  // The packed value of `s`: its fields joined by kUnitSep, in the order the accessors read.
  static std::string Pack(const SegmentDoc& s) {
    std::string out = meta::ConsentName(s.consent);
    for (std::string_view f :
         {std::string_view(s.lang), std::string_view(s.collection_id),
          std::string_view(s.record_id), s.places.empty() ? std::string_view() : s.places.front(),
          std::string_view(s.date_from).substr(0, 7)}) {
      out += kUnitSep;
      out += f;
    }
    return out;
  }
  explicit FacetFields(const std::string& value) {
    std::string_view rest(value);
    for (auto& p : part) {
      size_t sep = rest.find(kUnitSep);
      p = rest.substr(0, sep);
      rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 1);
    }
  }
  std::string_view level() const { return part[0]; }
  std::string_view lang() const { return part[1]; }
  std::string_view collection() const { return part[2]; }
  std::string_view record() const { return part[3]; }
  std::string_view place() const { return part[4]; }
  std::string_view month() const { return part[5]; }
  std::string_view part[6];
};

// The names of the consent levels `role` may see.
std::set<std::string, std::less<>> VisibleLevelNames(Role role) {
  std::set<std::string, std::less<>> out;
  for (size_t i = 0; i < VisibleLevels(role); ++i) out.insert(meta::ConsentName(kLevels[i]));
  return out;
}

// The packed facet value (kSlotFacets) of every indexed segment, held in memory by segment id
// (its document id in whichever level's database holds it), so that counting a match is an
// array lookup: Xapian decodes a value chunk for each value it is asked for, which was most of
// the cost of counting a common word's matches. Values repeat (a record's segments share
// most), so each distinct value is kept once. Derived from the value streams and built anew
// when the databases change (Refresh). A segment is in one level's database; should a reader
// see it in two while it moves, the stricter level's value is the one kept.
class FacetColumn {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Rebuilds from `levels` (each level's databases, kLevels order) unless it was built at
  // `state` already.
  void Refresh(const std::array<std::vector<Xapian::Database*>, 3>& levels,
               const std::string& state) {
    if (built_ && state == state_) return;
    values_.clear();
    fields_.clear();
    level_of_.clear();
    record_of_.clear();
    records_.clear();
    dbs_.clear();
    std::unordered_map<std::string_view, uint32_t> ids, record_ids;
    of_doc_.clear();
    db_of_.clear();
    for (size_t level = 0; level < levels.size(); ++level) {  // the stricter last
      for (Xapian::Database* db : levels[level]) {
        auto db_index = static_cast<uint8_t>(dbs_.size());
        dbs_.push_back(db);
        of_doc_.resize(std::max<size_t>(of_doc_.size(), db->get_lastdocid() + 1), kNone);
        db_of_.resize(of_doc_.size());
        for (auto v = db->valuestream_begin(kSlotFacets); v != db->valuestream_end(kSlotFacets);
             ++v) {
          std::string value = *v;
          auto found = ids.find(value);
          uint32_t id;
          if (found != ids.end()) {
            id = found->second;
          } else {
            id = static_cast<uint32_t>(values_.size());
            values_.push_back(std::move(value));
            fields_.emplace_back(values_.back());
            level_of_.push_back(LevelIndex(fields_.back().level()));
            auto record = record_ids.emplace(fields_.back().record(), records_.size());
            if (record.second) records_.push_back(fields_.back().record());
            record_of_.push_back(record.first->second);
            ids.emplace(values_.back(), id);
          }
          of_doc_[v.get_docid()] = id;
          db_of_[v.get_docid()] = db_index;
        }
      }
    }
    state_ = state;
    built_ = true;
  }

  // The value of segment `docid`, or kNone.
  uint32_t At(Xapian::docid docid) const { return docid < of_doc_.size() ? of_doc_[docid] : kNone; }
  const FacetFields& Fields(uint32_t id) const { return fields_[id]; }
  // The index in kLevels of the level value `id` names (kLevels.size() if none).
  size_t LevelOf(uint32_t id) const { return level_of_[id]; }
  size_t size() const { return values_.size(); }
  // Records, numbered from 0: the record of value `id`, and a record's id.
  uint32_t RecordOf(uint32_t id) const { return record_of_[id]; }
  std::string_view Record(uint32_t record) const { return records_[record]; }
  size_t records() const { return records_.size(); }
  // The document of segment `docid` (which has a value), from the database that holds it.
  Xapian::Document Document(Xapian::docid docid) const {
    // Known to be there (it has a value): not looked up again before its data is read.
    return dbs_[db_of_[docid]]->get_document(docid, Xapian::DOC_ASSUME_VALID);
  }

 private:
  static size_t LevelIndex(std::string_view name) {
    for (size_t i = 0; i < kLevels.size(); ++i) {
      if (name == meta::ConsentName(kLevels[i])) return i;
    }
    return kLevels.size();
  }

  bool built_ = false;
  std::string state_;
  std::vector<uint32_t> of_doc_;    // by segment id
  std::deque<std::string> values_;  // a deque: fields_ views them in place
  std::vector<FacetFields> fields_;
  std::vector<size_t> level_of_;
  std::vector<uint32_t> record_of_;        // by value id
  std::vector<std::string_view> records_;  // views into values_
  std::vector<Xapian::Database*> dbs_;     // every level's, the order of Refresh's arguments
  std::vector<uint8_t> db_of_;             // by segment id: its database in dbs_
};

// A match spy that looks each match's facet value up in the column and counts (Count) only
// the matches at a level its caller may see; the databases opened already exclude the
// others, so this is a second lock. (Xapian shows a spy the document of the database it is
// in, so its id is the segment's.)
class VisibleMatchSpy : public Xapian::MatchSpy {
 public:
  VisibleMatchSpy(const FacetColumn& column, size_t visible_levels)
      : column_(column), visible_levels_(visible_levels) {}
  void operator()(const Xapian::Document& doc, double weight) final {
    ++seen;
    Xapian::docid docid = doc.get_docid();
    uint32_t id = column_.At(docid);
    if (id != FacetColumn::kNone && column_.LevelOf(id) < visible_levels_) {
      Count(id, docid, weight);
    }
  }
  uint64_t seen = 0;  // matches shown, whatever their level

 protected:
  // A match at a visible level: its value, segment id and weight.
  virtual void Count(uint32_t id, Xapian::docid docid, double weight) = 0;
  const FacetColumn& column_;

 private:
  size_t visible_levels_;
};

// Counts the facet values of the matches it is shown.
class FacetSpy : public VisibleMatchSpy {
 public:
  FacetSpy(const FacetColumn& column, size_t visible_levels)
      : VisibleMatchSpy(column, visible_levels), counts_(column.size()) {}
  void Clear() {
    seen = 0;
    std::fill(counts_.begin(), counts_.end(), 0);
  }
  // The counts so far by facet and by record.
  void Collect() {
    langs.clear();
    collections.clear();
    places.clear();
    months.clear();
    records.clear();
    for (uint32_t id = 0; id < counts_.size(); ++id) {
      uint64_t n = counts_[id];
      if (n == 0) continue;
      const FacetFields& f = column_.Fields(id);
      langs[std::string(f.lang())] += n;
      collections[std::string(f.collection())] += n;
      records[std::string(f.record())] += n;
      places[std::string(f.place())] += n;
      months[std::string(f.month())] += n;
    }
  }
  std::map<std::string, uint64_t> langs, collections, places, months;
  std::unordered_map<std::string, uint64_t> records;  // matches by record

 protected:
  void Count(uint32_t id, Xapian::docid, double) override { ++counts_[id]; }

 private:
  std::vector<uint64_t> counts_;  // by value id
};

// Counts the matches of each record it is shown.
class RecordCountSpy : public VisibleMatchSpy {
 public:
  RecordCountSpy(const FacetColumn& column, size_t visible_levels)
      : VisibleMatchSpy(column, visible_levels) {}
  std::map<std::string, uint64_t> Counts() const {
    std::map<std::string, uint64_t> out;
    for (const auto& [id, n] : counts_) out[std::string(column_.Fields(id).record())] += n;
    return out;
  }

 private:
  void Count(uint32_t id, Xapian::docid, double) override { ++counts_[id]; }
  std::unordered_map<uint32_t, uint64_t> counts_;  // by value id
};

// A segment weighed by the match.
struct Weighed {
  double weight;
  Xapian::docid segment;
  // Xapian's order of relevance: heavier first, then the lower document id.
  bool operator<(const Weighed& o) const {
    return weight != o.weight ? weight > o.weight : segment < o.segment;
  }
};

// Shown every match with its weight (a match run over all of them), counts the facets (as
// FacetSpy does) and keeps each record's count of matches and its best `per_record` segments:
// the ranking by record, its totals and facets and the page's hits in one pass.
class RankingSpy : public FacetSpy {
 public:
  struct RecordBest {
    uint32_t record = 0;
    uint64_t matches = 0;
    std::vector<Weighed> best;  // sorted, at most per_record
  };
  RankingSpy(const FacetColumn& column, size_t visible_levels, size_t per_record)
      : FacetSpy(column, visible_levels),
        per_record_(per_record),
        slot_of_(column.records(), FacetColumn::kNone) {}
  // The records with matches, best first (by their best segment).
  std::vector<const RecordBest*> Ranked() const {
    std::vector<const RecordBest*> out;
    out.reserve(slots_.size());
    for (const auto& r : slots_) out.push_back(&r);
    std::sort(out.begin(), out.end(), [](const RecordBest* a, const RecordBest* b) {
      return a->best.front() < b->best.front();
    });
    return out;
  }
  uint64_t counted = 0;  // matches at a visible level

 private:
  void Count(uint32_t id, Xapian::docid docid, double weight) override {
    FacetSpy::Count(id, docid, weight);
    ++counted;
    uint32_t record = column_.RecordOf(id);
    uint32_t& slot = slot_of_[record];
    if (slot == FacetColumn::kNone) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back({record, 0, {}});
    }
    RecordBest& r = slots_[slot];
    ++r.matches;
    Weighed w{weight, docid};
    if (r.best.size() == per_record_ && !(w < r.best.back())) return;
    r.best.insert(std::upper_bound(r.best.begin(), r.best.end(), w), w);
    if (r.best.size() > per_record_) r.best.pop_back();
  }
  size_t per_record_;
  std::vector<uint32_t> slot_of_;  // by record number: its index in slots_
  std::vector<RecordBest> slots_;
};

struct LexicalIndex::Internal {
  // For reading: per level, one database per lane. For writing: the lanes.
  std::array<std::vector<std::unique_ptr<Xapian::Database>>, 3> readers;
  std::vector<std::unique_ptr<Lane>> lanes;
  bool one_thread = false;  // Put writes on the caller's thread (the lanes have none)
  Analysis an;  // the searching thread's
  FacetColumn column;
  uint64_t writes = 0;  // Put and Remove calls: a writer's column is stale after each

  std::shared_ptr<ResultCache> cache;  // read-only only

  std::string uuids;  // of the databases read: a rebuilt index has new ones

  // What the index holds, as a string that changes whenever that does: the identity and
  // revision of every database read, or a writer's count of changes.
  std::string State() const {
    std::string state = writable() ? "w" + std::to_string(writes) : "r" + uuids;
    for (const auto& level : readers) {
      for (const auto& r : level) state += ":" + std::to_string(r->get_revision());
    }
    return state;
  }

  // The facet column, rebuilt first if the databases changed. REQUIRES: drained.
  const FacetColumn& Column() {
    std::array<std::vector<Xapian::Database*>, 3> levels;
    for (size_t i = 0; i < kLevels.size(); ++i) {
      for (auto& lane : lanes) levels[i].push_back(lane->w[i].get());
      for (auto& r : readers[i]) levels[i].push_back(r.get());
    }
    column.Refresh(levels, State());
    return column;
  }

  bool writable() const { return !lanes.empty(); }

  Status Drain() {
    Status first;
    for (auto& lane : lanes) {
      Status st = lane->Drain();
      if (first.ok()) first = st;
    }
    return first;
  }

  // The levels `role` may see, as one database.
  Xapian::Database Visible(Role role) {
    Xapian::Database db;
    for (size_t i = 0; i < VisibleLevels(role); ++i) {
      for (auto& lane : lanes) db.add_database(*lane->w[i]);
      for (auto& r : readers[i]) db.add_database(*r);
    }
    return db;
  }

  // Every level's database of every lane. REQUIRES: drained, to be used.
  std::vector<Xapian::WritableDatabase*> Writers() {
    std::vector<Xapian::WritableDatabase*> out;
    for (auto& lane : lanes) {
      for (auto& w : lane->w) out.push_back(w.get());
    }
    return out;
  }

  // Deletes documents with `term` from every level of every lane. REQUIRES: drained.
  void DeleteEverywhere(const std::string& term) {
    for (auto* w : Writers()) {
      if (w->get_doccount() > 0) w->delete_document(term);
    }
  }
};

LexicalIndex::LexicalIndex() : rep_(new Internal) {}

uint64_t LexicalIndex::SetOnePassLimitForTesting(uint64_t matches) {
  return one_pass_limit.exchange(matches);
}
LexicalIndex::~LexicalIndex() = default;

namespace {

std::string LevelDir(const std::string& dir, size_t level, size_t lane) {
  return dir + "/" + meta::ConsentName(kLevels[level]) + "-" + std::to_string(lane);
}

}  // namespace

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const std::string& dir,
                                                         bool one_thread) {
  std::unique_ptr<LexicalIndex> idx(new LexicalIndex);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create the search index directory " + dir + ": " +
                           std::strerror(errno));
  }
  try {
    for (size_t k = 0; k < kLanes; ++k) {
      auto lane = std::make_unique<Lane>();
      for (size_t i = 0; i < kLevels.size(); ++i) {
        lane->w[i] = std::make_unique<Xapian::WritableDatabase>(LevelDir(dir, i, k),
                                                                Xapian::DB_CREATE_OR_OPEN);
      }
      idx->rep_->lanes.push_back(std::move(lane));
    }
  } catch (const Xapian::DatabaseLockError& e) {
    return Status::Unavailable("search index " + dir + " is being written by another process");
  } catch (const Xapian::Error& e) {
    return Status::Corruption("search index " + dir + " cannot be opened (" + e.get_msg() +
                              "); it can be rebuilt from the database");
  }
  PrepareForThreads();  // before the lanes analyse from two threads at a time
  idx->rep_->one_thread = one_thread;
  for (auto& lane : idx->rep_->lanes) {
    Lane* l = lane.get();
    if (!one_thread) l->thread = std::thread([l] { l->Run(); });
  }
  return idx;
}

void LexicalIndex::PrepareForThreads() {
  // ICU sets up its data lazily on first use: here, once.
  (void)text::Tokenize("é a");
  (void)text::NameKey("a");
}

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::OpenReadOnly(const std::string& dir) {
  std::unique_ptr<LexicalIndex> idx(new LexicalIndex);
  try {
    for (size_t i = 0; i < kLevels.size(); ++i) {
      for (size_t k = 0; k < kLanes; ++k) {
        idx->rep_->readers[i].push_back(std::make_unique<Xapian::Database>(LevelDir(dir, i, k)));
        idx->rep_->uuids += idx->rep_->readers[i].back()->get_uuid();
      }
    }
  } catch (const Xapian::DatabaseNotFoundError& e) {
    return Status::NotFound("no search index in " + dir + "; build it with attest reindex");
  } catch (const Xapian::Error& e) {
    return Status::Corruption("search index " + dir + " cannot be opened (" + e.get_msg() +
                              "); rebuild it with attest reindex");
  }
  return idx;
}

Status LexicalIndex::CompactInto(const std::string& from, const std::string& to) {
  if (::mkdir(to.c_str(), 0700) != 0) {
    return Status::IOError("cannot create " + to + ": " + std::strerror(errno));
  }
  try {
    for (size_t i = 0; i < kLevels.size(); ++i) {
      for (size_t k = 0; k < kLanes; ++k) {
        // Document ids stay segment ids.
        Xapian::Database(LevelDir(from, i, k))
            .compact(LevelDir(to, i, k), Xapian::DBCOMPACT_NO_RENUMBER);
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index " + from + " cannot be compacted (" + e.get_msg() + ")");
  }
  return Status::Ok();
}

Status LexicalIndex::Reopen() {
  try {
    for (auto& level : rep_->readers) {
      for (auto& r : level) r->reopen();
    }
  } catch (const Xapian::Error& e) {
    return Status::Corruption("the search index cannot be reopened (" + e.get_msg() + ")");
  }
  return Status::Ok();
}

void LexicalIndex::SetNames(const std::vector<std::string>& names) {
  (void)rep_->Drain();
  for (auto& lane : rep_->lanes) lane->an.tag_names = lane->an.NameKeySeqs(names);
}

uint64_t LexicalIndex::DocCount() const {
  (void)rep_->Drain();
  uint64_t n = 0;
  for (auto* w : rep_->Writers()) n += w->get_doccount();
  for (auto& level : rep_->readers) {
    for (auto& r : level) n += r->get_doccount();
  }
  return n;
}

Status Lane::Index(const SegmentDoc& s) {
  {
    int level = -1;
    for (size_t i = 0; i < kLevels.size(); ++i) {
      if (kLevels[i] == s.consent) level = static_cast<int>(i);
    }
    // The segment's id is its document id in every level's database (checked by Put).
    Xapian::docid docid = static_cast<Xapian::docid>(s.segment_id);
    if (level < 0) {  // sealed or withdrawn: not searchable
      DeleteDoc(docid);
      return Status::Ok();
    }
    an.TrimCache();  // between segments: keys of this one are referred to below
    text::Analyzer* analyzer = an.For(text::LangFromTag(s.lang));
    Xapian::Document doc;
    Xapian::termpos last = 0;
    // Words: their spellings with positions (for phrases), stems without. Where consecutive
    // words spell a known name (SetNames; a place is one), their name keys too, so the name
    // is found in any script.
    std::vector<text::Term> text_terms;  // of s.text, kept for the document's data
    auto add_text = [&](const std::string& text, Xapian::termpos base, bool all_names,
                        std::vector<text::Term>* kept) -> Status {
      ASSIGN_OR_RETURN(auto terms, analyzer->Analyze(text));
      std::vector<std::vector<const std::string*>> keys;  // by word: its spellings' keys
      for (const text::Term& t : terms) {
        Xapian::termpos pos = base + t.position + 1;
        last = std::max(last, pos);
        if (t.kind == text::TermKind::kStem) {
          if (t.text.size() < kMaxTermBytes) doc.add_term(kStem + t.text);
          continue;
        }
        if (t.text.size() <= kMaxTermBytes) doc.add_posting(t.text, pos);
        if (an.tag_names.empty() && !all_names) continue;
        if (keys.size() <= t.position) keys.resize(t.position + 1);
        const std::string& key = an.KeyOf(t.text);
        auto& at = keys[t.position];
        if (!key.empty() && std::find_if(at.begin(), at.end(), [&](const std::string* k) {
                              return *k == key;
                            }) == at.end()) {
          at.push_back(&key);
        }
      }
      auto add_keys = [&](size_t i) {
        for (const std::string* k : keys[i]) {
          if (k->size() < kMaxTermBytes) doc.add_posting(kNameKey + *k, base + i + 1);
        }
      };
      if (all_names) {
        for (size_t i = 0; i < keys.size(); ++i) add_keys(i);
        return Status::Ok();
      }
      std::vector<bool> tagged(keys.size());
      for (size_t i = 0; i < keys.size(); ++i) {
        for (const auto& seq : an.tag_names) {
          bool spelled = SpellsAt(seq, i, keys.size(), [&](size_t p, const std::string& key) {
            return std::any_of(keys[p].begin(), keys[p].end(),
                               [&](const std::string* x) { return *x == key; });
          });
          if (!spelled) continue;
          for (size_t k = 0; k < seq.size(); ++k) tagged[i + k] = true;
        }
      }
      for (size_t i = 0; i < keys.size(); ++i) {
        if (tagged[i]) add_keys(i);
      }
      if (kept) *kept = std::move(terms);
      return Status::Ok();
    };
    RETURN_IF_ERROR(add_text(s.text, 0, false, &text_terms));
    for (const auto& place : s.places) {  // metadata words: searchable, never in a phrase
      RETURN_IF_ERROR(add_text(place, last + kFieldGap, true, nullptr));
      std::string key = PlaceKey(place);
      if (!key.empty() && key.size() < kMaxTermBytes) doc.add_boolean_term(kPlace + key);
    }
    doc.add_boolean_term(kLang + s.lang);
    doc.add_boolean_term(kRecord + s.record_id);
    if (!s.witness_id.empty()) doc.add_boolean_term(kWitness + s.witness_id);
    if (!s.collection_id.empty()) doc.add_boolean_term(kCollection + s.collection_id);
    for (int k = 1; k <= SampleBits(static_cast<uint64_t>(s.segment_id)); ++k) {
      doc.add_boolean_term(kSample + std::to_string(k));
    }
    doc.add_value(kSlotFacets, FacetFields::Pack(s));
    doc.add_value(kSlotRecord, s.record_id);
    doc.add_value(kSlotVersion, Xapian::sortable_serialise(s.version));
    if (!s.date_from.empty()) {
      doc.add_value(kSlotDateFrom, s.date_from);
      doc.add_value(kSlotDateTo, s.date_to.empty() ? s.date_from : s.date_to);
    }
    doc.set_data(SegmentData::Encode(s, text_terms));
    w[level]->replace_document(docid, doc);
    DeleteDoc(docid, level);  // it may have changed level
  }
  return Status::Ok();
}

Status LexicalIndex::Put(const SegmentDoc& s) {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  ++rep_->writes;
  if (s.segment_id < 1 || s.segment_id > static_cast<int64_t>(UINT32_MAX)) {
    return Status::InvalidArgument("segment id " + std::to_string(s.segment_id) +
                                   " is outside 1..2^32-1");
  }
  if (!IsValidUtf8(s.text)) {
    return Status::InvalidArgument("segment " + std::to_string(s.segment_id) + " of record " +
                                   s.record_id + " is not valid UTF-8");
  }
  Lane& lane = *rep_->lanes[static_cast<size_t>(s.segment_id) % rep_->lanes.size()];
  if (rep_->one_thread) {
    try {
      return lane.Index(s);
    } catch (const Xapian::Error& e) {
      return Status::IOError("search index: " + e.get_msg());
    }
  }
  std::unique_lock<std::mutex> l(lane.mu);
  lane.cv.wait(l, [&] { return lane.queue.size() < kLaneQueue; });
  if (!lane.error.ok()) return lane.error;
  lane.queue.push_back(s);
  lane.cv.notify_all();
  return Status::Ok();
}

Status LexicalIndex::RemoveRecord(const std::string& record_id) {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  ++rep_->writes;
  RETURN_IF_ERROR(rep_->Drain());
  try {
    rep_->DeleteEverywhere(kRecord + record_id);
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Status LexicalIndex::RemoveVersionsBefore(const std::string& record_id, int version) {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  ++rep_->writes;
  RETURN_IF_ERROR(rep_->Drain());
  try {
    for (auto* w : rep_->Writers()) {
      std::vector<Xapian::docid> older;
      for (auto it = w->postlist_begin(kRecord + record_id);
           it != w->postlist_end(kRecord + record_id); ++it) {
        std::string v = w->get_document(*it).get_value(kSlotVersion);
        if (v.empty() || Xapian::sortable_unserialise(v) < version) older.push_back(*it);
      }
      for (Xapian::docid d : older) w->delete_document(d);
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Status LexicalIndex::Commit() {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  RETURN_IF_ERROR(rep_->Drain());
  try {
    for (auto* w : rep_->Writers()) w->commit();
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

void LexicalIndex::ShareCache(std::shared_ptr<ResultCache> cache) {
  if (!rep_->writable()) rep_->cache = std::move(cache);
}

Result<Results> LexicalIndex::Search(const SearchRequest& request) {
  RETURN_IF_ERROR(rep_->Drain());
  std::string state, key;
  if (rep_->cache) {
    state = rep_->State();
    key = CacheKey(request);
    if (auto page = rep_->cache->Find(state, key)) return std::move(*page);
  }
  try {
    auto results = SearchOrThrow(request);
    if (results.ok() && rep_->cache) rep_->cache->Add(state, key, *results);
    return results;
  } catch (const Xapian::Error& e) {
    return Status::InvalidArgument("the query cannot be run: " + e.get_msg());
  }
}

Result<Results> LexicalIndex::SearchOrThrow(const SearchRequest& request) {
  rep_->an.TrimCache();
  std::vector<Clause> parsed;
  if (!request.query.empty() || request.weighted_words.empty()) {
    ASSIGN_OR_RETURN(parsed, ParseQuery(request.query, !request.weighted_words.empty()));
  }
  if (request.limit == 0 || request.limit > kMaxLimit) {
    return Status::InvalidArgument("the limit must be 1 to " + std::to_string(kMaxLimit) +
                                   " records per page");
  }
  size_t offset = 0;
  std::string tag = QueryTag(request);
  if (!request.cursor.empty()) {
    const std::string& c = request.cursor;
    size_t dash = c.find('-');
    bool good = dash != std::string::npos && c.substr(dash + 1) == tag;
    if (good) {
      auto [p, ec] = std::from_chars(c.data(), c.data() + dash, offset);
      good = ec == std::errc() && p == c.data() + dash;
    }
    if (!good) {
      return Status::InvalidArgument("cursor '" + c.substr(0, 40) +
                                     "' is not one this search returned; start from the first "
                                     "page");
    }
  }
  // Consecutive plain words become one clause, so a name of several words can be found in
  // them; OR keeps binding to the single word beside it.
  std::vector<Clause> clauses;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const Clause& c = parsed[i];
    bool plain = c.kind == Clause::kWords && !c.negated && !c.or_with_previous;
    bool next_or = i + 1 < parsed.size() && parsed[i + 1].or_with_previous;
    bool prev_plain = i > 0 && !clauses.empty() && clauses.back().kind == Clause::kWords &&
                      !clauses.back().negated && !clauses.back().or_with_previous &&
                      !c.or_with_previous;
    if (plain && !next_or && prev_plain) {
      clauses.back().text += " " + c.text;
    } else {
      clauses.push_back(c);
    }
  }

  // The query is read in every language at once: each word's spellings and stems under
  // every analyser, and (where names are known) the name keys of its spellings.
  std::set<std::string> matched_terms;  // for highlighting
  bool positional = false;              // a phrase: each match's positions are checked
  const auto& name_seqs = rep_->an.NameKeySeqs(request.names);
  struct WordForms {
    std::set<std::string> plain, stems, keys;
  };
  auto forms_of = [&](const text::Token& token) {
    WordForms f;
    rep_->an.QueryForms(token, &f.plain, &f.stems);
    if (!name_seqs.empty()) {
      for (const auto& p : f.plain) f.keys.insert(rep_->an.KeyOf(p));
    }
    return f;
  };
  auto word_query = [&](const WordForms& f, bool with_stems) {
    matched_terms.insert(f.plain.begin(), f.plain.end());
    // Inside a phrase Xapian takes only terms or OR of terms.
    if (!with_stems) return Xapian::Query(Xapian::Query::OP_OR, f.plain.begin(), f.plain.end());
    Xapian::Query q(Xapian::Query::OP_SYNONYM, f.plain.begin(), f.plain.end());
    if (f.stems.empty()) return q;
    matched_terms.insert(f.stems.begin(), f.stems.end());
    Xapian::Query s(Xapian::Query::OP_SYNONYM, f.stems.begin(), f.stems.end());
    return Xapian::Query(Xapian::Query::OP_OR, q,
                         Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, s, 0.5));
  };
  // The known name that the words from `i` on spell, if any (longest first).
  auto name_at = [&](const std::vector<WordForms>& words,
                     size_t i) -> const std::vector<std::string>* {
    for (const auto& seq : name_seqs) {
      if (SpellsAt(seq, i, words.size(), [&](size_t p, const std::string& key) {
            return words[p].keys.count(key) > 0;
          })) {
        return &seq;
      }
    }
    return nullptr;
  };
  auto name_query = [&](const std::vector<std::string>& seq) {
    std::vector<Xapian::Query> keys;
    for (const auto& k : seq) {
      matched_terms.insert(kNameKey + k);
      keys.emplace_back(kNameKey + k);
    }
    return seq.size() == 1
               ? keys[0]
               : (positional = true,
                  Xapian::Query(Xapian::Query::OP_PHRASE, keys.begin(), keys.end(), keys.size()));
  };

  // Plain words (and the groups of clauses) must all match, or for Ask any of them.
  const Xapian::Query::op words_join =
      request.any_word ? Xapian::Query::OP_OR : Xapian::Query::OP_AND;
  std::vector<std::vector<Xapian::Query>> groups;  // AND of groups, OR within a group
  std::vector<Xapian::Query> filters, exclusions;
  std::vector<std::string> prefixes;  // for highlighting
  for (const Clause& c : clauses) {
    Xapian::Query q;
    if (c.kind == Clause::kField) {
      ASSIGN_OR_RETURN(FieldFilter f, FieldFilterOf(c));
      q = f.dates
              ? Xapian::Query(Xapian::Query::OP_AND,
                              Xapian::Query(Xapian::Query::OP_VALUE_LE, kSlotDateFrom, f.dates->to),
                              Xapian::Query(Xapian::Query::OP_VALUE_GE, kSlotDateTo, f.dates->from))
              : Xapian::Query(f.term);
      if (c.negated) {
        exclusions.push_back(q);
        continue;
      }
      if (!c.or_with_previous) {
        filters.push_back(q);
        continue;
      }
    } else if (c.kind == Clause::kPrefix) {
      // Any indexed word form that begins with one of the prefix's folded forms.
      ASSIGN_OR_RETURN(auto tokens, text::Tokenize(c.text));
      if (tokens.size() != 1) {
        return Status::InvalidArgument("prefix '" + c.text + "*' must be part of one word");
      }
      std::set<std::string> forms;
      rep_->an.QueryForms(tokens[0], &forms);
      std::vector<Xapian::Query> parts;
      for (const auto& f : forms) {
        parts.emplace_back(Xapian::Query::OP_WILDCARD, f, kMaxPrefixExpansion,
                           Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        prefixes.push_back(f);
      }
      q = Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
      if (c.negated) {
        exclusions.push_back(q);
        continue;
      }
    } else {
      ASSIGN_OR_RETURN(auto tokens, text::Tokenize(c.text));
      if (tokens.empty()) continue;
      bool phrase = c.kind == Clause::kPhrase && tokens.size() > 1;
      std::vector<WordForms> words;
      std::vector<Xapian::Query> parts;
      for (const auto& t : tokens) {
        words.push_back(forms_of(t));
        parts.push_back(word_query(words.back(), !phrase));
      }
      if (phrase) {
        q = Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size());
        positional = true;
        auto name = name_at(words, 0);
        if (name && name->size() == tokens.size()) {  // "Kfar Aza": the name in any script
          q = Xapian::Query(Xapian::Query::OP_OR, q, name_query(*name));
        }
      } else {
        std::vector<Xapian::Query> anded;
        for (size_t i = 0; i < tokens.size();) {
          auto name = name_at(words, i);
          if (!name) {
            anded.push_back(parts[i++]);
            continue;
          }
          size_t n = name->size();
          Xapian::Query spelled = n == 1 ? parts[i]
                                         : Xapian::Query(Xapian::Query::OP_AND, parts.begin() + i,
                                                         parts.begin() + i + n);
          anded.emplace_back(Xapian::Query::OP_OR, spelled, name_query(*name));
          i += n;
        }
        q = Xapian::Query(words_join, anded.begin(), anded.end());
      }
      if (c.negated) {
        exclusions.push_back(q);
        continue;
      }
    }
    if (c.or_with_previous && !groups.empty()) {
      groups.back().push_back(q);
    } else {
      groups.push_back({q});
    }
  }
  if (!request.weighted_words.empty()) {
    std::vector<Xapian::Query> any;
    for (const auto& [word, weight] : request.weighted_words) {
      if (!(weight > 0 && weight <= 1)) {
        return Status::InvalidArgument("the weight of '" + word +
                                       "' must be above 0 and at most 1");
      }
      // The entry's words stand for one word of the question: one term, as its spellings are.
      ASSIGN_OR_RETURN(auto tokens, text::Tokenize(word));
      WordForms merged;
      for (const auto& t : tokens) {
        WordForms f = forms_of(t);
        merged.plain.insert(f.plain.begin(), f.plain.end());
        merged.stems.insert(f.stems.begin(), f.stems.end());
      }
      if (merged.plain.empty()) continue;
      any.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, word_query(merged, true), weight);
    }
    if (!any.empty())
      groups.push_back({Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end())});
  }
  if (filters.empty() && groups.empty()) {
    return Status::InvalidArgument("the query has no words to search for");
  }
  std::vector<Xapian::Query> anded;
  for (auto& g : groups) anded.push_back(Xapian::Query(Xapian::Query::OP_OR, g.begin(), g.end()));
  Xapian::Query q = anded.empty() ? Xapian::Query::MatchAll
                                  : Xapian::Query(words_join, anded.begin(), anded.end());
  for (const auto& f : filters) q = Xapian::Query(Xapian::Query::OP_FILTER, q, f);
  for (const auto& e : exclusions) q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, e);
  // Access: the databases opened are the caller's levels only. As a second lock, every
  // document shown (hit, snippet) or counted in a facet is checked against them again by the
  // level it carries. (The same check inside the query, a filter on the level terms, cost
  // 40% of a common word's search at 1M segments.)
  const auto visible = VisibleLevelNames(request.role);

  Xapian::Database db = rep_->Visible(request.role);
  Results out;
  const bool name_keys_matched = std::any_of(
      matched_terms.begin(), matched_terms.end(),
      [](const std::string& t) { return t.compare(0, sizeof kNameKey - 1, kNameKey) == 0; });
  // Whether a word of a text in `lang` is one the query matched: decided once a search for
  // each word and language (the words of a page's snippets repeat).
  const uint64_t stamp = ++rep_->an.searches;
  auto matched = [&](text::Lang lang, std::string_view surface) {
    Analysis::Word& word = rep_->an.WordOf(lang, surface);
    if (word.stamp == stamp) return word.matched;
    bool hit = false;
    for (const auto& t : word.terms) {
      hit = matched_terms.count(t.term) > 0 ||
            (!t.stem && name_keys_matched &&
             matched_terms.count(kNameKey + rep_->an.KeyOf(t.term)) > 0) ||
            (!t.stem && std::any_of(prefixes.begin(), prefixes.end(), [&](const auto& p) {
              return t.term.compare(0, p.size(), p) == 0;
            }));
      if (hit) break;
    }
    word.stamp = stamp;
    word.matched = hit;
    return hit;
  };
  // Adds the hit of one segment to `group` (and its witness and collection, the first time):
  // its matched words marked and its snippet cut around the first.
  auto add_hit = [&](const Xapian::Document& doc, double weight, RecordHits* group) {
    std::string data = doc.get_data();
    SegmentData d;
    if (!d.Decode(data) || visible.count(d.level) == 0) return;
    if (group->hits.empty()) {
      group->witness_id = std::string(d.witness);
      group->collection_id = std::string(d.collection);
    }
    Hit h = d.ToHit();
    h.weight = weight;
    std::string_view seg_text = d.text;
    text::Lang lang = text::LangFromTag(h.lang);
    std::vector<std::pair<uint32_t, uint32_t>> marks;
    for (const auto& [start, end] : d.words) {
      if (matched(lang, seg_text.substr(start, end - start))) marks.emplace_back(start, end);
    }
    uint32_t from = 0;
    if (seg_text.size() > kSnippetBytes && !marks.empty() && marks[0].first > 80) {
      from = marks[0].first - 80;
      for (const auto& w : d.words) {  // start at a word
        if (w.first >= from) {
          from = w.first;
          break;
        }
      }
    }
    uint32_t to = static_cast<uint32_t>(std::min<size_t>(seg_text.size(), from + kSnippetBytes));
    if (to < seg_text.size()) {  // end at a word, and never inside a character
      for (const auto& w : d.words) {
        if (w.first < to && w.second > to) to = w.first;
      }
      while (to > from && (static_cast<uint8_t>(seg_text[to]) & 0xC0) == 0x80) --to;
    }
    h.snippet = std::string(seg_text.substr(from, to - from));
    for (const auto& [s, e] : marks) {
      if (s < from || e > to) continue;
      h.highlights.emplace_back(s - from, e - from);
      if (d.char_start >= 0) {
        int64_t a = d.char_start + static_cast<int64_t>(CodePoints(seg_text.substr(0, s)));
        h.char_ranges.emplace_back(a,
                                   a + static_cast<int64_t>(CodePoints(seg_text.substr(s, e - s))));
      }
    }
    group->hits.push_back(std::move(h));
  };

  try {
    Xapian::doccount all = db.get_doccount();
    const FacetColumn& column = rep_->Column();
    const size_t per_record = std::max<size_t>(request.per_record, 1);
    auto count = [&](const Xapian::Query& query, Xapian::doccount at_least, Xapian::MatchSpy* spy) {
      Xapian::Enquire e(db);
      e.set_query(query);
      e.set_weighting_scheme(Xapian::BoolWeight());
      if (spy) e.add_matchspy(spy);
      return e.get_mset(0, 0, at_least);
    };
    // First the bounds Xapian knows without matching (free).
    Xapian::MSet counted = count(q, 0, nullptr);
    FacetSpy* facets = nullptr;
    std::unique_ptr<RankingSpy> ranking;
    std::unique_ptr<FacetSpy> sampled;
    if (request.exact_counts || counted.get_matches_upper_bound() <= OnePassLimit()) {
      // Not too many: one pass weighs every match, counts it and keeps its record's best
      // segments (doc/search.md, "Results").
      ranking = std::make_unique<RankingSpy>(column, VisibleLevels(request.role), per_record);
      Xapian::Enquire e(db);
      e.set_query(q);
      e.add_matchspy(ranking.get());
      e.get_mset(0, 1, all);
      ranking->Collect();
      facets = ranking.get();
      out.total_estimate = ranking->counted;
      out.counts_exact = true;
      auto ranked = ranking->Ranked();
      out.records_estimate = ranked.size();
      for (size_t i = offset; i < ranked.size() && i < offset + request.limit; ++i) {
        RecordHits group;
        group.record_id = column.Record(ranked[i]->record);
        group.matching_segments = ranked[i]->matches;
        for (const Weighed& w : ranked[i]->best) {
          add_hit(column.Document(w.segment), w.weight, &group);
        }
        if (!group.hits.empty()) out.records.push_back(std::move(group));
      }
      if (offset + request.limit < ranked.size()) {
        out.next_cursor = std::to_string(offset + request.limit) + "-" + tag;
      }
    } else {
      // Many: Xapian ranks with a collapse on the record and may stop early. Counting, in
      // index order without ranking, over the caller's levels only. Totals and facets are
      // exact up to kExactCountsUpTo matches. Beyond, the facets (which read a value of every
      // match they count) are counted over the sample XS<k> that holds about half of
      // kExactCountsUpTo to all of it of the matches, and scaled.
      sampled = std::make_unique<FacetSpy>(column, VisibleLevels(request.role));
      FacetSpy& spy = *sampled;
      facets = sampled.get();
      auto sample = [&](uint64_t estimate) {
        int k = 1;
        while (k < kMaxSampleBits && (estimate >> k) > kExactCountsUpTo) ++k;
        spy.Clear();
        count(
            Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(kSample + std::to_string(k))),
            all, &spy);
        out.facet_sample = uint64_t{1} << k;
        return spy.seen * out.facet_sample;  // an unbiased estimate of the matches
      };
      // A count of up to kExactCountsUpTo matches for words (cheap: posting lists only). A
      // phrase's matches each need their positions checked, so beyond the bounds it goes
      // straight to the sample, whose count estimates its total.
      if (!positional && counted.get_matches_upper_bound() > kExactCountsUpTo) {
        counted = count(q, kExactCountsUpTo, nullptr);
      }
      out.total_estimate = counted.get_matches_estimated();
      out.counts_exact = counted.get_matches_upper_bound() <= kExactCountsUpTo;
      if (!out.counts_exact) {
        uint64_t estimate = sample(out.total_estimate);
        if (positional) out.total_estimate = estimate;
        if (spy.seen < kExactCountsUpTo / 4 && out.facet_sample > 2) {
          // The estimate was far too high: a denser sample, sized by this one.
          uint64_t before = out.facet_sample;
          estimate = sample(estimate);
          if (positional && out.facet_sample < before) out.total_estimate = estimate;
        }
        if (estimate <= kExactCountsUpTo / 2) out.counts_exact = true;  // few: count them all
      }
      if (out.counts_exact) {
        spy.Clear();
        out.facet_sample = 1;
        out.total_estimate = count(q, all, &spy).get_matches_estimated();
      }
      spy.Collect();  // the facets and records of the last counting pass
      // Ranking: one entry per record (its best segment), the page asked for.
      Xapian::Enquire enquire(db);
      enquire.set_query(q);
      enquire.set_collapse_key(kSlotRecord, 1);
      Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(offset),
                                           static_cast<Xapian::doccount>(request.limit));
      out.records_estimate =
          out.counts_exact ? spy.records.size()
                           : std::max<uint64_t>(offset + mset.size(), mset.get_matches_estimated());
      if (mset.size() == request.limit && offset + mset.size() < out.records_estimate) {
        out.next_cursor = std::to_string(offset + mset.size()) + "-" + tag;
      }
      std::map<std::string, size_t> group_of;  // record id -> index in out.records
      std::vector<Xapian::Query> page_records;
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        RecordHits group;
        group.record_id = it.get_collapse_key();
        // Xapian's collapse count is a lower bound; the counting pass saw every match.
        group.matching_segments = out.facet_sample == 1 && out.counts_exact
                                      ? spy.records[group.record_id]
                                      : 1 + it.get_collapse_count();
        if (per_record == 1) {
          add_hit(it.get_document(), it.get_weight(), &group);
          if (group.hits.empty()) continue;  // not at a visible level (the second lock)
        } else {
          page_records.emplace_back(kRecord + group.record_id);
          group_of[group.record_id] = out.records.size();
        }
        out.records.push_back(std::move(group));
      }
      if (!page_records.empty()) {
        // The page's records' best segments, in one pass: the query within those records, at
        // most per_record segments of each; every match seen, so each record's count is exact.
        RecordCountSpy per_record_count(column, VisibleLevels(request.role));
        Xapian::Enquire inner(db);
        inner.set_query(Xapian::Query(
            Xapian::Query::OP_FILTER, q,
            Xapian::Query(Xapian::Query::OP_OR, page_records.begin(), page_records.end())));
        inner.set_collapse_key(kSlotRecord, static_cast<Xapian::doccount>(per_record));
        inner.add_matchspy(&per_record_count);
        Xapian::MSet best =
            inner.get_mset(0, static_cast<Xapian::doccount>(per_record * page_records.size()), all);
        for (auto b = best.begin(); b != best.end(); ++b) {
          auto g = group_of.find(b.get_collapse_key());
          if (g != group_of.end())
            add_hit(b.get_document(), b.get_weight(), &out.records[g->second]);
        }
        auto counts = per_record_count.Counts();
        for (auto& group : out.records) group.matching_segments = counts[group.record_id];
        // A record whose segments are none at a visible level (the second lock) is not shown.
        std::erase_if(out.records, [](const RecordHits& g) { return g.hits.empty(); });
      }
    }
    for (auto [from, to] : {std::pair{&facets->langs, &out.lang_facets},
                            std::pair{&facets->collections, &out.collection_facets},
                            std::pair{&facets->places, &out.place_facets},
                            std::pair{&facets->months, &out.month_facets}}) {
      for (const auto& [k, n] : *from) {
        if (!k.empty()) (*to)[k] = n * out.facet_sample;
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return out;
}

Result<std::vector<LexicalIndex::Fetched>> LexicalIndex::Fetch(const std::vector<int64_t>& ids,
                                                               Role role,
                                                               const std::string& filters) {
  const auto visible = VisibleLevelNames(role);
  std::vector<Clause> clauses;
  if (!filters.empty()) {
    ASSIGN_OR_RETURN(clauses, ParseFilters(filters));
  }
  std::vector<std::pair<FieldFilter, bool>> checks;  // and whether it is negated
  for (const Clause& c : clauses) {
    ASSIGN_OR_RETURN(FieldFilter f, FieldFilterOf(c));
    checks.emplace_back(std::move(f), c.negated);
  }
  // What the query's filters match, checked on one document.
  auto passes = [&](const Xapian::Document& doc) {
    for (const auto& [f, negated] : checks) {
      bool holds;
      if (f.dates) {
        std::string from = doc.get_value(kSlotDateFrom), to = doc.get_value(kSlotDateTo);
        holds = !from.empty() && from <= f.dates->to && to >= f.dates->from;
      } else {
        auto t = doc.termlist_begin();
        t.skip_to(f.term);
        holds = t != doc.termlist_end() && *t == f.term;
      }
      if (holds == negated) return false;
    }
    return true;
  };
  std::vector<Fetched> out;
  try {
    for (size_t i = 0; i < VisibleLevels(role); ++i) {
      std::vector<Xapian::Database*> dbs;
      for (auto& lane : rep_->lanes) dbs.push_back(lane->w[i].get());
      for (auto& r : rep_->readers[i]) dbs.push_back(r.get());
      for (Xapian::Database* db : dbs) {
        for (int64_t id : ids) {
          if (id <= 0 || id > 0xffffffffLL) continue;
          Xapian::Document doc;
          try {
            doc = db->get_document(static_cast<Xapian::docid>(id));
          } catch (const Xapian::DocNotFoundError&) {
            continue;
          }
          std::string data = doc.get_data();
          SegmentData d;
          if (!d.Decode(data) || visible.count(d.level) == 0 || !passes(doc)) continue;
          Fetched f;
          f.record_id = std::string(d.record);
          f.witness_id = std::string(d.witness);
          f.collection_id = std::string(d.collection);
          f.hit = d.ToHit();
          Hit& h = f.hit;
          size_t to = d.text.size();
          if (to > kSnippetBytes) {
            to = 0;
            for (const auto& w : d.words) {
              if (w.second > kSnippetBytes) break;
              to = w.second;
            }
          }
          h.snippet = std::string(d.text.substr(0, to));
          out.push_back(std::move(f));
        }
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  std::unordered_map<int64_t, size_t> order;
  for (size_t i = 0; i < ids.size(); ++i) order.emplace(ids[i], i);
  std::sort(out.begin(), out.end(), [&](const Fetched& a, const Fetched& b) {
    return order[a.hit.segment_id] < order[b.hit.segment_id];
  });
  return out;
}

Result<std::vector<Suggestion>> LexicalIndex::Suggest(std::string_view prefix, Role role,
                                                      size_t limit) {
  RETURN_IF_ERROR(rep_->Drain());
  constexpr size_t kMaxScanned = 20000;
  if (!IsValidUtf8(prefix)) return Status::InvalidArgument("the prefix is not valid UTF-8");
  ASSIGN_OR_RETURN(auto tokens, text::Tokenize(prefix));
  if (tokens.size() != 1 || CodePoints(tokens[0].surface) < kMinPrefixCodePoints) {
    return std::vector<Suggestion>();
  }
  std::set<std::string> forms;
  rep_->an.QueryForms(tokens[0], &forms);
  std::map<std::string, uint64_t> seen;
  try {
    // Only the caller's levels are opened, so the counts are of what the caller may see.
    Xapian::Database db = rep_->Visible(role);
    for (const auto& f : forms) {
      size_t scanned = 0;
      for (auto t = db.allterms_begin(f); t != db.allterms_end(f) && scanned < kMaxScanned;
           ++t, ++scanned) {
        seen[*t] = std::max<uint64_t>(seen[*t], t.get_termfreq());
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  std::vector<Suggestion> out;
  for (const auto& [w, n] : seen) out.push_back({w, n});
  std::stable_sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) {
    return a.segments > b.segments;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace attest::search
