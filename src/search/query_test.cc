#include "search/query.h"

#include <gtest/gtest.h>

namespace attest::search {
namespace {

TEST(QueryTest, WordsPhrasesExclusionsOrAndFields) {
  auto c = *ParseQuery("dignité \"equal in dignity\" -slavery OR torture lang:fr");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].kind, Clause::kWords);
  EXPECT_EQ(c[1].kind, Clause::kPhrase);
  EXPECT_EQ(c[1].text, "equal in dignity");
  EXPECT_TRUE(c[2].negated);
  EXPECT_TRUE(c[3].or_with_previous);
  EXPECT_EQ(c[4].kind, Clause::kField);
  EXPECT_EQ(c[4].field, "lang");
  EXPECT_EQ(c[4].text, "fr");
}

TEST(QueryTest, FieldValuesMayBeQuoted) {
  auto c = *ParseQuery("place:\"Kfar Aza\" -place:\"Nir Oz\" date:2023-10-07..2023-10-08 hospital");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].field, "place");
  EXPECT_EQ(c[0].text, "Kfar Aza");
  EXPECT_TRUE(c[1].negated);
  EXPECT_EQ(c[1].text, "Nir Oz");
  EXPECT_EQ(c[2].field, "date");
  EXPECT_EQ(c[2].text, "2023-10-07..2023-10-08");
  EXPECT_EQ(c[3].kind, Clause::kWords);
  auto open = *ParseQuery("place:\"Kfar Aza");  // unclosed: to the end
  EXPECT_EQ(open[0].text, "Kfar Aza");
  EXPECT_EQ(ParseQuery("place:\"\"").status().code(), Code::kInvalidArgument);
}

TEST(QueryTest, BadInputGetsAClearMessageOrASaneReading) {
  EXPECT_EQ(ParseQuery("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseQuery("   ").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseQuery(std::string(10000, 'a')).status().code(), Code::kInvalidArgument);
  EXPECT_NE(ParseQuery(std::string(10000, 'a')).status().message().find("10000"),
            std::string::npos);
  EXPECT_EQ(ParseQuery("caf\xE9").status().code(), Code::kInvalidArgument);
  auto unknown = ParseQuery("colour:red");
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("colour"), std::string::npos);
  EXPECT_EQ(ParseQuery("-only -exclusions").status().code(), Code::kInvalidArgument);
  auto unbalanced = *ParseQuery("\"equal in dignity");
  ASSERT_EQ(unbalanced.size(), 1u);
  EXPECT_EQ(unbalanced[0].text, "equal in dignity");
  EXPECT_EQ(ParseQuery("OR OR").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseQuery("http://example.org").status().code(), Code::kInvalidArgument);
  EXPECT_EQ((*ParseQuery("digni*"))[0].kind, Clause::kPrefix);
  EXPECT_EQ((*ParseQuery("digni*"))[0].text, "digni");
  EXPECT_EQ(ParseQuery("a*").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseQuery("*").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace attest::search
