// Cross-language evaluation of Ask's retrieval on parallel text: the Universal Declaration of
// Human Rights (samples/udhr; United Nations, 1948; see samples/README.md), whose article N is
// the same text in Arabic, Hebrew, English and French. Each article of each language is a
// segment of its own. For every ordered pair of languages (A, B) and every article N, the
// question is article N in A, asked with the filter lang:B; the rank of article N in B is
// recorded. Prints recall@10 and MRR per pair and path, and fails when one falls below the
// floor recorded in tests/ask_eval_floors.tsv (a regression).
//
// Chance: the filter lang:B leaves 30 candidates, so a ranking of them in random order finds
// article N in its first 10 with probability 10/30 = 0.333, and its expected reciprocal rank
// is H(30)/30 = 0.133. Every floor must stand at least kMargin above chance (the test checks
// the floors file too); a pair no path can measure is marked n/a in the file with its reason,
// and the test checks that the reason still holds.
//
// Paths: "dictionary" (no model: the question's words and their FreeDict translations), and,
// when ATTEST_EMBED_MODEL names an embedding GGUF file, "semantic" (the same plus the semantic
// index built with that model; README, "Ask across languages"), checked against its own
// floors, Hebrew included. Without a model the semantic harness runs on random weights (the
// plumbing only); that fusion helps is shown in CI on a constructed model (AskFusionTest).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/temp_dir.h"
#include "search/embedder.h"
#include "search/embedder_testing.h"
#include "search/retrieve.h"
#include "search/semantic_index.h"

