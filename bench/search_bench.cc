// Search at scale: attest's lexical index against SQLite FTS5 and Xapian, each peer in its best
// documented configuration, on the same generated corpus in one run. Prints rows in
// bench/lib.sh's columns (benchmark,median,min,max,runs,unit,target,note); bench/search_bench.sh
// prints the provenance lines before them.
//
// The corpus. Lemmas are the plain words of Debian's hunspell dictionaries (ar, he_IL, fr,
// en_US), shuffled, up to 50,000 a language; each lemma's word forms are what the dictionary's
// own affix rules (its .aff file's PFX and SFX, applied to its .dic entry's flags one level deep
// with cross products, as hunspell's `unmunch` does) make of it: Arabic conjunction, preposition
// and pronoun affixes, Hebrew prefix chains, French and English suffixes (plurals, conjugations;
// their prefixes, un- re- dé-, make other words and are left out). Nothing in the corpus or the truth set
// comes from attest's analysers. A segment is 3 to 150 words (log-normal around 25, like
// transcribed speech) in its record's language (records of 50 segments; 30% Hebrew, 30%
// Arabic, 25% English, 15% French); each word is a lemma drawn with a Zipf law (s = 1), written
// half of the time as the lemma itself and otherwise as one of its forms (at most 32 a lemma,
// drawn once).
//
// The variant set: 40 lemmas a language from Zipf rank 100 on whose family has at least two
// forms; the query is the lemma as the dictionary writes it. A segment is relevant when it holds
// any of the lemma's hunspell forms; recall is the share of relevant segments an engine returns
// (every match, not a top 10), precision the share of returned segments that are relevant (a
// segment that holds none of the forms counts against it; queries that return nothing are left
// out of precision). Both are means over the queries.
//
// The engines:
// - attest: LexicalIndex as the archive opens it (its default writer lanes: one thread each),
//   and again with one_thread (Put analyses and writes on the caller's thread) for indexing.
//   Queries go to the index as written, in any language, as archivist.
// - sqlite_fts5: text folded with ICU first (NFKD, nonspacing marks removed, NFKC, case fold),
//   the same on the query; English segments in a table tokenized 'porter unicode61
//   remove_diacritics 2', the others in 'unicode61 remove_diacritics 2'; a query goes to its
//   language's table (the peer is told the language; attest is not). Statements prepared
//   once; WAL with synchronous=FULL, so its commit is durable as the others' are (NORMAL does
//   not sync the WAL at a commit).
//   One writer; and two writers (two threads, two databases of half the corpus each), then
//   merged into one database (ATTACH, INSERT ... SELECT, which tokenizes again since FTS5
//   cannot merge indexes across databases, then 'optimize').
// - xapian: the same ICU folding; TermGenerator and QueryParser with the Snowball stemmer of
//   the segment's or the query's language (arabic, english, french; Xapian has none for Hebrew),
//   STEM_SOME, default operator AND; Xapian's default flush threshold (raising it to 1,000,000,
//   as its documentation suggests for bulk loads, made it slower here: 3,619 against 4,614
//   segments a second, and the variable changes attest's own index too). One writer; and two writers (two threads, two databases of
//   half the corpus each), then merged with Database::compact (DBCOMPACT_NO_RENUMBER).
// Indexing is timed from the first segment to a durable commit; CPU is user + system time of
// the process over wall time (100% = one core busy). Each configuration is indexed ROUNDS
// times, in an order that rotates each round; the rows give the median, min and max.
//
// Latency: three query sets (one word at log-uniform Zipf ranks 10..30,000, as the dictionary
// writes it; two such words; two adjacent words of a segment as a phrase). Each engine first
// answers WARMUP queries (page cache), then ROUNDS passes of QUERIES timed queries; every query
// string is used once only (warm-up and every round are disjoint, so no engine answers a query
// it has seen), and the engines' order rotates each round. p50 and p99 are taken in each round;
// the rows give their median, min and max over the rounds.
//
// Usage: search_bench [--segments N] [--queries Q] [--warmup W] [--rounds R] [--dir DIR]
//                     [--sets one_word,two_words,phrase,variant,index] [--keep 1]
#include <sqlite3.h>
#include <sys/resource.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "search/lexical_index.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "search_bench: %s\n", what.c_str());
  std::exit(1);
}

// One row in bench/lib.sh's columns: median, min and max of the runs' values.
void Row(const std::string& name, std::vector<double> v, const char* unit, const char* target,
         const std::string& note) {
  std::sort(v.begin(), v.end());
  double median = v.empty()            ? NAN
                  : v.size() % 2 == 1 ? v[v.size() / 2]
                                      : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  std::string quoted;
  for (char c : note) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  std::printf("%s,%.6g,%.6g,%.6g,%zu,%s,%s,\"%s\"\n", name.c_str(), median,
              v.empty() ? NAN : v.front(), v.empty() ? NAN : v.back(), v.size(), unit, target,
              quoted.c_str());
  std::fflush(stdout);
}

