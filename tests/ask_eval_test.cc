// Cross-language evaluation of Ask's retrieval on parallel text: the Universal Declaration of
// Human Rights (samples/udhr; United Nations, 1948; see samples/README.md), whose article N is
// the same text in Arabic, Hebrew, English and French. Each article of each language is a
// segment of its own. For every ordered pair of languages (A, B) and every article N, the
// question is article N in A, asked with the filter lang:B; the rank of article N in B is
// recorded. Prints recall@10 and MRR per pair and path, and fails when one falls below the
// floor recorded in tests/ask_eval_floors.tsv (a regression).
//
// Paths: "dictionary" (no model: the question's words and their FreeDict translations), and,
// when ATTEST_EMBED_MODEL names an embedding GGUF file, "semantic" (the same plus the semantic
// index built with that model; README, "Ask across languages").
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "search/ask.h"
#include "search/embedder.h"
#include "search/embedder_testing.h"
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

std::map<std::string, Score> Floors() {
  std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/tests/ask_eval_floors.tsv");
  std::map<std::string, Score> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string path, pair;
    Score s;
    f >> path >> pair >> s.recall10 >> s.mrr;
    out[path + " " + pair] = s;
  }
  return out;
}

class AskEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/attest-ask-eval-XXXXXX";
    dir_ = mkdtemp(tmpl);
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

  // Runs every pair on one path and checks it against the floors (unless `check` is false).
  // The semantic path with no floor of its own must not fall below the dictionary's.
  void Evaluate(const std::string& path, const SemanticSearch& semantic, bool check = true) {
    auto floors = Floors();
    for (auto [fa, a] : kLangs) {
      for (auto [fb, b] : kLangs) {
        if (std::string(a) == b) continue;
        Score s;
        for (size_t n = 0; n < 30; ++n) {
          RetrieveRequest req;
          req.question = Cut(articles_[a][n], 1000);
          req.lang = a;
          req.filters = std::string("lang:") + b;
          req.depth = 30;
          auto r = Retrieve(index_.get(), translator_.get(), semantic, req);
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          std::string want = std::string("udhr-") + b + "-" + std::to_string(n + 1);
          for (size_t i = 0; i < r->items.size(); ++i) {
            if (r->items[i].segment.record_id != want) continue;
            if (i < 10) s.recall10 += 1.0 / 30;
            s.mrr += 1.0 / static_cast<double>(i + 1) / 30;
            break;
          }
        }
        std::string pair = std::string(a) + "->" + b;
        std::printf("ask-eval %s %s: recall@10 %.3f, MRR %.3f (30 articles)\n", path.c_str(),
                    pair.c_str(), s.recall10, s.mrr);
        if (!check) continue;
        auto f = floors.find(path + " " + pair);
        if (f == floors.end() && path == "semantic") f = floors.find("dictionary " + pair);
        if (f == floors.end()) {
          ADD_FAILURE() << "no floor for " << path << " " << pair << " in ask_eval_floors.tsv";
          continue;
        }
        EXPECT_GE(s.recall10 + 1e-9, f->second.recall10) << path << " " << pair;
        EXPECT_GE(s.mrr + 1e-9, f->second.mrr) << path << " " << pair;
      }
    }
  }

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
// checked against the floors; without one, the harness runs on a model with random weights the
// test writes, which proves the plumbing only (its figures mean nothing and are not checked).
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

}  // namespace
}  // namespace attest::search
