#include "asr/transcriber.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "asr/model.h"
#include "core/json.h"
#include "core/temp_dir.h"

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
    temp_dir_ = new TempDir("attest-asr");
    dir_ = new std::string(temp_dir_->path());
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
    delete temp_dir_;
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

  static TempDir* temp_dir_;
  static std::string* dir_;
  static Transcriber* model_;
};
TempDir* TranscriberTest::temp_dir_ = nullptr;
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
// Speech in the four languages (espeak-ng reading the opening of the Universal Declaration in
// each: a sample, not testimony), one after another with pauses, about two minutes: read in
// several windows, each window's language chosen among the four.
TEST_F(TranscriberTest, SpeechInFourLanguagesOverSeveralWindowsIsCoveredInOrder) {
  std::string dir = *dir_ + "/four";
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::string parts;
  for (auto [voice, file] : {std::pair{"he", "heb"}, {"ar", "arb"}, {"en", "eng"}, {"fr", "fra"}}) {
    std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/samples/udhr/" + file + ".txt");
    std::string line, text;
    std::getline(in, line);  // the title
    std::getline(in, text);  // the first paragraph of the preamble
    std::ofstream(dir + "/" + file + ".txt") << text;
    std::string wav = dir + "/" + file + ".wav";
    ASSERT_EQ(std::system(("espeak-ng -v " + std::string(voice) + " -s 150 -f " + dir + "/" + file +
                           ".txt -w " + wav)
                              .c_str()),
              0);
    parts += " " + wav + " " + dir + "/pause.wav";
  }
  ASSERT_EQ(std::system(("sox -n -r 22050 -c 1 -b 16 " + dir + "/pause.wav trim 0 2").c_str()), 0);
  ASSERT_EQ(
      std::system(("sox" + parts + parts + " -r 16000 -c 1 -b 16 " + dir + "/all.wav").c_str()), 0);
  std::vector<float> samples = ReadWav(dir + "/all.wav");
  int64_t duration_ms = static_cast<int64_t>(samples.size()) * 1000 / kSampleRate;
  ASSERT_GT(duration_ms, 60000);
  // Where there is sound: the first and last samples above -40 dBFS.
  size_t first = 0, last = samples.size();
  while (first < samples.size() && std::abs(samples[first]) < 0.01f) ++first;
  while (last > first && std::abs(samples[last - 1]) < 0.01f) --last;
  MemoryPcm pcm(std::move(samples));
  TranscribeOptions o;
  o.beam_size = 1;
  o.fallback = false;  // windows and languages are tested here, not the decoder's retries
  auto t = model_->Run(&pcm, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->duration_ms, duration_ms);
  EXPECT_GE(t->windows, 3u);
  ASSERT_FALSE(t->segments.empty());
  ExpectWellFormed(*t);
  for (const Segment& s : t->segments) {
    EXPECT_TRUE(s.lang == "he" || s.lang == "ar" || s.lang == "en" || s.lang == "fr") << s.lang;
  }
  // The segments reach from the first sound to the last: no window of speech left unread.
  EXPECT_LE(t->segments.front().start_ms, static_cast<int64_t>(first) * 1000 / kSampleRate + 1000);
  EXPECT_GE(t->segments.back().end_ms, static_cast<int64_t>(last) * 1000 / kSampleRate - 30000);
  int64_t covered = 0;
  for (const Segment& s : t->segments) covered += s.end_ms - s.start_ms;
  EXPECT_GT(covered, (static_cast<int64_t>(last - first) * 1000 / kSampleRate) / 2);
}

}  // namespace
}  // namespace attest::asr
