#include "search/embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "core/temp_dir.h"
#include "search/embedder_testing.h"

namespace attest::search {
namespace {

using ::testing::HasSubstr;

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += static_cast<double>(a[i]) * b[i];
  return d;
}

class EmbedderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir_.path();
    path_ = dir_ + "/tiny.gguf";
    ASSERT_TRUE(WriteTestEmbeddingModel(path_, {}).ok());
  }
  TempDir temp_dir_{"attest-embed"};  // removed when the test ends
  std::string dir_, path_;
};

// The real llama.cpp loading and inference code runs on a model the test wrote (random
// weights, real GGUF format).
TEST_F(EmbedderTest, ATinyRandomModelEmbedsTextsOfEveryScriptAsUnitVectors) {
  auto e = Embedder::Load(path_,
                          {.threads = 1, .query_prefix = "query: ", .passage_prefix = "passage: "});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->dims(), 32u);
  EXPECT_EQ((*e)->architecture(), "bert");
  EXPECT_EQ((*e)->model_name(), "attest-test-random-bert");
  std::vector<std::string> texts = {"The hospital was full.", "L'hôpital était plein.",
                                    "كان المستشفى ممتلئا", "בית החולים היה מלא",
                                    std::string(5000, 'a')};  // longer than the model reads
  auto v = (*e)->EmbedPassages(texts);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), texts.size());
  for (const auto& x : *v) {
    ASSERT_EQ(x.size(), 32u);
    EXPECT_NEAR(Dot(x, x), 1.0, 1e-4);
  }
  EXPECT_LT(Dot((*v)[0], (*v)[2]), 0.9999) << "different texts, different vectors";
  // The same text gives the same vector, alone or in a batch.
  auto again = (*e)->EmbedPassages({texts[2]});
  ASSERT_TRUE(again.ok());
  EXPECT_NEAR(Dot((*again)[0], (*v)[2]), 1.0, 1e-4);
  // A question has its own prefix, so its vector differs from the same words as a passage.
  auto q = (*e)->EmbedQuery(texts[0]);
  ASSERT_TRUE(q.ok());
  EXPECT_LT(Dot(*q, (*v)[0]), 0.9999);
}

// A constructed model: a word and its translation share a direction, so texts that say the
// same thing in two languages embed alike, and texts about other things do not.
TEST_F(EmbedderTest, AConstructedModelEmbedsAWordAndItsTranslationAlike) {
  TestModelShape shape;
  shape.layers = 1;
  auto direction = [](size_t concept_index) {
    std::vector<float> v(32, 0.0f);
    v[2 * concept_index] = 1;  // zero mean: LayerNorm keeps the direction
    v[2 * concept_index + 1] = -1;
    return v;
  };
  shape.word_vectors = {{"hospital", direction(0)},
                        {"מרפאה", direction(0)},
                        {"bread", direction(1)},
                        {"خبز", direction(1)}};
  std::string path = dir_ + "/constructed.gguf";
  ASSERT_TRUE(WriteTestEmbeddingModel(path, shape).ok());
  auto e = Embedder::Load(path, {.threads = 1});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->model_name(), "attest-test-constructed-bert");
  auto v = (*e)->EmbedPassages({"the hospital", "מרפאה", "bread", "خبز", "hospital bread"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_GT(Dot((*v)[0], (*v)[1]), 0.999) << "unknown words (the) weigh nothing";
  EXPECT_GT(Dot((*v)[2], (*v)[3]), 0.999);
  EXPECT_NEAR(Dot((*v)[0], (*v)[2]), 0.0, 1e-3);
  EXPECT_NEAR(Dot((*v)[4], (*v)[1]), std::sqrt(0.5), 1e-3);
  shape.word_vectors[0].second.pop_back();
  EXPECT_EQ(WriteTestEmbeddingModel(path, shape).code(), Code::kInvalidArgument);
}

TEST_F(EmbedderTest, FilesThatAreNotEmbeddingModelsAreRefusedByName) {
  EXPECT_EQ(Embedder::Load(dir_ + "/absent.gguf", {}).status().code(), Code::kNotFound);
  std::ofstream(dir_ + "/junk.gguf") << "GGUF but not really";
  auto junk = Embedder::Load(dir_ + "/junk.gguf", {});
  EXPECT_EQ(junk.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(junk.status().message(), HasSubstr("junk.gguf"));
  // Cut short.
  std::ifstream in(path_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir_ + "/cut.gguf", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_EQ(Embedder::Load(dir_ + "/cut.gguf", {}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace attest::search
