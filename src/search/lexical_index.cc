#include "search/lexical_index.h"

#include <xapian.h>

#include <algorithm>
#include <set>

#include "core/json.h"
#include "search/query.h"
#include "text/analyzer.h"

namespace attest::search {
namespace {

// Term namespaces (Xapian's convention: an upper-case prefix). Word forms have none.
constexpr char kStem[] = "Z";
constexpr char kConsent[] = "XC";
constexpr char kLang[] = "XL";
constexpr char kWitness[] = "XW";
constexpr char kCollection[] = "XO";
constexpr char kRecord[] = "XR";
constexpr char kId[] = "Q";
constexpr Xapian::valueno kSlotLang = 0;
constexpr Xapian::valueno kSlotCollection = 1;
constexpr size_t kMaxTermBytes = 240;  // Xapian's limit is 245
constexpr size_t kSnippetBytes = 320;
constexpr Xapian::termcount kMaxPrefixExpansion = 200;  // most frequent words a prefix stands for

std::string IdTerm(int64_t id) { return kId + std::to_string(id); }

std::string FieldPrefix(const std::string& field) {
  if (field == "lang") return kLang;
  if (field == "witness") return kWitness;
  if (field == "collection") return kCollection;
  return kRecord;
}

// The consent levels a role may see. Sealed and withdrawn are never searchable.
std::vector<meta::Consent> Visible(Role role) {
  switch (role) {
    case Role::kArchivist:
      return {meta::Consent::kPublic, meta::Consent::kResearch, meta::Consent::kRestricted};
    case Role::kResearcher:
      return {meta::Consent::kPublic, meta::Consent::kResearch};
    case Role::kAnonymous:
      return {meta::Consent::kPublic};
  }
  return {meta::Consent::kPublic};
}

}  // namespace

struct LexicalIndex::Internal {
  std::unique_ptr<Xapian::Database> db;
  Xapian::WritableDatabase* writer = nullptr;  // db, when open for writing
  std::map<text::Lang, std::unique_ptr<text::Analyzer>> analyzers;

  text::Analyzer* For(text::Lang lang) {
    auto& a = analyzers[lang];
    if (!a) a = text::Analyzer::For(lang);
    return a.get();
  }
};

LexicalIndex::LexicalIndex() : rep_(new Internal) {}
LexicalIndex::~LexicalIndex() = default;

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const std::string& dir) {
  std::unique_ptr<LexicalIndex> idx(new LexicalIndex);
  try {
    auto writer = std::make_unique<Xapian::WritableDatabase>(dir, Xapian::DB_CREATE_OR_OPEN);
    idx->rep_->writer = writer.get();
    idx->rep_->db = std::move(writer);
  } catch (const Xapian::DatabaseLockError& e) {
    return Status::Unavailable("search index " + dir + " is being written by another process");
  } catch (const Xapian::Error& e) {
    return Status::Corruption("search index " + dir + " cannot be opened (" + e.get_msg() +
                              "); it can be rebuilt from the database");
  }
  return idx;
}

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::OpenReadOnly(const std::string& dir) {
  std::unique_ptr<LexicalIndex> idx(new LexicalIndex);
  try {
    idx->rep_->db = std::make_unique<Xapian::Database>(dir);
  } catch (const Xapian::DatabaseNotFoundError& e) {
    return Status::NotFound("no search index in " + dir + "; build it with attest reindex");
  } catch (const Xapian::Error& e) {
    return Status::Corruption("search index " + dir + " cannot be opened (" + e.get_msg() +
                              "); rebuild it with attest reindex");
  }
  return idx;
}

uint64_t LexicalIndex::DocCount() const { return rep_->db->get_doccount(); }