namespace attest::search {
namespace {

const char* const kLangs[][2] = {{"arb", "ar"}, {"heb", "he"}, {"eng", "en"}, {"fra", "fr"}};

// The articles of one language, in order (the preamble left out).
std::vector<std::string> Articles(const std::string& file) {
  std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/samples/udhr/" + file + ".txt");
  std::vector<std::string> out;
  // "Article 1", "Article premier", "المادة 1", "סעיף א."
  static const std::regex heading(R"(^\s*(Article|المادة|סעיף)(\s|$))");
  std::string line;
  bool in_article = false;
  while (std::getline(in, line)) {
    if (std::regex_search(line, heading)) {
      out.emplace_back();
      in_article = true;
      continue;
    }
    size_t a = line.find_first_not_of(" \t\r");
    if (!in_article || a == std::string::npos) continue;
    out.back() += (out.back().empty() ? "" : " ") + line.substr(a);
  }
  return out;
}

// At most `bytes` of `text`, cut at a space.
std::string Cut(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  size_t at = text.rfind(' ', bytes);
  return text.substr(0, at == std::string::npos ? bytes : at);
}

struct Score {
  double recall10 = 0, mrr = 0;
};

// Of a ranking of `n` candidates in random order, one of them relevant: the chance it is in
// the first 10, and its expected reciprocal rank (H(n)/n).
Score Chance(size_t n) {
  Score s;
  s.recall10 = std::min(1.0, 10.0 / static_cast<double>(n));
  for (size_t i = 1; i <= n; ++i) s.mrr += 1.0 / static_cast<double>(i) / static_cast<double>(n);
  return s;
}

// How far above chance every floor must stand.
constexpr double kMargin = 0.15;

// A line of ask_eval_floors.tsv: a floor, or a pair the path cannot be measured on and why.
struct Floor {
  Score score;
  bool applicable = true;
  std::string reason;  // if not applicable
};

std::map<std::string, Floor> Floors() {
  std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/tests/ask_eval_floors.tsv");
  std::map<std::string, Floor> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string path, pair, recall;
    Floor floor;
    f >> path >> pair >> recall;
    if (recall == "n/a") {
      floor.applicable = false;
      std::getline(f >> std::ws, floor.reason);
    } else {
      floor.score.recall10 = std::stod(recall);
      f >> floor.score.mrr;
    }
    out[path + " " + pair] = floor;
  }
  return out;
}

TEST(AskEvalFloorsTest, EveryFloorStandsAboveChanceByTheMargin) {
  const Score chance = Chance(30);
  auto floors = Floors();
  ASSERT_EQ(floors.size(), 24u) << "a line for each of 12 pairs on both paths";
  for (const auto& [key, f] : floors) {
    if (!f.applicable) {
      EXPECT_FALSE(f.reason.empty()) << key << ": n/a without a reason";
      continue;
    }
    EXPECT_GE(f.score.recall10, chance.recall10 + kMargin) << key << ": recall@10 floor";
    EXPECT_GE(f.score.mrr, chance.mrr + kMargin) << key << ": MRR floor";
  }
}

class AskEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir_.path();
    index_ = *LexicalIndex::Open(dir_ + "/lexical");
    int64_t id = 0;
    for (auto [file, lang] : kLangs) {
      articles_[lang] = Articles(file);
      ASSERT_EQ(articles_[lang].size(), 30u) << file;
      for (size_t n = 0; n < 30; ++n) {
        SegmentDoc s;
        s.segment_id = ++id;
        s.record_id = std::string("udhr-") + lang + "-" + std::to_string(n + 1);
        s.version = 1;
        s.witness_id = s.record_id;
        s.collection_id = "udhr";
        s.lang = lang;
        s.consent = meta::Consent::kPublic;
        s.text = articles_[lang][n];
        ASSERT_TRUE(index_->Put(s).ok());
        docs_.push_back(s);
      }
    }
    ASSERT_TRUE(index_->Commit().ok());
    auto t = Translator::Load();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    translator_ = std::move(*t);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // Runs every pair on one path and checks it against its floors (unless `check` is false:
  // then it checks only that the semantic list took part in every answer).
  void Evaluate(const std::string& path, const SemanticSearch& semantic, bool check = true) {
    auto floors = Floors();
    for (auto [fa, a] : kLangs) {
      for (auto [fb, b] : kLangs) {
        if (std::string(a) == b) continue;
        std::string pair = std::string(a) + "->" + b;
        auto f = floors.find(path + " " + pair);
        if (check && f == floors.end()) {
          ADD_FAILURE() << "no floor for " << path << " " << pair << " in ask_eval_floors.tsv";
          continue;
        }
        if (check && !f->second.applicable) {
          // The reason it cannot be measured must still hold: no dictionary leads there.
          EXPECT_FALSE(translator_->Reaches(text::LangFromTag(a), text::LangFromTag(b)))
              << path << " " << pair << " is n/a in ask_eval_floors.tsv (\"" << f->second.reason
              << "\"), but a dictionary now reaches it: measure it and give it floors";
          std::printf("ask-eval %s %s: not applicable (%s)\n", path.c_str(), pair.c_str(),
                      f->second.reason.c_str());
          continue;
        }
        Score s;
        for (size_t n = 0; n < 30; ++n) {
          RetrieveRequest req;
          req.question = Cut(articles_[a][n], 1000);
          req.lang = a;
          req.filters = std::string("lang:") + b;
          req.depth = 30;
          auto r = Retrieve(index_.get(), translator_.get(), semantic, req);
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          if (semantic) {
            EXPECT_TRUE(r->semantic) << path << " " << pair << ": no semantic list";
          }
          std::string want = std::string("udhr-") + b + "-" + std::to_string(n + 1);
          for (size_t i = 0; i < r->items.size(); ++i) {
            if (r->items[i].segment.record_id != want) continue;
            if (i < 10) s.recall10 += 1.0 / 30;
            s.mrr += 1.0 / static_cast<double>(i + 1) / 30;
            break;
          }
        }
        std::printf("ask-eval %s %s: recall@10 %.3f, MRR %.3f (30 articles)\n", path.c_str(),
                    pair.c_str(), s.recall10, s.mrr);
        if (!check) continue;
        EXPECT_GE(s.recall10 + 1e-9, f->second.score.recall10)
            << path << " " << pair << ": recall@10 below its floor";
        EXPECT_GE(s.mrr + 1e-9, f->second.score.mrr)
            << path << " " << pair << ": MRR below its floor";
      }
    }
  }

  TempDir temp_dir_{"attest-ask-eval"};  // removed when the test ends
  std::string dir_;
  std::unique_ptr<LexicalIndex> index_;
  std::unique_ptr<Translator> translator_;
  std::map<std::string, std::vector<std::string>> articles_;
  std::vector<SegmentDoc> docs_;
};

TEST_F(AskEvalTest, DictionaryPathAcrossEveryPairOfLanguages) { Evaluate("dictionary", nullptr); }

