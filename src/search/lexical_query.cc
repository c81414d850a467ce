#include "search/lexical_query.h"

#include <utility>

#include "search/lexical_format.h"
#include "text/tokenizer.h"

namespace attest::search::lexical {
namespace {

constexpr Xapian::termcount kMaxPrefixExpansion = 200;  // most frequent words a prefix stands for

std::string FieldPrefix(const std::string& field) {
  if (field == "lang") return kLang;
  if (field == "witness") return kWitness;
  if (field == "collection") return kCollection;
  return kRecord;
}

// A query word read in every language: its spellings and stems under every analyser (as index
// terms) and, where names are known, the name keys of its spellings.
struct WordForms {
  std::set<std::string> plain, stems, keys;
};

// Builds one request's query, clause by clause (AddClause, then AddWeightedWords, then Finish),
// collecting on the way what marking the hits' words needs.
class QueryCompiler {
 public:
  QueryCompiler(const SearchRequest& request, Analysis* an)
      : request_(request),
        an_(an),
        name_seqs_(an->NameKeySeqs(request.names)),
        words_join_(request.any_word ? Xapian::Query::OP_OR : Xapian::Query::OP_AND) {}

  Status AddClause(const Clause& c);
  // SearchRequest::weighted_words, as one group any of whose entries may match.
  Status AddWeightedWords();
  // The groups ANDed (or ORed: any_word), filtered and with the exclusions taken out.
  Result<CompiledQuery> Finish();

 private:
  WordForms FormsOf(const text::Token& token);
  // The query of one word's forms: spellings as synonyms, stems beside them at half weight.
  // Without stems (inside a phrase, which takes only terms or OR of terms), an OR of spellings.
  Xapian::Query WordQuery(const WordForms& f, bool with_stems);
  // The known name that the words from `i` on spell, if any (longest first).
  const std::vector<std::string>* NameAt(const std::vector<WordForms>& words, size_t i) const;
  // The name in any script: its keys, as a phrase if it has several.
  Xapian::Query NameQuery(const std::vector<std::string>& seq);
  Result<Xapian::Query> FieldQuery(const Clause& c);
  // Any indexed word form that begins with one of the prefix's folded forms.
  Result<Xapian::Query> PrefixQuery(const Clause& c);
  // A clause of words or a phrase; none if it has no words.
  Result<std::optional<Xapian::Query>> WordsQuery(const Clause& c);

