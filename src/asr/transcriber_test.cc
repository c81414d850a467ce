#include "asr/transcriber.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "asr/model.h"
#include "core/json.h"

namespace attest::asr {
namespace {

// A 16-bit PCM WAV file's samples (the test's own inputs: jfk.wav, sox's output).
std::vector<float> ReadWav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string b((std::istreambuf_iterator<char>(in)), {});
  EXPECT_GT(b.size(), 44u) << path;
  size_t at = 12;
  while (at + 8 <= b.size()) {
    uint32_t len;
    std::memcpy(&len, b.data() + at + 4, 4);
    if (b.compare(at, 4, "data") == 0) {
      std::vector<float> out(std::min<size_t>(len, b.size() - at - 8) / 2);
      for (size_t i = 0; i < out.size(); ++i) {
        int16_t v;
        std::memcpy(&v, b.data() + at + 8 + 2 * i, 2);
        out[i] = v / 32768.0f;
      }
      return out;
    }
    at += 8 + len + (len & 1);
  }
  ADD_FAILURE() << path << ": no data chunk";
  return {};
}

class TranscriberTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string t = testing::TempDir() + "asr-XXXXXX";
    ASSERT_NE(mkdtemp(t.data()), nullptr);
    dir_ = new std::string(t);
    auto shape = ShapeNamed("test");
    ASSERT_TRUE(shape.ok());
    // Words of the four languages, so that even random weights write readable UTF-8.
    std::vector<std::string> words = {"שלום",    "עולם",  "سلام",   "عالم", "hello",  "world",
                                      "bonjour", "monde", "זכויות", "حقوق", "rights", "droits"};
    ASSERT_TRUE(WriteRandomModel(Env::Default(), *dir_ + "/test.bin", *shape, words, 42).ok());
    auto t2 = Transcriber::Load(*dir_ + "/test.bin");
    ASSERT_TRUE(t2.ok()) << t2.status().ToString();
    model_ = t2->release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
  }

  // Checks what every transcript must be: ordered, not overlapping, inside the audio, with
  // valid text and words inside their segment.
  static void ExpectWellFormed(const Transcript& t) {
    int64_t prev_end = 0;
    for (const Segment& s : t.segments) {
      EXPECT_GE(s.start_ms, prev_end);
      EXPECT_LE(s.start_ms, s.end_ms);
      EXPECT_LE(s.end_ms, t.duration_ms + 10);
      EXPECT_FALSE(s.text.empty());
      EXPECT_TRUE(IsValidUtf8(s.text));
      EXPECT_GE(s.confidence, 0.0f);
      EXPECT_LE(s.confidence, 1.0f);
      for (const Word& w : s.words) {
        EXPECT_GE(w.start_ms, s.start_ms);
        EXPECT_LE(w.end_ms, s.end_ms);
        EXPECT_NE(s.text.find(w.text), std::string::npos) << w.text << " in " << s.text;
      }
      prev_end = s.end_ms;
    }
  }

  static std::string* dir_;
  static Transcriber* model_;
};
std::string* TranscriberTest::dir_ = nullptr;
Transcriber* TranscriberTest::model_ = nullptr;

TEST_F(TranscriberTest, JfkWavIsReadInOneWindowIntoOrderedSegments) {
  MemoryPcm pcm(ReadWav(std::string(ATTEST_SOURCE_DIR) +
                        "/third_party/_src/whisper.cpp/bindings/go/samples/jfk.wav"));
  TranscribeOptions o;
  o.language = "en";
  o.beam_size = 1;
  auto t = model_->Run(&pcm, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->duration_ms, 11000);
  EXPECT_EQ(t->windows, 1u);
  EXPECT_GT(t->tokens, 0u);
  ASSERT_FALSE(t->segments.empty());
  ExpectWellFormed(*t);
  for (const Segment& s : t->segments) EXPECT_EQ(s.lang, "en");
}
}  // namespace
}  // namespace attest::asr