// The semantic path: every article embedded with the model, in a semantic index, fused with
// the lexical and dictionary lists. With ATTEST_EMBED_MODEL (a GGUF embedding model; a file
// named like multilingual-e5 gets its "query: " and "passage: " prefixes) it is measured and
// checked against the semantic floors, every pair (Hebrew too); without one, the harness runs
// on a model with random weights the test writes, which proves the plumbing only (its figures
// mean nothing; only that the semantic list took part is checked).
TEST_F(AskEvalTest, SemanticPathAcrossEveryPairOfLanguages) {
  const char* given = std::getenv("ATTEST_EMBED_MODEL");
  std::string model = given ? given : dir_ + "/random-e5.gguf";
  if (!given) {
    ASSERT_TRUE(WriteTestEmbeddingModel(model, {}).ok());
  }
  std::string lower = model.substr(model.rfind('/') + 1);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EmbedderOptions options;
  if (lower.find("e5") != std::string::npos) {
    options.query_prefix = "query: ";
    options.passage_prefix = "passage: ";
  }
  auto embedder = Embedder::Load(model, options);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  auto index = SemanticIndex::Open(dir_ + "/semantic", (*embedder)->dims());
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  std::vector<std::string> texts;
  for (const auto& d : docs_) texts.push_back(d.text);
  auto vectors = (*embedder)->EmbedPassages(texts);
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  for (size_t i = 0; i < docs_.size(); ++i) {
    ASSERT_TRUE((*index)->Put(docs_[i].segment_id, docs_[i].consent, (*vectors)[i]).ok());
  }
  SemanticSearch semantic = [&](std::string_view q, Role role,
                                size_t k) -> Result<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(std::vector<float> v, (*embedder)->EmbedQuery(q));
    return (*index)->Search(v, role, k);
  };
  Evaluate(given ? "semantic" : "semantic-random-weights", semantic, given != nullptr);
}

