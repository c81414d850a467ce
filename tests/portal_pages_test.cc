// The portal's pages through a real `attest serve` (issue 29): what the empty Perspectives form
// offers and to whom, choosing the interface language by a link, and the demo's notice in the
// page's language.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

int WaitForPort(Child& server) {
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::string banner = server.OutputSoFar();
    auto pos = banner.find("http://127.0.0.1:");
    if (pos != std::string::npos) return std::atoi(banner.c_str() + pos + 17);
  }
  return 0;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// One small archive (two public accounts of Haifa in May 1948, in English and French; a
// restricted one of a place and a year no other record has) and the demo archive, each served.
class PortalPagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signal(SIGPIPE, SIG_IGN);
    temp_dir_ = new TempDir("attest-pages");
    tmp_ = new std::string(temp_dir_->path());
    const std::string archive = *tmp_ + "/archive";
    ASSERT_EQ(RunAttest({"init", archive, "--origin", "example.org/pages"}).exit_code, 0);
    struct Account {
      const char* witness;
      const char* lang;
      const char* consent;
      const char* place;
      const char* date;
      const char* text;
    };
    // Sample texts written for this test, not testimony.
    for (const Account& acc :
         {Account{"w-en", "en", "public", "Haifa", "1948-05",
                  "A sample account of the harbour in the morning."},
          Account{"w-fr", "fr", "public", "Haifa", "1948-05",
                  "Un récit d'exemple sur le port, le matin."},
          Account{"w-hidden", "en", "restricted", "Zqhiddenplace", "1951-03",
                  "A restricted sample account of a place no other record names."}}) {
      std::string file = Write(*tmp_, std::string(acc.witness) + ".txt", acc.text);
      auto r = RunAttest({"--archive", archive, "add", "--consent", acc.consent, "--witness",
                          acc.witness, "--lang", acc.lang, "--place", acc.place, "--date", acc.date,
                          file});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_EQ(RunAttest({"--archive", archive, "worker", "--until-idle"}).exit_code, 0);
    auto tok =
        RunAttest({"--archive", archive, "token", "create", "--role", "archivist", "--json"});
    ASSERT_EQ(tok.exit_code, 0) << tok.err;
    archivist_ = new std::string(Json::parse(tok.out)["token"]);
    server_ = new Child({"--archive", archive, "serve", "--listen", "127.0.0.1:0"}, *tmp_);
    port_ = WaitForPort(*server_);
    ASSERT_GT(port_, 0);

    auto demo = RunAttest({"demo", "--dir", *tmp_ + "/demo", "--no-serve"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    demo_server_ =
        new Child({"--archive", *tmp_ + "/demo", "serve", "--listen", "127.0.0.1:0"}, *tmp_);
    demo_port_ = WaitForPort(*demo_server_);
    ASSERT_GT(demo_port_, 0);
  }

  static void TearDownTestSuite() {
    for (Child* c : {server_, demo_server_}) {
      if (!c) continue;
      kill(c->pid(), SIGTERM);
      ProcessResult r = c->Wait();
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    delete temp_dir_;  // removes the directory: tests leave nothing behind
  }

  static httplib::Result Get(int port, const std::string& path, httplib::Headers headers = {}) {
    httplib::Client c("127.0.0.1", port);
    return c.Get(path, headers);
  }

  static inline TempDir* temp_dir_ = nullptr;
  static inline std::string* tmp_ = nullptr;
  static inline std::string* archivist_ = nullptr;
  static inline Child* server_ = nullptr;
  static inline Child* demo_server_ = nullptr;
  static inline int port_ = 0;
  static inline int demo_port_ = 0;
};

TEST_F(PortalPagesTest, EmptyPerspectivesOffersThePlacesAndDatesTheCallerMayRead) {
  auto r = Get(port_, "/perspectives");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string& page = r->body;
  // Each offered place and date is a link that fills the form, with its witnesses and
  // languages counted over what an anonymous reader may read.
  EXPECT_NE(page.find("<a href=\"/perspectives?place=Haifa\"><bdi dir=\"auto\">Haifa</bdi></a> "
                      "<span class=\"count\">Witnesses: <bdi dir=\"ltr\">2</bdi> · Languages: "
                      "<bdi dir=\"ltr\">2</bdi> (<bdi>English, French</bdi>)"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<a href=\"/perspectives?date=1948-05\">"), std::string::npos) << page;
  // A place and a year only a restricted record names are neither offered nor counted.
  EXPECT_EQ(page.find("Zqhiddenplace"), std::string::npos);
  EXPECT_EQ(page.find("1951"), std::string::npos);
  EXPECT_EQ(Count(page, "<li><a href=\"/perspectives?"), 2u) << page;
  // An archivist, who may read it, is offered it.
  auto arch = Get(port_, "/perspectives", {{"Authorization", "Bearer " + *archivist_}});
  ASSERT_TRUE(arch);
  EXPECT_NE(arch->body.find("<a href=\"/perspectives?place=Zqhiddenplace\">"), std::string::npos);
  EXPECT_NE(arch->body.find("<a href=\"/perspectives?date=1951-03\">"), std::string::npos);
  // The link opens the accounts of that place.
  auto haifa = Get(port_, "/perspectives?place=Haifa");
  ASSERT_TRUE(haifa);
  EXPECT_EQ(haifa->status, 200);
  EXPECT_NE(haifa->body.find("value=\"Haifa\""), std::string::npos);
  EXPECT_NE(haifa->body.find("/witnesses/w-fr"), std::string::npos);
}

TEST_F(PortalPagesTest, ALanguageChosenByALinkIsShownAndRemembered) {
  auto he = Get(port_, "/perspectives?lang=he");
  ASSERT_TRUE(he);
  EXPECT_EQ(he->status, 200);
  EXPECT_NE(he->body.find("<html lang=\"he\" dir=\"rtl\">"), std::string::npos);
  EXPECT_EQ(he->get_header_value("Content-Language"), "he");
  EXPECT_EQ(he->get_header_value("Set-Cookie"),
            "attest_ui=he; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
  // The switcher's links lead back to the page without the ?lang= that would undo them.
  EXPECT_NE(he->body.find("href=\"/ui?lang=en&amp;back=%2Fperspectives\""), std::string::npos);
  // The link's choice wins over the cookie and Accept-Language, and other parameters stay.
  auto fr = Get(port_, "/search?q=harbour&lang=fr",
                {{"Cookie", "attest_ui=ar"}, {"Accept-Language", "he"}});
  ASSERT_TRUE(fr);
  EXPECT_NE(fr->body.find("<html lang=\"fr\" dir=\"ltr\">"), std::string::npos);
  EXPECT_NE(fr->body.find("w-en"), std::string::npos);
  EXPECT_NE(fr->body.find("back=%2Fsearch%3Fq%3Dharbour\""), std::string::npos);
  // Anything but the four languages is ignored: no cookie, the usual choice.
  for (const char* lang : {"de", "HE", "he-IL", "", "he%3B%20Path%3D%2Fx", "en%0d%0aX:y"}) {
    auto other = Get(port_, std::string("/?lang=") + lang, {{"Cookie", "attest_ui=ar"}});
    ASSERT_TRUE(other) << lang;
    EXPECT_EQ(other->status, 200) << lang;
    EXPECT_TRUE(other->get_header_value("Set-Cookie").empty()) << lang;
    EXPECT_NE(other->body.find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos) << lang;
  }
  // Error pages take it too.
  auto missing = Get(port_, "/records/rnosuchrecord?lang=ar");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos);
}

TEST_F(PortalPagesTest, TheDemoNoticeIsInThePagesLanguage) {
  struct Expect {
    const char* lang;
    const char* dir;
    const char* words;
  };
  for (const Expect& e :
       {Expect{"en", "ltr", "Universal Declaration of Human Rights (United Nations, 1948)"},
        Expect{"fr", "ltr", "Déclaration universelle des droits de l'homme"},
        Expect{"he", "rtl", "ההכרזה לכל באי עולם בדבר זכויות האדם"},
        Expect{"ar", "rtl", "الإعلان العالمي لحقوق الإنسان"}}) {
    auto r = Get(demo_port_, "/", {{"Cookie", std::string("attest_ui=") + e.lang}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    const std::string& page = r->body;
    EXPECT_NE(page.find(std::string("<html lang=\"") + e.lang + "\" dir=\"" + e.dir + "\">"),
              std::string::npos);
    size_t notice = page.find("<p class=\"notice\" role=\"note\">");
    ASSERT_NE(notice, std::string::npos) << e.lang;
    std::string shown = page.substr(notice, page.find("</p>", notice) - notice);
    // mustache escapes the apostrophe
    std::string words = e.words;
    if (size_t q = words.find('\''); q != std::string::npos) words.replace(q, 1, "&apos;");
    EXPECT_NE(shown.find(words), std::string::npos) << e.lang << ": " << shown;
    if (std::string(e.lang) != "en") {
      EXPECT_EQ(shown.find("Not testimony"), std::string::npos) << e.lang << ": " << shown;
    }
  }
}

}  // namespace
}  // namespace attest::testing