  const SearchRequest& request_;
  Analysis* an_;
  const std::vector<std::vector<std::string>>& name_seqs_;
  // Plain words (and the groups of clauses) must all match, or for Ask any of them.
  const Xapian::Query::op words_join_;
  CompiledQuery out_;
  std::vector<std::vector<Xapian::Query>> groups_;  // AND of groups, OR within a group
  std::vector<Xapian::Query> filters_, exclusions_;
};

WordForms QueryCompiler::FormsOf(const text::Token& token) {
  WordForms f;
  an_->QueryForms(token, &f.plain, &f.stems);
  if (!name_seqs_.empty()) {
    for (const auto& p : f.plain) f.keys.insert(an_->KeyOf(p));
  }
  return f;
}

Xapian::Query QueryCompiler::WordQuery(const WordForms& f, bool with_stems) {
  out_.matched_terms.insert(f.plain.begin(), f.plain.end());
  if (!with_stems) return Xapian::Query(Xapian::Query::OP_OR, f.plain.begin(), f.plain.end());
  Xapian::Query q(Xapian::Query::OP_SYNONYM, f.plain.begin(), f.plain.end());
  if (f.stems.empty()) return q;
  out_.matched_terms.insert(f.stems.begin(), f.stems.end());
  Xapian::Query s(Xapian::Query::OP_SYNONYM, f.stems.begin(), f.stems.end());
  return Xapian::Query(Xapian::Query::OP_OR, q,
                       Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, s, 0.5));
}

const std::vector<std::string>* QueryCompiler::NameAt(const std::vector<WordForms>& words,
                                                      size_t i) const {
  for (const auto& seq : name_seqs_) {
    if (SpellsAt(seq, i, words.size(),
                 [&](size_t p, const std::string& key) { return words[p].keys.count(key) > 0; })) {
      return &seq;
    }
  }
  return nullptr;
}

Xapian::Query QueryCompiler::NameQuery(const std::vector<std::string>& seq) {
  std::vector<Xapian::Query> keys;
  for (const auto& k : seq) {
    out_.matched_terms.insert(kNameKey + k);
    keys.emplace_back(kNameKey + k);
  }
  if (seq.size() == 1) return keys[0];
  out_.positional = true;
  return Xapian::Query(Xapian::Query::OP_PHRASE, keys.begin(), keys.end(), keys.size());
}

Result<Xapian::Query> QueryCompiler::FieldQuery(const Clause& c) {
  ASSIGN_OR_RETURN(FieldFilter f, FieldFilterOf(c));
  if (!f.dates) return Xapian::Query(f.term);
  return Xapian::Query(Xapian::Query::OP_AND,
                       Xapian::Query(Xapian::Query::OP_VALUE_LE, kSlotDateFrom, f.dates->to),
                       Xapian::Query(Xapian::Query::OP_VALUE_GE, kSlotDateTo, f.dates->from));
}

Result<Xapian::Query> QueryCompiler::PrefixQuery(const Clause& c) {
  ASSIGN_OR_RETURN(auto tokens, text::Tokenize(c.text));
  if (tokens.size() != 1) {
    return Status::InvalidArgument("prefix '" + c.text + "*' must be part of one word");
  }
  std::set<std::string> forms;
  an_->QueryForms(tokens[0], &forms);
  std::vector<Xapian::Query> parts;
  for (const auto& f : forms) {
    parts.emplace_back(Xapian::Query::OP_WILDCARD, f, kMaxPrefixExpansion,
                       Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    out_.prefixes.push_back(f);
  }
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

Result<std::optional<Xapian::Query>> QueryCompiler::WordsQuery(const Clause& c) {
  ASSIGN_OR_RETURN(auto tokens, text::Tokenize(c.text));
  if (tokens.empty()) return std::optional<Xapian::Query>();
  bool phrase = c.kind == Clause::kPhrase && tokens.size() > 1;
  std::vector<WordForms> words;
  std::vector<Xapian::Query> parts;
  for (const auto& t : tokens) {
    words.push_back(FormsOf(t));
    parts.push_back(WordQuery(words.back(), !phrase));
  }
  if (phrase) {
    Xapian::Query q(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size());
    out_.positional = true;
    auto name = NameAt(words, 0);
    if (name && name->size() == tokens.size()) {  // "Kfar Aza": the name in any script
      q = Xapian::Query(Xapian::Query::OP_OR, q, NameQuery(*name));
    }
    return std::optional<Xapian::Query>(std::move(q));
  }
  std::vector<Xapian::Query> anded;
  for (size_t i = 0; i < tokens.size();) {
    auto name = NameAt(words, i);
    if (!name) {
      anded.push_back(parts[i++]);
      continue;
    }
    size_t n = name->size();
    Xapian::Query spelled =
        n == 1 ? parts[i]
               : Xapian::Query(Xapian::Query::OP_AND, parts.begin() + i, parts.begin() + i + n);
    anded.emplace_back(Xapian::Query::OP_OR, spelled, NameQuery(*name));
    i += n;
  }
  return std::optional<Xapian::Query>(Xapian::Query(words_join_, anded.begin(), anded.end()));
}

Status QueryCompiler::AddClause(const Clause& c) {
  Xapian::Query q;
  if (c.kind == Clause::kField) {
    ASSIGN_OR_RETURN(q, FieldQuery(c));
    if (!c.negated && !c.or_with_previous) {
      filters_.push_back(q);
      return Status::Ok();
    }
  } else if (c.kind == Clause::kPrefix) {
    ASSIGN_OR_RETURN(q, PrefixQuery(c));
  } else {
    ASSIGN_OR_RETURN(std::optional<Xapian::Query> words, WordsQuery(c));
    if (!words) return Status::Ok();
    q = std::move(*words);
  }
  if (c.negated) {
    exclusions_.push_back(q);
  } else if (c.or_with_previous && !groups_.empty()) {
    groups_.back().push_back(q);
  } else {
    groups_.push_back({q});
  }
  return Status::Ok();
}

Status QueryCompiler::AddWeightedWords() {
  if (request_.weighted_words.empty()) return Status::Ok();
  std::vector<Xapian::Query> any;
  for (const auto& [word, weight] : request_.weighted_words) {
    if (!(weight > 0 && weight <= 1)) {
      return Status::InvalidArgument("the weight of '" + word + "' must be above 0 and at most 1");
    }
    // The entry's words stand for one word of the question: one term, as its spellings are.
    ASSIGN_OR_RETURN(auto tokens, text::Tokenize(word));
    WordForms merged;
    for (const auto& t : tokens) {
      WordForms f = FormsOf(t);
      merged.plain.insert(f.plain.begin(), f.plain.end());
      merged.stems.insert(f.stems.begin(), f.stems.end());
    }
    if (merged.plain.empty()) continue;
    any.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, WordQuery(merged, true), weight);
  }
  if (!any.empty())
    groups_.push_back({Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end())});
  return Status::Ok();
}

Result<CompiledQuery> QueryCompiler::Finish() {
  if (filters_.empty() && groups_.empty()) {
    return Status::InvalidArgument("the query has no words to search for");
  }
  std::vector<Xapian::Query> anded;
  for (auto& g : groups_) anded.push_back(Xapian::Query(Xapian::Query::OP_OR, g.begin(), g.end()));
  Xapian::Query q = anded.empty() ? Xapian::Query::MatchAll
                                  : Xapian::Query(words_join_, anded.begin(), anded.end());
  for (const auto& f : filters_) q = Xapian::Query(Xapian::Query::OP_FILTER, q, f);
  for (const auto& e : exclusions_) q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, e);
  out_.query = std::move(q);
  return std::move(out_);
}

}  // namespace

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

