#include "core/json.h"

#include <gtest/gtest.h>

namespace attest {
namespace {

TEST(JsonTest, CanonicalSortsMembersByUtf16AndDropsWhitespace) {
  // RFC 8785 §3.2.3 orders by UTF-16 code units: U+1F600 (surrogates D83D..) sorts before
  // U+FB33 although its UTF-8 bytes sort after.
  Json j = Json::parse(R"({"b": 1, "a": [true, null, "x"], "\ufb33": 2, "\ud83d\ude00": 3})");
  EXPECT_EQ(*CanonicalJson(j),
            "{\"a\":[true,null,\"x\"],\"b\":1,\"\xF0\x9F\x98\x80\":3,"
            "\"\xEF\xAC\xB3\":2}");
}

TEST(JsonTest, CanonicalEscapesOnlyWhatItMust) {
  Json j = "a\"b\\c\n\x01/\xD7\x90";
  EXPECT_EQ(*CanonicalJson(j), "\"a\\\"b\\\\c\\n\\u0001/\xD7\x90\"");
}

TEST(JsonTest, CanonicalRejectsFloatsAndBadUtf8) {
  EXPECT_FALSE(CanonicalJson(Json(1.5)).ok());
  EXPECT_FALSE(CanonicalJson(Json(std::string("\xff"))).ok());
  EXPECT_FALSE(CanonicalJson(Json(int64_t{1} << 60)).ok());
}

TEST(JsonTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("שלום عربي"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(JsonTest, CodePoints) {
  EXPECT_EQ(CodePoints(""), 0u);
  EXPECT_EQ(CodePoints("abc"), 3u);
  EXPECT_EQ(CodePoints("שלום عربي"), 9u);
  EXPECT_EQ(CodePoints("\xF0\x9F\x98\x80!"), 2u);  // U+1F600 and '!'
}

TEST(JsonTest, ParseNamesInputOnError) {
  auto r = ParseJson("{oops", "--meta");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--meta"), std::string::npos);
}

TEST(JsonTest, Rfc3339) { EXPECT_EQ(FormatRfc3339(1700000000123456), "2023-11-14T22:13:20Z"); }

}  // namespace
}  // namespace attest
