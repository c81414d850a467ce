#include "http/head.h"

#include <gtest/gtest.h>

namespace attest::http {
namespace {

HeadParse Parse(std::string_view in, HeadLimits limits = {}) {
  return ParseRequestHead(in, limits);
}

TEST(HeadTest, AWholeHeadIsParsedAndItsLengthExcludesTheBody) {
  std::string in = "POST /login?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length:  3 \r\n\r\nabc";
  HeadParse p = Parse(in);
  ASSERT_EQ(p.state, HeadState::kComplete) << p.error;
  EXPECT_EQ(p.head.method, "POST");
  EXPECT_EQ(p.head.target, "/login?x=1");
  EXPECT_EQ(p.head.version, "HTTP/1.1");
  ASSERT_EQ(p.head.fields.size(), 2u);
  EXPECT_EQ(*p.head.Find("content-length"), "3");
  EXPECT_EQ(p.head.length, in.size() - 3);
}

TEST(HeadTest, BareLineFeedsEndLinesAndLeadingEmptyLinesAreSkipped) {
  HeadParse p = Parse("\r\nGET / HTTP/1.0\nHost: a\n\n");
  ASSERT_EQ(p.state, HeadState::kComplete) << p.error;
  EXPECT_EQ(p.head.version, "HTTP/1.0");
  EXPECT_EQ(*p.head.Find("Host"), "a");
}

TEST(HeadTest, AHeadWithoutItsBlankLineIsIncompleteUntilItPassesTheBound) {
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nHost: a\r\n").state, HeadState::kIncomplete);
  EXPECT_EQ(Parse("GET / HTT").state, HeadState::kIncomplete);
  HeadLimits small{64, 100};
  std::string endless = "GET / HTTP/1.1\r\nX: " + std::string(100, 'a');
  EXPECT_EQ(Parse(endless, small).state, HeadState::kTooLarge);
  // A head that ends after the bound is too large even when its end has arrived.
  EXPECT_EQ(Parse(endless + "\r\n\r\n", small).state, HeadState::kTooLarge);
}

TEST(HeadTest, MoreHeaderLinesThanTheBoundAreTooLargeBeforeTheHeadEnds) {
  std::string in = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) in += "X: v\r\n";
  EXPECT_EQ(Parse(in).state, HeadState::kTooLarge);
  EXPECT_FALSE(Parse(in).error.empty());
}

TEST(HeadTest, MalformedHeadsAreRefusedWithAReason) {
  for (const char* bad : {
           "GARBAGE\r\n\r\n",                             // no target, no version
           "GET  / HTTP/1.1\r\n\r\n",                     // two spaces
           "GET / HTTP/2.0\r\n\r\n",                      // another version
           "G(T / HTTP/1.1\r\n\r\n",                      // method not a token
           "GET /\x01 HTTP/1.1\r\n\r\n",                  // control in target
           "GET / HTTP/1.1\r\nHost : a\r\n\r\n",          // space before the colon
           "GET / HTTP/1.1\r\nHost a\r\n\r\n",            // no colon
           "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",        // folded
           "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",           // bare CR
           "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n",          // DEL
           "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n",  // too many empty lines first
       }) {
    HeadParse p = Parse(bad);
    EXPECT_EQ(p.state, HeadState::kMalformed) << bad;
    EXPECT_FALSE(p.error.empty()) << bad;
  }
}

TEST(RangeTest, OneRangeOfEachFormParses) {
  auto a = ParseRange("bytes=0-99");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ToHeader(), "bytes=0-99");
  EXPECT_EQ(ParseRange("bytes=9500-")->ToHeader(), "bytes=9500-");
  EXPECT_EQ(ParseRange("bytes=-500")->ToHeader(), "bytes=-500");
  EXPECT_EQ(ParseRange("Bytes = 1-2")->ToHeader(), "bytes=1-2");
}

TEST(RangeTest, RangesThatOverlapOrAdjoinAreJoinedAndOthersIgnored) {
  EXPECT_EQ(ParseRange("bytes=5-9,0-4,8-11")->ToHeader(), "bytes=0-11");
  EXPECT_EQ(ParseRange("bytes=0-,0-,0-,0-")->ToHeader(), "bytes=0-");
  EXPECT_EQ(ParseRange("bytes=10-,0-10")->ToHeader(), "bytes=0-");
  EXPECT_EQ(ParseRange("bytes=-5,-10")->ToHeader(), "bytes=-10");
  EXPECT_FALSE(ParseRange("bytes=0-1,10-19"));  // a gap: two ranges would remain
  EXPECT_FALSE(ParseRange("bytes=0-1,-5"));     // suffix and offset together
  std::string many = "bytes=";
  for (int i = 0; i < 5000; ++i) many += "0-,";
  EXPECT_EQ(ParseRange(many)->ToHeader(), "bytes=0-");
}

TEST(RangeTest, MalformedRangesAreIgnored) {
  for (const char* bad : {"bytes=20-10", "bytes=abc", "pages=1-2", "bytes=", "bytes=-",
                          "bytes=1-2-3", "bytes=99999999999999999999-", "bytes 0-1", ""}) {
    EXPECT_FALSE(ParseRange(bad)) << bad;
  }
}

TEST(RangeTest, ARangeResolvesWithinTheFileOrIsUnsatisfiable) {
  uint64_t offset, length;
  ASSERT_TRUE(ResolveRange(*ParseRange("bytes=5-100000"), 100, &offset, &length));
  EXPECT_EQ(offset, 5u);
  EXPECT_EQ(length, 95u);
  ASSERT_TRUE(ResolveRange(*ParseRange("bytes=-1000"), 100, &offset, &length));
  EXPECT_EQ(offset, 0u);
  EXPECT_EQ(length, 100u);
  EXPECT_FALSE(ResolveRange(*ParseRange("bytes=100-"), 100, &offset, &length));
  EXPECT_FALSE(ResolveRange(*ParseRange("bytes=-0"), 100, &offset, &length));
  EXPECT_FALSE(ResolveRange(*ParseRange("bytes=0-"), 0, &offset, &length));
}

}  // namespace
}  // namespace attest::http