std::vector<Clause> JoinPlainWords(const std::vector<Clause>& parsed) {
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
  return clauses;
}

Result<CompiledQuery> CompileQuery(const SearchRequest& request, const std::vector<Clause>& clauses,
                                   Analysis* an) {
  QueryCompiler compiler(request, an);
  for (const Clause& c : clauses) RETURN_IF_ERROR(compiler.AddClause(c));
  RETURN_IF_ERROR(compiler.AddWeightedWords());
  return compiler.Finish();
}

namespace {

bool HasTerm(const Xapian::Document& doc, const std::string& term) {
  auto t = doc.termlist_begin();
  t.skip_to(term);
  return t != doc.termlist_end() && *t == term;
}

}  // namespace

Xapian::Query OpeningFilter(Role role, const Opening& opening) {
  std::vector<Xapian::Query> levels;
  for (size_t i = 0; i < VisibleLevels(role); ++i) {
    levels.emplace_back(kLevel + std::string(meta::ConsentName(kLevels[i])));
  }
  std::vector<Xapian::Query> opened;
  for (const auto& c : opening.collections) opened.emplace_back(kCollection + c);
  for (const auto& r : opening.records) opened.emplace_back(kRecord + r);
  if (!opening.added_by.empty()) opened.emplace_back(kAddedBy + opening.added_by);
  if (!opened.empty()) {
    Xapian::Query restricted(
        Xapian::Query::OP_FILTER,
        Xapian::Query(Xapian::Query::OP_OR, opened.begin(), opened.end()),
        Xapian::Query(kLevel + std::string(meta::ConsentName(meta::Consent::kRestricted))));
    // A held version's words are in the clear: archivists' only.
    restricted = Xapian::Query(Xapian::Query::OP_AND_NOT, restricted, Xapian::Query(kHeld));
    if (!opening.shut.empty()) {
      std::vector<Xapian::Query> shut;
      for (const auto& r : opening.shut) shut.emplace_back(kRecord + r);
      restricted = Xapian::Query(Xapian::Query::OP_AND_NOT, restricted,
                                 Xapian::Query(Xapian::Query::OP_OR, shut.begin(), shut.end()));
    }
    levels.push_back(restricted);
  }
  return Xapian::Query(Xapian::Query::OP_OR, levels.begin(), levels.end());
}

bool PassesOpening(Role role, const Opening& opening, std::string_view level,
                   const Xapian::Document& doc) {
  for (size_t i = 0; i < VisibleLevels(role); ++i) {
    if (level == meta::ConsentName(kLevels[i])) return true;
  }
  if (level != meta::ConsentName(meta::Consent::kRestricted) || HasTerm(doc, kHeld)) return false;
  for (const auto& r : opening.shut) {
    if (HasTerm(doc, kRecord + r)) return false;
  }
  for (const auto& c : opening.collections) {
    if (HasTerm(doc, kCollection + c)) return true;
  }
  for (const auto& r : opening.records) {
    if (HasTerm(doc, kRecord + r)) return true;
  }
  return !opening.added_by.empty() && HasTerm(doc, kAddedBy + opening.added_by);
}

}  // namespace attest::search::lexical
