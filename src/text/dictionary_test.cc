#include "text/dictionary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>

#include "core/temp_dir.h"

namespace attest::text {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// dictd's base64 number.
std::string B64(int64_t n) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[n % 64]);
    n /= 64;
  } while (n > 0);
  return out;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = data.size();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = out.size();
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A small dictionary in dictd's format (sample entries, not FreeDict's), compressed or not.
std::pair<std::string, std::string> Sample(const std::string& dir, bool gzip) {
  std::vector<std::pair<std::string, std::string>> entries = {
      {"00databaseinfo", "00-database-info\nA sample dictionary for a test.\n"},
      {"hôpital", "hôpital /opital/ <n, masc>\nhospital\n"},
      {"pont", "pont /pɔ̃/ <n, masc>\nbridge; deck (of a ship)\nbridge\n"},
      {"Matin", "matin /matɛ̃/\nmorning, forenoon\n"}};
  std::string dict, index;
  for (const auto& [head, body] : entries) {
    index += head + "\t" + B64(static_cast<int64_t>(dict.size())) + "\t" +
             B64(static_cast<int64_t>(body.size())) + "\n";
    dict += body;
  }
  std::string base = dir + "/sample";
  WriteFile(base + ".index", index);
  WriteFile(base + (gzip ? ".dict.dz" : ".dict"), gzip ? Gzip(dict) : dict);
  return {base + ".index", base + (gzip ? ".dict.dz" : ".dict")};
}

TEST(DictionaryTest, ReadsDictdIndexAndEntriesCompressedOrNot) {
  TempDir temp_dir("attest-dict");
  std::string dir = temp_dir.path();
  for (bool gzip : {true, false}) {
    auto [index, dict] = Sample(dir, gzip);
    auto d = Dictionary::Load(index, dict, Lang::kFrench, Lang::kEnglish);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ((*d)->size(), 3u);  // the 00database header is no word
    EXPECT_THAT((*d)->Translate("hôpital"), ElementsAre("hospital"));
    EXPECT_THAT((*d)->Translate("HÔPITAL"), ElementsAre("hospital"));
    // Several lines, separators and brackets: each translation once, in order.
    EXPECT_THAT((*d)->Translate("pont"), ElementsAre("bridge", "deck"));
    EXPECT_THAT((*d)->Translate("matin"), ElementsAre("morning", "forenoon"));
    EXPECT_TRUE((*d)->Translate("00databaseinfo").empty());
    EXPECT_TRUE((*d)->Translate("rivière").empty());
  }
}

TEST(DictionaryTest, ABrokenIndexIsNamedByFileAndLine) {
  TempDir temp_dir("attest-dict");
  std::string dir = temp_dir.path();
  auto [index, dict] = Sample(dir, false);
  WriteFile(index, "pont\tA\tB\nbroken line without tabs\n");
  auto bad = Dictionary::Load(index, dict, Lang::kFrench, Lang::kEnglish);
  EXPECT_EQ(bad.status().code(), Code::kCorruption);
  EXPECT_NE(bad.status().message().find(index + ":2"), std::string::npos) << bad.status().message();
  WriteFile(index, "pont\tA\tzzzz\n");  // past the end of the entries
  EXPECT_EQ(Dictionary::Load(index, dict, Lang::kFrench, Lang::kEnglish).status().code(),
            Code::kCorruption);
  WriteFile(dict + ".dz", std::string("\x1f\x8b") + "not gzip at all");
  EXPECT_EQ(Dictionary::Load(index, dict + ".dz", Lang::kFrench, Lang::kEnglish).status().code(),
            Code::kCorruption);
  EXPECT_TRUE(Dictionary::Load(dir + "/none.index", dict, Lang::kFrench, Lang::kEnglish)
                  .status()
                  .IsNotFound());
}

// Debian's FreeDict files, as scripts/install-deps.sh installs them.
TEST(DictionaryTest, DebiansFreeDictPairsTranslateBetweenArabicFrenchAndEnglish) {
  auto fr_en = Dictionary::FreeDict(Lang::kFrench, Lang::kEnglish);
  ASSERT_TRUE(fr_en.ok()) << fr_en.status().ToString() << " (run scripts/install-deps.sh)";
  EXPECT_GT((*fr_en)->size(), 5000u);
  EXPECT_THAT((*fr_en)->Translate("Hôpital"), Contains("hospital"));
  auto en_fr = Dictionary::FreeDict(Lang::kEnglish, Lang::kFrench);
  ASSERT_TRUE(en_fr.ok()) << en_fr.status().ToString();
  EXPECT_THAT((*en_fr)->Translate("hospital"), Contains("hôpital"));
  auto en_ar = Dictionary::FreeDict(Lang::kEnglish, Lang::kArabic);
  ASSERT_TRUE(en_ar.ok()) << en_ar.status().ToString();
  EXPECT_GT((*en_ar)->size(), 20000u);
  EXPECT_THAT((*en_ar)->Translate("Hospital"), Contains("المستشفى"));
  auto ar_en = Dictionary::FreeDict(Lang::kArabic, Lang::kEnglish);
  ASSERT_TRUE(ar_en.ok()) << ar_en.status().ToString();
  // Looked up folded: with or without its vowel marks.
  EXPECT_FALSE((*ar_en)->Translate("مستشفى").empty());
  EXPECT_EQ((*ar_en)->Translate("مُستَشفى"), (*ar_en)->Translate("مستشفى"));
  // Hebrew has no pair in Debian, and says so.
  auto he = Dictionary::FreeDict(Lang::kHebrew, Lang::kEnglish);
  EXPECT_TRUE(he.status().IsNotFound());
  EXPECT_NE(he.status().message().find("no FreeDict dictionary from he to en"), std::string::npos);
}

}  // namespace
}  // namespace attest::text