// Fusion on a constructed model (search/embedder_testing.h): sixteen concepts, each a word in
// English, French, Arabic and Hebrew that the model embeds along one direction of its own, so
// that a word and its translations are near and other words are not (texts invented for this
// test). The corpus has 48 segments. Of the 20 questions, 8 can be answered only by their
// words (a name the model does not know, in a Hebrew segment), 8 only by meaning (English
// questions about French and Arabic segments: no English segment, no dictionary), and 4 come
// first only when both lists count (words put a shorter segment with the name first, meaning
// the one that says what is asked). Fusion must beat each path alone on recall@10 and MRR by
// kFusionGain, and stand above chance (a random ranking of 48: recall@10 0.21, MRR 0.093) by
// kMargin.
TEST(AskFusionTest, FusionFindsWhatNeitherPathAloneFinds) {
  // en, fr, ar, he. No word is another's beginning (WordPiece would read it as that word), no
  // Arabic letter changes under NFD, no word is shared by two languages.
  const char* const kConcepts[16][4] = {
      {"doctor", "medecin", "طبيب", "רופא"}, {"bread", "pain", "خبز", "לחם"},
      {"water", "eau", "مياه", "מים"},       {"house", "maison", "بيت", "בית"},
      {"child", "enfant", "طفل", "ילד"},     {"road", "route", "طريق", "כביש"},
      {"night", "nuit", "ليل", "לילה"},      {"fire", "feu", "نار", "אש"},
      {"soldier", "soldat", "جندي", "חייל"}, {"rain", "pluie", "مطر", "גשם"},
      {"tree", "arbre", "شجرة", "עץ"},       {"car", "voiture", "سيارة", "מכונית"},
      {"door", "porte", "باب", "דלת"},       {"money", "argent", "مال", "כסף"},
      {"school", "ecole", "مدرسة", "כיתה"},  {"market", "marche", "سوق", "שוק"},
  };
  const char* const kNames[8] = {"vexholm", "kilrudd",  "zantor", "ombrix",
                                 "quelt",   "yarrowby", "jubbek", "ulmisk"};
  const char* const kOtherNames[4] = {"brennick", "tolvar", "wexmoor", "haldrin"};
  enum { kEn, kFr, kAr, kHe };
  const char* const kTags[] = {"en", "fr", "ar", "he"};
  TempDir temp_dir("attest-ask-fusion");
  const std::string dir = temp_dir.path();

  TestModelShape shape;
  shape.layers = 1;
  for (size_t c = 0; c < 16; ++c) {
    std::vector<float> v(shape.embd, 0.0f);
    v[2 * c] = 1;  // zero mean: LayerNorm keeps the direction
    v[2 * c + 1] = -1;
    for (const char* w : kConcepts[c]) shape.word_vectors.emplace_back(w, v);
  }
  const std::string model = dir + "/constructed.gguf";
  ASSERT_TRUE(WriteTestEmbeddingModel(model, shape).ok());
  auto embedder = Embedder::Load(model, {.threads = 1});
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();

  auto index = *LexicalIndex::Open(dir + "/lexical");
  auto semantic_index = SemanticIndex::Open(dir + "/semantic", (*embedder)->dims());
  ASSERT_TRUE(semantic_index.ok()) << semantic_index.status().ToString();
  int64_t id = 0;
  auto put = [&](int lang, std::vector<std::string> words) {
    SegmentDoc s;
    s.segment_id = ++id;
    s.record_id = "fusion-" + std::to_string(id);
    s.witness_id = s.record_id;
    s.version = 1;
    s.lang = kTags[lang];
    s.consent = meta::Consent::kPublic;
    for (const auto& w : words) s.text += (s.text.empty() ? "" : " ") + w;
    EXPECT_TRUE(index->Put(s).ok());
    auto v = (*embedder)->EmbedPassages({s.text});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE((*semantic_index)->Put(s.segment_id, s.consent, (*v)[0]).ok());
    return s.segment_id;
  };
  auto word = [&](size_t c, int lang) { return std::string(kConcepts[c][lang]); };
  struct Question {
    std::string text, lang;
    int64_t want;
    enum { kByWords, kByMeaning, kByBoth } by;
  };
  std::vector<Question> questions;
  for (size_t k = 0; k < 8; ++k) {
    // Only by meaning: concepts k and 8+k, in French or Arabic, asked in English.
    int lang = k % 2 ? kFr : kAr;
    int64_t target = put(lang, {word(k, lang), word(8 + k, lang)});
    questions.push_back(
        {word(k, kEn) + " " + word(8 + k, kEn), "en", target, Question::kByMeaning});
    // Near it in meaning, not the same: concept k with another.
    put(k % 2 ? kAr : kFr, {word(k, k % 2 ? kAr : kFr), word(8 + (k + 3) % 8, k % 2 ? kAr : kFr)});
    // Only by words: a name the model does not know, in Hebrew (whose segments hold concepts
    // 0-7 only), asked with the name and a concept of 8-15, which the model finds elsewhere.
    target = put(kHe, {kNames[k], word(k, kHe), word((k + 2) % 8, kHe)});
    questions.push_back(
        {std::string(kNames[k]) + " " + word(8 + k, kHe), "he", target, Question::kByWords});
    // Others: concepts 8-15 in French and Arabic, 0-7 in Hebrew.
    put(k % 2 ? kFr : kAr,
        {word(8 + k, k % 2 ? kFr : kAr), word(8 + (k + 1) % 8, k % 2 ? kFr : kAr)});
    put(kHe, {word(k, kHe), word((k + 3) % 8, kHe)});
  }
  for (size_t k = 0; k < 4; ++k) {
    // By both: a name and two concepts, asked in English. Words alone put the shorter segment
    // with the name (and nothing the model knows) first; meaning alone finds the right one
    // among others that say the same and have no name.
    int64_t target = put(kFr, {kOtherNames[k], word(k, kFr), word(8 + (k + 5) % 8, kFr)});
    put(kFr, {kOtherNames[k], kOtherNames[k]});
    questions.push_back(
        {std::string(kOtherNames[k]) + " " + word(k, kEn) + " " + word(8 + (k + 5) % 8, kEn), "en",
         target, Question::kByBoth});
  }
  ASSERT_TRUE(index->Commit().ok());
  ASSERT_EQ(id, 48);

  SemanticSearch semantic = [&](std::string_view q, Role role,
                                size_t k) -> Result<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(std::vector<float> v, (*embedder)->EmbedQuery(q));
    return (*semantic_index)->Search(v, role, k);
  };
  // Each path's ranking of the corpus for a question: words only, meaning only, fused.
  auto words_only = [&](const Question& q) {
    RetrieveRequest req{.question = q.text, .lang = q.lang, .depth = 48};
    auto r = Retrieve(index.get(), nullptr, nullptr, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<int64_t> ids;
    for (const auto& i : r->items) ids.push_back(i.segment.hit.segment_id);
    return ids;
  };
  auto meaning_only = [&](const Question& q) {
    auto r = semantic(q.text, Role::kAnonymous, 48);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  };
  auto fused = [&](const Question& q) {
    RetrieveRequest req{.question = q.text, .lang = q.lang, .depth = 48};
    auto r = Retrieve(index.get(), nullptr, semantic, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<int64_t> ids;
    for (const auto& i : r->items) ids.push_back(i.segment.hit.segment_id);
    return ids;
  };
  struct Scores {
    Score all, words, meaning, both;  // over every question, and each kind's
  };
  auto measure = [&](const std::string& name, auto rank_of) {
    Scores s;
    for (const auto& q : questions) {
      std::vector<int64_t> ids = rank_of(q);
      auto at = std::find(ids.begin(), ids.end(), q.want);
      if (at == ids.end()) continue;
      size_t rank = static_cast<size_t>(at - ids.begin()) + 1;
      Score* kind = q.by == Question::kByWords     ? &s.words
                    : q.by == Question::kByMeaning ? &s.meaning
                                                   : &s.both;
      double of_kind = static_cast<double>(std::count_if(
          questions.begin(), questions.end(), [&](const Question& o) { return o.by == q.by; }));
      for (auto [part, of] :
           {std::pair{&s.all, static_cast<double>(questions.size())}, std::pair{kind, of_kind}}) {
        part->recall10 += (rank <= 10 ? 1.0 : 0.0) / of;
        part->mrr += 1.0 / static_cast<double>(rank) / of;
      }
    }
    std::printf(
        "ask-fusion %s: recall@10 %.3f, MRR %.3f (%zu questions; by words %.3f/%.3f, by meaning "
        "%.3f/%.3f, by both %.3f/%.3f)\n",
        name.c_str(), s.all.recall10, s.all.mrr, questions.size(), s.words.recall10, s.words.mrr,
        s.meaning.recall10, s.meaning.mrr, s.both.recall10, s.both.mrr);
    return s;
  };
  Scores words = measure("words only", words_only);
  Scores meaning = measure("meaning only", meaning_only);
  Scores fusion = measure("fused", fused);

  // Each path alone answers its own half (so the corpus is what it claims to be), and not the
  // other's.
  EXPECT_GE(words.words.mrr, 0.99) << "the names must find their segments by words";
  EXPECT_GE(meaning.meaning.mrr, 0.99) << "the model must find translations by meaning";
  EXPECT_EQ(words.meaning.recall10, 0) << "no English segment: words alone find nothing";
  // Four segments hold the question's concept; the name's segment is among the rest, unmet.
  EXPECT_LE(meaning.words.mrr, 1.0 / 5 + 1e-9) << "the model does not know names";
  EXPECT_LE(words.both.mrr, 0.5 + 1e-9) << "words alone put the shorter segment first";
  // Fusion keeps what each path finds and beats each alone.
  constexpr double kFusionGain = 0.25;
  EXPECT_GE(fusion.words.mrr, words.words.mrr - 1e-9) << "fusion lost what words find";
  EXPECT_GE(fusion.meaning.mrr, meaning.meaning.mrr - 1e-9) << "fusion lost what meaning finds";
  EXPECT_GE(fusion.both.mrr, 0.99) << "fusion must count both lists (not one after the other)";
  for (const Scores* alone : {&words, &meaning}) {
    EXPECT_GE(fusion.all.recall10, alone->all.recall10 + kFusionGain) << "recall@10";
    EXPECT_GE(fusion.all.mrr, alone->all.mrr + kFusionGain) << "MRR";
  }
  // Floors: measured (1.00 and 1.00), each far above chance.
  constexpr Score kFloor{.recall10 = 1.0, .mrr = 1.0};
  const Score chance = Chance(48);
  EXPECT_GE(kFloor.recall10, chance.recall10 + kMargin);
  EXPECT_GE(kFloor.mrr, chance.mrr + kMargin);
  EXPECT_GE(fusion.all.recall10 + 1e-9, kFloor.recall10) << "fused recall@10 below its floor";
  EXPECT_GE(fusion.all.mrr + 1e-9, kFloor.mrr) << "fused MRR below its floor";
}

}  // namespace
}  // namespace attest::search
