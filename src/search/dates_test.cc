#include "search/dates.h"

#include <gtest/gtest.h>

namespace attest::search {
namespace {

TEST(DatesTest, DaysMonthsYearsAndRanges) {
  auto d = *ParseDateRange("2023-10-07", "date");
  EXPECT_EQ(d.from, "2023-10-07");
  EXPECT_EQ(d.to, "2023-10-07");
  d = *ParseDateRange("2024-02", "date");
  EXPECT_EQ(d.from, "2024-02-01");
  EXPECT_EQ(d.to, "2024-02-29");  // a leap year
  d = *ParseDateRange("1900-02", "date");
  EXPECT_EQ(d.to, "1900-02-28");  // not one
  d = *ParseDateRange("1948", "date");
  EXPECT_EQ(d.from, "1948-01-01");
  EXPECT_EQ(d.to, "1948-12-31");
  d = *ParseDateRange("2023-10-07..2023-11", "date");
  EXPECT_EQ(d.from, "2023-10-07");
  EXPECT_EQ(d.to, "2023-11-30");
}

TEST(DatesTest, NonsenseIsNamed) {
  for (const char* s : {"", "yesterday", "2023-02-30", "2023-13", "23-10-07", "2023-10-7", "0999",
                        "2023-10-08..2023-10-07", "2023..", "..2023", "2023-10-07x"}) {
    auto r = ParseDateRange(s, "--date");
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_NE(r.status().message().find("--date '" + std::string(s) + "'"), std::string::npos)
        << r.status().ToString();
  }
}

}  // namespace
}  // namespace attest::search