// UTF-8 code points of a string.
std::vector<char32_t> Decode(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

enum Lang { kAr, kHe, kEn, kFr };
const char* const kTags[] = {"ar", "he", "en", "fr"};
const char* const kDics[] = {"ar", "he_IL", "en_US", "fr"};
const char* const kStemmers[] = {"arabic", "none", "english", "french"};

bool Letter(Lang l, char32_t c) {
  switch (l) {
    case kAr:
      return c >= 0x0621 && c <= 0x064A && c != 0x0640;
    case kHe:
      return c >= 0x05D0 && c <= 0x05EA;
    case kEn:
      return c >= 'a' && c <= 'z';
    case kFr:
      return (c >= 'a' && c <= 'z') || c == U'é' || c == U'è' || c == U'ê' || c == U'à' ||
             c == U'â' || c == U'ç' || c == U'ô' || c == U'î' || c == U'û' || c == U'ù' ||
             c == U'ë' || c == U'ï' || c == U'œ';
  }
  return false;
}

bool PlainWord(Lang l, const std::string& w) {
  auto cps = Decode(w);
  if (cps.size() < 2 || cps.size() > 20) return false;
  for (char32_t c : cps) {
    if (!Letter(l, c)) return false;
  }
  return true;
}

// A lemma: its dictionary entry and its word forms (the lemma first).
struct Lemma {
  std::string entry;
  std::vector<std::string> forms;
};

std::string EncodeCps(const std::u32string& cps) {
  std::string out;
  for (char32_t c : cps) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::u32string Cps(const std::string& s) {
  auto v = Decode(s);
  return std::u32string(v.begin(), v.end());
}

// Hunspell's affix rules (the .aff file's PFX and SFX, FLAG and AF), applied one level deep with
// prefix-suffix cross products, as hunspell's `unmunch` does (it compares conditions byte by
// byte, so it misses most UTF-8 ones: this reads them as code points).
class Affixes {
 public:
  explicit Affixes(const std::string& path) {
    std::ifstream in(path);
    if (!in) Die("cannot read " + path);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      size_t a = 0;
      while (true) {
        a = line.find_first_not_of(" \t\r", a);
        if (a == std::string::npos) break;
        size_t b = line.find_first_of(" \t\r", a);
        f.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
        if (b == std::string::npos) break;
        a = b;
      }
      if (f.empty()) continue;
      if (f[0] == "FLAG" && f.size() > 1) {
        long_ = f[1] == "long";
        num_ = f[1] == "num";
      } else if (f[0] == "AF" && f.size() > 1) {
        if (aliases_.empty() && f[1].find_first_not_of("0123456789") == std::string::npos &&
            !seen_af_count_) {
          seen_af_count_ = true;  // the count line
        } else {
          aliases_.push_back(f[1]);
        }
      } else if ((f[0] == "PFX" || f[0] == "SFX") && f.size() >= 4) {
        bool header = headers_.insert(f[0] + f[1]).second;
        if (header) {
          cross_[f[1]] = f[2] == "Y";
          continue;
        }
        if (f.size() < 5) continue;
        Rule r;
        r.prefix = f[0] == "PFX";
        r.cross = cross_[f[1]];
        r.strip = f[2] == "0" ? U"" : Cps(f[2]);
        std::string add = f[3].substr(0, f[3].find('/'));
        r.add = add == "0" ? U"" : Cps(add);
        r.cond = ParseCond(Cps(f[4]));
        rules_[f[1]].push_back(std::move(r));
      }
    }
  }

  // The forms of a .dic entry ("word/FLAGS ..."): the word, then what its affixes make of it
  // (its prefixes only with `prefixes`).
  std::vector<std::string> Expand(const std::string& entry, bool prefixes) const {
    std::string head = entry.substr(0, entry.find_first_of(" \t"));
    size_t slash = head.find('/');
    std::u32string word = Cps(head.substr(0, slash));
    std::vector<std::string> out = {EncodeCps(word)};
    if (slash == std::string::npos) return out;
    std::string flags = head.substr(slash + 1);
    if (!aliases_.empty() && flags.find_first_not_of("0123456789") == std::string::npos) {
      size_t k = std::strtoul(flags.c_str(), nullptr, 10);
      flags = k >= 1 && k <= aliases_.size() ? aliases_[k - 1] : "";
    }
    std::vector<const std::vector<Rule>*> sets;
    for (const auto& flag : Split(flags)) {
      auto it = rules_.find(flag);
      if (it != rules_.end()) sets.push_back(&it->second);
    }
    std::vector<std::u32string> suffixed;  // those that may take a prefix too
    for (const auto* rs : sets) {
      for (const Rule& r : *rs) {
        if (r.prefix || !Applies(r, word)) continue;
        std::u32string w = word.substr(0, word.size() - r.strip.size()) + r.add;
        out.push_back(EncodeCps(w));
        if (r.cross) suffixed.push_back(w);
      }
    }
    for (const auto* rs : sets) {
      for (const Rule& r : *rs) {
        if (!r.prefix || !prefixes) continue;
        if (Applies(r, word)) out.push_back(EncodeCps(r.add + word.substr(r.strip.size())));
        if (!r.cross) continue;
        for (const auto& w : suffixed) {
          if (Applies(r, w)) out.push_back(EncodeCps(r.add + w.substr(r.strip.size())));
        }
      }
    }
    return out;
  }

 private:
  struct Cond {
    std::u32string chars;  // empty: any character
    bool negated = false;
  };
  struct Rule {
    bool prefix = false, cross = false;
    std::u32string strip, add;
    std::vector<Cond> cond;
  };

  static std::vector<Cond> ParseCond(const std::u32string& c) {
    std::vector<Cond> out;
    if (c == U".") return out;
    for (size_t i = 0; i < c.size(); ++i) {
      Cond k;
      if (c[i] == U'[') {
        size_t j = c.find(U']', i);
        if (j == std::u32string::npos) j = c.size();
        std::u32string in = c.substr(i + 1, j - i - 1);
        if (!in.empty() && in[0] == U'^') {
          k.negated = true;
          in = in.substr(1);
        }
        k.chars = in;
        i = j;
      } else if (c[i] != U'.') {
        k.chars = std::u32string(1, c[i]);
      }
      out.push_back(k);
    }
    return out;
  }

  static bool Matches(const Cond& k, char32_t ch) {
    if (k.chars.empty()) return true;
    bool in = k.chars.find(ch) != std::u32string::npos;
    return in != k.negated;
  }

  // Whether rule `r` may apply to `w`: the strip is there and the condition holds (a suffix's at
  // the word's end, a prefix's at its start).
  static bool Applies(const Rule& r, const std::u32string& w) {
    if (w.size() <= r.strip.size() || w.size() < r.cond.size()) return false;
    if (r.prefix) {
      if (w.compare(0, r.strip.size(), r.strip) != 0) return false;
      for (size_t i = 0; i < r.cond.size(); ++i) {
        if (!Matches(r.cond[i], w[i])) return false;
      }
    } else {
      if (w.compare(w.size() - r.strip.size(), r.strip.size(), r.strip) != 0) return false;
      size_t base = w.size() - r.cond.size();
      for (size_t i = 0; i < r.cond.size(); ++i) {
        if (!Matches(r.cond[i], w[base + i])) return false;
      }
    }
    return true;
  }

  std::vector<std::string> Split(const std::string& flags) const {
    std::vector<std::string> out;
    if (num_) {
      size_t a = 0;
      while (a < flags.size()) {
        size_t b = flags.find(',', a);
        if (b == std::string::npos) b = flags.size();
        out.push_back(flags.substr(a, b - a));
        a = b + 1;
      }
    } else if (long_) {
      for (size_t i = 0; i + 1 < flags.size(); i += 2) out.push_back(flags.substr(i, 2));
    } else {
      for (char32_t c : Cps(flags)) out.push_back(EncodeCps(std::u32string(1, c)));
    }
    return out;
  }

  bool long_ = false, num_ = false, seen_af_count_ = false;
  std::vector<std::string> aliases_;
  std::set<std::string> headers_;
  std::map<std::string, bool> cross_;
  std::map<std::string, std::vector<Rule>> rules_;
};

// The dictionary's plain words, shuffled (the dictionaries are sorted; the shuffle gives each
// word its Zipf rank), up to 50,000, each with the plain-word forms its affix rules make of it
// (at most 32, drawn once).
std::vector<Lemma> Lemmas(Lang l, std::mt19937_64& rng) {
  std::string dic = std::string("/usr/share/hunspell/") + kDics[l] + ".dic";
  std::string aff = std::string("/usr/share/hunspell/") + kDics[l] + ".aff";
  std::ifstream in(dic);
  if (!in) {
    Die("cannot read " + dic +
        " (install hunspell-ar hunspell-he hunspell-fr-classical hunspell-en-us)");
  }
  Affixes affixes(aff);
  std::unordered_set<std::string> seen;
  std::vector<Lemma> out;
  std::string line;
  std::getline(in, line);  // the entry count
  while (std::getline(in, line)) {
    std::string w = line.substr(0, line.find_first_of("/ \t"));
    if (PlainWord(l, w) && seen.insert(w).second) out.push_back({line, {w}});
  }
  std::shuffle(out.begin(), out.end(), rng);
  if (out.size() > 50000) out.resize(50000);
  for (auto& m : out) {
    std::unordered_set<std::string> family = {m.forms[0]};
    // Arabic and Hebrew prefixes are clitics (and, the, in, to, that...) on the same word;
    // English and French ones make other words (un-, re-, dé-), left out.
    for (auto& f : affixes.Expand(m.entry, l == kAr || l == kHe)) {
      if (PlainWord(l, f) && family.insert(f).second) m.forms.push_back(f);
    }
    if (m.forms.size() > 32) {
      std::shuffle(m.forms.begin() + 1, m.forms.end(), rng);
      m.forms.resize(32);
    }
  }
  return out;
}

// Samples ranks 0..n-1 with P(r) ∝ 1/(r+1).
class Zipf {
 public:
  explicit Zipf(size_t n) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / static_cast<double>(i + 1));
    for (auto& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return std::min<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin(),
                            cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// ICU folding for the peers: compatibility decomposition, nonspacing marks (accents, tashkeel,
// niqqud, the hamza written above or below an alef) removed, recomposition, case folding.
class Folder {
 public:
  Folder() {
    UErrorCode e = U_ZERO_ERROR;
    t_.reset(icu::Transliterator::createInstance("NFKD; [:Nonspacing Mark:] Remove; NFKC",
                                                 UTRANS_FORWARD, e));
    if (U_FAILURE(e) || !t_) Die(std::string("ICU transliterator: ") + u_errorName(e));
  }
  std::string operator()(const std::string& s) const {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
    t_->transliterate(u);
    u.foldCase();
    std::string out;
    u.toUTF8String(out);
    return out;
  }

 private:
  std::unique_ptr<icu::Transliterator> t_;
};

struct Corpus {
  std::vector<std::vector<Lemma>> lemmas;  // per language
  std::vector<Zipf> zipf;
  uint64_t seed = 20261123;

  Lang LangOfRecord(int64_t record) const {
    uint64_t h = (static_cast<uint64_t>(record) * 0x9E3779B97F4A7C15ull) >> 33;
    int p = static_cast<int>(h % 100);
    return p < 30 ? kHe : p < 60 ? kAr : p < 85 ? kEn : kFr;
  }

  // Segment `id` (deterministic) and the words it is made of.
  void Segment(int64_t id, Lang* lang, std::string* text, std::vector<std::string>* words) {
    std::mt19937_64 rng(seed ^ (static_cast<uint64_t>(id) * 0xD1B54A32D192ED03ull));
    *lang = LangOfRecord(id / 50);
    const auto& v = lemmas[*lang];
    std::lognormal_distribution<double> len(std::log(25.0), 0.6);
    int n = std::clamp(static_cast<int>(len(rng)), 3, 150);
    text->clear();
    words->clear();
    for (int i = 0; i < n; ++i) {
      const Lemma& m = v[zipf[*lang](rng)];
      const std::string& w = rng() % 2 ? m.forms[0] : m.forms[rng() % m.forms.size()];
      if (!text->empty()) *text += ' ';
      *text += w;
      words->push_back(w);
      if (i % 12 == 11) *text += '.';
    }
  }
};

struct Doc {
  Lang lang;
  std::string text;
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

uint64_t DirBytes(const fs::path& p) {
  uint64_t n = 0;
  if (fs::is_regular_file(p)) return fs::file_size(p);
  for (const auto& e : fs::recursive_directory_iterator(p)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    Die("sqlite: " + msg + " in " + sql.substr(0, 80));
  }
}

const char kFtsSchema[] =
    "CREATE VIRTUAL TABLE seg USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');"
    "CREATE VIRTUAL TABLE seg_en USING fts5(text, "
    "tokenize = 'porter unicode61 remove_diacritics 2');";

// FTS5: segments [from, to) into a new database at `path`, committed.
void FtsBuild(const std::string& path, const std::vector<Doc>& docs, int64_t from, int64_t to) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("sqlite: cannot open " + path);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  Exec(db, kFtsSchema);
  Exec(db, "BEGIN");
  sqlite3_stmt* ins[2];
  sqlite3_prepare_v2(db, "INSERT INTO seg(rowid, text) VALUES (?, ?)", -1, &ins[0], nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO seg_en(rowid, text) VALUES (?, ?)", -1, &ins[1], nullptr);
  Folder fold;
  for (int64_t id = from; id < to; ++id) {
    sqlite3_stmt* s = ins[docs[id].lang == kEn];
    std::string t = fold(docs[id].text);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE) Die(std::string("sqlite: ") + sqlite3_errmsg(db));
    sqlite3_reset(s);
  }
  sqlite3_finalize(ins[0]);
  sqlite3_finalize(ins[1]);
  Exec(db, "COMMIT");
  sqlite3_close(db);
}

// Xapian: segments [from, to) into a new database at `path`, committed; document id = id + 1.
void XapianBuild(const std::string& path, const std::vector<Doc>& docs, int64_t from,
                 int64_t to) {
  Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
  Xapian::TermGenerator tg;
  tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  std::vector<Xapian::Stem> stems;
  for (const char* s : kStemmers) stems.emplace_back(s);
  Folder fold;
  for (int64_t id = from; id < to; ++id) {
    Xapian::Document doc;
    tg.set_stemmer(stems[docs[id].lang]);
    tg.set_document(doc);
    tg.index_text(fold(docs[id].text));
    db.replace_document(static_cast<Xapian::docid>(id + 1), doc);
  }
  db.commit();
}

// attest: every segment into a new index at `path`, committed.
void AttestBuild(const std::string& path, const std::vector<Doc>& docs, bool one_thread) {
  auto opened = attest::search::LexicalIndex::Open(path, one_thread);
  if (!opened.ok()) Die(opened.status().ToString());
  auto& index = *opened;
  for (int64_t id = 0; id < static_cast<int64_t>(docs.size()); ++id) {
    attest::search::SegmentDoc d;
    d.segment_id = id + 1;
    d.record_id = "r" + std::to_string(id / 50);
    d.version = 1;
    d.witness_id = "w" + std::to_string(id / 500);
    d.collection_id = "c" + std::to_string((id / 50) % 8);
    d.lang = kTags[docs[id].lang];
    int level = static_cast<int>((id / 50) % 20);
    d.consent = level < 16   ? attest::meta::Consent::kPublic
                : level < 19 ? attest::meta::Consent::kResearch
                             : attest::meta::Consent::kRestricted;
    d.start_ms = (id % 50) * 15000;
    d.end_ms = d.start_ms + 14000;
    d.text = docs[id].text;
    auto st = index->Put(d);
    if (!st.ok()) Die(st.ToString());
  }
  auto st = index->Commit();
  if (!st.ok()) Die(st.ToString());
}

struct Query {
  std::string text;
  Lang lang;
  bool phrase = false;
};

// A query engine over a built index: top 10 (timed), every match (for recall and precision).
struct Engine {
  std::string name;
  std::function<size_t(const Query&)> top10;
  std::function<std::set<int64_t>(const Query&)> all;
};

std::string FtsMatch(const std::string& q, bool phrase) {
  auto quote = [](const std::string& s) {
    std::string esc = "\"";
    for (char c : s) esc += c == '"' ? std::string("\"\"") : std::string(1, c);
    return esc + "\"";
  };
  if (phrase) return quote(q);
  std::string out;
  size_t a = 0;
  while (a < q.size()) {
    size_t b = q.find(' ', a);
    if (b == std::string::npos) b = q.size();
    if (b > a) out += (out.empty() ? "" : " ") + quote(q.substr(a, b - a));
    a = b + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 100000;
  int nq = 2000;
  int warmup = 500;
  int rounds = 3;
  bool keep = false;
  std::string dir = "/var/tmp/attest-search-bench";
  std::string sets_wanted = "index,one_word,two_words,phrase,variant";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--segments") n = std::atoll(argv[i + 1]);
    else if (a == "--queries") nq = std::atoi(argv[i + 1]);
    else if (a == "--warmup") warmup = std::atoi(argv[i + 1]);
    else if (a == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--sets") sets_wanted = argv[i + 1];
    else if (a == "--keep") keep = std::string(argv[i + 1]) == "1";
    else Die("unknown option " + a);
  }
  auto wanted = [&](const std::string& set) {
    return ("," + sets_wanted + ",").find("," + set + ",") != std::string::npos;
  };
  fs::remove_all(dir);
  fs::create_directories(dir);
  attest::search::LexicalIndex::PrepareForThreads();

  // The corpus and its lemmas' families.
  Corpus corpus;
  std::mt19937_64 rng(corpus.seed);
  for (int l = 0; l < 4; ++l) {
    corpus.lemmas.push_back(Lemmas(static_cast<Lang>(l), rng));
    corpus.zipf.emplace_back(corpus.lemmas.back().size());
  }
  // The variant set's targets, and which targets each word form belongs to.
  struct Target {
    Lang lang;
    size_t rank;
    std::vector<int64_t> relevant;
  };
  std::vector<Target> targets;
  std::unordered_map<std::string, std::vector<size_t>> target_of_form;
  size_t forms_total[4] = {0, 0, 0, 0};
  for (int l = 0; l < 4; ++l) {
    int picked = 0;
    const auto& v = corpus.lemmas[l];
    for (size_t r = 100; r < v.size() && picked < 40; r += 1 + rng() % 60) {
      if (v[r].forms.size() < 2) continue;
      for (const auto& f : v[r].forms) target_of_form[f].push_back(targets.size());
      forms_total[l] += v[r].forms.size();
      targets.push_back({static_cast<Lang>(l), r, {}});
      ++picked;
    }
  }
  std::vector<Doc> docs(n);
  std::vector<std::string> words;
  for (int64_t id = 0; id < n; ++id) {
    corpus.Segment(id, &docs[id].lang, &docs[id].text, &words);
    for (const auto& w : words) {
      auto it = target_of_form.find(w);
      if (it == target_of_form.end()) continue;
      for (size_t t : it->second) {
        auto& rel = targets[t].relevant;
        if (rel.empty() || rel.back() != id) rel.push_back(id);
      }
    }
  }
  std::string corpus_note = std::to_string(n) +
                            " segments (hunspell lemmas and their affix forms; Zipf; ar he en fr)";

  // Indexing: each configuration ROUNDS times, the order rotating each round; the last build of
  // attest, sqlite_fts5 and xapian stays for the queries.
  fs::path attest_dir = fs::path(dir) / "attest";
  fs::path fts_path = fs::path(dir) / "fts5.db";
  fs::path xapian_dir = fs::path(dir) / "xapian";
  struct Config {
    std::string name;
    std::function<void()> build;  // timed
    std::function<void()> merge;  // timed after build, for the _merged row (may be empty)
    fs::path out;                 // what the build leaves
    std::vector<fs::path> scratch;
    const char* note;
    std::vector<double> rate, cpu, merged_rate, merged_cpu;
  };
  int64_t half = n / 2;
  fs::path fts_parts[2] = {fs::path(dir) / "fts5-0.db", fs::path(dir) / "fts5-1.db"};
  fs::path xap_parts[2] = {fs::path(dir) / "xapian-0", fs::path(dir) / "xapian-1"};
  fs::path fts_merged = fs::path(dir) / "fts5-merged.db";
  fs::path xap_merged = fs::path(dir) / "xapian-merged";
  std::vector<Config> configs;
  configs.push_back({"attest", [&] { AttestBuild(attest_dir, docs, false); }, nullptr, attest_dir,
                     {}, "attest's default: 2 writer lanes, a thread each, beside the caller's",
                     {}, {}, {}, {}});
  configs.push_back({"attest_1writer",
                     [&] { AttestBuild((fs::path(dir) / "attest-1").string(), docs, true); },
                     nullptr, fs::path(dir) / "attest-1", {}, 
                     "the same index written on the caller's thread only (one_thread)",
                     {}, {}, {}, {}});
  configs.push_back({"sqlite_fts5", [&] { FtsBuild(fts_path, docs, 0, n); }, nullptr, fts_path,
                     {fs::path(fts_path.string() + "-wal"), fs::path(fts_path.string() + "-shm")},
                     "one writer; ICU folding, porter for English", {}, {}, {}, {}});
  configs.push_back(
      {"sqlite_fts5_2writers",
       [&] {
         std::thread t([&] { FtsBuild(fts_parts[1], docs, half, n); });
         FtsBuild(fts_parts[0], docs, 0, half);
         t.join();
       },
       [&] {
         sqlite3* db = nullptr;
         sqlite3_open(fts_merged.c_str(), &db);
         Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
         Exec(db, kFtsSchema);
         Exec(db, "ATTACH '" + fts_parts[0].string() + "' AS p0; ATTACH '" +
                      fts_parts[1].string() + "' AS p1; BEGIN;");
         for (const char* t : {"seg", "seg_en"}) {
           std::string table = t;
           Exec(db, "INSERT INTO " + table + "(rowid, text) SELECT rowid, text FROM p0." +
                        table + " UNION ALL SELECT rowid, text FROM p1." + table);
           Exec(db, "INSERT INTO " + table + "(" + table + ") VALUES('optimize')");
         }
         Exec(db, "COMMIT; DETACH p0; DETACH p1;");
         sqlite3_close(db);
       },
       fts_merged,
       {fts_parts[0], fts_parts[1], fs::path(fts_parts[0].string() + "-wal"),
        fs::path(fts_parts[1].string() + "-wal"), fs::path(fts_parts[0].string() + "-shm"),
        fs::path(fts_parts[1].string() + "-shm"), fs::path(fts_merged.string() + "-wal"),
        fs::path(fts_merged.string() + "-shm")},
       "two threads, two databases of half the corpus each (as attest's lanes: not merged)",
       {}, {}, {}, {}});
  configs.push_back({"xapian", [&] { XapianBuild(xapian_dir, docs, 0, n); }, nullptr, xapian_dir,
                     {}, "one writer; ICU folding, Snowball stemmers, STEM_SOME", {}, {}, {}, {}});
  configs.push_back(
      {"xapian_2writers",
       [&] {
         std::thread t([&] { XapianBuild(xap_parts[1], docs, half, n); });
         XapianBuild(xap_parts[0], docs, 0, half);
         t.join();
       },
       [&] {
         Xapian::Database both(xap_parts[0].string());
         both.add_database(Xapian::Database(xap_parts[1].string()));
         both.compact(xap_merged.string(), Xapian::DBCOMPACT_NO_RENUMBER);
       },
       xap_merged, {xap_parts[0], xap_parts[1]},
       "two threads, two databases of half the corpus each (as attest's lanes: not merged)",
       {}, {}, {}, {}});
  bool index_rows = wanted("index");
  int index_rounds = index_rows ? rounds : 1;
  for (int round = 0; round < index_rounds; ++round) {
    for (size_t k = 0; k < configs.size(); ++k) {
      Config& c = configs[(k + round) % configs.size()];
      bool needed = c.name == "attest" || c.name == "sqlite_fts5" || c.name == "xapian";
      if (!index_rows && !needed) continue;
      fs::remove_all(c.out);
      for (const auto& p : c.scratch) fs::remove_all(p);
      double cpu0 = CpuSeconds();
      auto t0 = Clock::now();
      c.build();
      double secs = Seconds(t0, Clock::now());
      double cpu = CpuSeconds() - cpu0;
      c.rate.push_back(n / secs);
      c.cpu.push_back(100 * cpu / secs);
      if (c.merge) {
        c.merge();
        double all = Seconds(t0, Clock::now());
        c.merged_rate.push_back(n / all);
        c.merged_cpu.push_back(100 * (CpuSeconds() - cpu0) / all);
        for (const auto& p : c.scratch) fs::remove_all(p);
      }
      if (!needed) fs::remove_all(c.out);
    }
  }
  if (index_rows) {
    for (const Config& c : configs) {
      const char* target = c.name == "attest" ? ">=5000" : "";
      Row("search_index_rate_" + c.name, c.rate, "segments/s", target,
          corpus_note + "; to a committed index; " + c.note);
      Row("search_index_cpu_" + c.name, c.cpu, "%", "",
          "user+system CPU over wall time (100% = one core); " + std::string(c.note));
      if (c.merge) {
        std::string how = c.name.rfind("sqlite", 0) == 0
                              ? "then ATTACH, INSERT ... SELECT (tokenized again) and 'optimize' "
                                "into one database"
                              : "then Database::compact into one (DBCOMPACT_NO_RENUMBER)";
        Row("search_index_rate_" + c.name + "_merged", c.merged_rate, "segments/s", "",
            corpus_note + "; two writers as above, " + how);
        Row("search_index_cpu_" + c.name + "_merged", c.merged_cpu, "%", "",
            "user+system CPU over wall time, build and merge");
      }
    }
    for (const fs::path& p : {attest_dir, fts_path, xapian_dir}) {
      std::string name = p == attest_dir ? "attest" : p == fts_path ? "sqlite_fts5" : "xapian";
      Row("search_index_size_" + name, {DirBytes(p) / 1048576.0}, "MiB", "", corpus_note);
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double rss_after_index = ru.ru_maxrss / 1024.0;

  // The query engines, over the builds kept.
  std::vector<Engine> engines;
  auto attest_index = attest::search::LexicalIndex::OpenReadOnly(attest_dir.string());
  if (!attest_index.ok()) Die(attest_index.status().ToString());
  engines.push_back(
      {"attest",
       [&](const Query& q) {
         attest::search::SearchRequest r;
         r.query = q.phrase ? "\"" + q.text + "\"" : q.text;
         r.role = attest::search::Role::kArchivist;
         r.limit = 10;
         auto res = (*attest_index)->Search(r);
         return res.ok() ? res->records.size() : 0;
       },
       [&](const Query& q) {
         std::set<int64_t> out;
         attest::search::SearchRequest r;
         r.query = q.text;
         r.role = attest::search::Role::kArchivist;
         r.limit = 1000;
         r.per_record = 50;
         while (true) {
           auto res = (*attest_index)->Search(r);
           if (!res.ok()) break;
           for (const auto& g : res->records) {
             for (const auto& h : g.hits) out.insert(h.segment_id - 1);
           }
           if (res->next_cursor.empty()) break;
           r.cursor = res->next_cursor;
         }
         return out;
       }});
  Folder fold;
  sqlite3* fts = nullptr;
  if (sqlite3_open_v2(fts_path.c_str(), &fts, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Die("sqlite: cannot open " + fts_path.string());
  }
  sqlite3_stmt* fts_top[2];
  sqlite3_stmt* fts_all[2];
  for (int en = 0; en < 2; ++en) {
    std::string t = en ? "seg_en" : "seg";
    sqlite3_prepare_v2(fts, ("SELECT rowid FROM " + t + " WHERE " + t +
                             " MATCH ? ORDER BY rank LIMIT 10").c_str(),
                       -1, &fts_top[en], nullptr);
    sqlite3_prepare_v2(fts, ("SELECT rowid FROM " + t + " WHERE " + t + " MATCH ?").c_str(), -1,
                       &fts_all[en], nullptr);
  }
  auto fts_run = [&](sqlite3_stmt* s, const Query& q, std::set<int64_t>* out) {
    std::string m = FtsMatch(fold(q.text), q.phrase);
    sqlite3_bind_text(s, 1, m.c_str(), -1, SQLITE_TRANSIENT);
    size_t k = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
      ++k;
      if (out) out->insert(sqlite3_column_int64(s, 0));
    }
    sqlite3_reset(s);
    return k;
  };
  engines.push_back({"sqlite_fts5",
                     [&](const Query& q) { return fts_run(fts_top[q.lang == kEn], q, nullptr); },
                     [&](const Query& q) {
                       std::set<int64_t> out;
                       fts_run(fts_all[q.lang == kEn], q, &out);
                       return out;
                     }});
  Xapian::Database xdb(xapian_dir.string());
  std::vector<Xapian::QueryParser> parsers(4);
  for (int l = 0; l < 4; ++l) {
    parsers[l].set_database(xdb);
    parsers[l].set_stemmer(Xapian::Stem(kStemmers[l]));
    parsers[l].set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parsers[l].set_default_op(Xapian::Query::OP_AND);
  }
  auto xparse = [&](const Query& q) {
    std::string t = fold(q.text);
    return parsers[q.lang].parse_query(q.phrase ? "\"" + t + "\"" : t,
                                       Xapian::QueryParser::FLAG_DEFAULT);
  };
  engines.push_back({"xapian",
                     [&](const Query& q) {
                       Xapian::Enquire enq(xdb);
                       enq.set_query(xparse(q));
                       return static_cast<size_t>(enq.get_mset(0, 10).size());
                     },
                     [&](const Query& q) {
                       std::set<int64_t> out;
                       Xapian::Enquire enq(xdb);
                       enq.set_query(xparse(q));
                       Xapian::MSet m = enq.get_mset(0, xdb.get_doccount());
                       for (auto it = m.begin(); it != m.end(); ++it) out.insert(*it - 1);
                       return out;
                     }});

  // Latency query sets: WARMUP + ROUNDS * QUERIES distinct queries each.
  std::mt19937_64 qrng(11);
  auto word = [&](int l) {
    double lr = std::uniform_real_distribution<double>(std::log(10.0), std::log(30000.0))(qrng);
    size_t r = std::min(corpus.lemmas[l].size() - 1, static_cast<size_t>(std::exp(lr)));
    return corpus.lemmas[l][r].forms[0];
  };
  size_t want = static_cast<size_t>(warmup) + static_cast<size_t>(rounds) * nq;
  auto draw = [&](const std::function<Query(int)>& make) {
    std::vector<Query> out;
    std::unordered_set<std::string> seen;
    for (size_t tries = 0; out.size() < want && tries < want * 50; ++tries) {
      Query q = make(static_cast<int>(tries % 4));
      if (seen.insert(q.text).second) out.push_back(q);
    }
    return out;
  };
  struct Set {
    const char* name;
    std::vector<Query> q;
    const char* target;
  };
  std::vector<Set> sets;
  if (wanted("one_word")) {
    sets.push_back({"one_word", draw([&](int l) { return Query{word(l), Lang(l)}; }), "<50"});
  }
  if (wanted("two_words")) {
    sets.push_back({"two_words",
                    draw([&](int l) { return Query{word(l) + " " + word(l), Lang(l)}; }), "<50"});
  }
  if (wanted("phrase")) {
    sets.push_back({"phrase", draw([&](int) {
                      std::uniform_int_distribution<int64_t> pick(0, n - 1);
                      while (true) {
                        int64_t id = pick(qrng);
                        Lang l;
                        std::string text;
                        corpus.Segment(id, &l, &text, &words);
                        size_t i = qrng() % (words.size() - 1);
                        std::string p = words[i] + " " + words[i + 1];
                        // not across a sentence's end
                        if (text.find(p) != std::string::npos) return Query{p, l, true};
                      }
                    }),
                    "<150"});
  }
  for (const Set& s : sets) {
    size_t timed = s.q.size() > static_cast<size_t>(warmup)
                       ? (s.q.size() - warmup) / rounds
                       : 0;
    if (timed == 0) Die(std::string("too few distinct queries for ") + s.name);
    for (size_t k = 0; k < engines.size(); ++k) {  // warm-up, the first queries
      for (int i = 0; i < warmup; ++i) engines[k].top10(s.q[i]);
    }
    std::map<std::string, std::vector<double>> p50, p99;
    std::map<std::string, size_t> answered;
    for (int round = 0; round < rounds; ++round) {
      for (size_t k = 0; k < engines.size(); ++k) {
        Engine& e = engines[(k + round) % engines.size()];
        std::vector<double> ms;
        for (size_t i = 0; i < timed; ++i) {
          const Query& q = s.q[warmup + round * timed + i];
          auto t0 = Clock::now();
          answered[e.name] += e.top10(q) > 0;
          ms.push_back(Seconds(t0, Clock::now()) * 1000);
        }
        p50[e.name].push_back(Percentile(ms, 0.5));
        p99[e.name].push_back(Percentile(ms, 0.99));
      }
    }
    for (const Engine& e : engines) {
      std::string note =
          std::to_string(timed) + " distinct queries a round, none seen before (" +
          std::to_string(warmup) + " others to warm up); " +
          std::to_string(answered[e.name]) + " of " + std::to_string(timed * rounds) +
          " with results; top 10" +
          (e.name == "attest"
               ? " records (best 3 segments each) with snippets and character offsets, totals "
                 "and facets, any language"
               : e.name == "sqlite_fts5" ? " segments, the query's language's table"
                                         : " segments");
      const char* target = e.name == "attest" ? s.target : "";
      Row("search_" + std::string(s.name) + "_p50_" + e.name, p50[e.name], "ms", target, note);
      Row("search_" + std::string(s.name) + "_p99_" + e.name, p99[e.name], "ms", target, note);
    }
  }

  // The variant set: recall and precision, per language and overall.
  if (wanted("variant")) {
    for (Engine& e : engines) {
      double rsum[4] = {0, 0, 0, 0}, psum[4] = {0, 0, 0, 0};
      int rn[4] = {0, 0, 0, 0}, pn[4] = {0, 0, 0, 0};
      for (const Target& t : targets) {
        if (t.relevant.empty()) continue;
        auto got = e.all(Query{corpus.lemmas[t.lang][t.rank].forms[0], t.lang});
        size_t hit = 0;
        for (int64_t id : t.relevant) hit += got.count(id);
        rsum[t.lang] += static_cast<double>(hit) / t.relevant.size();
        ++rn[t.lang];
        if (!got.empty()) {
          psum[t.lang] += static_cast<double>(hit) / got.size();
          ++pn[t.lang];
        }
      }
      double r_all = 0, p_all = 0;
      int rn_all = 0, pn_all = 0;
      for (int l = 0; l < 4; ++l) {
        std::string lang = kTags[l];
        std::string note = std::to_string(rn[l]) + " lemmas (" +
                           std::to_string(forms_total[l]) +
                           " hunspell forms among the 40 picked); the lemma as the dictionary "
                           "writes it";
        Row("search_variant_recall_" + lang + "_" + e.name, {rn[l] ? rsum[l] / rn[l] : NAN},
            "recall", "", note);
        Row("search_variant_precision_" + lang + "_" + e.name, {pn[l] ? psum[l] / pn[l] : NAN},
            "precision", "", note + "; " + std::to_string(pn[l]) + " with results");
        r_all += rsum[l];
        p_all += psum[l];
        rn_all += rn[l];
        pn_all += pn[l];
      }
      Row("search_variant_recall_" + e.name, {rn_all ? r_all / rn_all : NAN}, "recall",
          e.name == "attest" ? ">=0.95" : "",
          std::to_string(rn_all) +
              " lemmas in 4 languages; every segment holding one of the lemma's hunspell forms");
      Row("search_variant_precision_" + e.name, {pn_all ? p_all / pn_all : NAN}, "precision", "",
          std::to_string(pn_all) +
              " lemmas with results; a returned segment holding none of the forms counts "
              "against");
    }
  }
  Row("search_bench_max_rss", {rss_after_index}, "MiB", "",
      "the process after indexing (the corpus is held in memory)");
  for (auto* s : fts_top) sqlite3_finalize(s);
  for (auto* s : fts_all) sqlite3_finalize(s);
  sqlite3_close(fts);
  attest_index->reset();
  xdb.close();
  if (!keep) fs::remove_all(dir);
  return 0;
}
