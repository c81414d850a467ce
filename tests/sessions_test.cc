// Clips and sessions (issue 24, doc/sessions.md) through the command line and the API: a clip is
// cut to what its maker may read and around redactions, a session follows its witnesses'
// consent at once with a labelled gap and never the words, a public session holds public clips
// only, and a save over an older revision is refused.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

constexpr char kRestrictedWord[] = "zqclipshut";
constexpr char kWithdrawnWord[] = "zqclipgone";
constexpr char kRedactedWord[] = "zqclipredacted";

class SessionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signal(SIGPIPE, SIG_IGN);
    dir_ = new TempDir("attest-sessions");
    archive_ = new std::string(dir_->path() + "/archive");
    ids_ = new std::map<std::string, std::string>;
    ASSERT_EQ(RunAttest({"init", *archive_, "--origin", "example.org/sessions"}).exit_code, 0);
    // Three witnesses' recordings (samples, spoken by espeak-ng), each with a transcript.
    const char* voices[][3] = {{"w-anna", "en", "sample words of the first witness"},
                               {"w-basile", "fr", "des mots du deuxieme temoin"},
                               {"w-carmel", "en", "sample words of the third witness"}};
    for (auto& [witness, lang, words] : voices) {
      std::string wav = dir_->path() + "/" + witness + ".wav";
      ASSERT_EQ(std::system(("espeak-ng -v " + std::string(lang) + " -w " + wav + " '" + words +
                             "' 2>/dev/null")
                                .c_str()),
                0);
      auto r = Attest({"add", "--json", "--consent", "public", "--witness", witness, "--lang",
                       lang, wav});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*ids_)[witness] = Json::parse(r.out)["records"][0]["id"];
    }
    // A restricted text, and a public one whose middle paragraph will be redacted.
    AddText("restricted", "restricted", std::string("A sample restricted paragraph, ") +
                                            kRestrictedWord + ", about the well.\n");
    AddText("redacted", "public",
            std::string("First sample paragraph about the road.\n\nSecond sample paragraph, ") +
                kRedactedWord + ", about a neighbour.\n\nThird sample paragraph about the hill.\n");
    ASSERT_EQ(Attest({"worker", "--until-idle"}).exit_code, 0);
    std::string gone = std::string("gone ") + kWithdrawnWord;
    for (auto& [witness, lang, words] : voices) {
      std::string cue = std::string(witness) == "w-basile" ? gone : std::string("sample cue");
      std::string vtt = Write(dir_->path(), std::string(witness) + ".vtt",
                              "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n" + cue +
                                  " one\n\n00:00:01.000 --> 00:00:02.000\n" + cue +
                                  " two\n\n00:00:02.000 --> 00:00:03.000\n" + cue + " three\n");
      auto imp = Attest({"transcript", "import", (*ids_)[witness], vtt});
      ASSERT_EQ(imp.exit_code, 0) << imp.err;
    }
    ASSERT_EQ(Attest({"worker", "--until-idle"}).exit_code, 0);
    for (const char* role : {"researcher", "archivist"}) {
      auto t = Attest({"token", "create", "--role", role, "--json"});
      ASSERT_EQ(t.exit_code, 0) << t.err;
      (*ids_)[std::string("token-") + role] = Json::parse(t.out)["token"];
    }
    server_ = new Child({"--archive", *archive_, "serve", "--listen", "127.0.0.1:0"},
                        dir_->path());
    for (int i = 0; i < 400 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::string banner = server_->OutputSoFar();
      auto pos = banner.find("http://127.0.0.1:");
      if (pos != std::string::npos) port_ = std::atoi(banner.c_str() + pos + 17);
    }
    ASSERT_GT(port_, 0);
    // The middle paragraph's redaction, through the API.
    Json rec = Json::parse(Get("/api/v1/records/" + (*ids_)["redacted"])->body);
    ASSERT_EQ(rec["segments"].size(), 3u) << rec.dump();
    Json body = {{"segment", rec["segments"][1]["id"]}, {"reason", "a sample redaction"}};
    auto red = Send("POST", "/api/v1/records/" + (*ids_)["redacted"] + "/redactions", "archivist",
                    body);
    ASSERT_EQ(red->status, 201) << red->body;
  }

  static void TearDownTestSuite() {
    if (server_) {
      kill(server_->pid(), SIGTERM);
      EXPECT_EQ(server_->Wait().exit_code, 0);
    }
    delete dir_;
  }

  static ProcessResult Attest(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", *archive_});
    return RunAttest(args);
  }

  static void AddText(const std::string& name, const std::string& consent,
                      const std::string& text) {
    std::string file = Write(dir_->path(), name + ".txt", text);
    auto r = Attest({"add", "--json", "--consent", consent, "--witness", "w-" + name, "--lang",
                     "en", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    (*ids_)[name] = Json::parse(r.out)["records"][0]["id"];
  }

  static httplib::Headers Auth(const std::string& who) {
    if (who.empty()) return {};
    return {{"Authorization", "Bearer " + (*ids_)["token-" + who]}};
  }
  static httplib::Result Get(const std::string& path, const std::string& who = "") {
    httplib::Client c("127.0.0.1", port_);
    return c.Get(path, Auth(who));
  }
  static httplib::Result Send(const std::string& method, const std::string& path,
                              const std::string& who, const Json& body) {
    httplib::Client c("127.0.0.1", port_);
    if (method == "PUT") return c.Put(path, Auth(who), body.dump(), "application/json");
    return c.Post(path, Auth(who), body.dump(), "application/json");
  }
  // A clip made through the API by `who`: its JSON (status 201), or the problem.
  static Json Clip(const std::string& who, const Json& body, int expect = 201) {
    auto r = Send("POST", "/api/v1/clips", who, body);
    EXPECT_TRUE(r);
    if (!r) return Json();
    EXPECT_EQ(r->status, expect) << body.dump() << " " << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  static TempDir* dir_;
  static std::string* archive_;
  static std::map<std::string, std::string>* ids_;
  static Child* server_;
  static int port_;
};
TempDir* SessionsTest::dir_ = nullptr;
std::string* SessionsTest::archive_ = nullptr;
std::map<std::string, std::string>* SessionsTest::ids_ = nullptr;
Child* SessionsTest::server_ = nullptr;
int SessionsTest::port_ = 0;

TEST_F(SessionsTest, AClipFromTheCommandLineHoldsItsSpanCitedToTheLogEntry) {
  auto r = Attest({"clip", "add", (*ids_)["w-anna"], "--from", "0:00.5", "--to", "0:01.5",
                   "--title", "sample clip", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json clip = Json::parse(r.out);
  EXPECT_EQ(clip["start_ms"], 500);
  EXPECT_EQ(clip["end_ms"], 1500);
  EXPECT_EQ(clip["witness"], "w-anna");
  ASSERT_EQ(clip["lines"].size(), 2u) << clip.dump();  // the cues it crosses
  EXPECT_EQ(clip["lines"][0]["text"], "sample cue one");
  EXPECT_EQ(clip["lines"][0]["start_ms"], 500);  // cut to the clip
  EXPECT_EQ(clip["lines"][1]["end_ms"], 1500);
  EXPECT_NE(clip["citation"].get<std::string>().find("log entry"), std::string::npos);
  EXPECT_NE(clip["citation"].get<std::string>().find("0:00\u20130:01"), std::string::npos);
  EXPECT_EQ(clip["manifest_sha256"].get<std::string>().size(), 64u);
  // Anyone reads a public clip, with the access copy to play it from.
  auto anon = Get("/api/v1/clips/" + clip["id"].get<std::string>());
  ASSERT_EQ(anon->status, 200) << anon->body;
  Json seen = Json::parse(anon->body);
  EXPECT_EQ(seen["lines"], clip["lines"]);
  EXPECT_TRUE(seen["media"]["url"].is_string()) << seen.dump();
  // Times past the recording, reversed, or of the wrong kind are refused by name.
  auto past = Attest({"clip", "add", (*ids_)["w-anna"], "--from", "10:00", "--to", "11:00"});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_NE(past.err.find("no words"), std::string::npos) << past.err;
  auto reversed = Attest({"clip", "add", (*ids_)["w-anna"], "--from", "0:02", "--to", "0:01"});
  EXPECT_EQ(reversed.exit_code, 2);
  EXPECT_NE(reversed.err.find("after its start"), std::string::npos) << reversed.err;
  auto text = Attest({"clip", "add", (*ids_)["redacted"], "--from", "0:00", "--to", "0:01"});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_NE(text.err.find("range of characters"), std::string::npos) << text.err;
  auto bad = Attest({"clip", "add", (*ids_)["w-anna"], "--from", "soon", "--to", "0:01"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("'soon'"), std::string::npos) << bad.err;
}

TEST_F(SessionsTest, AClipIsCutAroundARedactionOrRefusedWhenOneIsInside) {
  const std::string id = (*ids_)["redacted"];
  // Across all three paragraphs: the redacted one is inside.
  Json inside = Clip("archivist", {{"record", id}, {"char_start", 0}, {"char_end", 150}}, 400);
  EXPECT_NE(inside["detail"].get<std::string>().find("each side"), std::string::npos)
      << inside.dump();
  // From the middle of the redacted paragraph into the third: cut to the third's start.
  Json rec = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  int64_t third = rec["segments"][2]["char_start"];
  Json cut = Clip("archivist", {{"record", id}, {"char_start", third - 10}, {"char_end", third + 20}});
  EXPECT_EQ(cut["char_start"], third) << cut.dump();
  EXPECT_EQ(cut["char_end"], third + 20);
  EXPECT_EQ(cut.dump().find(kRedactedWord), std::string::npos);
  // Only the redacted paragraph: nothing is left.
  int64_t second = rec["segments"][1]["char_start"];
  Json none = Clip("archivist", {{"record", id}, {"char_start", second}, {"char_end", second + 5}},
                   400);
  EXPECT_NE(none["detail"].get<std::string>().find("nothing is left"), std::string::npos);
}

TEST_F(SessionsTest, AClipReachesNoFurtherThanItsMakerMayRead) {
  Json body = {{"record", (*ids_)["restricted"]}, {"char_start", 0}, {"char_end", 40}};
  Json refused = Clip("researcher", body, 404);
  EXPECT_EQ(refused.dump().find(kRestrictedWord), std::string::npos);
  Clip("", body, 401);
  Json made = Clip("archivist", body);
  ASSERT_TRUE(made["id"].is_string());
  // Its words were shown to the archivist who made it: a view of the record, audited.
  auto audit = Attest({"audit", "--json"});
  EXPECT_NE(audit.out.find(made["id"].get<std::string>()), std::string::npos) << audit.out;
  const std::string path = "/api/v1/clips/" + made["id"].get<std::string>();
  EXPECT_EQ(Get(path, "archivist")->status, 200);
  // Others are told only that it is not open to them, never its words or title.
  for (const char* who : {"", "researcher"}) {
    auto r = Get(path, who);
    ASSERT_EQ(r->status, 200) << who;
    Json gap = Json::parse(r->body);
    EXPECT_EQ(gap["gap"], "not-open") << who;
    EXPECT_EQ(r->body.find(kRestrictedWord), std::string::npos) << who;
    EXPECT_FALSE(gap.contains("record")) << who;
  }
  // Both kinds of span, a span of neither, and an over-long title: refused by name.
  Json both = Clip("archivist",
                   {{"record", (*ids_)["w-anna"]}, {"start_ms", 0}, {"end_ms", 900},
                    {"char_start", 0}, {"char_end", 9}},
                   400);
  EXPECT_NE(both["detail"].get<std::string>().find("not both"), std::string::npos);
  Json title = Clip("archivist",
                    {{"record", (*ids_)["w-anna"]}, {"start_ms", 0}, {"end_ms", 900},
                     {"title", std::string(300, 'x')}},
                    400);
  EXPECT_NE(title["detail"].get<std::string>().find("title"), std::string::npos);
  Json long_one = Clip("archivist",
                       {{"record", (*ids_)["w-anna"]}, {"start_ms", 0}, {"end_ms", 3600001}}, 400);
  EXPECT_NE(long_one["detail"].get<std::string>().find("at most an hour"), std::string::npos);
}

TEST_F(SessionsTest, APublicSessionHoldsPublicClipsOnlyAndASharedOneShowsEachReaderAGap) {
  Json open = Clip("researcher", {{"record", (*ids_)["w-carmel"]}, {"start_ms", 0},
                                  {"end_ms", 2000}});
  Json shut = Clip("archivist", {{"record", (*ids_)["restricted"]}, {"char_start", 0},
                                 {"char_end", 40}});
  // A researcher cannot put the restricted clip anywhere: it is no clip to them.
  Json mine = {{"title", "sample lesson"},
               {"audience", "school:14-16"},
               {"shared", "public"},
               {"items", {{{"kind", "clip"}, {"clip", shut["id"]}}}}};
  auto r = Send("POST", "/api/v1/sessions", "researcher", mine);
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("no such clip"), std::string::npos);
  // Nor may an archivist make a session holding it public.
  r = Send("POST", "/api/v1/sessions", "archivist", mine);
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("only hold public clips"), std::string::npos) << r->body;
  // Shared with every account, it shows a researcher the open clip and a gap for the other.
  Json shared = mine;
  shared["shared"] = "researcher";
  shared["items"] = {{{"kind", "title"}, {"text", "Opening (sample)"}},
                     {{"kind", "clip"}, {"clip", open["id"]}},
                     {{"kind", "silence"}, {"seconds", 30}},
                     {{"kind", "clip"}, {"clip", shut["id"]}}};
  r = Send("POST", "/api/v1/sessions", "archivist", shared);
  ASSERT_EQ(r->status, 201) << r->body;
  Json s = Json::parse(r->body);
  // A title card 5 s, the clip 2 s, the silence 30 s, the text clip as long as a short reading.
  EXPECT_EQ(s["length_ms"], 5000 + 2000 + 30000 + 5000);
  const std::string path = "/api/v1/sessions/" + s["id"].get<std::string>();
  auto seen = Get(path, "researcher");
  ASSERT_EQ(seen->status, 200) << seen->body;
  Json v = Json::parse(seen->body);
  EXPECT_EQ(v["items"][1]["clip"]["witness"], "w-carmel");
  EXPECT_EQ(v["items"][3]["clip"]["gap"], "not-open");
  EXPECT_EQ(seen->body.find(kRestrictedWord), std::string::npos);
  EXPECT_FALSE(v["mine"]);
  // Not public: anonymous callers find no such session; a researcher cannot change it.
  EXPECT_EQ(Get(path)->status, 404);
  Json edit = shared;
  edit["revision"] = 1;
  EXPECT_EQ(Send("PUT", path, "researcher", edit)->status, 404);
}

TEST_F(SessionsTest, AWithdrawalLeavesALabelledGapForEveryoneAndNoWords) {
  Json keep = Clip("archivist", {{"record", (*ids_)["w-anna"]}, {"start_ms", 0},
                                 {"end_ms", 1000}});
  Json gone = Clip("archivist", {{"record", (*ids_)["w-basile"]}, {"start_ms", 0},
                                 {"end_ms", 3000}, {"title", std::string("about ") + kWithdrawnWord}});
  Json body = {{"title", "sample memorial"},
               {"audience", "community"},
               {"shared", "public"},
               {"languages", "fr,he"},
               {"items", {{{"kind", "clip"}, {"clip", keep["id"]}},
                          {{"kind", "clip"}, {"clip", gone["id"]}}}}};
  auto r = Send("POST", "/api/v1/sessions", "archivist", body);
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string path = "/api/v1/sessions/" + Json::parse(r->body)["id"].get<std::string>();
  auto before = Get(path);
  ASSERT_EQ(before->status, 200);
  EXPECT_NE(before->body.find(kWithdrawnWord), std::string::npos);
  EXPECT_EQ(Json::parse(before->body)["witnesses"].size(), 2u);
  auto w = Attest({"withdraw", (*ids_)["w-basile"], "--reason", "asked (sample)"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  for (const char* who : {"", "researcher", "archivist"}) {
    auto after = Get(path, who);
    ASSERT_EQ(after->status, 200) << who;
    Json v = Json::parse(after->body);
    EXPECT_EQ(v["items"][1]["clip"]["gap"], "withdrawn") << who << " " << after->body;
    EXPECT_EQ(after->body.find(kWithdrawnWord), std::string::npos) << who;
    EXPECT_EQ(v["items"][0]["clip"]["witness"], "w-anna") << who;
    EXPECT_EQ(v["witnesses"].size(), 1u) << who;
  }
  auto clip = Get("/api/v1/clips/" + gone["id"].get<std::string>(), "archivist");
  EXPECT_EQ(Json::parse(clip->body)["gap"], "withdrawn");
  auto shown = Attest({"clip", "show", gone["id"]});
  EXPECT_EQ(shown.out.find(kWithdrawnWord), std::string::npos);
}

TEST_F(SessionsTest, APersonsTranslationIsASubtitleTrackOnTheTranscriptsTimes) {
  const std::string id = (*ids_)["w-carmel"];
  // Cues a little off the transcript's lines: each takes its line's times; two on one line join.
  std::string vtt = Write(dir_->path(), "carmel.fr.vtt",
                          "WEBVTT\n\n00:00:00.100 --> 00:00:00.900\nexemple un\n\n"
                          "00:00:01.100 --> 00:00:01.500\nexemple deux,\n\n"
                          "00:00:01.500 --> 00:00:01.900\nsuite\n\n"
                          "00:00:02.200 --> 00:00:02.800\nexemple trois\n");
  auto r = Attest({"transcript", "import", id, vtt, "--translation", "fr", "--by",
                   "A sample translator"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json clip = Clip("researcher", {{"record", id}, {"start_ms", 500}, {"end_ms", 2500}});
  ASSERT_EQ(clip["tracks"].size(), 1u) << clip.dump();
  const Json& fr = clip["tracks"][0];
  EXPECT_EQ(fr["lang"], "fr");
  EXPECT_EQ(fr["machine"], false);
  EXPECT_EQ(fr["by"], "A sample translator");
  ASSERT_EQ(fr["lines"].size(), 3u) << fr.dump();
  EXPECT_EQ(fr["lines"][0]["start_ms"], 500);
  EXPECT_EQ(fr["lines"][1]["text"], "exemple deux, suite");
  EXPECT_EQ(fr["lines"][1]["start_ms"], 1000);
  EXPECT_EQ(fr["lines"][1]["end_ms"], 2000);
  // The clip's own words stay the witness's.
  EXPECT_EQ(clip["lines"][0]["text"], "sample cue one");
  // Its file says who translated it and that these are not the witness's own words.
  auto out = Attest({"transcript", "export", id, "--version",
                     std::to_string(fr["version"].get<int>())});
  EXPECT_NE(out.out.find("not the witness's own words"), std::string::npos) << out.out;
  // A cue on no line, a language that is no tag, no translator: refused, nothing added.
  std::string off = Write(dir_->path(), "off.vtt", "WEBVTT\n\n00:00:09.000 --> 00:00:10.000\nx\n");
  auto bad = Attest({"transcript", "import", id, off, "--translation", "fr", "--by", "X"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("00:00:09.000"), std::string::npos) << bad.err;
  EXPECT_EQ(Attest({"transcript", "import", id, vtt, "--translation", "French", "--by", "X"})
                .exit_code, 2);
  EXPECT_EQ(Attest({"transcript", "import", id, vtt, "--translation", "fr"}).exit_code, 2);
}

TEST_F(SessionsTest, SuggestionsForAThemeOverTheDemoGiveManyVoicesWithinTheLength) {
  const std::string demo = dir_->path() + "/demo";
  auto made = RunAttest({"demo", "--dir", demo, "--no-serve"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  for (const auto& [length, ms] : {std::pair{"1:00", 60000}, std::pair{"2:00", 120000}}) {
    auto r = RunAttest({"--archive", demo, "session", "suggest", "--theme", "freedom and dignity",
                        "--length", length, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json s = Json::parse(r.out);
    std::set<std::string> witnesses;
    for (const Json& p : s["proposals"]) witnesses.insert(p["witness"].get<std::string>());
    EXPECT_GE(witnesses.size(), 3u) << r.out;
    EXPECT_EQ(s["witnesses"], witnesses.size());
    EXPECT_GE(s["length_ms"].get<int64_t>(), ms - ms / 10) << length;
    EXPECT_LE(s["length_ms"].get<int64_t>(), ms + ms / 10) << length;
  }
  // Accepted into a session: its clips are made, many voices in it.
  auto session = RunAttest({"--archive", demo, "session", "new", "--title", "sample", "--json"});
  ASSERT_EQ(session.exit_code, 0) << session.err;
  const std::string id = Json::parse(session.out)["id"];
  auto added = RunAttest({"--archive", demo, "session", "suggest", "--theme",
                          "freedom and dignity", "--length", "1:00", "--add", id, "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  Json v = Json::parse(added.out);
  EXPECT_GE(v["witnesses"].size(), 3u) << added.out;
  EXPECT_GE(v["length_ms"].get<int64_t>(), 54000);
  EXPECT_LE(v["length_ms"].get<int64_t>(), 66000);
  EXPECT_EQ(RunAttest({"--archive", demo, "session", "suggest", "--length", "1:00"}).exit_code, 2);
}

TEST_F(SessionsTest, ASaveOverAnOlderRevisionIsRefusedAndBadItemsAreNamed) {
  Json body = {{"title", "sample screening"}, {"items", Json::array()}};
  auto r = Send("POST", "/api/v1/sessions", "researcher", body);
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string path = "/api/v1/sessions/" + Json::parse(r->body)["id"].get<std::string>();
  body["revision"] = 1;
  body["items"] = {{{"kind", "reading"}, {"text", "A sample reading."}}};
  auto second = Send("PUT", path, "researcher", body);
  ASSERT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(Json::parse(second->body)["revision"], 2);
  auto stale = Send("PUT", path, "researcher", body);
  EXPECT_EQ(stale->status, 409) << stale->body;
  EXPECT_NE(stale->body.find("revision 2"), std::string::npos);
  Json clip = Clip("researcher", {{"record", (*ids_)["w-anna"]}, {"start_ms", 0}, {"end_ms", 900}});
  Json twice = {{"title", "x"},
                {"items", {{{"kind", "clip"}, {"clip", clip["id"]}}, {{"kind", "clip"}, {"clip", clip["id"]}}}}};
  auto refused_twice = Send("POST", "/api/v1/sessions", "researcher", twice);
  EXPECT_EQ(refused_twice->status, 400);
  EXPECT_NE(refused_twice->body.find("holds a clip once"), std::string::npos) << refused_twice->body;
  for (const auto& [item, words] :
       {std::pair{Json{{"kind", "silence"}, {"seconds", 9000}}, "1 to 600 seconds"},
        std::pair{Json{{"kind", "dance"}}, "a clip, a title, a reading or a silence"},
        std::pair{Json{{"kind", "title"}, {"text", "  "}}, "without words"}}) {
    Json bad = {{"title", "x"}, {"items", {item}}};
    auto refused = Send("POST", "/api/v1/sessions", "researcher", bad);
    EXPECT_EQ(refused->status, 400) << item.dump();
    EXPECT_NE(refused->body.find(words), std::string::npos) << refused->body;
  }
  Json audience = {{"title", "x"}, {"audience", "everyone"}};
  EXPECT_EQ(Send("POST", "/api/v1/sessions", "researcher", audience)->status, 400);
  // The list: the researcher's own, and those shared with every account.
  auto list = Get("/api/v1/sessions", "researcher");
  ASSERT_EQ(list->status, 200);
  bool found = false;
  const Json listed = Json::parse(list->body);
  for (const Json& s : listed["sessions"]) {
    if ("/api/v1/sessions/" + s["id"].get<std::string>() == path) found = s["mine"];
  }
  EXPECT_TRUE(found) << list->body;
  httplib::Client c("127.0.0.1", port_);
  EXPECT_EQ(c.Delete(path, Auth("archivist"))->status, 404);  // not theirs
  EXPECT_EQ(c.Delete(path, Auth("researcher"))->status, 204);
  EXPECT_EQ(Get(path, "researcher")->status, 404);
}

TEST_F(SessionsTest, APublicSessionStaysEditableWhenOneOfItsClipsIsNarrowed) {
  Json clip = Clip("archivist", {{"record", (*ids_)["w-anna"]}, {"start_ms", 0}, {"end_ms", 900}});
  Json body = {{"title", "sample"}, {"shared", "public"},
               {"items", {{{"kind", "clip"}, {"clip", clip["id"]}}}}};
  auto r = Send("POST", "/api/v1/sessions", "archivist", body);
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string path = "/api/v1/sessions/" + Json::parse(r->body)["id"].get<std::string>();
  ASSERT_EQ(Attest({"consent", (*ids_)["w-anna"], "research", "--reason", "sample"}).exit_code, 0);
  // The public sees a gap; its maker may still add a card, and the clip stays.
  EXPECT_EQ(Json::parse(Get(path)->body)["items"][0]["clip"]["gap"], "not-open");
  body["revision"] = 1;
  body["items"].push_back({{"kind", "title"}, {"text", "Opening (sample)"}});
  auto edited = Send("PUT", path, "archivist", body);
  EXPECT_EQ(edited->status, 200) << edited->body;
  // Made public again from private, every clip is checked anew.
  body["revision"] = 2;
  body["shared"] = "private";
  ASSERT_EQ(Send("PUT", path, "archivist", body)->status, 200);
  body["revision"] = 3;
  body["shared"] = "public";
  auto again = Send("PUT", path, "archivist", body);
  EXPECT_EQ(again->status, 400) << again->body;
  EXPECT_NE(again->body.find("only hold public clips"), std::string::npos);
  ASSERT_EQ(Attest({"consent", (*ids_)["w-anna"], "public", "--reason", "sample"}).exit_code, 0);
}

}  // namespace
}  // namespace attest::testing
