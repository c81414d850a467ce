#include "asr/model.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/hash.h"
#include "core/temp_dir.h"

namespace attest::asr {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ModelTest, ARandomModelOfTheTestShapeIsInspectedAsAWholeWhisperModel) {
  TempDir temp_dir("attest-asr-model");
  std::string dir = temp_dir.path();
  auto shape = ShapeNamed("test");
  ASSERT_TRUE(shape.ok());
  std::string path = dir + "/test.bin";
  ASSERT_TRUE(WriteRandomModel(Env::Default(), path, *shape, {"שלום", "سلام", "hello"}, 1).ok());
  auto info = InspectModel(Env::Default(), path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->type, "custom");
  EXPECT_EQ(info->shape.n_audio_state, 64);
  EXPECT_EQ(info->tensors, 7u + 15u + 4u + 24u);  // globals and one block each side
  std::string bytes = ReadAll(path);
  EXPECT_EQ(info->bytes, bytes.size());
  EXPECT_EQ(info->sha256, ToHex(Sha256(bytes)));
  // The same seed writes the same file; another seed another.
  ASSERT_TRUE(
      WriteRandomModel(Env::Default(), dir + "/again.bin", *shape, {"שלום", "سلام", "hello"}, 1)
          .ok());
  EXPECT_EQ(ReadAll(dir + "/again.bin"), bytes);
  ASSERT_TRUE(
      WriteRandomModel(Env::Default(), dir + "/other.bin", *shape, {"שלום", "سلام", "hello"}, 2)
          .ok());
  EXPECT_NE(ReadAll(dir + "/other.bin"), bytes);
}

TEST(ModelTest, TheNamedShapesAreOpenAIsPublishedOnes) {
  auto turbo = ShapeNamed("large-v3-turbo");
  ASSERT_TRUE(turbo.ok());
  EXPECT_EQ(turbo->n_audio_layer, 32);
  EXPECT_EQ(turbo->n_text_layer, 4);
  EXPECT_EQ(turbo->n_mels, 128);
  EXPECT_EQ(turbo->n_vocab, 51866);
  auto small = ShapeNamed("small");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->n_audio_state, 768);
  EXPECT_EQ(ShapeNamed("huge").status().code(), Code::kInvalidArgument);
}

TEST(ModelTest, TruncatedAndForeignFilesAreNamedWithWhatIsWrong) {
  TempDir temp_dir("attest-asr-model");
  std::string dir = temp_dir.path();
  auto shape = ShapeNamed("test");
  ASSERT_TRUE(shape.ok());
  ASSERT_TRUE(WriteRandomModel(Env::Default(), dir + "/m.bin", *shape, {}, 7).ok());
  std::string bytes = ReadAll(dir + "/m.bin");
  struct Case {
    std::string name, bytes, says;
  };
  std::vector<Case> cases = {
      {"empty.bin", "", "not a whisper model"},
      {"text.bin", "this is a text file, not a model\n", "not a whisper model"},
      {"gguf.bin", "GGUF" + std::string(60, '\0'), "magic"},
      {"header.bin", bytes.substr(0, 20), "truncated at byte 20"},
      {"mel.bin", bytes.substr(0, 60000), "inside the mel filters"},
      {"vocab.bin", bytes.substr(0, 100000), "inside the vocabulary"},
      {"tensor.bin", bytes.substr(0, bytes.size() - 1000), "truncated"},
      {"half.bin", bytes.substr(0, bytes.size() / 2), "truncated"},
  };
  for (const Case& c : cases) {
    std::string path = dir + "/" + c.name;
    WriteAll(path, c.bytes);
    auto info = InspectModel(Env::Default(), path);
    ASSERT_FALSE(info.ok()) << c.name;
    EXPECT_EQ(info.status().code(), Code::kInvalidArgument) << c.name;
    EXPECT_NE(info.status().message().find(path), std::string::npos) << info.status().ToString();
    EXPECT_NE(info.status().message().find(c.says), std::string::npos)
        << c.name << ": " << info.status().ToString();
  }
  // A file cut exactly between two tensors is whole but for the tensor it lacks: the last one
  // written, decoder.blocks.0.cross_attn.out.bias, is a 52-byte header and 64 floats.
  const std::string last = "decoder.blocks.0.cross_attn.out.bias";
  WriteAll(dir + "/cut.bin", bytes.substr(0, bytes.size() - (12 + 4 + last.size() + 64 * 4)));
  auto cut = InspectModel(Env::Default(), dir + "/cut.bin");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("1 of 50 tensors are missing (the first: '" + last + "')"),
            std::string::npos)
      << cut.status().ToString();
  EXPECT_EQ(InspectModel(Env::Default(), dir + "/nothing.bin").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace attest::asr
