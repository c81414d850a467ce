#include "http/render.h"

#include <gtest/gtest.h>

#include "http/site.h"
#include "service/record_view.h"

namespace attest::http {
namespace {

TEST(RenderTest, ChoosesTheInterfaceLanguageFromTheSwitcherThenAcceptLanguage) {
  EXPECT_EQ(NegotiateLanguage("", ""), "en");
  EXPECT_EQ(NegotiateLanguage("", "he-IL,he;q=0.9,en;q=0.8"), "he");
  EXPECT_EQ(NegotiateLanguage("", "de-DE, fr;q=0.5, ar;q=0.7"), "ar");
  EXPECT_EQ(NegotiateLanguage("", "iw"), "he");
  EXPECT_EQ(NegotiateLanguage("", "de, ja"), "en");
  EXPECT_EQ(NegotiateLanguage("", "fr;q=bogus, ar;q=0.1"), "ar");
  EXPECT_EQ(NegotiateLanguage("fr", "he"), "fr");      // the reader's choice wins
  EXPECT_EQ(NegotiateLanguage("xx\"><", "he"), "he");  // a bad cookie is ignored
  EXPECT_STREQ(Direction("he"), "rtl");
  EXPECT_STREQ(Direction("ar-EG"), "rtl");
  EXPECT_STREQ(Direction("fr"), "ltr");
  EXPECT_STREQ(Direction("und"), "ltr");
  EXPECT_EQ(FormatClock(754'000), "12:34");
  EXPECT_EQ(FormatClock(3'723'500), "1:02:03");
  EXPECT_EQ(FormatClock(-5), "0:00");
}

TEST(RenderTest, EveryLanguageHasEveryMessageAndPagesEscapeWhatTheyShow) {
  auto r = Renderer::Load();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const std::string& lang : UiLanguages()) {
    EXPECT_EQ(r->Messages(lang).size(), r->Messages("en").size()) << lang;
    EXPECT_EQ(r->Messages(lang)["dir"], Direction(lang)) << lang;
  }
  Json view = {{"title", "<script>alert(1)</script>"},
               {"ui", {{"lang", "he"}, {"dir", "rtl"}}},
               {"t", r->Messages("he")},
               {"languages", Json::array()},
               {"log_size", "3"},
               {"witness", "w\"onmouseover=\"x"},
               {"records", Json::array()}};
  auto html = r->Page("witness", view);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_NE(html->find("<html lang=\"he\" dir=\"rtl\">"), std::string::npos);
  EXPECT_EQ(html->find("<script>alert"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html->find("w\"onmouseover"), std::string::npos);
  EXPECT_EQ(html->find("<script>"), std::string::npos);  // no inline script at all
  EXPECT_NE(html->find("<script src=\"/static/attest.js\" defer></script>"), std::string::npos);
}

TEST(RenderTest, KnowsMediaTypesFromFirstBytesAndRejectsBadUtf8) {
  EXPECT_EQ(service::MimeFromHead("%PDF-1.7"), "application/pdf");
  EXPECT_EQ(service::MimeFromHead(std::string("RIFF\0\0\0\0WAVEfmt ", 16)), "audio/wav");
  EXPECT_EQ(service::MimeFromHead(std::string("\0\0\0\x20"
                                     "ftypM4A ",
                                     12)),
            "audio/mp4");
  EXPECT_EQ(service::MimeFromHead(std::string("\0\0\0\x20"
                                     "ftypisom",
                                     12)),
            "video/mp4");
  EXPECT_EQ(service::MimeFromHead("ID3\x04"), "audio/mpeg");
  EXPECT_EQ(service::MimeFromHead("hello"), "application/octet-stream");
  EXPECT_TRUE(IsCleanUtf8("שלום مرحبا café"));
  EXPECT_FALSE(IsCleanUtf8("\xC3"));
  EXPECT_FALSE(IsCleanUtf8("a\xFF"));
  EXPECT_FALSE(IsCleanUtf8("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(IsCleanUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsCleanUtf8(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace attest::http
