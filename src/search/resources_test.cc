#include "search/resources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/temp_dir.h"
#include "search/embedder_testing.h"

namespace attest::search {
namespace {

using ::testing::HasSubstr;

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) d += static_cast<double>(a[i]) * b[i];
  return d;
}

class ResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir_.path();
    TestModelShape narrow, wide;
    wide.embd = 48;
    ASSERT_TRUE(WriteTestEmbeddingModel(dir_ + "/narrow.gguf", narrow).ok());
    ASSERT_TRUE(WriteTestEmbeddingModel(dir_ + "/wide.gguf", wide).ok());
  }

  meta::ModelFile Model(const std::string& sha256, const std::string& file,
                        const std::string& info = "{}") {
    meta::ModelFile m;
    m.sha256 = sha256 + std::string(64 - sha256.size(), '0');
    m.kind = "embedding";
    m.name = file;
    m.path = dir_ + "/" + file;
    m.info = info;
    return m;
  }

  TempDir temp_dir_{"attest-resources"};  // removed when the test ends
  std::string dir_;
};

TEST_F(ResourcesTest, LoadsAModelOnceAndAgainWhenAnotherIsRegistered) {
  Resources r(dir_);
  auto narrow = r.Dims(Model("aa", "narrow.gguf"));
  ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
  EXPECT_EQ(*narrow, 32u);
  EXPECT_EQ(*r.Dims(Model("bb", "wide.gguf")), 48u);
  EXPECT_EQ(*r.Dims(Model("aa", "narrow.gguf")), 32u);
  // The model loaded is known by its SHA-256: its file is not read again.
  EXPECT_EQ(*r.Dims(Model("aa", "gone.gguf")), 32u);
}

TEST_F(ResourcesTest, NamesTheRegisteredModelThatCannotBeLoaded) {
  Resources r(dir_);
  auto d = r.Dims(Model("0123456789abcdef", "gone.gguf"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kNotFound);
  EXPECT_THAT(d.status().message(), HasSubstr("the registered embedding model 0123456789ab"));
  EXPECT_THAT(d.status().message(), HasSubstr(dir_ + "/gone.gguf"));
  auto q = r.EmbedQuery(Model("0123456789abcdef", "gone.gguf"), "where");
  EXPECT_EQ(q.status().code(), Code::kNotFound);
}

TEST_F(ResourcesTest, AQuestionGetsThePrefixTheModelsInfoNames) {
  Resources r(dir_);
  auto plain = r.EmbedQuery(Model("aa", "narrow.gguf"), "the hospital");
  auto prefixed =
      r.EmbedQuery(Model("cc", "narrow.gguf", R"({"query_prefix":"query: "})"), "the hospital");
  ASSERT_TRUE(plain.ok() && prefixed.ok());
  EXPECT_LT(Dot(*plain, *prefixed), 0.9999);
  auto again = r.EmbedQuery(Model("aa", "narrow.gguf"), "the hospital");
  ASSERT_TRUE(again.ok());
  EXPECT_NEAR(Dot(*plain, *again), 1.0, 1e-4);
}

// A server's request threads share one holder: each use of the model waits for the others.
TEST_F(ResourcesTest, ThreadsShareOneModel) {
  auto shared = std::make_shared<Resources>(dir_);
  meta::ModelFile model = Model("aa", "narrow.gguf");
  auto expected = shared->EmbedQuery(model, "the hospital");
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto v = shared->EmbedQuery(model, "the hospital");
        auto p = shared->EmbedPassages(model, {"the hospital was full"});
        if (v.ok() && Dot(*v, *expected) > 0.9999 && p.ok() && p->size() == 1) ++same[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_THAT(same, ::testing::Each(5));
}

// Dictionaries that are not installed are simply not used; the translator is loaded once.
TEST_F(ResourcesTest, TheTranslatorIsLoadedOnce) {
  Resources r(dir_ + "/no-dictionaries");
  auto first = r.GetTranslator();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE((*first)->Reaches(text::Lang::kEnglish, text::Lang::kFrench));
  auto second = r.GetTranslator();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

}  // namespace
}  // namespace attest::search
