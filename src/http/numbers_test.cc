#include "http/numbers.h"

#include <gtest/gtest.h>

#include <string>

namespace attest::http {
namespace {

TEST(NumbersTest, ReadsDigits) {
  EXPECT_EQ(ParseDigits("0"), 0u);
  EXPECT_EQ(ParseDigits("42"), 42u);
  EXPECT_EQ(ParseDigits("007"), 7u);  // leading zeros are digits like any other
  EXPECT_EQ(ParseDigits("100", 3), 100u);
  EXPECT_EQ(ParseDigits("18446744073709551615"), UINT64_MAX);
  // Length is counted in characters, zeros included.
  EXPECT_EQ(ParseDigits(std::string(30, '0') + "5"), 5u);
}

TEST(NumbersTest, RefusesAnythingButDigits) {
  using namespace std::string_view_literals;
  for (std::string_view bad : {""sv, " 1"sv, "1 "sv, "+1"sv, "-1"sv, "1.5"sv, "1e3"sv, "0x10"sv,
                               "12a"sv, "a12"sv, "١٢"sv, "1,000"sv, "1\0"sv}) {
    EXPECT_EQ(ParseDigits(bad), std::nullopt) << bad;
  }
}

TEST(NumbersTest, RefusesMoreDigitsThanAllowed) {
  EXPECT_EQ(ParseDigits("1000", 3), std::nullopt);
  EXPECT_EQ(ParseDigits("0001", 3), std::nullopt);
  EXPECT_EQ(ParseDigits("1", 0), std::nullopt);
}

TEST(NumbersTest, RefusesWhatDoesNotFitIn64Bits) {
  EXPECT_EQ(ParseDigits("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseDigits("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseDigits(std::string(40, '9')), std::nullopt);
}

}  // namespace
}  // namespace attest::http