Status LexicalIndex::Put(const SegmentDoc& s) {
  if (!rep_->writer) return Status::PermissionDenied("the search index was opened read-only");
  try {
    if (s.consent == meta::Consent::kWithdrawn) {
      rep_->writer->delete_document(IdTerm(s.segment_id));
      return Status::Ok();
    }
    if (!IsValidUtf8(s.text)) {
      return Status::InvalidArgument("segment " + std::to_string(s.segment_id) + " of record " +
                                     s.record_id + " is not valid UTF-8");
    }
    text::Analyzer* analyzer = rep_->For(text::LangFromTag(s.lang));
    ASSIGN_OR_RETURN(auto terms, analyzer->Analyze(s.text));
    Xapian::Document doc;
    for (const text::Term& t : terms) {
      std::string term = t.kind == text::TermKind::kStem ? kStem + t.text : t.text;
      if (term.size() > kMaxTermBytes) continue;
      doc.add_posting(term, t.position + 1);
    }
    doc.add_boolean_term(IdTerm(s.segment_id));
    doc.add_boolean_term(kConsent + std::string(meta::ConsentName(s.consent)));
    doc.add_boolean_term(kLang + s.lang);
    doc.add_boolean_term(kRecord + s.record_id);
    if (!s.witness_id.empty()) doc.add_boolean_term(kWitness + s.witness_id);
    if (!s.collection_id.empty()) doc.add_boolean_term(kCollection + s.collection_id);
    doc.add_value(kSlotLang, s.lang);
    doc.add_value(kSlotCollection, s.collection_id);
    Json data = {{"s", s.segment_id}, {"r", s.record_id}, {"v", s.version}, {"l", s.lang},
                 {"a", s.start_ms},   {"b", s.end_ms},    {"p", s.page},    {"t", s.text}};
    doc.set_data(data.dump());
    rep_->writer->replace_document(IdTerm(s.segment_id), doc);
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Status LexicalIndex::RemoveRecord(const std::string& record_id) {
  if (!rep_->writer) return Status::PermissionDenied("the search index was opened read-only");
  try {
    rep_->writer->delete_document(kRecord + record_id);
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Status LexicalIndex::Commit() {
  if (!rep_->writer) return Status::PermissionDenied("the search index was opened read-only");
  try {
    rep_->writer->commit();
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Result<Results> LexicalIndex::Search(std::string_view query, Role role, size_t offset,
                                     size_t limit) {
  try {
    return SearchOrThrow(query, role, offset, limit);
  } catch (const Xapian::Error& e) {
    return Status::InvalidArgument("the query cannot be run: " + e.get_msg());
  }
}

Result<Results> LexicalIndex::SearchOrThrow(std::string_view query, Role role, size_t offset,
                                            size_t limit) {
  ASSIGN_OR_RETURN(std::vector<Clause> clauses, ParseQuery(query));
  // The query is read in every language at once: its words' forms under each analyser.
  const text::Lang kLangs[] = {text::Lang::kArabic, text::Lang::kHebrew, text::Lang::kEnglish,
                               text::Lang::kFrench, text::Lang::kUnknown};
  std::set<std::string> matched_terms;  // for highlighting
  auto word_forms = [&](const text::Token& token, bool with_stems) {
    std::set<std::string> plain, stems;
    for (text::Lang l : kLangs) {
      for (const text::Term& t : rep_->For(l)->AnalyzeToken(token)) {
        if (t.kind == text::TermKind::kStem) {
          stems.insert(kStem + t.text);
        } else {
          plain.insert(t.text);
        }
      }
    }
    matched_terms.insert(plain.begin(), plain.end());
    // Inside a phrase Xapian takes only terms or OR of terms.
    if (!with_stems) return Xapian::Query(Xapian::Query::OP_OR, plain.begin(), plain.end());
    Xapian::Query q(Xapian::Query::OP_SYNONYM, plain.begin(), plain.end());
    if (stems.empty()) return q;
    matched_terms.insert(stems.begin(), stems.end());
    Xapian::Query s(Xapian::Query::OP_SYNONYM, stems.begin(), stems.end());
    return Xapian::Query(Xapian::Query::OP_OR, q,
                         Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, s, 0.5));
  };

  std::vector<std::vector<Xapian::Query>> groups;  // AND of groups, OR within a group
  std::vector<Xapian::Query> filters, exclusions;
  std::vector<std::string> prefixes;  // for highlighting
  bool has_words = false;
  for (const Clause& c : clauses) {
    Xapian::Query q;
    if (c.kind == Clause::kField) {
      q = Xapian::Query(FieldPrefix(c.field) + c.text);
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
      for (text::Lang l : kLangs) {
        for (const text::Term& t : rep_->For(l)->AnalyzeToken(tokens[0])) {
          if (t.kind != text::TermKind::kStem) forms.insert(t.text);
        }
      }
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
      has_words = true;
    } else {
      ASSIGN_OR_RETURN(auto tokens, text::Tokenize(c.text));
      if (tokens.empty()) continue;
      std::vector<Xapian::Query> parts;
      for (const auto& t : tokens) parts.push_back(word_forms(t, c.kind == Clause::kWords));
      if (c.kind == Clause::kPhrase && parts.size() > 1) {
        q = Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size());
      } else {
        q = Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
      }
      if (c.negated) {
        exclusions.push_back(q);
        continue;
      }
      has_words = true;
    }
    if (c.or_with_previous && !groups.empty()) {
      groups.back().push_back(q);
    } else {
      groups.push_back({q});
    }
  }
  if (!has_words && filters.empty() && groups.empty()) {
    return Status::InvalidArgument("the query has no words to search for");
  }
  std::vector<Xapian::Query> anded;
  for (auto& g : groups) anded.push_back(Xapian::Query(Xapian::Query::OP_OR, g.begin(), g.end()));
  Xapian::Query q = anded.empty()
                        ? Xapian::Query::MatchAll
                        : Xapian::Query(Xapian::Query::OP_AND, anded.begin(), anded.end());
  for (const auto& f : filters) q = Xapian::Query(Xapian::Query::OP_FILTER, q, f);
  for (const auto& e : exclusions) q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, e);
  // Access first: what the caller may not see takes no part in ranking, counts or facets.
  std::vector<Xapian::Query> allowed;
  for (meta::Consent c : Visible(role)) {
    allowed.emplace_back(kConsent + std::string(meta::ConsentName(c)));
  }
  q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                    Xapian::Query(Xapian::Query::OP_OR, allowed.begin(), allowed.end()));

  Results out;
  try {
    Xapian::Enquire enquire(*rep_->db);
    enquire.set_query(q);
    Xapian::ValueCountMatchSpy langs(kSlotLang), collections(kSlotCollection);
    enquire.add_matchspy(&langs);
    enquire.add_matchspy(&collections);
    Xapian::MSet mset =
        enquire.get_mset(static_cast<Xapian::doccount>(offset),
                         static_cast<Xapian::doccount>(limit), rep_->db->get_doccount());
    out.total_estimate = mset.get_matches_estimated();
    for (auto it = langs.values_begin(); it != langs.values_end(); ++it) {
      out.lang_facets[*it] = it.get_termfreq();
    }
    for (auto it = collections.values_begin(); it != collections.values_end(); ++it) {
      if (!(*it).empty()) out.collection_facets[*it] = it.get_termfreq();
    }
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Json d = Json::parse(it.get_document().get_data(), nullptr, false);
      if (!d.is_object()) continue;
      Hit h;
      h.segment_id = IntMember(d, "s", 0);
      h.record_id = StringMember(d, "r");
      h.version = static_cast<int>(IntMember(d, "v", 0));
      h.lang = StringMember(d, "l");
      h.start_ms = IntMember(d, "a", -1);
      h.end_ms = IntMember(d, "b", -1);
      h.page = static_cast<int>(IntMember(d, "p", -1));
      h.weight = it.get_weight();
      std::string seg_text = StringMember(d, "t");
      // Highlight the words whose forms the query asked for; cut a window around the first.
      std::vector<std::pair<uint32_t, uint32_t>> marks;
      auto tokens = text::Tokenize(seg_text);
      if (tokens.ok()) {
        text::Analyzer* a = rep_->For(text::LangFromTag(h.lang));
        for (const auto& t : *tokens) {
          for (const auto& term : a->AnalyzeToken(t)) {
            std::string key = term.kind == text::TermKind::kStem ? kStem + term.text : term.text;
            bool prefixed = term.kind != text::TermKind::kStem &&
                            std::any_of(prefixes.begin(), prefixes.end(), [&](const auto& p) {
                              return term.text.compare(0, p.size(), p) == 0;
                            });
            if (matched_terms.count(key) || prefixed) {
              marks.emplace_back(t.start, t.end);
              break;
            }
          }
        }
      }
      uint32_t from = 0;
      if (seg_text.size() > kSnippetBytes && !marks.empty() && marks[0].first > 80) {
        from = marks[0].first - 80;
        for (const auto& t : *tokens) {  // start at a word
          if (t.start >= from) {
            from = t.start;
            break;
          }
        }
      }
      uint32_t to = static_cast<uint32_t>(std::min<size_t>(seg_text.size(), from + kSnippetBytes));
      if (to < seg_text.size() && tokens.ok()) {  // end at a word
        for (const auto& t : *tokens) {
          if (t.start < to && t.end > to) to = t.start;
        }
      }
      h.snippet = seg_text.substr(from, to - from);
      for (const auto& [s, e] : marks) {
        if (s >= from && e <= to) h.highlights.emplace_back(s - from, e - from);
      }
      out.hits.push_back(std::move(h));
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return out;
}

}  // namespace attest::search
