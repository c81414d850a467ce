#include "http/redirect.h"

#include <gtest/gtest.h>

namespace attest::http {
namespace {

TEST(RedirectTest, KeepsPathsOnThisSite) {
  for (const char* path : {"/", "/search?q=olive&lang=he", "/records/r123#seg-4",
                           "/search?q=%D7%A9%D7%9C%D7%95%D7%9D", "/search?q=שלום", "/a/b//c"}) {
    EXPECT_EQ(SafeRedirectTarget(path), path);
  }
  // A literal "%09" (sent as "%2509") is a path segment browsers do not decode: same site.
  EXPECT_EQ(SafeRedirectTarget("/%09/evil.example"), "/%09/evil.example");
}

TEST(RedirectTest, SendsEverythingThatCouldReachAnotherHostHome) {
  for (std::string_view bad : {
           "/\t/evil.example/x",  // browsers drop the TAB: "//evil.example/x"
           "/\n/evil.example",
           "/\r/evil.example",
           "//evil",
           "/\\evil",
           "/x\\y",
           "\\/evil",
           "https://evil",
           "http:/evil",
           "javascript:alert(1)",
           "evil.example",
           " /x",
           "/x ",
           "/x\n",
           "/x\x1b[2J",
           "/x\x7f",
           "/x\xC2\x85",  // NEL, a C1 control
           "/x\u00A0y",
           "/x\u3000y",
           "/x\u202Ey",  // Unicode white space, a bidi override
           "/x\xFF",
           "/\xC0\xAF"
           "evil",  // invalid UTF-8, an overlong '/'
           "",
       }) {
    EXPECT_EQ(SafeRedirectTarget(bad), "/") << bad;
  }
  EXPECT_EQ(SafeRedirectTarget(std::string_view("/x\0y", 4)), "/");
}

TEST(RedirectTest, RefusesOverLongTargets) {
  const std::string longest = "/" + std::string(kMaxRedirectTarget - 1, 'a');
  EXPECT_EQ(SafeRedirectTarget(longest), longest);
  EXPECT_EQ(SafeRedirectTarget(longest + "a"), "/");
  EXPECT_EQ(SafeRedirectTarget("/" + std::string(1 << 20, 'a')), "/");
}

}  // namespace
}  // namespace attest::http
