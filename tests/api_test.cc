// The portal and API of `attest serve` (issue 7, doc/api.md): every endpoint answers, errors are
// RFC 9457 problems, archivists' writes need a token, and what a caller may not see is neither
// reachable, countable nor findable through any endpoint or page.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <leptonica/allheaders.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

#include "core/hash.h"
#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

const char* kLevels[] = {"public", "research", "restricted", "sealed", "withdrawn"};

std::string Canary(const std::string& level) { return "zq" + level + "canary"; }

int WaitForPort(Child& server) {
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::string banner = server.OutputSoFar();
    auto pos = banner.find("http://127.0.0.1:");
    if (pos != std::string::npos) return std::atoi(banner.c_str() + pos + 17);
  }
  return 0;
}

int OpenFds(pid_t pid) {
  int n = 0;
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!d) return -1;
  while (readdir(d)) ++n;
  closedir(d);
  return n - 2;
}

// One archive for the suite: a record at each consent level, each with a canary word, plus a
// spoken sample with a transcript.
// A TCP socket to the server on loopback (non-blocking: the connect is left in progress);
// -1 if the connect fails outright.
int ConnectLoopback(int port, bool nonblocking = false) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 && !nonblocking) {
    close(fd);
    return -1;
  }
  return fd;
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A server may answer and close while a client still sends (an oversized body): the
    // client sees an error, not a signal.
    signal(SIGPIPE, SIG_IGN);
    temp_dir_ = new TempDir("attest-api");
    tmp_ = new std::string(temp_dir_->path());
    archive_ = new std::string(*tmp_ + "/archive");
    ASSERT_EQ(RunAttest({"init", *archive_, "--origin", "example.org/api"}).exit_code, 0);
    ids_ = new std::map<std::string, std::string>;
    shas_ = new std::map<std::string, std::string>;
    for (std::string level : kLevels) {
      std::string consent = level == "withdrawn" ? "public" : level;
      std::string text = "A sample paragraph about the river crossing, " + Canary(level) +
                         ", in the morning.\n\nA second paragraph about the river.\n";
      std::string file = Write(*tmp_, level + ".txt", text);
      auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", consent,
                          "--witness", "w-" + level, "--collection", "c-" + level, "--lang", "en",
                          "--place", "Haifa", "--date", "1948-05", file});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*ids_)[level] = Json::parse(r.out)["records"][0]["id"];
      (*shas_)[level] = ToHex(Sha256(text));
    }
    ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
    // A clip of each record the operator reads (its canary inside, and in its title), before the
    // withdrawal; a public session of the public and the withdrawn one, and one shared with every
    // account holding the research and restricted ones (issue 24: the leak matrix).
    for (std::string level : {"public", "research", "restricted", "withdrawn"}) {
      auto clip = RunAttest({"--archive", *archive_, "clip", "add", (*ids_)[level], "--chars",
                             "0-80", "--title", "clip of " + Canary(level), "--json"});
      ASSERT_EQ(clip.exit_code, 0) << clip.err;
      (*ids_)["clip-" + level] = Json::parse(clip.out)["id"];
    }
    for (const auto& [name, share, levels] :
         {std::tuple{"session-public", "public", std::vector<std::string>{"public", "withdrawn"}},
          std::tuple{"session-accounts", "researcher",
                     std::vector<std::string>{"public", "research", "restricted"}}}) {
      auto made = RunAttest({"--archive", *archive_, "session", "new", "--title",
                             std::string("sample ") + name, "--share", share, "--json"});
      ASSERT_EQ(made.exit_code, 0) << made.err;
      (*ids_)[name] = Json::parse(made.out)["id"];
      for (const auto& level : levels) {
        auto added = RunAttest({"--archive", *archive_, "session", "add", (*ids_)[name], "--clip",
                                (*ids_)["clip-" + level]});
        ASSERT_EQ(added.exit_code, 0) << added.err;
      }
    }
    auto w =
        RunAttest({"--archive", *archive_, "withdraw", (*ids_)["withdrawn"], "--reason", "test"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    // A public record with one span redacted (after the server starts, through the API).
    {
      std::string file = Write(
          *tmp_, "redacted.txt",
          "A sample paragraph about the harbour, " + std::string(kRedacted) + ", before noon.\n");
      auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-redacted", "--lang", "en", file});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*ids_)["redacted"] = Json::parse(r.out)["records"][0]["id"];
    }
    // A public text whose redacted words move in a revision (finding 2 of issue 21).
    {
      std::string file = Write(*tmp_, "revised.txt", RevisedText(false));
      auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-revised", "--lang", "en", file});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*ids_)["revised"] = Json::parse(r.out)["records"][0]["id"];
    }
    // A public text whose opening passage is kept back (restricted) on its own, after the
    // server starts: what follows it must not betray the passage's length (attack 20, #1).
    {
      std::string file = Write(*tmp_, "mixed.txt",
                               "Sample opening passage, " + std::string(kMixedShut) +
                                   ", kept back from the public for now.\n\n"
                                   "Sample closing passage about the well, open to all.\n");
      auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-mixed", "--lang", "en", file});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*ids_)["mixed"] = Json::parse(r.out)["records"][0]["id"];
    }
    // A spoken sample (espeak-ng) with a transcript a person gave.
    std::string wav = *tmp_ + "/spoken.wav";
    ASSERT_EQ(
        std::system(("espeak-ng -v en-us -w " + wav + " 'one two three four five six' 2>/dev/null")
                        .c_str()),
        0);
    auto a = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public", "--witness",
                        "w-voice", "--lang", "en", wav});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    (*ids_)["spoken"] = Json::parse(a.out)["records"][0]["id"];
    // The same words again, their second line to be redacted (after the server starts).
    auto b = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public", "--witness",
                        "w-voice2", "--lang", "en", wav});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    (*ids_)["spoken-redacted"] = Json::parse(b.out)["records"][0]["id"];
    // A restricted scan (pango-view, read by OCR): its words and its OCR editor for those who
    // may read restricted material only.
    {
      std::string txt = Write(*tmp_, "scanned.txt",
                              "A sample scanned page, kept restricted: " +
                                  std::string(kScanCanary) + " beside the gate.\n");
      std::string png = *tmp_ + "/scanned.png";
      ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 "
                             "--width=2200 --wrap=word --output='" + png + "' '" + txt +
                             "' 2>/dev/null").c_str()),
                0);
      auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "restricted",
                          "--witness", "w-scanned", "--collection", "c-scanned", "--lang", "en",
                          png});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*ids_)["scanned"] = Json::parse(r.out)["records"][0]["id"];
    }
    ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
    std::string vtt = Write(*tmp_, "spoken.vtt",
                            "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none two three\n\n"
                            "00:00:01.000 --> 00:00:02.500\nfour five six\n");
    auto imp = RunAttest({"--archive", *archive_, "transcript", "import", (*ids_)["spoken"], vtt});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    // Its second line holds a canary word: the redacted cue (finding 1 of issue 21).
    std::string vtt2 = Write(*tmp_, "spoken2.vtt",
                             "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none two three\n\n"
                             "00:00:01.000 --> 00:00:02.500\nfour " +
                                 std::string(kCueCanary) + " six\n");
    auto imp2 = RunAttest(
        {"--archive", *archive_, "transcript", "import", (*ids_)["spoken-redacted"], vtt2});
    ASSERT_EQ(imp2.exit_code, 0) << imp2.err;
    ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);

    auto tok = [](const char* role, const char* extra) {
      std::vector<std::string> args = {"--archive", *archive_, "token", "create",
                                       "--role",    role,      "--json"};
      if (*extra) {
        args.push_back("--expires");
        args.push_back(extra);
      }
      auto r = RunAttest(args);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      return Json::parse(r.out);
    };
    tokens_ = new std::map<std::string, std::string>;
    Json researcher = tok("researcher", "");
    (*tokens_)["researcher"] = researcher["token"];
    (*tokens_)["researcher.id"] = researcher["id"];
    Json archivist = tok("archivist", "");
    (*tokens_)["archivist"] = archivist["token"];
    (*tokens_)["archivist.id"] = archivist["id"];
    (*tokens_)["admin"] = tok("admin", "")["token"];
    (*tokens_)["expired"] = tok("archivist", "2001-01-01T00:00:00Z")["token"];
    Json revoked = tok("archivist", "");
    (*tokens_)["revoked"] = revoked["token"];
    // A volunteer (adds records, reads what a researcher reads and its own additions) and a
    // researcher who is granted the restricted record's collection once the server runs.
    Json volunteer = tok("volunteer", "");
    (*tokens_)["volunteer"] = volunteer["token"];
    (*tokens_)["volunteer.id"] = volunteer["id"];
    Json granted = tok("researcher", "");
    (*tokens_)["granted"] = granted["token"];
    (*tokens_)["granted.id"] = granted["id"];
    // A witness's own link (of the research record's witness): their own records at every
    // level, anything else as anonymous.
    auto link = RunAttest({"--archive", *archive_, "link", "create", "w-research", "--json"});
    EXPECT_EQ(link.exit_code, 0) << link.err;
    (*tokens_)["witness-link"] = Json::parse(link.out)["token"];
    // A consent form of the research record's witness: archivists, admins and that witness only.
    std::string form = Write(
        *tmp_, "form.txt",
        "A sample consent form, " + std::string(kFormCanary) + ", signed (not a real one).\n");
    auto attached =
        RunAttest({"--archive", *archive_, "witness", "w-research", "--consent-form", form});
    EXPECT_EQ(attached.exit_code, 0) << attached.err;
    // Another witness's link: that witness has no record here, so it reads the public only.
    auto other = RunAttest({"--archive", *archive_, "link", "create", "w-elsewhere", "--json"});
    EXPECT_EQ(other.exit_code, 0) << other.err;
    (*tokens_)["other-witness-link"] = Json::parse(other.out)["token"];
    // People's accounts, logged in through the form once the server runs.
    for (const char* role : {"volunteer", "researcher", "archivist", "admin"}) {
      auto u = RunAttest(
          {"--archive", *archive_, "user", "add", std::string("u-") + role, "--role", role}, -1,
          std::string(kPassword) + "\n");
      EXPECT_EQ(u.exit_code, 0) << u.err;
    }
    EXPECT_EQ(RunAttest({"--archive", *archive_, "token", "revoke", revoked["id"]}).exit_code, 0);

    server_ = new Child({"--archive", *archive_, "serve", "--listen", "127.0.0.1:0"}, *tmp_);
    port_ = WaitForPort(*server_);
    ASSERT_GT(port_, 0);
    {
      httplib::Client c("127.0.0.1", port_);
      const std::string id = (*ids_)["redacted"];
      Json rec = Json::parse(c.Get("/api/v1/records/" + id)->body);
      ASSERT_FALSE(rec["segments"].empty()) << rec.dump();
      const Json& seg = rec["segments"][0];
      int64_t at = static_cast<int64_t>(seg["text"].get<std::string>().find(kRedacted));
      ASSERT_GE(at, 0);
      Json body = {{"segment", seg["id"]},
                   {"chars", {at, at + static_cast<int64_t>(strlen(kRedacted))}},
                   {"reason", "names a bystander"}};
      auto put = c.Post("/api/v1/records/" + id + "/redactions", Auth("archivist"), body.dump(),
                        "application/json");
      ASSERT_TRUE(put);
      ASSERT_EQ(put->status, 201) << put->body;
    }
    {
      // "four five six" (1.0 s to 2.5 s) redacted; the worker makes the silenced copy.
      httplib::Client c("127.0.0.1", port_);
      const std::string id = (*ids_)["spoken-redacted"];
      Json rec = Json::parse(c.Get("/api/v1/records/" + id)->body);
      ASSERT_EQ(rec["segments"].size(), 2u) << rec.dump();
      Json body = {{"segment", rec["segments"][1]["id"]}, {"reason", "a sample redaction"}};
      auto put = c.Post("/api/v1/records/" + id + "/redactions", Auth("archivist"), body.dump(),
                        "application/json");
      ASSERT_TRUE(put);
      ASSERT_EQ(put->status, 201) << put->body;
      ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
    }
    {
      // The revised record: its canary redacted, then a revision with an opening paragraph
      // added before it (the words move; their offsets no longer point at them).
      httplib::Client c("127.0.0.1", port_);
      const std::string id = (*ids_)["revised"];
      Json rec = Json::parse(c.Get("/api/v1/records/" + id, Auth("archivist"))->body);
      bool done = false;
      for (const Json& seg : rec["segments"]) {
        std::string text = seg["text"];
        size_t at = text.find(kRevisedCanary);
        if (at == std::string::npos) continue;
        int64_t cp = static_cast<int64_t>(CodePoints(text.substr(0, at)));
        Json body = {{"segment", seg["id"]},
                     {"chars", {cp, cp + static_cast<int64_t>(strlen(kRevisedCanary))}},
                     {"reason", "names a bystander"}};
        auto put = c.Post("/api/v1/records/" + id + "/redactions", Auth("archivist"),
                          body.dump(), "application/json");
        ASSERT_TRUE(put);
        ASSERT_EQ(put->status, 201) << put->body;
        done = true;
      }
      ASSERT_TRUE(done) << rec.dump();
      std::string file = Write(*tmp_, "revised-2.txt", RevisedText(true));
      auto r = RunAttest({"--archive", *archive_, "add", "--record", id, file});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
    }
    {
      // The mixed record's opening passage: restricted on its own.
      httplib::Client c("127.0.0.1", port_);
      const std::string id = (*ids_)["mixed"];
      Json rec = Json::parse(c.Get("/api/v1/records/" + id, Auth("archivist"))->body);
      ASSERT_EQ(rec["segments"].size(), 2u) << rec.dump();
      Json body = {{"consent", "restricted"}, {"reason", "asked"}, {"segment", rec["segments"][0]["id"]}};
      auto put = c.Put("/api/v1/records/" + id + "/consent", Auth("archivist"), body.dump(),
                       "application/json");
      ASSERT_TRUE(put);
      ASSERT_EQ(put->status, 200) << put->body;
    }
    {
      // The volunteer's own restricted record, taken in through the API.
      httplib::Client c("127.0.0.1", port_);
      httplib::MultipartFormDataItems form = {
          {"file", std::string("A sample intake note, ") + kVolunteerCanary + ", by a volunteer.\n",
           "note.txt", "text/plain"},
          {"consent", "restricted", "", ""},
          {"collection", "c-volunteer", "", ""},
          {"witness", "w-volunteer", "", ""},
          {"lang", "en", "", ""}};
      auto added = c.Post("/api/v1/records", Auth("volunteer"), form);
      ASSERT_TRUE(added);
      ASSERT_EQ(added->status, 201) << added->body;
      (*ids_)["volunteer"] = Json::parse(added->body)["records"][0]["id"];
      ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
      // The granted researcher asks for the restricted record's collection; an archivist
      // grants it for a day.
      auto asked = c.Post("/api/v1/access-requests", Auth("granted"),
                          Json{{"scope", "collection"},
                               {"id", "c-restricted"},
                               {"purpose", "a sample study"}}
                              .dump(),
                          "application/json");
      ASSERT_TRUE(asked);
      ASSERT_EQ(asked->status, 201) << asked->body;
      auto grant = c.Post("/api/v1/access-requests/" +
                              std::to_string(Json::parse(asked->body)["id"].get<int64_t>()) +
                              "/grant",
                          Auth("archivist"), Json{{"days", 1}}.dump(), "application/json");
      ASSERT_TRUE(grant);
      ASSERT_EQ(grant->status, 200) << grant->body;
    }
    for (const char* role : {"volunteer", "researcher", "archivist", "admin"}) {
      Session s = LogIn(std::string("u-") + role, kPassword);
      ASSERT_FALSE(s.cookie.empty()) << role;
      (*tokens_)[std::string("session-") + role] = s.cookie;
      (*tokens_)[std::string("session-") + role + ".csrf"] = s.csrf;
    }
  }

  static constexpr const char* kPassword = "a sample passphrase";
  static constexpr const char* kFormCanary = "zqformcanary";
  static constexpr const char* kRedacted = "zqredactedcanary";
  static constexpr const char* kCueCanary = "zqcuecanary";
  static constexpr const char* kRevisedCanary = "zqrevisedcanary";
  static constexpr const char* kMixedShut = "zqmixedshut";
  static constexpr const char* kVolunteerCanary = "zqvolunteercanary";
  static constexpr const char* kScanCanary = "zqscancanary";
  // The revised record's text: with `opening`, a paragraph added before the rest.
  static std::string RevisedText(bool opening) {
    return std::string(opening ? "A sample opening paragraph added in the revision, which moves "
                                 "every later word.\n\n"
                               : "") +
           "A sample paragraph about the orchard near " + kRevisedCanary +
           ", at dusk.\n\nA last sample paragraph about the road.\n";
  }
  // The words hidden from those who may not read restricted material, by record name.
  static std::vector<std::pair<std::string, std::string>> HiddenWords() {
    return {{"redacted", kRedacted}, {"spoken-redacted", kCueCanary}, {"revised", kRevisedCanary}};
  }

  // A cookie's value in a response's Set-Cookie headers ("" if none).
  static std::string SetCookie(const httplib::Result& r, const std::string& name) {
    for (size_t i = 0; i < r->get_header_value_count("Set-Cookie"); ++i) {
      std::string c = r->get_header_value("Set-Cookie", i);
      if (c.rfind(name + "=", 0) == 0)
        return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
    }
    return "";
  }
  static std::string HiddenCsrf(const std::string& html) {
    const std::string field = "name=\"csrf\" value=\"";
    size_t at = html.find(field);
    if (at == std::string::npos) return "";
    at += field.size();
    return html.substr(at, html.find('"', at) - at);
  }

  struct Session {
    std::string cookie;  // the session cookie's value
    std::string csrf;    // its form token, from a page's logout form
    httplib::Result answer{nullptr, httplib::Error::Unknown};  // the login's answer
  };
  // Logs in through the form, as a browser would: the form page, then its post with the form's
  // token and the cookie that came with it. `extra_cookie` is sent along (a planted session).
  static Session LogIn(const std::string& name, const std::string& password,
                       const std::string& extra_cookie = "") {
    httplib::Client c("127.0.0.1", port_);
    auto form = c.Get("/login");
    Session s;
    if (!form || form->status != 200) return s;
    std::string token = SetCookie(form, "__Host-attest_csrf");
    std::string cookie = "__Host-attest_csrf=" + token;
    if (!extra_cookie.empty()) cookie += "; " + extra_cookie;
    s.answer = c.Post("/login", {{"Cookie", cookie}},
                      "csrf=" + HiddenCsrf(form->body) + "&name=" + name +
                          "&password=" + httplib::detail::encode_query_param(password),
                      "application/x-www-form-urlencoded");
    if (!s.answer || s.answer->status != 303) return s;
    s.cookie = SetCookie(s.answer, "__Host-attest_session");
    auto page = c.Get("/", {{"Cookie", "__Host-attest_session=" + s.cookie}});
    if (page) s.csrf = HiddenCsrf(page->body);
    return s;
  }
  static void TearDownTestSuite() {
    kill(server_->pid(), SIGTERM);
    ProcessResult r = server_->Wait();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    delete temp_dir_;  // removes the directory: tests leave nothing behind
  }

  static httplib::Headers Auth(const std::string& who) {
    if (who.empty()) return {};
    if (who.rfind("session-", 0) == 0) {
      return {{"Cookie", "__Host-attest_session=" + (*tokens_)[who]}};
    }
    return {{"Authorization", "Bearer " + (*tokens_)[who]}};
  }
  static httplib::Result Get(const std::string& path, const std::string& who = "") {
    httplib::Client c("127.0.0.1", port_);
    return c.Get(path, Auth(who));
  }
  static void ExpectProblem(const httplib::Result& r, int status, const std::string& what) {
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->status, status) << what << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << what;
    Json j = Json::parse(r->body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << what;
    EXPECT_EQ(j["status"], status) << what;
    EXPECT_TRUE(j["title"].is_string() && j["detail"].is_string() && j["type"].is_string()) << what;
  }

  // A segment's ref as doc/api.md "Segment ids" defines it: "s" and the hex of AES-128 (key
  // keys/ids.key) of the id's 8 big-endian bytes and "attestsg".
  static std::string SegmentRef(int64_t id) {
    std::ifstream in(*archive_ + "/keys/ids.key");
    std::string hex;
    in >> hex;
    auto key = FromHex(hex);
    EXPECT_TRUE(key.ok() && key->size() == 16) << hex;
    if (!key.ok() || key->size() != 16) return "";
    unsigned char block[16], out[32];
    for (int i = 0; i < 8; ++i) block[i] = static_cast<unsigned char>(id >> (56 - 8 * i));
    std::memcpy(block + 8, "attestsg", 8);
    int n = 0, m = 0;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr,
                       reinterpret_cast<const unsigned char*>(key->data()), nullptr);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_EncryptUpdate(ctx, out, &n, block, 16);
    EVP_EncryptFinal_ex(ctx, out + n, &m);
    EVP_CIPHER_CTX_free(ctx);
    return "s" + ToHex(std::string_view(reinterpret_cast<const char*>(out), 16));
  }

  // The SHA-256 of each file a redacted record was made from, with each of a few candidates in
  // place of its hidden words (the true one among them): any of them in an answer would let a
  // guesser confirm the hidden words offline.
  static std::vector<std::string> GuessedFileHashes(const std::string& name) {
    static std::map<std::string, std::vector<std::string>>* cache =
        new std::map<std::string, std::vector<std::string>>;
    auto it = cache->find(name);
    if (it != cache->end()) return it->second;
    std::vector<std::string> texts;
    const char* candidates[] = {"zqredactedcanary", "zqcuecanary", "zqrevisedcanary", "Haifa",
                                "the village"};
    for (const char* c : candidates) {
      if (name == "redacted") {
        texts.push_back("A sample paragraph about the harbour, " + std::string(c) +
                        ", before noon.\n");
      } else if (name == "spoken-redacted") {
        texts.push_back("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none two three\n\n"
                        "00:00:01.000 --> 00:00:02.500\nfour " +
                        std::string(c) + " six\n");
        texts.push_back("four " + std::string(c) + " six");
        texts.push_back("one two three\nfour " + std::string(c) + " six");
      } else {
        for (bool opening : {false, true}) {
          std::string t = RevisedText(opening);
          t.replace(t.find(kRevisedCanary), strlen(kRevisedCanary), c);
          texts.push_back(t);
        }
      }
    }
    std::vector<std::string> out;
    for (const auto& t : texts) out.push_back(ToHex(Sha256(t)));
    (*cache)[name] = out;
    return out;
  }

  // Every GET path of the API and the pages, for the records of the suite.
  static std::vector<std::string> EveryPath() {
    std::vector<std::string> paths = {"/",
                                      "/api/v1/",
                                      "/api/v1/me",
                                      "/api/v1/collections",
                                      "/api/v1/witnesses",
                                      "/api/v1/records",
                                      "/search?q=river",
                                      "/search?q=zq*",
                                      "/api/v1/search?q=river",
                                      "/api/v1/search?q=zq*",
                                      "/api/v1/search?q=place:Haifa",
                                      "/api/v1/suggest?q=zq",
                                      "/api/v1/events?place=Haifa&date=1948",
                                      "/perspectives?place=Haifa&date=1948",
                                      "/verify",
                                      "/login",
                                      "/api/v1/audit",
                                      "/api/v1/witnesses/w-research/consent-forms",
                                      "/api/v1/witnesses/w-research/consent-forms/1",
                                      "/api/v1/witnesses/w-public/consent-forms/1",
                                      "/api/v1/search?q=harbour%20noon",
                                      "/api/v1/search?q=harbour",
                                      "/search?q=harbour",
                                      "/api/v1/suggest?q=zqred",
                                      "/api/v1/ask?q=river",
                                      "/api/v1/ask?q=river&differ=1&limit=50",
                                      "/api/v1/ask?q=what%20of%20the%20harbour%20before%20noon",
                                      "/ask?q=river%20crossing",
                                      "/ask?q=harbour&differ=1",
                                      "/log/checkpoint",
                                      // The workspace (issue 23): intake and its uploads.
                                      "/intake",
                                      "/api/v1/uploads/0123456789abcdef0123456789abcdef",
                                      "/review", "/review?lang_of=en", "/accounts",
                                      // Access requests (issue 23).
                                      "/access", "/access?state=", "/access?state=granted",
                                      "/api/v1/access-requests",
                                      "/api/v1/access-requests?state=granted"};
    for (std::string level : kLevels) {
      const std::string& id = (*ids_)[level];
      for (std::string p :
           {"/api/v1/records/" + id, "/api/v1/records/" + id + "/versions/1",
            "/api/v1/records/" + id + "/versions/2", "/api/v1/records/" + id + "/segments",
            "/api/v1/records/" + id + "/transcript", "/api/v1/records/" + id + "/media/original",
            "/api/v1/records/" + id + "/proof", "/records/" + id, "/witnesses/w-" + level,
            "/api/v1/witnesses/w-" + level, "/api/v1/collections/c-" + level,
            "/verify?sha256=" + (*shas_)[level], "/api/v1/records/" + id + "/jobs",
            // The workspace's editor and a version's differences (issue 23).
            "/records/" + id + "/transcript/edit", "/records/" + id + "/ocr/edit",
            "/records/" + id + "/diff",
            "/records/" + id + "/diff?from=1&to=2", "/api/v1/records/" + id + "/diff?from=1&to=2"}) {
        paths.push_back(p);
      }
    }
    for (const std::string& id : {(*ids_)["volunteer"]}) {
      for (std::string p :
           {"/api/v1/records/" + id, "/api/v1/records/" + id + "/segments", "/records/" + id,
            "/api/v1/records/" + id + "/media/original", "/api/v1/records/" + id + "/proof",
            std::string("/api/v1/collections/c-volunteer"), std::string("/witnesses/w-volunteer"),
            "/search?q=" + std::string(kVolunteerCanary),
            "/api/v1/search?q=" + std::string(kVolunteerCanary)}) {
        paths.push_back(p);
      }
    }
    // The restricted scan and its OCR editor (issue 23).
    const std::string& scanned = (*ids_)["scanned"];
    for (std::string p :
         {"/records/" + scanned, "/records/" + scanned + "/ocr/edit",
          "/records/" + scanned + "/ocr/edit?page=1", "/records/" + scanned + "/ocr/edit?page=2",
          "/api/v1/records/" + scanned, "/api/v1/records/" + scanned + "/segments",
          "/api/v1/records/" + scanned + "/media/original", "/records/" + scanned + "/diff",
          std::string("/api/v1/search?q=") + kScanCanary, std::string("/search?q=gate")}) {
      paths.push_back(p);
    }
    const std::string& redacted = (*ids_)["redacted"];
    for (std::string p :
         {"/api/v1/records/" + redacted, "/api/v1/records/" + redacted + "/segments",
          "/api/v1/records/" + redacted + "/transcript", "/records/" + redacted,
          "/api/v1/records/" + redacted + "/media/original",
          std::string("/witnesses/w-redacted")}) {
      paths.push_back(p);
    }
    // Every segment of the archive, by its ref (doc/api.md "Segment ids"), computed here from
    // the archive's key as the format says, so hidden ones are asked for too.
    for (int s = 1; s <= 40; ++s) paths.push_back("/api/v1/segments/" + SegmentRef(s));
    // The redacted cue of a spoken record and the revised text, in every form and version.
    for (const char* name : {"spoken-redacted", "revised"}) {
      const std::string& id = (*ids_)[name];
      for (std::string p :
           {"/api/v1/records/" + id, "/api/v1/records/" + id + "/segments", "/records/" + id,
            "/api/v1/records/" + id + "/proof", "/api/v1/records/" + id + "/media/original",
            "/api/v1/records/" + id + "/media/access", "/api/v1/records/" + id + "/transcript"}) {
        paths.push_back(p);
      }
      for (const char* format : {"json", "vtt", "srt", "txt"}) {
        paths.push_back("/api/v1/records/" + id + "/transcript?format=" + format);
        for (int v = 1; v <= 5; ++v) {
          paths.push_back("/api/v1/records/" + id + "/transcript?format=" + std::string(format) +
                          "&version=" + std::to_string(v));
        }
      }
      for (int v = 1; v <= 5; ++v) {
        paths.push_back("/api/v1/records/" + id + "/versions/" + std::to_string(v));
        paths.push_back("/api/v1/records/" + id + "/proof?version=" + std::to_string(v));
        for (int w = 1; w <= 5; ++w) {
          const std::string q = "?from=" + std::to_string(v) + "&to=" + std::to_string(w);
          paths.push_back("/api/v1/records/" + id + "/diff" + q);
          paths.push_back("/records/" + id + "/diff" + q);
        }
      }
      paths.push_back("/records/" + id + "/transcript/edit");
    }
    for (std::string q : {"orchard", "zqrevised*", "zqcue*", "four%20six", "dusk"}) {
      paths.push_back("/api/v1/search?q=" + q);
      paths.push_back("/search?q=" + q);
      paths.push_back("/api/v1/ask?q=" + q);
    }
    paths.push_back("/api/v1/suggest?q=zqrev");
    paths.push_back("/api/v1/suggest?q=zqcue");
    // Clips and sessions (issue 24): each read anew through its record's filtered reading.
    for (const char* name : {"clip-public", "clip-research", "clip-restricted", "clip-withdrawn"}) {
      paths.push_back("/api/v1/clips/" + (*ids_)[name]);
    }
    for (const char* name : {"session-public", "session-accounts"}) {
      const std::string& id = (*ids_)[name];
      for (std::string p : {"/api/v1/sessions/" + id, "/sessions/" + id, "/sessions/" + id + "/play",
                            "/sessions/" + id + "/programme"}) {
        paths.push_back(p);
      }
    }
    paths.push_back("/sessions");
    paths.push_back("/api/v1/clips");
    paths.push_back("/api/v1/sessions");
    const std::string& mixed = (*ids_)["mixed"];
    for (std::string p :
         {"/api/v1/records/" + mixed, "/api/v1/records/" + mixed + "/segments",
          "/records/" + mixed, std::string("/api/v1/search?q=zqmixed*"),
          std::string("/api/v1/suggest?q=zqmix")}) {
      paths.push_back(p);
    }
    return paths;
  }

  // A segment read alone (GET /api/v1/segments/{ref}) has the offsets its record's JSON gives
  // `who`: stored ones for a whole reader, else those of the text as shown, where each
  // segment's offsets span its shown text. Offsets in the stored text would give a partial
  // reader the length of a redacted word or of a passage kept back (attack 20, finding 1).
  static void ExpectSegmentOffsetsAsTheRecordGivesThem(const std::string& who) {
    for (const char* name : {"redacted", "revised", "spoken-redacted", "mixed"}) {
      auto rec = Get("/api/v1/records/" + (*ids_)[name], who);
      ASSERT_TRUE(rec);
      ASSERT_EQ(rec->status, 200) << who << " " << name;
      Json record = Json::parse(rec->body);
      ASSERT_FALSE(record["segments"].empty()) << who << " " << name;
      for (const Json& seg : record["segments"]) {
        const std::string ref = seg["id"];
        auto one = Get("/api/v1/segments/" + ref, who);
        ASSERT_TRUE(one);
        ASSERT_EQ(one->status, 200) << who << " " << name << " " << ref;
        Json alone = Json::parse(one->body);
        EXPECT_EQ(alone["text"], seg["text"]) << who << " " << name;
        for (const char* key : {"char_start", "char_end"}) {
          EXPECT_EQ(alone.value(key, Json()), seg.value(key, Json()))
              << who << " " << name << " " << key << ": " << one->body << " vs " << seg.dump();
        }
        if (seg.contains("char_start")) {
          EXPECT_EQ(seg["char_end"].get<int64_t>() - seg["char_start"].get<int64_t>(),
                    static_cast<int64_t>(CodePoints(seg["text"].get<std::string>())))
              << who << " " << name << ": " << seg.dump();
        }
      }
    }
  }

  static TempDir* temp_dir_;
  static std::string* tmp_;
  static std::string* archive_;
  static std::map<std::string, std::string>* ids_;
  static std::map<std::string, std::string>* shas_;
  static std::map<std::string, std::string>* tokens_;
  static Child* server_;
  static int port_;
};
TempDir* ApiTest::temp_dir_ = nullptr;
std::string* ApiTest::tmp_;
std::string* ApiTest::archive_;
std::map<std::string, std::string>* ApiTest::ids_;
std::map<std::string, std::string>* ApiTest::shas_;
std::map<std::string, std::string>* ApiTest::tokens_;
Child* ApiTest::server_;
int ApiTest::port_;

TEST_F(ApiTest, EveryEndpointAnswersWithWhatTheCallerMaySeeOnly) {
  // Which canaries each caller may meet; sealed and withdrawn: nobody.
  // Expired and revoked tokens meet nothing: every API path answers them 401.
  std::map<std::string, std::set<std::string>> allowed = {
      {"", {"public"}},
      {"researcher", {"public", "research"}},
      {"archivist", {"public", "research", "restricted"}},
      {"admin", {"public", "research", "restricted"}},
      {"session-researcher", {"public", "research"}},
      // A volunteer: what a researcher reads, and its own additions (kVolunteerCanary).
      {"volunteer", {"public", "research"}},
      {"session-volunteer", {"public", "research"}},
      // A researcher granted the restricted record's collection (c-restricted).
      {"granted", {"public", "research", "restricted"}},
      {"session-archivist", {"public", "research", "restricted"}},
      {"session-admin", {"public", "research", "restricted"}},
      {"expired", {}},
      {"revoked", {}},
      {"witness-link", {"public", "research"}},  // the research record is that witness's
      {"other-witness-link", {"public"}}};
  for (const auto& [who, levels] : allowed) {
    std::set<std::string> seen;
    int forms_seen = 0, redacted_seen = 0, volunteer_seen = 0, scan_seen = 0;
    const bool refused = who == "expired" || who == "revoked";
    const bool admin = who == "admin" || who == "session-admin";
    for (const std::string& path : EveryPath()) {
      auto r = Get(path, who);
      ASSERT_TRUE(r) << path;
      EXPECT_LT(r->status, 500) << path;
      if (refused && path.rfind("/log/", 0) != 0) {
        EXPECT_EQ(r->status, 401) << who << " " << path;
      }
      if (path == "/api/v1/audit") {
        // A witness's link is no role: anonymous here.
        bool no_role = who.empty() || refused || who.find("witness-link") != std::string::npos;
        EXPECT_EQ(r->status, admin ? 200 : no_role ? 401 : 403) << who;
      }
      // A redacted span: archivists and admins, in the record, never through search.
      const bool restricted_reader = who == "archivist" || who == "admin" ||
                                     who == "session-archivist" || who == "session-admin";
      for (const auto& [name, words] : HiddenWords()) {
        if (r->body.find(words) != std::string::npos) {
          EXPECT_TRUE(restricted_reader && path.find("search") == std::string::npos &&
                      path.find("suggest") == std::string::npos &&
                      path.find("ask") == std::string::npos)
              << who << " met the redacted words of " << name << " at " << path;
          if (name == "redacted") redacted_seen++;
        }
        // Nor a hash or a size that would confirm a guess of them (finding 3 of issue 21).
        if (!restricted_reader) {
          for (const std::string& guessed : GuessedFileHashes(name)) {
            EXPECT_EQ(r->body.find(guessed), std::string::npos)
                << who << " was given a hash that confirms a guess of " << name << " at " << path;
          }
        }
      }
      // The restricted scan's words: those who may read restricted material only (a search
      // for the word itself echoes it).
      if (r->body.find(kScanCanary) != std::string::npos &&
          path.find(kScanCanary) == std::string::npos) {
        EXPECT_TRUE(restricted_reader) << who << " met the restricted scan at " << path;
        scan_seen++;
      }
      if (path.find((*ids_)["scanned"] + "/ocr/edit") != std::string::npos && !refused) {
        const bool anonymous = who.empty() || who.find("witness-link") != std::string::npos;
        // Staff read the page (page 2 of a one-page scan is none); others are sent to log in
        // (a browser without an account) or refused; never the words.
        const int expected = restricted_reader
                                 ? (path.find("page=2") != std::string::npos ? 404 : 200)
                                 : anonymous ? 303 : 403;
        EXPECT_EQ(r->status, expected) << who << " " << path;
      }
      // The mixed record's kept-back passage: those who may read restricted material only.
      if (r->body.find(kMixedShut) != std::string::npos) {
        EXPECT_TRUE(restricted_reader) << who << " met the kept-back passage at " << path;
      }
      // The volunteer's own record: that volunteer (its token, not another account) and staff.
      // (A search for the word itself echoes it: those are checked by their totals, and
      // zq* finds it for whoever may read it.)
      if (r->body.find(kVolunteerCanary) != std::string::npos &&
          path.find(kVolunteerCanary) == std::string::npos) {
        EXPECT_TRUE(restricted_reader || who == "volunteer")
            << who << " met the volunteer's record at " << path;
        if (who == "volunteer") volunteer_seen++;
      }
      if (path.find((*ids_)["volunteer"]) != std::string::npos && !refused &&
          path.rfind("/api/", 0) == 0 && path.find("/jobs") == std::string::npos &&
          !restricted_reader && who != "volunteer") {
        EXPECT_EQ(r->status, 404) << who << " " << path;
      }
      if (path.find((*ids_)["redacted"]) != std::string::npos && r->status == 200 &&
          !restricted_reader && path.find("/media/") == std::string::npos) {
        EXPECT_NE(r->body.find("\u2588\u2588\u2588\u2588\u2588"), std::string::npos)
            << who << " sees no mark of the gap at " << path;
      }
      if (path == "/api/v1/records/" + (*ids_)["redacted"] + "/media/original" && !refused) {
        EXPECT_EQ(r->status, restricted_reader ? 200 : 404) << who;
      }
      // The consent form: archivists and admins, and the witness's own link.
      const bool form_reader = who == "archivist" || who == "admin" || who == "session-archivist" ||
                               who == "session-admin" || who == "witness-link";
      if (r->body.find(kFormCanary) != std::string::npos) {
        EXPECT_TRUE(form_reader) << who << " met the consent form at " << path;
        forms_seen++;
      }
      if (path.find("consent-forms") != std::string::npos && !form_reader) {
        EXPECT_EQ(r->status, refused ? 401 : 404) << who << " " << path;
      }
      for (std::string level : kLevels) {
        if (r->body.find(Canary(level)) != std::string::npos) {
          seen.insert(level);
          EXPECT_TRUE(levels.count(level)) << "'" << (who.empty() ? "anonymous" : who)
                                           << "' met the " << level << " canary at " << path;
        }
        // The record of a level the caller may not read is indistinguishable from none.
        if (!levels.count(level) && !refused && path.find((*ids_)[level]) != std::string::npos &&
            path.rfind("/api/", 0) == 0) {
          EXPECT_EQ(r->status, 404) << path;
        }
      }
      if (r->status >= 400 && path.rfind("/api/", 0) == 0) {
        EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << path;
      }
      // A file asked for in part answers as the whole does.
      if (path.find("/media/") != std::string::npos) {
        httplib::Headers h = Auth(who);
        h.emplace("Range", "bytes=0-200");
        httplib::Client pc("127.0.0.1", port_);
        auto part = pc.Get(path, h);
        ASSERT_TRUE(part) << path << " " << httplib::to_string(part.error());
        EXPECT_EQ(part->status == 206, r->status == 200) << who << " " << path;
        for (std::string level : kLevels) {
          if (part->body.find(Canary(level)) != std::string::npos) {
            EXPECT_TRUE(levels.count(level))
                << who << " met the " << level << " canary at " << path << " with Range";
          }
        }
      }
    }
    if (!refused) ExpectSegmentOffsetsAsTheRecordGivesThem(who);
    EXPECT_EQ(seen, levels) << (who.empty() ? "anonymous" : who);  // and each allowed one is found
    if (who == "archivist" || who == "witness-link") {
      EXPECT_EQ(forms_seen, 1) << who;  // the form itself, once
    }
    if (who == "archivist") {
      EXPECT_GT(redacted_seen, 0);  // the record shows it to them
    }
    if (who == "volunteer") {
      EXPECT_GT(volunteer_seen, 0);  // its record and its search show its own words
    }
    if (who == "archivist" || who == "session-archivist") {
      EXPECT_GT(scan_seen, 2) << who;  // the record, its segments and its OCR editor
    }
  }
}

TEST_F(ApiTest, TotalsAndFacetsCountOnlyWhatTheCallerMaySee) {
  // "river" is in every record: anonymous counts the public record's two paragraphs only.
  auto r = Get("/api/v1/search?q=river");
  ASSERT_TRUE(r && r->status == 200);
  Json j = Json::parse(r->body);
  EXPECT_EQ(j["total_estimate"], 2);
  EXPECT_EQ(j["records_estimate"], 1);
  EXPECT_EQ(j["facets"]["collection"].size(), 1u);
  EXPECT_EQ(j["facets"]["collection"]["c-public"], 2);
  auto res = Json::parse(Get("/api/v1/search?q=river", "researcher")->body);
  EXPECT_EQ(res["total_estimate"], 4);
  auto arch = Json::parse(Get("/api/v1/search?q=river", "archivist")->body);
  EXPECT_EQ(arch["total_estimate"], 6);  // sealed and withdrawn: not even for archivists
  auto cols = Json::parse(Get("/api/v1/collections")->body);
  EXPECT_EQ(cols["total"], 1);
  auto wits = Json::parse(Get("/api/v1/witnesses", "researcher")->body);
  // w-public, w-research, w-voice, w-voice2, w-redacted, w-revised, w-mixed
  EXPECT_EQ(wits["total"], 7);
  auto recs = Json::parse(Get("/api/v1/records")->body);
  EXPECT_EQ(recs["total"], 6);  // public, spoken, spoken-redacted, redacted, revised, mixed
  auto sugg = Json::parse(Get("/api/v1/suggest?q=zq")->body);
  ASSERT_EQ(sugg["suggestions"].size(), 1u);
  EXPECT_EQ(sugg["suggestions"][0]["word"], Canary("public"));
  // Verifying a hidden record's file says no more than verifying an unknown file.
  httplib::Client c("127.0.0.1", port_);
  auto hidden =
      c.Post("/api/v1/verify", Json{{"sha256", (*shas_)["restricted"]}}.dump(), "application/json");
  auto unknown =
      c.Post("/api/v1/verify", Json{{"sha256", std::string(64, 'a')}}.dump(), "application/json");
  ASSERT_TRUE(hidden && unknown);
  EXPECT_EQ(Json::parse(hidden->body)["found"], false);
  EXPECT_EQ(Json::parse(hidden->body)["matches"], Json::parse(unknown->body)["matches"]);
}

TEST_F(ApiTest, ViewsOfWhatIsNotPublicAreInTheAuditLog) {
  const std::string actor = "token:" + (*tokens_)["researcher.id"];
  auto audit = [&] {
    auto r = RunAttest({"--archive", *archive_, "audit", "--json", "--actor", actor});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["entries"];
  };
  size_t before = audit().size();
  const std::string research = (*ids_)["research"], open = (*ids_)["public"];
  EXPECT_EQ(Get("/api/v1/records/" + research, "researcher")->status, 200);
  EXPECT_EQ(Get("/api/v1/records/" + research + "/media/original", "researcher")->status, 200);
  EXPECT_EQ(Get("/api/v1/records/" + open, "researcher")->status, 200);  // public: not audited
  EXPECT_EQ(Get("/api/v1/records/" + research)->status, 404);            // anonymous: not shown
  Json entries = audit();
  ASSERT_EQ(entries.size(), before + 2) << entries.dump();
  for (size_t i = before; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i]["action"], "view");
    EXPECT_EQ(entries[i]["target"], research);
    EXPECT_EQ(entries[i]["hash"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(entries[before]["detail"]["what"], "record");
  EXPECT_EQ(entries[before + 1]["detail"]["what"], "media");
  // A search that shows the researcher research-level words names their records; one that
  // shows public words only is not logged.
  EXPECT_EQ(Get("/api/v1/search?q=" + Canary("research"), "researcher")->status, 200);
  EXPECT_EQ(Get("/api/v1/search?q=" + Canary("public"), "researcher")->status, 200);
  entries = audit();
  ASSERT_EQ(entries.size(), before + 3) << entries.dump();
  EXPECT_EQ(entries[before + 2]["detail"]["what"], "search");
  EXPECT_EQ(entries[before + 2]["detail"]["records"], Json::array({research}));
  // The tokens' making and revoking is there too, by the command line.
  auto all = RunAttest({"--archive", *archive_, "audit"});
  EXPECT_NE(all.out.find("token.create"), std::string::npos);
  EXPECT_NE(all.out.find("token.revoke"), std::string::npos);
  EXPECT_NE(all.out.find("withdraw"), std::string::npos);
  // And the chain holds.
  auto verified = RunAttest({"--archive", *archive_, "verify", "--json"});
  EXPECT_EQ(verified.out.find("\"audit\""), std::string::npos) << verified.out;
}

// Attack 20, finding 5: the answers that show a token holder what non-public material holds
// without being a search or a record (suggestions, lists of records, the perspectives' starting
// places and dates) are audited too, naming what they showed; with public material only, not.
TEST_F(ApiTest, SuggestionsListsAndPerspectiveStartsOfWhatIsNotPublicAreAudited) {
  const std::string actor = "token:" + (*tokens_)["researcher.id"];
  auto audit = [&] {
    auto r = RunAttest({"--archive", *archive_, "audit", "--json", "--actor", actor});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["entries"];
  };
  const std::string research = (*ids_)["research"];
  size_t before = audit().size();
  // Public only: nothing.
  EXPECT_EQ(Get("/api/v1/suggest?q=zqpublicc", "researcher")->status, 200);
  EXPECT_EQ(Get("/api/v1/collections/c-public", "researcher")->status, 200);
  EXPECT_EQ(audit().size(), before);

  auto shown = Get("/api/v1/suggest?q=zqresearchc", "researcher");
  ASSERT_EQ(shown->status, 200);
  ASSERT_NE(shown->body.find(Canary("research")), std::string::npos) << shown->body;
  Json entries = audit();
  ASSERT_EQ(entries.size(), before + 1) << entries.dump();
  EXPECT_EQ(entries[before]["detail"]["what"], "suggest");
  EXPECT_EQ(entries[before]["detail"]["words"], Json::array({Canary("research")}));

  for (std::string path :
       {"/api/v1/records?limit=100", "/api/v1/witnesses/w-research", "/witnesses/w-research", "/"}) {
    size_t at = audit().size();
    auto r = Get(path, "researcher");
    ASSERT_EQ(r->status, 200) << path;
    entries = audit();
    ASSERT_EQ(entries.size(), at + 1) << path << ": " << entries.dump();
    EXPECT_EQ(entries[at]["detail"]["what"], "records") << path;
    auto listed = entries[at]["detail"]["records"];
    EXPECT_NE(std::find(listed.begin(), listed.end(), Json(research)), listed.end()) << path;
    EXPECT_EQ(std::find(listed.begin(), listed.end(), Json((*ids_)["public"])), listed.end());
  }
  {
    size_t at = audit().size();
    auto r = Get("/perspectives", "researcher");
    ASSERT_EQ(r->status, 200);
    entries = audit();
    bool starts = false;
    for (size_t i = at; i < entries.size(); ++i) {
      if (entries[i]["detail"]["what"] != "perspective-starts") continue;
      starts = true;
      auto listed = entries[i]["detail"]["records"];
      EXPECT_NE(std::find(listed.begin(), listed.end(), Json(research)), listed.end());
    }
    EXPECT_TRUE(starts) << entries.dump();
  }
  // Anonymous callers have no actor: nothing is written for them.
  size_t at = audit().size();
  Get("/api/v1/records?limit=100");
  EXPECT_EQ(audit().size(), at);
}

// Attack 20, finding 6: a view is audited for what the answer gives, once it is given. No row
// for a 404 (a version, file, proof or segment not there or not given), nor for an answer that
// shows a reader only public passages of a record; and a witness's `seen_by` is bounded.
TEST_F(ApiTest, AViewIsAuditedOnlyForWhatTheAnswerGives) {
  const std::string actor = "token:" + (*tokens_)["researcher.id"];
  auto rows = [&] {
    auto r = RunAttest({"--archive", *archive_, "audit", "--json", "--actor", actor});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["entries"];
  };
  const std::string mixed = (*ids_)["mixed"], research = (*ids_)["research"];
  std::string shut, open;
  const Json full = Json::parse(Get("/api/v1/records/" + mixed, "archivist")->body);
  for (const Json& g : full["segments"]) {
    (g["text"].get<std::string>().find(kMixedShut) != std::string::npos ? shut : open) = g["id"];
  }
  ASSERT_FALSE(shut.empty() || open.empty());
  // The mixed record's witness reads who saw it.
  auto link = RunAttest({"--archive", *archive_, "link", "create", "w-mixed", "--json"});
  ASSERT_EQ(link.exit_code, 0) << link.err;
  httplib::Headers witness = {
      {"Authorization", "Bearer " + Json::parse(link.out)["token"].get<std::string>()}};
  auto seen = [&] {
    httplib::Client c("127.0.0.1", port_);
    Json me = Json::parse(c.Get("/api/v1/me", witness)->body);
    EXPECT_EQ(me["records"].size(), 1u) << me.dump();
    return me["records"][0];
  };
  const uint64_t seen_before = seen()["seen_by_total"];

  const size_t before = rows().size();
  const std::vector<std::pair<std::string, int>> not_given = {
      {"/api/v1/records/" + mixed + "/media/original", 404},  // not whole for a researcher
      {"/api/v1/records/" + research + "/versions/999999", 404},
      {"/api/v1/records/" + research + "/proof?version=999", 404},
      {"/api/v1/records/" + research + "/media/page-3", 404},
      {"/api/v1/records/" + research + "/transcript", 404},  // a text: no transcript
      {"/api/v1/segments/" + shut, 404},
      // Public passages only.
      {"/api/v1/records/" + mixed, 200},
      {"/api/v1/records/" + mixed + "/segments", 200},
      {"/records/" + mixed, 200},
      {"/api/v1/segments/" + open, 200},
      {"/api/v1/records/" + mixed + "/proof", 200},  // the statement: no hash
      {"/api/v1/records/" + mixed + "/versions/1", 200}};
  for (const auto& [path, status] : not_given) {
    for (const char* who : {"researcher", "other-witness-link"}) {
      auto r = Get(path, who);
      ASSERT_TRUE(r) << path;
      EXPECT_EQ(r->status, status) << who << " " << path << ": " << r->body;
    }
    EXPECT_EQ(rows().size(), before) << "a row for " << path << ": " << rows().dump();
  }
  EXPECT_EQ(seen()["seen_by_total"], seen_before);  // the witness is told of no view

  // What is given is audited, once, as what it is.
  EXPECT_EQ(Get("/api/v1/records/" + research + "/versions/1", "researcher")->status, 200);
  EXPECT_EQ(Get("/api/v1/records/" + research + "/proof", "researcher")->status, 200);
  EXPECT_EQ(Get("/api/v1/records/" + research + "/segments", "researcher")->status, 200);
  Json entries = rows();
  ASSERT_EQ(entries.size(), before + 3) << entries.dump();
  EXPECT_EQ(entries[before]["detail"]["what"], "version");
  EXPECT_EQ(entries[before]["detail"]["version"], 1);
  EXPECT_EQ(entries[before + 1]["detail"]["what"], "proof");
  EXPECT_EQ(entries[before + 2]["detail"]["what"], "record");
  // An archivist reading the kept-back passage is a view the witness sees, newest first; and
  // `seen_by` lists the 50 newest, with how many there are in all.
  EXPECT_EQ(Get("/api/v1/segments/" + shut, "archivist")->status, 200);
  Json record = seen();
  EXPECT_EQ(record["seen_by_total"], seen_before + 1);
  EXPECT_EQ(record["seen_by"][0]["what"], "segment");
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(Get("/api/v1/records/" + mixed, "archivist")->status, 200);
  }
  record = seen();
  EXPECT_EQ(record["seen_by_total"], seen_before + 51);
  ASSERT_EQ(record["seen_by"].size(), 50u);
  for (const Json& v : record["seen_by"]) EXPECT_EQ(v["what"], "record");  // the newest
  for (size_t i = 1; i < record["seen_by"].size(); ++i) {
    EXPECT_GE(record["seen_by"][i - 1]["at"], record["seen_by"][i]["at"]);
  }
}

TEST_F(ApiTest, ASessionCookieIsSecureHttpOnlyStrictAndNewAtEveryLogin) {
  Session s = LogIn("u-researcher", kPassword);
  ASSERT_TRUE(s.answer);
  std::string set;
  for (size_t i = 0; i < s.answer->get_header_value_count("Set-Cookie"); ++i) {
    std::string c = s.answer->get_header_value("Set-Cookie", i);
    if (c.rfind("__Host-attest_session=", 0) == 0) set = c;
  }
  ASSERT_FALSE(set.empty());
  for (const char* attr : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_NE(set.find(attr), std::string::npos) << attr << " in " << set;
  }
  EXPECT_EQ(set.find("Domain"), std::string::npos) << set;
  EXPECT_EQ(s.cookie.size(), 60u);
  EXPECT_EQ(s.answer->get_header_value("Location"), "/");

  // Session fixation: a cookie planted before login (one the server never made) is anonymous,
  // is cleared, and is never the one the login gives.
  const std::string planted = "attests_" + std::string(52, 'a');
  httplib::Client c("127.0.0.1", port_);
  auto before = c.Get("/", {{"Cookie", "__Host-attest_session=" + planted}});
  ASSERT_TRUE(before);
  EXPECT_NE(before->body.find("href=\"/login?back="), std::string::npos);
  EXPECT_EQ(SetCookie(before, "__Host-attest_session"), "");  // cleared: empty value
  EXPECT_NE(before->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  Session fixed = LogIn("u-researcher", kPassword, "__Host-attest_session=" + planted);
  ASSERT_FALSE(fixed.cookie.empty());
  EXPECT_NE(fixed.cookie, planted);
  EXPECT_NE(fixed.cookie, s.cookie);
  EXPECT_EQ(Get("/api/v1/records/" + (*ids_)["research"])->status, 404);
  auto with_planted = c.Get("/api/v1/records/" + (*ids_)["research"],
                            {{"Cookie", "__Host-attest_session=" + planted}});
  EXPECT_EQ(with_planted->status, 404);
  auto with_real = c.Get("/api/v1/records/" + (*ids_)["research"],
                         {{"Cookie", "__Host-attest_session=" + fixed.cookie}});
  EXPECT_EQ(with_real->status, 200);
  EXPECT_EQ(with_real->get_header_value("Cache-Control"), "private, no-store");

  // A disabled account's sessions end at once.
  ASSERT_EQ(RunAttest({"--archive", *archive_, "user", "add", "u-leaving", "--role", "researcher"},
                      -1, std::string(kPassword) + "\n")
                .exit_code,
            0);
  Session leaving = LogIn("u-leaving", kPassword);
  auto seen = [&](const std::string& cookie) {
    return c
        .Get("/api/v1/records/" + (*ids_)["research"],
             {{"Cookie", "__Host-attest_session=" + cookie}})
        ->status;
  };
  EXPECT_EQ(seen(leaving.cookie), 200);
  ASSERT_EQ(RunAttest({"--archive", *archive_, "user", "disable", "u-leaving"}).exit_code, 0);
  EXPECT_EQ(seen(leaving.cookie), 404);
  Session again = LogIn("u-leaving", kPassword);
  ASSERT_TRUE(again.answer);
  EXPECT_EQ(again.answer->status, 401);
  EXPECT_TRUE(again.cookie.empty());
}

TEST_F(ApiTest, EveryChangeASessionAsksForCarriesItsFormToken) {
  httplib::Client c("127.0.0.1", port_);
  const std::string cookie = "__Host-attest_session=" + (*tokens_)["session-archivist"];
  const std::string csrf = (*tokens_)["session-archivist.csrf"];
  ASSERT_EQ(csrf.size(), 52u);
  const std::string id = (*ids_)["public"];
  const std::string path = "/api/v1/records/" + id + "/consent";
  const std::string body = Json{{"consent", "restricted"}, {"reason", "forged"}}.dump();
  // As another site would make the browser send it: the cookie, no token, or a wrong one.
  for (const std::string& token : {std::string(), std::string(52, 'a'), csrf.substr(0, 51)}) {
    httplib::Headers h = {{"Cookie", cookie}};
    if (!token.empty()) h.emplace("X-CSRF-Token", token);
    ExpectProblem(c.Put(path, h, body, "application/json"), 403, "token '" + token + "'");
  }
  EXPECT_EQ(Get("/api/v1/records/" + id)->status, 200);  // still public: nothing was done
  // With the session's token it is done (and the same level again changes nothing).
  auto put = c.Put(path, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                   Json{{"consent", "public"}, {"reason", "unchanged"}}.dump(), "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;

  // The pages' forms too: logging out without the token is refused and the session lives on.
  auto out = c.Post("/logout", {{"Cookie", cookie}}, "", "application/x-www-form-urlencoded");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 403);
  EXPECT_NE(out->body.find("Reload the page"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/records/" + (*ids_)["restricted"], "session-archivist")->status, 200);

  // The login form's own token must match the cookie its page set (login CSRF): a form posted
  // from elsewhere logs nobody in.
  auto form = c.Get("/login");
  std::string login =
      "name=u-researcher&password=" + httplib::detail::encode_query_param(kPassword) +
      "&csrf=" + HiddenCsrf(form->body);
  for (const std::string& jar : {std::string(), "__Host-attest_csrf=" + std::string(52, 'b')}) {
    httplib::Headers h;
    if (!jar.empty()) h.emplace("Cookie", jar);
    auto r = c.Post("/login", h, login, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << jar;
    EXPECT_EQ(SetCookie(r, "__Host-attest_session"), "") << jar;
  }

  // A logout with the token ends the session on the server.
  Session s = LogIn("u-researcher", kPassword);
  auto bye = c.Post("/logout", {{"Cookie", "__Host-attest_session=" + s.cookie}}, "csrf=" + s.csrf,
                    "application/x-www-form-urlencoded");
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->status, 303);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["research"],
                  {{"Cookie", "__Host-attest_session=" + s.cookie}})
                ->status,
            404);
}

// Issue 23, "Consent and redaction": on the record's page an archivist changes the record's or a
// passage's level, seals it, redacts words and withdraws it; each form with the session's
// token, a reason and a confirmation; each change in effect everywhere at once and audited.
// Nobody else changes anything through these forms.
TEST_F(ApiTest, AnArchivistChangesConsentRedactsAndWithdrawsOnTheRecordPage) {
  std::string file = Write(*tmp_, "page-changes.txt",
                           "Sample first passage about the gate, zqpageredactme and more.\n\n"
                           "Sample second passage about the gate, zqpagepassage.\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-page-changes", "--lang", "en", file});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  Json rec = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  ASSERT_EQ(rec["segments"].size(), 2u) << rec.dump();
  const std::string first = rec["segments"][0]["id"], second = rec["segments"][1]["id"];
  const std::string page = "/records/" + id;
  const std::string cookie = "__Host-attest_session=" + (*tokens_)["session-archivist"];
  const std::string csrf = (*tokens_)["session-archivist.csrf"];
  httplib::Client c("127.0.0.1", port_);
  auto post = [&](const std::string& what, const std::string& form,
                  const std::string& who = "session-archivist", bool token = true) {
    httplib::Headers h = Auth(who);
    std::string body = form;
    if (token) body += "&csrf=" + (*tokens_)[who + ".csrf"];
    return c.Post(page + "/" + what, h, body, "application/x-www-form-urlencoded");
  };

  // The forms are on the archivist's page only.
  EXPECT_NE(Get(page, "session-archivist")->body.find("action=\"" + page + "/consent\""),
            std::string::npos);
  for (std::string who : {"", "session-researcher", "researcher"}) {
    EXPECT_EQ(Get(page, who)->body.find("change-form"), std::string::npos) << who;
  }
  // No one else changes anything: the public, a researcher (session or token), or the
  // archivist's session without its form token.
  const std::string restrict = "consent=restricted&reason=forged&confirm=yes";
  for (auto [who, token] : std::vector<std::pair<std::string, bool>>{
           {"", false}, {"session-researcher", true}, {"researcher", false},
           {"session-archivist", false}}) {
    for (const std::string& form : {restrict, "segment=" + first + "&words=zqpageredactme&reason=x&confirm=yes",
                                    std::string("reason=forged&confirm=yes")}) {
      for (const char* what : {"consent", "redactions", "withdraw"}) {
        auto r = post(what, form, who, token);
        ASSERT_TRUE(r);
        EXPECT_GE(r->status, 400) << who << " " << what;
      }
    }
  }
  EXPECT_EQ(Get("/api/v1/records/" + id)->status, 200);  // still public, still there
  EXPECT_EQ(Json::parse(Get("/api/v1/search?q=zqpageredactme")->body)["total_estimate"], 1);

  // Without the confirmation, or the reason: said on the page, nothing done.
  auto unconfirmed = post("consent", "consent=research&reason=asked");
  ASSERT_EQ(unconfirmed->status, 400);
  EXPECT_NE(unconfirmed->body.find("The change was not made"), std::string::npos);
  EXPECT_NE(unconfirmed->body.find("asked"), std::string::npos);  // the form as it was sent
  EXPECT_EQ(post("withdraw", "confirm=yes")->status, 400);
  EXPECT_EQ(post("redactions", "segment=" + first + "&words=notinthere&reason=x&confirm=yes")->status,
            400);
  EXPECT_EQ(Get("/api/v1/records/" + id)->status, 200);

  // Redact words by naming them: gone from search and from the public's page at once.
  auto redacted = post("redactions", "segment=" + first + "&words=zqpageredactme&reason=named%20a%20neighbour&confirm=yes");
  ASSERT_EQ(redacted->status, 303) << redacted->body;
  EXPECT_EQ(Json::parse(Get("/api/v1/search?q=zqpageredactme")->body)["total_estimate"], 0);
  EXPECT_EQ(Get(page)->body.find("zqpageredactme"), std::string::npos);
  EXPECT_NE(Get(page)->body.find("\u2588"), std::string::npos);
  // One passage kept from the public.
  auto narrowed = post("consent", "segment=" + second + "&consent=restricted&reason=asked&confirm=yes");
  ASSERT_EQ(narrowed->status, 303) << narrowed->body;
  EXPECT_EQ(Get(page)->body.find("zqpagepassage"), std::string::npos);
  EXPECT_NE(Get(page, "session-archivist")->body.find("zqpagepassage"), std::string::npos);
  // Sealed until a day to come: nobody reads it, archivists included.
  auto sealed = post("consent", "consent=sealed&until=2099-01-01&then=public&reason=asked&confirm=yes");
  ASSERT_EQ(sealed->status, 303) << sealed->body;
  EXPECT_EQ(sealed->get_header_value("Location"), "/");
  EXPECT_EQ(Get(page, "session-archivist")->status, 404);
  // And withdrawn (a sealed record takes a withdrawal): gone for everyone.
  auto withdrawn = post("withdraw", "reason=the%20witness%20asked&confirm=yes");
  ASSERT_EQ(withdrawn->status, 303) << withdrawn->body;
  EXPECT_EQ(Get("/api/v1/records/" + id, "archivist")->status, 404);
  // Each change audited under the account.
  auto audit = RunAttest({"--archive", *archive_, "audit", "--json", "--actor", "user:u-archivist"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  std::set<std::string> actions;
  const Json entries = Json::parse(audit.out)["entries"];
  for (const auto& e : entries) {
    if (e["target"] == id) actions.insert(e["action"]);
  }
  for (const char* a : {"redact", "consent", "withdraw"}) EXPECT_TRUE(actions.count(a)) << a;
  EXPECT_EQ(audit.out.find("named a neighbour"), std::string::npos);  // reasons stay out
}

// Issue 23, "The witness's own page": through their link, kept in its own cookie by /me, a
// witness sees their records, who has seen what, and asks for a change or a withdrawal, which
// hides the record from all but archivists at once. The cookie opens nothing else, carries only a
// witness's link, and every change it asks for needs the page's form token.
TEST_F(ApiTest, AWitnessUsesTheirOwnPageThroughTheirLink) {
  std::string file = Write(*tmp_, "own-page.txt", "A sample paragraph about the harbour, zqownpage.\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-own-page", "--lang", "en", file});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto made = RunAttest({"--archive", *archive_, "link", "create", "w-own-page", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string link = Json::parse(made.out)["token"];
  httplib::Client c("127.0.0.1", port_);

  // Without a link: the form to enter it, with its double-submit token.
  auto form = c.Get("/me");
  ASSERT_EQ(form->status, 200);
  ASSERT_NE(form->body.find("data-link-enter"), std::string::npos);
  const std::string enter = SetCookie(form, "__Host-attest_enter");
  ASSERT_FALSE(enter.empty());
  const std::string token = HiddenCsrf(form->body);
  auto post_enter = [&](const std::string& given, const std::string& jar) {
    return c.Post("/me/enter", {{"Cookie", jar}},
                  "csrf=" + token + "&link=" + httplib::detail::encode_query_param(given),
                  "application/x-www-form-urlencoded");
  };
  EXPECT_EQ(post_enter(link, "")->status, 403);  // from another site: no cookie
  for (const std::string& wrong :
       {std::string("attestw_") + std::string(52, 'a'), (*tokens_)["archivist"], std::string("x")}) {
    auto r = post_enter(wrong, "__Host-attest_enter=" + enter);
    EXPECT_EQ(r->status, 401) << wrong;
    EXPECT_EQ(SetCookie(r, "__Host-attest_link"), "");
  }
  // The whole address pasted opens it.
  auto in = post_enter("https://example.org/me#" + link, "__Host-attest_enter=" + enter);
  ASSERT_EQ(in->status, 303) << in->body;
  EXPECT_EQ(SetCookie(in, "__Host-attest_link"), link);
  const std::string jar = "__Host-attest_link=" + link;

  // The page: the record, its level in plain words, who has seen it, and the forms.
  auto page = c.Get("/me", {{"Cookie", jar}});
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/records/" + id), std::string::npos);
  EXPECT_NE(page->body.find("anyone may read and hear it"), std::string::npos);
  EXPECT_NE(page->body.find("action=\"/me/requests\""), std::string::npos);
  const std::string csrf = HiddenCsrf(page->body);
  ASSERT_EQ(csrf.size(), 52u);
  // The cookie opens nothing of anyone else, and never a staff token's reach.
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["restricted"], {{"Cookie", jar}})->status, 404);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["restricted"],
                  {{"Cookie", "__Host-attest_link=" + (*tokens_)["archivist"]}})->status,
            404);
  EXPECT_EQ(c.Get("/api/v1/me", {{"Cookie", jar}})->status, 200);

  // A request without the page's form token changes nothing.
  auto ask = [&](const std::string& form_body) {
    return c.Post("/me/requests", {{"Cookie", jar}}, form_body, "application/x-www-form-urlencoded");
  };
  EXPECT_EQ(ask("record=" + id + "&kind=consent&consent=research")->status, 403);
  EXPECT_EQ(ask("record=" + id + "&kind=consent&consent=research&csrf=" + std::string(52, 'a'))->status,
            403);
  auto asked = ask("record=" + id + "&kind=consent&consent=research&message=sample&csrf=" + csrf);
  ASSERT_EQ(asked->status, 303) << asked->body;
  EXPECT_EQ(Get("/api/v1/records/" + id)->status, 200);  // nothing changes by itself
  // Another witness's record is not theirs.
  EXPECT_EQ(ask("record=" + (*ids_)["public"] + "&kind=withdraw&confirm=yes&csrf=" + csrf)->status,
            404);
  // A withdrawal unconfirmed is not sent; confirmed, it hides the record from all but
  // archivists (and the witness) at once.
  EXPECT_EQ(ask("record=" + id + "&kind=withdraw&csrf=" + csrf)->status, 400);
  EXPECT_EQ(Get("/api/v1/records/" + id)->status, 200);
  auto withdraw = ask("record=" + id + "&kind=withdraw&confirm=yes&csrf=" + csrf);
  ASSERT_EQ(withdraw->status, 303) << withdraw->body;
  EXPECT_EQ(Get("/api/v1/records/" + id)->status, 404);
  EXPECT_EQ(Get("/api/v1/records/" + id, "researcher")->status, 404);
  EXPECT_EQ(Json::parse(Get("/api/v1/search?q=zqownpage")->body)["total_estimate"], 0);
  EXPECT_EQ(Get("/api/v1/records/" + id, "archivist")->status, 200);
  auto after = c.Get("/me", {{"Cookie", jar}});
  EXPECT_NE(after->body.find("only the archive&apos;s staff may read"), std::string::npos) << after->body;
  auto requests = RunAttest({"--archive", *archive_, "requests", "--json"});
  EXPECT_NE(requests.out.find(id), std::string::npos) << requests.out;

  // Forgetting the link clears the cookie; a revoked link opens nothing.
  auto leave = c.Post("/me/leave", {{"Cookie", jar}}, "csrf=" + csrf, "application/x-www-form-urlencoded");
  ASSERT_EQ(leave->status, 303);
  EXPECT_NE(leave->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  ASSERT_EQ(RunAttest({"--archive", *archive_, "link", "revoke", Json::parse(made.out)["id"]}).exit_code, 0);
  EXPECT_NE(c.Get("/me", {{"Cookie", jar}})->body.find("data-link-enter"), std::string::npos);
}

// Issue 23, "Accounts page": admins manage accounts, tokens and witnesses' links and read the
// audit log with filters in the browser; each change audited; a new secret shown once; nobody
// else reaches any of it, and no password hash or token digest is ever on the page.
TEST_F(ApiTest, AdminsManageAccountsTokensLinksAndReadTheAuditLogOnTheAccountsPage) {
  httplib::Client c("127.0.0.1", port_);
  const std::string csrf = (*tokens_)["session-admin.csrf"];
  auto post = [&](const std::string& path, const std::string& body, const std::string& who = "session-admin") {
    return c.Post(path, Auth(who), body, "application/x-www-form-urlencoded");
  };
  // Nobody else: the public is sent to log in; archivists and researchers refused.
  auto anon = c.Get("/accounts");
  EXPECT_EQ(anon->status, 303);
  for (std::string who : {"session-archivist", "session-researcher", "researcher", "archivist",
                          "witness-link"}) {
    EXPECT_EQ(Get("/accounts", who)->status, who == "witness-link" ? 303 : 403) << who;
    EXPECT_GE(post("/accounts/tokens", "role=admin&label=x&csrf=" + (*tokens_)[who + ".csrf"], who)->status, 400) << who;
  }
  // The admin's page: accounts and tokens, never a hash.
  auto page = Get("/accounts", "session-admin");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("u-archivist"), std::string::npos);
  EXPECT_NE(page->body.find((*tokens_)["researcher.id"]), std::string::npos);
  EXPECT_EQ(page->body.find("$argon2"), std::string::npos);
  EXPECT_EQ(page->body.find((*tokens_)["researcher"]), std::string::npos);
  // Without the form token nothing is done.
  EXPECT_EQ(post("/accounts/users", "name=u-made&role=researcher&password=a%20long%20sample%20passphrase")->status, 403);
  // An account made, its role changed, disabled.
  auto made = post("/accounts/users", "name=u-made&role=researcher&password=a%20long%20sample%20passphrase&csrf=" + csrf);
  ASSERT_EQ(made->status, 303) << made->body;
  EXPECT_FALSE(LogIn("u-made", "a long sample passphrase").cookie.empty());
  ASSERT_EQ(post("/accounts/users/u-made/role", "role=archivist&csrf=" + csrf)->status, 303);
  ASSERT_EQ(post("/accounts/users/u-made/disable", "csrf=" + csrf)->status, 303);
  EXPECT_TRUE(LogIn("u-made", "a long sample passphrase").cookie.empty());
  auto bad = post("/accounts/users/u-nobody/role", "role=archivist&csrf=" + csrf);
  EXPECT_EQ(bad->status, 404);
  EXPECT_NE(bad->body.find("The change was not made"), std::string::npos);
  // A token made is shown once, works, and is revoked.
  auto tok = post("/accounts/tokens", "role=researcher&label=sample&csrf=" + csrf);
  ASSERT_EQ(tok->status, 200);
  size_t at = tok->body.find(">attest_");
  ASSERT_NE(at, std::string::npos) << tok->body;
  const std::string secret = tok->body.substr(at + 1, 7 + 52);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["research"], {{"Authorization", "Bearer " + secret}})->status, 200);
  EXPECT_EQ(Get("/accounts", "session-admin")->body.find(secret), std::string::npos);  // once
  auto listed = RunAttest({"--archive", *archive_, "token", "list", "--json"});
  std::string id;
  const Json all_tokens = Json::parse(listed.out);
  for (const auto& t : all_tokens["tokens"]) {
    if (t.value("label", "") == "sample") id = t["id"];
  }
  ASSERT_FALSE(id.empty()) << listed.out;
  ASSERT_EQ(post("/accounts/tokens/" + id + "/revoke", "csrf=" + csrf)->status, 303);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["research"], {{"Authorization", "Bearer " + secret}})->status, 401);
  // A witness's link, shown once as the page's address.
  auto link = post("/accounts/links", "witness=w-accounts-page&csrf=" + csrf);
  ASSERT_EQ(link->status, 200);
  EXPECT_NE(link->body.find("/me#attestw_"), std::string::npos);
  // The audit log, filtered by who.
  auto audit = Get("/accounts?actor=user:u-admin", "session-admin");
  ASSERT_EQ(audit->status, 200);
  for (const char* action : {"user.add", "user.role", "user.disable", "token.create", "token.revoke", "link.create"}) {
    EXPECT_NE(audit->body.find(std::string(">") + action + "<"), std::string::npos) << action;
  }
  EXPECT_EQ(audit->body.find(">token:"), std::string::npos);  // only the admin's own entries
}

// Issue 23, "Review and correction": an archivist corrects a transcript in the editor (words,
// a speaker, a line split), the save is a new human version in the log, the diff shows what
// changed word by word, and a second editor who saves over a version no longer the newest is
// refused with what changed, nothing of theirs or the first's lost.
TEST_F(ApiTest, ATranscriptIsCorrectedInTheEditorDiffedAndASecondSaveOverAnOldVersionIsRefused) {
  httplib::Client c("127.0.0.1", port_);
  std::string wav = *tmp_ + "/editor.wav";
  ASSERT_EQ(std::system(("espeak-ng -v en-us -w " + wav + " 'sample words for the editor' 2>/dev/null").c_str()), 0);
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-editor", "--lang", "en", wav});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  std::string vtt = Write(*tmp_, "editor.vtt",
                          "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none two three\n\n"
                          "00:00:01.000 --> 00:00:02.000\nfour five six\n\n"
                          "00:00:02.000 --> 00:00:03.000\nseven eight\n");
  ASSERT_EQ(RunAttest({"--archive", *archive_, "transcript", "import", id, vtt}).exit_code, 0);
  auto versions = [&]() { return Json::parse(Get("/api/v1/records/" + id)->body)["versions"]; };
  const int first = versions().back()["version"];
  const std::string edit = "/records/" + id + "/transcript/edit";

  // Only staff edit: the public is sent to log in, a researcher refused.
  EXPECT_EQ(c.Get(edit)->status, 303);
  EXPECT_EQ(Get(edit, "session-researcher")->status, 403);
  auto page = Get(edit, "session-archivist");
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_NE(page->body.find(">one two three</textarea>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("name=\"edits\" value=\"" + std::to_string(first) + "\""), std::string::npos);
  EXPECT_NE(Get("/records/" + id, "session-archivist")->body.find(edit), std::string::npos);
  EXPECT_EQ(Get("/records/" + id)->body.find(edit), std::string::npos);  // not for the public

  const std::string csrf = (*tokens_)["session-archivist.csrf"];
  auto form = [&](int edits, const std::string& t0, const std::string& extra) {
    return "csrf=" + csrf + "&edits=" + std::to_string(edits) +
           "&n=3&s0=00:00.000&e0=00:01.000&v0=Interviewer&t0=" + t0 +
           "&s1=00:00:01&e1=00:00:02&t1=four%20fife%20six&s2=0:02.0&e2=0:03&t2=seven%20ate" + extra;
  };
  auto post = [&](const std::string& body, const std::string& who = "session-archivist") {
    return c.Post(edit, Auth(who), body, "application/x-www-form-urlencoded");
  };
  // Without the form's token nothing is saved.
  EXPECT_EQ(post(form(first, "one%20two%20thirty", "").substr(csrf.size() + 6))->status, 403);
  EXPECT_EQ(versions().back()["version"], first);
  // Three lines corrected, a speaker set, the last line split in two by a line break.
  // The page sends its form as multipart/form-data: a transcript's lines are more than the 8 KiB
  // Debian's cpp-httplib takes url-encoded (review 25, finding 4).
  httplib::MultipartFormDataItems items = {
      {"csrf", csrf, "", ""}, {"edits", std::to_string(first), "", ""}, {"n", "3", "", ""},
      {"s0", "00:00.000", "", ""}, {"e0", "00:01.000", "", ""}, {"v0", "Interviewer", "", ""},
      {"t0", "one two thirty", "", ""}, {"s1", "00:00:01", "", ""}, {"e1", "00:00:02", "", ""},
      {"t1", "four fife six", "", ""}, {"s2", "0:02.0", "", ""}, {"e2", "0:03", "", ""},
      {"t2", "seven\r\nate", "", ""}, {"pad", std::string(20000, 'x'), "", ""}};
  auto saved = c.Post(edit, Auth("session-archivist"), items);
  ASSERT_EQ(saved->status, 303) << saved->body;
  const int second = versions().back()["version"];
  EXPECT_GT(second, first);
  EXPECT_EQ(saved->get_header_value("Location"),
            "/records/" + id + "/diff?from=" + std::to_string(first) + "&to=" + std::to_string(second));
  Json made = versions().back();
  EXPECT_EQ(made["derived"]["tool"], "human");
  EXPECT_EQ(made["derived"]["artifact"], "transcript");
  EXPECT_EQ(Get("/api/v1/records/" + id + "/proof?version=" + std::to_string(second))->status, 200);
  auto exported = Get("/api/v1/records/" + id + "/transcript?format=vtt");
  EXPECT_NE(exported->body.find("<v Interviewer>one two thirty"), std::string::npos) << exported->body;
  // "seven" and "ate" share the line's second by their length.
  EXPECT_NE(exported->body.find("00:00:02.000 --> 00:00:02.625\nseven\n\n4\n00:00:02.625 --> 00:00:03.000\nate\n"),
            std::string::npos) << exported->body;
  // The diff, word by word, for anyone who may read both versions.
  auto diff = Get("/api/v1/records/" + id + "/diff?from=" + std::to_string(first) + "&to=" + std::to_string(second));
  ASSERT_EQ(diff->status, 200) << diff->body;
  Json d = Json::parse(diff->body);
  EXPECT_EQ(d["removed"], 3);
  EXPECT_EQ(d["added"], 3);
  std::string shown;
  for (const auto& p : d["parts"]) shown += p["op"].get<std::string>()[0] + std::string("[") + p["text"].get<std::string>() + "]";
  EXPECT_EQ(shown, "s[one two]r[three]a[thirty]s[four]r[five]a[fife]s[six seven]r[eight]a[ate]");
  auto diff_page = c.Get(saved->get_header_value("Location"));
  ASSERT_EQ(diff_page->status, 200);
  EXPECT_NE(diff_page->body.find("</span>three<span class=\"visually-hidden\">]</span></del>"),
            std::string::npos) << diff_page->body;
  EXPECT_NE(diff_page->body.find("</span>thirty<span class=\"visually-hidden\">]</span></ins>"),
            std::string::npos);
  ExpectProblem(Get("/api/v1/records/" + id + "/diff?from=1&to=x"), 400, "a version that is no number");
  ExpectProblem(Get("/api/v1/records/" + id + "/diff?from=1&to=" + std::to_string(first)), 404,
                "the original has no text");

  // A second editor, who opened version `first`, saves: refused, told what changed, their words
  // kept on the page; nothing saved.
  auto late = post(form(first, "one%20two%20second%20editor", ""));
  EXPECT_EQ(late->status, 409);
  EXPECT_NE(late->body.find("no longer the newest transcript"), std::string::npos) << late->body;
  EXPECT_NE(late->body.find("one two second editor"), std::string::npos);
  EXPECT_NE(late->body.find("by user u-archivist"), std::string::npos) << late->body;
  EXPECT_EQ(versions().back()["version"], second);
  // The API alike; the same line corrected on the old version too.
  Json cues = Json::array({Json{{"start_ms", 0}, {"end_ms", 1000}, {"text", "api words"}}});
  auto conflict = c.Put("/api/v1/records/" + id + "/transcript", Auth("archivist"),
                        Json{{"edits", first}, {"cues", cues}}.dump(), "application/json");
  ExpectProblem(conflict, 409, "an old version");
  // The refusal names the lines by their times, never their words (it is no audited reading).
  EXPECT_NE(conflict->body.find("from 00:00:00.000"), std::string::npos) << conflict->body;
  EXPECT_EQ(conflict->body.find("thirty"), std::string::npos) << conflict->body;
  ExpectProblem(c.Put("/api/v1/records/" + id + "/transcript",
                      Json{{"edits", second}, {"cues", cues}}.dump(), "application/json"),
                401, "anonymous");
  Json overlap = Json::array({Json{{"start_ms", 0}, {"end_ms", 1500}, {"text", "a"}},
                              Json{{"start_ms", 1000}, {"end_ms", 2000}, {"text", "b"}}});
  auto refused = c.Put("/api/v1/records/" + id + "/transcript", Auth("archivist"),
                       Json{{"edits", second}, {"cues", overlap}}.dump(), "application/json");
  ExpectProblem(refused, 400, "overlapping lines");
  EXPECT_NE(refused->body.find("line 2 starts at 00:00:01.000, before the line above ends"), std::string::npos);
  auto ok = c.Put("/api/v1/records/" + id + "/transcript", Auth("archivist"),
                  Json{{"edits", second}, {"cues", cues}}.dump(), "application/json");
  ASSERT_EQ(ok->status, 201) << ok->body;
  ExpectProblem(c.Put("/api/v1/records/" + id + "/transcript", Auth("archivist"),
                      Json{{"edits", Json::parse(ok->body)["version"]}, {"cues", cues}}.dump(), "application/json"),
                400, "nothing changed");
}

// Issue 23, "OCR text corrected beside the page image with the word boxes": the page image
// with a box on each word and the words in fields; the save is a new human version, logged,
// diffed word by word; a save over an older version is refused with the words kept.
TEST_F(ApiTest, AnOcrWordIsCorrectedBesideThePageImageDiffedAndAnOldSaveIsRefused) {
  httplib::Client c("127.0.0.1", port_);
  std::string txt = Write(*tmp_, "ocr-editor.txt",
                          "A sample scanned page about the harbour lighthouse.");
  std::string png = *tmp_ + "/ocr-editor.png";
  ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 --width=2200 "
                         "--wrap=word --output='" + png + "' '" + txt + "' 2>/dev/null").c_str()),
            0);
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-ocr-editor", "--collection", "c-ocr-editor", "--lang",
                          "en", png});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto versions = [&]() { return Json::parse(Get("/api/v1/records/" + id)->body)["versions"]; };
  ASSERT_EQ(versions().back()["derived"]["artifact"], "ocr");
  const int first = versions().back()["version"];
  const std::string edit = "/records/" + id + "/ocr/edit";

  // Only staff correct; the record's page and the review queue lead there.
  EXPECT_EQ(c.Get(edit)->status, 303);
  EXPECT_EQ(Get(edit, "session-researcher")->status, 403);
  EXPECT_NE(Get("/records/" + id, "session-archivist")->body.find(edit), std::string::npos);
  EXPECT_EQ(Get("/records/" + id)->body.find(edit), std::string::npos);
  EXPECT_NE(Get("/review?collection=c-ocr-editor", "session-archivist")->body.find(edit),
            std::string::npos);
  auto page = Get(edit, "session-archivist");
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_NE(page->body.find("<svg class=\"ocr-boxes\" viewBox=\"0 0 "), std::string::npos);
  EXPECT_NE(page->body.find("src=\"/api/v1/records/" + id + "/media/original\""), std::string::npos);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = page->body.find(what); at != std::string::npos; at = page->body.find(what, at + 1)) ++n;
    return n;
  };
  const size_t words = count("<input name=\"w");
  ASSERT_GE(words, 8u);
  EXPECT_EQ(count("<rect data-word="), words) << "a box for each word";
  EXPECT_NE(page->body.find("name=\"n\" value=\"" + std::to_string(words) + "\""), std::string::npos);
  size_t at = page->body.find("value=\"harbour\"");
  ASSERT_NE(at, std::string::npos) << page->body;
  size_t name = page->body.rfind("name=\"w", at) + 6;
  const std::string field = page->body.substr(name, page->body.find('"', name) - name);

  const std::string csrf = (*tokens_)["session-archivist.csrf"];
  auto form = [&](int edits, const std::string& word, bool with_csrf = true, size_t n = 0,
                  int page_number = 1, const std::string& query = "") {
    httplib::MultipartFormDataItems items = {{"edits", std::to_string(edits), "", ""},
                                             {"page", std::to_string(page_number), "", ""},
                                             {"n", std::to_string(n ? n : words), "", ""}};
    if (with_csrf) items.push_back({"csrf", csrf, "", ""});
    // A page of a few hundred words is a form of tens of KiB (review 28, finding 1).
    items.push_back({"pad", std::string(40000, 'x'), "", ""});
    for (size_t i = 0; i < (n ? n : words); ++i) {
      const std::string k = "w" + std::to_string(i);
      size_t v = page->body.find("name=\"" + k + "\"");
      v = page->body.find("value=\"", v) + 7;
      items.push_back({k, k == field ? word : page->body.substr(v, page->body.find('"', v) - v), "", ""});
    }
    return c.Post(edit + query, Auth("session-archivist"), items);
  };
  // Without the form's token nothing is saved.
  EXPECT_EQ(form(first, "harbor", false)->status, 403);
  EXPECT_EQ(versions().back()["version"], first);

  auto saved = form(first, "harbor");
  ASSERT_EQ(saved->status, 303) << saved->body;
  const int second = versions().back()["version"];
  EXPECT_EQ(saved->get_header_value("Location"),
            "/records/" + id + "/diff?from=" + std::to_string(first) + "&to=" + std::to_string(second));
  Json made = versions().back();
  EXPECT_EQ(made["derived"]["artifact"], "ocr");
  EXPECT_EQ(made["derived"]["tool"], "human");
  auto manifest = Get("/api/v1/records/" + id + "/versions/" + std::to_string(second));
  ASSERT_EQ(manifest->status, 200) << manifest->body;
  Json params = Json::parse(manifest->body)["manifest"]["derived"]["params"];
  EXPECT_EQ(params["edits"], first) << params.dump();
  EXPECT_EQ(params["page"], 1);
  EXPECT_EQ(params["by"], "user u-archivist");
  EXPECT_TRUE(made["leaf_index"].is_number_integer()) << made.dump();
  EXPECT_EQ(Get("/api/v1/records/" + id + "/proof?version=" + std::to_string(second))->status, 200);
  auto diff = Get("/api/v1/records/" + id + "/diff?from=" + std::to_string(first) + "&to=" +
                  std::to_string(second));
  ASSERT_EQ(diff->status, 200) << diff->body;
  Json d = Json::parse(diff->body);
  EXPECT_EQ(d["removed"], 1);
  EXPECT_EQ(d["added"], 1);
  std::string changes;
  for (const auto& p : d["parts"]) {
    if (p["op"] != "same") changes += p["op"].get<std::string>() + ":" + p["text"].get<std::string>() + " ";
  }
  EXPECT_EQ(changes, "removed:harbour added:harbor ");
  auto diff_page = c.Get(saved->get_header_value("Location"));
  ASSERT_EQ(diff_page->status, 200);
  EXPECT_NE(diff_page->body.find("</span>harbor<span class=\"visually-hidden\">]</span></ins>"),
            std::string::npos) << diff_page->body;
  // Once indexed, the record shows the corrected text, and still draws a search's hits.
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto shown = Get("/records/" + id + "?q=harbor");
  EXPECT_NE(shown->body.find("<mark>harbor</mark>"), std::string::npos) << shown->body;
  EXPECT_NE(shown->body.find("<svg class=\"ocr-hits\""), std::string::npos);
  // The review queue no longer lists it: a person corrected it.
  EXPECT_EQ(Get("/review?collection=c-ocr-editor", "session-archivist")->body.find(edit),
            std::string::npos);

  // A second corrector, who opened version `first`, saves: refused, told, their word kept.
  auto late = form(first, "harbr");
  EXPECT_EQ(late->status, 409);
  EXPECT_NE(late->body.find("no longer the newest OCR text"), std::string::npos) << late->body;
  EXPECT_NE(late->body.find("value=\"harbr\""), std::string::npos);
  EXPECT_NE(late->body.find("changing 1 word (on page 1)"), std::string::npos) << late->body;
  // Said in the page's language, the archive's own reason after it (newcomer review, 1).
  auto hebrew = form(first, "harbr", true, 0, 1, "?lang=he");
  EXPECT_EQ(hebrew->status, 409);
  EXPECT_NE(hebrew->body.find("מישהו שמר"), std::string::npos)
      << hebrew->body;
  EXPECT_NE(hebrew->body.find("<bdi lang=\"en\" dir=\"ltr\">version "), std::string::npos);
  EXPECT_EQ(versions().back()["version"], second);
  // Bad forms: nothing changed, a count of words that is not the page's, a page it lacks.
  auto same = form(second, "harbor");
  EXPECT_EQ(same->status, 400);
  EXPECT_NE(same->body.find("nothing was changed"), std::string::npos) << same->body;
  EXPECT_EQ(form(second, "harbour", true, words - 1)->status, 400);
  EXPECT_EQ(form(second, "harbour", true, 0, 2)->status, 400);
  EXPECT_EQ(form(second, std::string(1001, 'x'))->status, 400);
  EXPECT_EQ(Get(edit + "?page=2", "session-archivist")->status, 404);
  EXPECT_EQ(Get(edit + "?page=x", "session-archivist")->status, 404);
  EXPECT_EQ(versions().back()["version"], second);
}

// Issue 23, "A queue page": records whose newest transcript or OCR text a machine made wait for
// review, by collection and language, with the machine's confidence; a person's correction
// takes them out. For archivists and admins only.
TEST_F(ApiTest, TheReviewQueueListsWhatAMachineReadAndNoPersonCorrected) {
  std::string txt = Write(*tmp_, "queue.txt", "Sample scanned page about the zqqueue orchard.");
  std::string png = *tmp_ + "/queue.png";
  ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 --width=2200 "
                         "--output='" + png + "' '" + txt + "' 2>/dev/null").c_str()),
            0);
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "restricted",
                          "--witness", "w-queue", "--collection", "c-queue", "--lang", "en",
                          "--meta", R"({"title": "zqqueuetitle"})", png});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string scan = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);

  EXPECT_EQ(Get("/review")->status, 303);
  EXPECT_EQ(Get("/review", "session-researcher")->status, 403);
  auto page = Get("/review", "session-archivist");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("zqqueuetitle"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("tesseract"), std::string::npos);
  EXPECT_NE(page->body.find(" %</bdi>"), std::string::npos) << "the machine's confidence";
  // A person's transcript is not waiting.
  EXPECT_EQ(page->body.find("/records/" + (*ids_)["spoken"] + "/transcript/edit"), std::string::npos);
  // Filters: another collection, another language.
  EXPECT_EQ(Get("/review?collection=c-public", "session-archivist")->body.find("zqqueuetitle"),
            std::string::npos);
  EXPECT_NE(Get("/review?collection=c-queue&lang_of=en", "session-archivist")->body.find("zqqueuetitle"),
            std::string::npos);
  EXPECT_EQ(Get("/review?lang_of=he", "session-archivist")->body.find("zqqueuetitle"), std::string::npos);
  // Listing a restricted record is audited.
  auto audit = RunAttest({"--archive", *archive_, "audit", "--json", "--actor", "user:u-archivist"});
  EXPECT_NE(audit.out.find("\"review\""), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find(scan), std::string::npos);
}

TEST_F(ApiTest, GuessingPasswordsIsHeldBackPerAccountAndAudited) {
  ASSERT_EQ(RunAttest({"--archive", *archive_, "user", "add", "u-guessed", "--role", "archivist"},
                      -1, std::string(kPassword) + "\n")
                .exit_code,
            0);
  for (int i = 0; i < 5; ++i) {
    Session wrong = LogIn("u-guessed", "guess number " + std::to_string(i));
    ASSERT_TRUE(wrong.answer);
    EXPECT_EQ(wrong.answer->status, 401);
    EXPECT_NE(wrong.answer->body.find("The name or the password is wrong."), std::string::npos);
  }
  // The unknown name answers the same words.
  Session unknown = LogIn("u-nobody", "guess");
  EXPECT_EQ(unknown.answer->status, 401);
  EXPECT_NE(unknown.answer->body.find("The name or the password is wrong."), std::string::npos);
  // The sixth, right this time, is held back.
  Session held = LogIn("u-guessed", kPassword);
  ASSERT_TRUE(held.answer);
  EXPECT_EQ(held.answer->status, 429);
  EXPECT_GT(std::stoi(held.answer->get_header_value("Retry-After")), 800);
  EXPECT_TRUE(held.cookie.empty());
  // Others are not held back by it.
  EXPECT_FALSE(LogIn("u-archivist", kPassword).cookie.empty());

  // Every refusal is in the audit log, with the address and never the password; admins read it.
  auto r = Get("/api/v1/audit?actor=address:127.0.0.1", "session-admin");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  Json entries = Json::parse(r->body)["entries"];
  int refused = 0;
  for (const auto& e : entries) {
    if (e["action"] == "login.refused" && e["target"] == "u-guessed") ++refused;
  }
  EXPECT_EQ(refused, 5);
  EXPECT_EQ(r->body.find("guess number"), std::string::npos);
  ExpectProblem(Get("/api/v1/audit", "session-archivist"), 403, "an archivist");
  ExpectProblem(Get("/api/v1/audit", "archivist"), 403, "an archivist's token");
  ExpectProblem(Get("/api/v1/audit"), 401, "anonymous");
}

TEST_F(ApiTest, AHeldBackAccountKeepsItsSessionsAndAnAdminsResetLetsItsOwnerIn) {
  ASSERT_EQ(RunAttest({"--archive", *archive_, "user", "add", "u-locked", "--role", "researcher"},
                      -1, std::string(kPassword) + "\n")
                .exit_code,
            0);
  Session owner = LogIn("u-locked", kPassword);
  ASSERT_FALSE(owner.cookie.empty());
  for (int i = 0; i < 5; ++i) (void)LogIn("u-locked", "a guess " + std::to_string(i));
  EXPECT_EQ(LogIn("u-locked", kPassword).answer->status, 429);
  // The owner's session is not held back.
  httplib::Client c("127.0.0.1", port_);
  auto mine = c.Get("/api/v1/records/" + (*ids_)["research"],
                    {{"Cookie", "__Host-attest_session=" + owner.cookie}});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 200) << mine->body;
  // An admin's reset reaches the running server: the owner logs in at once with the new one.
  const std::string fresh = "another sample passphrase";
  ASSERT_EQ(RunAttest({"--archive", *archive_, "user", "password", "u-locked"}, -1, fresh + "\n")
                .exit_code,
            0);
  EXPECT_FALSE(LogIn("u-locked", fresh).cookie.empty());

  // A name that cannot be an account's is refused before any work, and counts for nothing.
  Session long_name = LogIn(std::string(4000, 'a'), kPassword);
  ASSERT_TRUE(long_name.answer);
  EXPECT_EQ(long_name.answer->status, 400);
  EXPECT_NE(long_name.answer->body.find("An account name is 1 to 64"), std::string::npos);
}

TEST_F(ApiTest, RedirectsAfterTheLanguageSwitcherAndALoginStayOnThisSite) {
  httplib::Client c("127.0.0.1", port_);
  for (const char* back :
       {"/%09/evil.example/", "%2F%09%2Fevil.example", "/%5Cevil.example", "//evil.example",
        "https://evil.example", "%20/x", "/x%0A", "/%0D%0ASet-Cookie:x=y"}) {
    auto r = c.Get(std::string("/ui?lang=he&back=") + back);
    ASSERT_TRUE(r) << back;
    // Home, or refused outright (a control character in a query may be a 400 of its own).
    if (r->status != 400) {
      EXPECT_EQ(r->get_header_value("Location"), "/") << back;
    }
  }
  auto home = c.Get("/ui?lang=en&back=%2Fsearch%3Fq%3Driver");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->get_header_value("Location"), "/search?q=river");

  // The login form's `back` is decided alike.
  auto form = c.Get("/login?back=/%09/evil.example");
  ASSERT_TRUE(form);
  EXPECT_NE(form->body.find("name=\"back\" value=\"/\""), std::string::npos);
  std::string token = SetCookie(form, "__Host-attest_csrf");
  auto in = c.Post("/login", {{"Cookie", "__Host-attest_csrf=" + token}},
                   "csrf=" + HiddenCsrf(form->body) + "&name=u-researcher&password=" +
                       httplib::detail::encode_query_param(kPassword) + "&back=/%09/evil.example",
                   "application/x-www-form-urlencoded");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->status, 303) << in->body;
  EXPECT_EQ(in->get_header_value("Location"), "/");
}

TEST_F(ApiTest, VerifyNamesTheRecordVersionAndCheckpointOfAFile) {
  std::string text = Slurp(*tmp_ + "/public.txt");
  httplib::Client c("127.0.0.1", port_);
  auto raw = c.Post("/api/v1/verify", text, "application/octet-stream");
  ASSERT_TRUE(raw);
  ASSERT_EQ(raw->status, 200) << raw->body;
  Json j = Json::parse(raw->body);
  EXPECT_EQ(j["found"], true);
  EXPECT_EQ(j["sha256"], (*shas_)["public"]);
  EXPECT_EQ(j["matches"][0]["record"], (*ids_)["public"]);
  EXPECT_EQ(j["matches"][0]["version"], 1);
  EXPECT_EQ(j["matches"][0]["role"], "original");
  EXPECT_NE(j["checkpoint"]["note"].get<std::string>().find("example.org/api"), std::string::npos);
  httplib::MultipartFormDataItems form = {{"file", text, "public.txt", "text/plain"}};
  auto multi = c.Post("/api/v1/verify", form);
  ASSERT_TRUE(multi);
  EXPECT_EQ(Json::parse(multi->body)["found"], true);
  auto page = c.Post("/verify", form);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find((*ids_)["public"]), std::string::npos);
  ExpectProblem(c.Post("/api/v1/verify", "{\"sha256\":\"xyz\"}", "application/json"), 400,
                "bad sha");
  ExpectProblem(c.Post("/api/v1/verify", "{not json", "application/json"), 400, "bad json");
  ExpectProblem(c.Post("/api/v1/verify", std::string(2 << 20, ' '), "application/json"), 400,
                "big json");
}

TEST_F(ApiTest, RecordsTranscriptsMediaAndProofsOfAPublicRecord) {
  const std::string& id = (*ids_)["spoken"];
  auto rec = Get("/api/v1/records/" + id);
  ASSERT_TRUE(rec && rec->status == 200);
  Json j = Json::parse(rec->body);
  EXPECT_EQ(j["segments"].size(), 2u);
  EXPECT_EQ(j["segments"][1]["start_ms"], 1000);
  EXPECT_EQ(j["segments"][1]["text"], "four five six");
  ASSERT_TRUE(j["media"].contains("original"));
  ASSERT_TRUE(j["media"].contains("access"));  // a WAV gets an AAC copy browsers play
  auto vtt = Get("/api/v1/records/" + id + "/transcript?format=vtt");
  ASSERT_TRUE(vtt && vtt->status == 200);
  EXPECT_EQ(vtt->body.rfind("WEBVTT", 0), 0u);
  EXPECT_NE(vtt->body.find("00:00:01.000 --> 00:00:02.500\nfour five six"), std::string::npos);
  ExpectProblem(Get("/api/v1/records/" + id + "/transcript?format=doc"), 400, "format");
  ExpectProblem(Get("/api/v1/records/" + (*ids_)["public"] + "/transcript"), 404, "no transcript");

  // Media: whole, ranges, conditional.
  std::string original = Slurp(*tmp_ + "/spoken.wav");
  auto whole = Get("/api/v1/records/" + id + "/media/original");
  ASSERT_TRUE(whole && whole->status == 200);
  EXPECT_EQ(whole->body, original);
  EXPECT_EQ(whole->get_header_value("Content-Type"), "audio/wav");
  EXPECT_EQ(whole->get_header_value("Accept-Ranges"), "bytes");
  std::string etag = whole->get_header_value("ETag");
  EXPECT_EQ(etag, "\"" + ToHex(Sha256(original)) + "\"");
  httplib::Client c("127.0.0.1", port_);
  auto part = c.Get("/api/v1/records/" + id + "/media/original", {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, original.substr(10, 10));
  auto tail = c.Get("/api/v1/records/" + id + "/media/original", {{"Range", "bytes=-4"}});
  ASSERT_TRUE(tail && tail->status == 206);
  EXPECT_EQ(tail->body, original.substr(original.size() - 4));
  // Past the end: up to the last byte, as promised in Content-Range.
  auto past = c.Get("/api/v1/records/" + id + "/media/original", {{"Range", "bytes=5-100000"}});
  ASSERT_TRUE(past) << httplib::to_string(past.error());
  EXPECT_EQ(past->status, 206);
  EXPECT_EQ(past->body, original.substr(5));
  EXPECT_EQ(
      past->get_header_value("Content-Range"),
      "bytes 5-" + std::to_string(original.size() - 1) + "/" + std::to_string(original.size()));
  auto longer = c.Get("/api/v1/records/" + id + "/media/original", {{"Range", "bytes=-100000"}});
  ASSERT_TRUE(longer) << httplib::to_string(longer.error());
  EXPECT_EQ(longer->body, original);
  // Several ranges that overlap or adjoin are served as one; with a gap between them, the whole
  // file; never a multipart body.
  auto joined =
      c.Get("/api/v1/records/" + id + "/media/original", {{"Range", "bytes=5-9,0-4,8-11"}});
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->status, 206);
  EXPECT_EQ(joined->body, original.substr(0, 12));
  EXPECT_EQ(joined->get_header_value("Content-Range"),
            "bytes 0-11/" + std::to_string(original.size()));
  auto gap = c.Get("/api/v1/records/" + id + "/media/original", {{"Range", "bytes=0-1,10-19"}});
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->status, 200);
  EXPECT_EQ(gap->body, original);
  auto same = c.Get("/api/v1/records/" + id + "/media/original", {{"If-None-Match", etag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
  for (const char* bogus : {"bytes=999999999-", "bytes=20-10", "bytes=abc", "pages=1-2",
                            "bytes=0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,"
                            "0-1,0-1,0-1,0-1,0-1"}) {
    auto r = c.Get("/api/v1/records/" + id + "/media/original", {{"Range", bogus}});
    ASSERT_TRUE(r) << bogus;
    EXPECT_TRUE(r->status == 416 || r->status == 200 || r->status == 206)
        << bogus << ": " << r->status;
    if (r->status == 200) {
      EXPECT_EQ(r->body, original) << bogus;
    }
  }
  auto access = Get("/api/v1/records/" + id + "/media/access");
  ASSERT_TRUE(access && access->status == 200);
  EXPECT_EQ(access->get_header_value("Content-Type"), "audio/mp4");
  ExpectProblem(Get("/api/v1/records/" + id + "/media/poster"), 404, "no poster for audio");

  auto proof = Get("/api/v1/records/" + id + "/proof?version=1");
  ASSERT_TRUE(proof && proof->status == 200);
  std::string proof_file = Write(*tmp_, "proof.json", proof->body);
  std::string vkey = Json::parse(Get("/api/v1/")->body)["verifier_key"];
  auto checked =
      RunAttest({"verify-proof", proof_file, "--key", vkey, "--file", *tmp_ + "/spoken.wav"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;

  // The record page: player, lines that seek, citation to the second.
  auto page = Get("/records/" + id + "?t=1");
  ASSERT_TRUE(page && page->status == 200);
  EXPECT_NE(page->body.find("data-player src=\"/api/v1/records/" + id + "/media/access#t=1\""),
            std::string::npos);
  EXPECT_NE(page->body.find("data-start=\"1000\""), std::string::npos);
  EXPECT_NE(page->body.find("class=\"current\""), std::string::npos);
  EXPECT_NE(page->body.find("at 0:01"), std::string::npos);
  auto seg = Json::parse(
      Get("/api/v1/segments/" + j["segments"][1]["id"].get<std::string>())->body);
  EXPECT_EQ(seg["url"], "/records/" + id + "?t=1");

  auto openapi = Get("/api/v1/openapi.json");
  ASSERT_TRUE(openapi && openapi->status == 200);
  EXPECT_EQ(Json::parse(openapi->body)["openapi"], "3.1.0");
}

TEST_F(ApiTest, WritesNeedAnArchivistsTokenAndAreLogged) {
  httplib::Client c("127.0.0.1", port_);
  httplib::MultipartFormDataItems form = {
      {"file", "A sample note added over HTTP.\n", "note.txt", "text/plain"},
      {"consent", "public", "", ""},
      {"witness", "w-http", "", ""},
      {"meta", "{\"title\":\"Added over HTTP (sample)\"}", "", ""}};
  ExpectProblem(c.Post("/api/v1/records", form), 401, "anonymous add");
  ExpectProblem(c.Post("/api/v1/records", Auth("researcher"), form), 403, "researcher add");
  ExpectProblem(c.Post("/api/v1/records", Auth("expired"), form), 401, "expired token");
  ExpectProblem(c.Post("/api/v1/records", Auth("revoked"), form), 401, "revoked token");
  auto bad = c.Get("/api/v1/records", {{"Authorization", "Bearer attest_nonsense"}});
  ExpectProblem(bad, 401, "unknown token");
  EXPECT_EQ(Json::parse(bad->body)["detail"], "the token is not valid");
  auto added = c.Post("/api/v1/records", Auth("archivist"), form);
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;
  std::string id = Json::parse(added->body)["records"][0]["id"];
  auto show = RunAttest({"--archive", *archive_, "show", "--json", id});
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_EQ(Json::parse(show.out)["witness"], "w-http");
  httplib::MultipartFormDataItems bad_consent = {{"file", "x", "x.txt", "text/plain"},
                                                 {"consent", "everyone", "", ""}};
  ExpectProblem(c.Post("/api/v1/records", Auth("archivist"), bad_consent), 400, "bad consent");

  // Correct a transcript line: a new version made by a person, naming the token.
  const std::string& spoken = (*ids_)["spoken"];
  Json rec = Json::parse(Get("/api/v1/records/" + spoken)->body);
  std::string sid = rec["segments"][0]["id"].get<std::string>();
  std::string body = Json{{"text", "one, two, three"}}.dump();
  ExpectProblem(c.Put("/api/v1/segments/" + sid, body, "application/json"), 401, "anonymous put");
  auto put = c.Put("/api/v1/segments/" + sid, Auth("archivist"), body, "application/json");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 201) << put->body;
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  Json after = Json::parse(Get("/api/v1/records/" + spoken)->body);
  EXPECT_EQ(after["segments"][0]["text"], "one, two, three");
  EXPECT_EQ(after["segments"][1]["text"], "four five six");
  Json v = after["versions"].back();
  EXPECT_EQ(v["derived"]["tool"], "human");
  ExpectProblem(
      c.Put("/api/v1/segments/" + sid, Auth("archivist"), "{\"text\":\"\"}", "application/json"),
      400, "empty text");
  ExpectProblem(c.Put("/api/v1/segments/999999", Auth("archivist"), body, "application/json"), 404,
                "no segment");
}

// A change of consent takes effect on every interface at once, cached search pages included,
// and is logged without its reason.
TEST_F(ApiTest, APassageKeptFromThePublicLeavesNoTraceForThoseWhoMayNotReadIt) {
  // A public record of two passages; the second is then restricted on its own.
  std::string file = Write(*tmp_, "passages.txt",
                           "Sample passage one, zqpassageopen, about the bridge.\n\n"
                           "Sample passage two, zqpassageshut, about the bridge.\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-passages", "--lang", "en", file});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto segs = Json::parse(Get("/api/v1/records/" + id + "/segments", "archivist")->body);
  std::string shut;
  for (const auto& g : segs["segments"]) {
    if (g["text"].get<std::string>().find("zqpassageshut") != std::string::npos) shut = g["id"];
  }
  ASSERT_FALSE(shut.empty()) << segs.dump();
  EXPECT_EQ(Get("/api/v1/records/" + id + "/media/original")->status, 200);  // whole, for now
  EXPECT_EQ(Get("/api/v1/search?q=zqpassageshut")->body.find("zqpassageshut") != std::string::npos,
            true);  // and cached

  httplib::Client c("127.0.0.1", port_);
  auto put = c.Put("/api/v1/records/" + id + "/consent", Auth("archivist"),
                   Json{{"consent", "restricted"}, {"reason", "asked"}, {"segment", shut}}.dump(),
                   "application/json");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(Json::parse(put->body)["segment"], shut);

  for (std::string who : {"", "researcher"}) {
    SCOPED_TRACE(who.empty() ? "anonymous" : who);
    for (const std::string& path : std::vector<std::string>{
             "/api/v1/search?q=zqpassageshut", "/api/v1/search?q=bridge", "/search?q=bridge",
             "/api/v1/suggest?q=zqpassages", "/api/v1/records/" + id,
             "/api/v1/records/" + id + "/segments", "/api/v1/records/" + id + "/transcript",
             "/api/v1/records/" + id + "/transcript?format=txt", "/records/" + id,
             "/api/v1/segments/" + shut, "/witnesses/w-passages"}) {
      auto r = Get(path, who);
      ASSERT_TRUE(r) << path;
      std::string body = r->body;  // but the search's echo of the query asked
      for (size_t at; (at = body.find("\"query\":\"zqpassageshut\"")) != std::string::npos;) {
        body.erase(at, 23);
      }
      EXPECT_EQ(body.find("zqpassageshut"), std::string::npos) << path << ": " << r->body;
    }
    // The open passage is still there, the record's file is not (it holds both passages).
    EXPECT_NE(Get("/api/v1/search?q=zqpassageopen", who)->body.find("zqpassageopen"),
              std::string::npos);
    EXPECT_EQ(Get("/api/v1/records/" + id + "/media/original", who)->status, 404);
    EXPECT_EQ(Get("/api/v1/segments/" + shut, who)->status, 404);
    auto totals = Json::parse(Get("/api/v1/search?q=bridge", who)->body);
    EXPECT_EQ(totals["total_estimate"], 1) << totals.dump();
  }
  // Archivists read it all.
  EXPECT_NE(Get("/api/v1/search?q=zqpassageshut", "archivist")->body.find("zqpassageshut"),
            std::string::npos);
  EXPECT_EQ(Get("/api/v1/records/" + id + "/media/original", "archivist")->status, 200);
}

// A record every passage of which is narrowed beyond a caller is, for that caller, no record:
// not its page, its API path, its jobs, nor its line in a list or a count (attack review 20,
// finding 2).
TEST_F(ApiTest, ARecordWithEveryWordHiddenFromTheCallerIsNoRecordForThem) {
  std::string file = Write(*tmp_, "hidden.txt",
                           "Sample passage one, zqallhiddenone, about the well.\n\n"
                           "Sample passage two, zqallhiddentwo, about the well.\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "research",
                          "--witness", "w-allhidden", "--collection", "c-allhidden", "--lang",
                          "en", "--meta", R"({"title":"Sample title zqallhiddentitle"})", file});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto segs = Json::parse(Get("/api/v1/records/" + id + "/segments", "archivist")->body);
  ASSERT_EQ(segs["segments"].size(), 2u) << segs.dump();
  const std::string missing = "/api/v1/records/" + std::string(id.size(), 'z');
  const std::string none_body = Get(missing, "researcher")->body;
  EXPECT_EQ(Get("/api/v1/records/" + id, "researcher")->status, 200);  // one passage readable
  httplib::Client c("127.0.0.1", port_);
  for (const auto& g : segs["segments"]) {
    auto put = c.Put("/api/v1/records/" + id + "/consent", Auth("archivist"),
                     Json{{"consent", "restricted"}, {"reason", "asked"}, {"segment", g["id"]}}.dump(),
                     "application/json");
    ASSERT_TRUE(put);
    ASSERT_EQ(put->status, 200) << put->body;
  }
  for (std::string who : {"", "researcher"}) {
    SCOPED_TRACE(who.empty() ? "anonymous" : who);
    auto r = Get("/api/v1/records/" + id, who);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body, Get(missing, who)->body);
    for (const std::string& path : std::vector<std::string>{
             "/records/" + id, "/api/v1/records/" + id + "/segments",
             "/api/v1/records/" + id + "/transcript", "/api/v1/records/" + id + "/jobs",
             "/api/v1/records/" + id + "/proof", "/api/v1/records/" + id + "/media/original"}) {
      EXPECT_EQ(Get(path, who)->status, 404) << path;
    }
    for (const std::string& path : std::vector<std::string>{
             "/api/v1/records?limit=100", "/api/v1/witnesses/w-allhidden", "/witnesses/w-allhidden",
             "/api/v1/collections", "/api/v1/collections/c-allhidden", "/api/v1/search?q=well",
             "/search?q=well", "/"}) {
      auto l = Get(path, who);
      ASSERT_TRUE(l) << path;
      EXPECT_EQ(l->body.find(id), std::string::npos) << path << ": " << l->body;
      EXPECT_EQ(l->body.find("zqallhidden"), std::string::npos) << path << ": " << l->body;
    }
  }
  // Archivists read it all, and manage its jobs.
  EXPECT_EQ(Get("/api/v1/records/" + id, "archivist")->status, 200);
  EXPECT_EQ(Get("/api/v1/records/" + id + "/jobs", "archivist")->status, 200);
  EXPECT_NE(Get("/api/v1/records?limit=100", "archivist")->body.find(id), std::string::npos);
}

// Ask (doc/ask.md): one group per witness, a passage that is a whole thought but never joins
// what the caller may not read, a citation and the checkpoint; audited like search.
TEST_F(ApiTest, AskJoinsAWholeThoughtOfWhatTheCallerMayReadOnly) {
  // A public record whose sentence runs over three passages; the middle one is restricted.
  std::string file = Write(*tmp_, "ferry.txt",
                           "A sample line about the ferry at dusk, which\n\n"
                           "carried zqaskmiddle slowly across the water, and\n\n"
                           "came back empty before the ferry closed.\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-ferry", "--lang", "en", file});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto segs = Json::parse(Get("/api/v1/records/" + id + "/segments", "archivist")->body);
  ASSERT_EQ(segs["segments"].size(), 3u) << segs.dump();
  std::string middle = segs["segments"][1]["id"];
  httplib::Client c("127.0.0.1", port_);
  auto put = c.Put("/api/v1/records/" + id + "/consent", Auth("archivist"),
                   Json{{"consent", "restricted"}, {"reason", "asked"}, {"segment", middle}}.dump(),
                   "application/json");
  ASSERT_TRUE(put && put->status == 200);

  auto ask = [&](const std::string& q, const std::string& who) {
    auto r = Get("/api/v1/ask?q=" + httplib::detail::encode_query_param(q), who);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return Json::parse(r->body);
  };
  auto group_of = [](const Json& a, const std::string& witness) {
    for (const auto& g : a["groups"]) {
      if (g["witness"] == witness) return g;
    }
    return Json();
  };
  // Anonymous: the first passage alone; the restricted one ends the passage there.
  Json anon = ask("what happened to the ferry at dusk?", "");
  Json g = group_of(anon, "w-ferry");
  ASSERT_TRUE(g.is_object()) << anon.dump();
  EXPECT_EQ(g["passage"]["text"], "A sample line about the ferry at dusk, which");
  EXPECT_EQ(anon.dump().find("zqaskmiddle"), std::string::npos);
  EXPECT_EQ(g["level"], "public");
  // An archivist: the whole sentence, three passages joined.
  Json arch = ask("what happened to the ferry at dusk?", "archivist");
  g = group_of(arch, "w-ferry");
  ASSERT_TRUE(g.is_object()) << arch.dump();
  EXPECT_EQ(g["passage"]["segments"].size(), 3u) << g.dump();
  EXPECT_NE(g["passage"]["text"].get<std::string>().find("zqaskmiddle"), std::string::npos);
  EXPECT_NE(g["passage"]["text"].get<std::string>().find("before the ferry closed."),
            std::string::npos);
  EXPECT_EQ(g["level"], "restricted");
  // Every answer: a citation with the version's log entry, under the checkpoint it carries.
  for (const Json* a : {&anon, &arch}) {
    uint64_t size = (*a)["checkpoint"]["size"];
    EXPECT_NE(
        (*a)["checkpoint"]["note"].get<std::string>().find("\n" + std::to_string(size) + "\n"),
        std::string::npos);
    for (const auto& grp : (*a)["groups"]) {
      EXPECT_LT(grp["leaf_index"].get<uint64_t>(), size);
      EXPECT_NE(grp["citation"].get<std::string>().find(
                    "log entry " + std::to_string(grp["leaf_index"].get<uint64_t>())),
                std::string::npos);
      EXPECT_EQ(
          grp["play"].get<std::string>().rfind("/records/" + grp["record"].get<std::string>(), 0),
          0u);
    }
  }
  // One group per witness; the witnesses of "river" by what each caller may read.
  auto witnesses = [&](const std::string& who) {
    std::set<std::string> out;
    Json a = ask("the river crossing", who);
    for (const auto& grp : a["groups"]) {
      EXPECT_TRUE(out.insert(grp["witness"]).second) << "a witness twice";
    }
    if (out.empty()) ADD_FAILURE() << a.dump();
    return out;
  };
  EXPECT_EQ(witnesses(""), std::set<std::string>({"w-public"}));
  EXPECT_EQ(witnesses("researcher"), std::set<std::string>({"w-public", "w-research"}));
  EXPECT_EQ(witnesses("archivist"),
            std::set<std::string>({"w-public", "w-research", "w-restricted"}));
  // No Hebrew dictionary: the answer says so.
  EXPECT_EQ(anon["notices"][0],
            "Hebrew testimonies are matched by names and by the semantic index only");
  // The researcher's answer with research words is audited as "ask".
  auto r = RunAttest({"--archive", *archive_, "audit", "--json", "--actor",
                      "token:" + (*tokens_)["researcher.id"]});
  ASSERT_EQ(r.exit_code, 0);
  bool audited = false;
  Json entries = Json::parse(r.out)["entries"];
  for (const auto& e : entries) {
    audited |= e["detail"].value("what", "") == "ask";
  }
  EXPECT_TRUE(audited);
  // Bad questions.
  ExpectProblem(Get("/api/v1/ask?q="), 400, "empty question");
  ExpectProblem(Get("/api/v1/ask?q=%3F%21"), 400, "no words");
  ExpectProblem(Get("/api/v1/ask?q=river&lang=de"), 400, "unknown language");
  ExpectProblem(Get("/api/v1/ask?q=river&limit=0"), 400, "limit");
  ExpectProblem(Get("/api/v1/ask?q=river&place=%22x"), 400, "quote in a filter");
  ExpectProblem(Get("/api/v1/ask?q=river&date=yesterday"), 400, "bad date");
  // The page.
  auto page = Get("/ask?q=river%20crossing", "researcher");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("w-research"), std::string::npos);
  EXPECT_NE(page->body.find("<cite"), std::string::npos);
}

TEST_F(ApiTest, ARedactedSpanIsAGapForOthersAndFoundByNoOne) {
  const std::string id = (*ids_)["redacted"];
  for (const char* who : {"", "researcher", "archivist", "session-admin"}) {
    auto r = Get("/api/v1/search?q=" + std::string(kRedacted), who);
    ASSERT_TRUE(r);
    EXPECT_EQ(Json::parse(r->body)["total_estimate"], 0) << who;
  }
  Json shown = Json::parse(Get("/api/v1/records/" + id, "researcher")->body);
  const Json& seg = shown["segments"][0];
  std::string text = seg["text"];
  EXPECT_EQ(text,
            "A sample paragraph about the harbour, \u2588\u2588\u2588\u2588\u2588, "
            "before noon.");
  ASSERT_EQ(seg["redacted"].size(), 1u);
  EXPECT_EQ(text.substr(seg["redacted"][0][0], 15), "\u2588\u2588\u2588\u2588\u2588");
  EXPECT_TRUE(shown["media"].empty()) << shown["media"].dump();  // the file holds the words
  Json full = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  EXPECT_NE(full["segments"][0]["text"].get<std::string>().find(kRedacted), std::string::npos);
  EXPECT_EQ(full["segments"][0]["redactions"].size(), 1u);
  // The page shows the gap as a gap, with a name a screen reader says.
  auto page = Get("/records/" + id);
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<span class=\"redacted\" role=\"img\" aria-label=\"Redacted: "
                            "hidden by the archive\""),
            std::string::npos);
  auto one = Json::parse(Get("/api/v1/segments/" + seg["id"].get<std::string>())->body);
  EXPECT_EQ(one["text"], text);
  // Only archivists redact; a span past the text's end is refused with the reason.
  httplib::Client c("127.0.0.1", port_);
  const std::string path = "/api/v1/records/" + id + "/redactions";
  Json body = {{"segment", seg["id"]}, {"chars", {0, 5}}, {"reason", "x"}};
  ExpectProblem(c.Post(path, Auth("researcher"), body.dump(), "application/json"), 403,
                "a researcher");
  body["chars"] = {0, 100000};
  ExpectProblem(c.Post(path, Auth("archivist"), body.dump(), "application/json"), 400,
                "past the end");
  body["chars"] = "all";
  ExpectProblem(c.Post(path, Auth("archivist"), body.dump(), "application/json"), 400,
                "not a pair");
}

// The loudest sample (dBFS) of a media file between two times, by FFmpeg's volumedetect.
double MaxVolume(const std::string& file, double from_s, double to_s) {
  std::string cmd = "ffmpeg -hide_banner -nostats -ss " + std::to_string(from_s) + " -t " +
                    std::to_string(to_s - from_s) + " -i '" + file +
                    "' -af volumedetect -f null - 2>&1 | grep -o 'max_volume: [-0-9.]*'";
  FILE* p = popen(cmd.c_str(), "r");
  char line[128] = {};
  bool got = fgets(line, sizeof line, p) != nullptr;
  pclose(p);
  return got ? std::atof(line + 12) : 0;
}

TEST_F(ApiTest, RedactedSpeechIsSilencedInTheCopyOthersPlay) {
  const std::string id = (*ids_)["spoken-redacted"];
  Json shown = Json::parse(Get("/api/v1/records/" + id, "researcher")->body);
  EXPECT_EQ(shown["segments"][1]["text"], "\u2588\u2588\u2588\u2588\u2588");
  ASSERT_TRUE(shown["media"].contains("access")) << shown["media"].dump();
  EXPECT_FALSE(shown["media"].contains("original"));
  auto copy = Get(shown["media"]["access"]["url"], "researcher");
  ASSERT_TRUE(copy);
  ASSERT_EQ(copy->status, 200);
  std::string heard = Write(*tmp_, "heard.m4a", copy->body);
  // "one two three" is heard; "four five six" is silence (AAC leaves a little noise at most).
  EXPECT_GT(MaxVolume(heard, 0.1, 0.9), -30.0);
  EXPECT_LT(MaxVolume(heard, 1.1, 1.9), -60.0);
  // The archivist hears the words in the original, and nobody else gets it.
  Json full = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  EXPECT_TRUE(full["media"].contains("original"));
  ExpectProblem(Get("/api/v1/records/" + id + "/media/original"), 404, "anonymous original");
  std::string original = Write(*tmp_, "original.wav",
                               Get("/api/v1/records/" + id + "/media/original", "archivist")->body);
  EXPECT_GT(MaxVolume(original, 1.1, 1.9), -30.0);
}

// Issue 21, finding 1: a transcript is built from the redacted reading of the record, in every
// format and version, never rebuilt from the stored cues.
TEST_F(ApiTest, ATranscriptShowsARedactedCueAsAMarkInEveryFormatAndVersion) {
  const std::string id = (*ids_)["spoken-redacted"];
  Json rec = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  std::vector<int> versions;
  for (const Json& v : rec["versions"]) versions.push_back(v["version"]);
  int transcripts = 0;
  for (const char* format : {"json", "vtt", "srt", "txt"}) {
    for (int v : versions) {
      std::string path = "/api/v1/records/" + id + "/transcript?format=" + format +
                         "&version=" + std::to_string(v);
      auto full = Get(path, "archivist");
      ASSERT_TRUE(full);
      if (full->status != 200) continue;
      ++transcripts;
      EXPECT_NE(full->body.find(kCueCanary), std::string::npos) << path;
      for (std::string who : {"", "researcher", "session-researcher"}) {
        auto r = Get(path, who);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << who << " " << path << ": " << r->body;
        EXPECT_EQ(r->body.find(kCueCanary), std::string::npos) << who << " " << path;
        EXPECT_NE(r->body.find("\u2588\u2588\u2588\u2588\u2588"), std::string::npos)
            << who << " " << path << ": " << r->body;
        EXPECT_NE(r->body.find("one two three"), std::string::npos) << who << " " << path;
      }
    }
  }
  EXPECT_EQ(transcripts, 4) << "one transcript version, four formats";
}

// Issue 21, finding 2: a redaction follows its words into a revision that moves them, and a
// revision it cannot be placed in is held from all but archivists until one confirms it.
TEST_F(ApiTest, ARedactionFollowsItsWordsIntoARevisionOrHoldsIt) {
  // The suite's revised record: the opening paragraph is new, the words are hidden where they
  // now are, for every caller below archivist and in search for everyone.
  {
    const std::string id = (*ids_)["revised"];
    Json rec = Json::parse(Get("/api/v1/records/" + id)->body);
    std::string all = rec["segments"].dump();
    EXPECT_NE(all.find("opening paragraph"), std::string::npos) << all;
    EXPECT_EQ(all.find(kRevisedCanary), std::string::npos) << all;
    EXPECT_NE(all.find("orchard near \u2588\u2588\u2588\u2588\u2588, at dusk"), std::string::npos)
        << all;
    for (std::string who : {"", "researcher", "archivist"}) {
      Json found = Json::parse(Get("/api/v1/search?q=" + std::string(kRevisedCanary), who)->body);
      EXPECT_EQ(found["total_estimate"], 0) << who << found.dump();
      EXPECT_EQ(Get("/api/v1/search?q=zqrevised*", who)->body.find(kRevisedCanary),
                std::string::npos);
    }
    EXPECT_NE(Get("/api/v1/records/" + id, "archivist")->body.find(kRevisedCanary),
              std::string::npos);
  }
  // A revision that spells the words so that they cannot be found: held.
  const std::string words = "zqheldcanary";
  std::string first = Write(*tmp_, "held.txt",
                            "A sample paragraph about the well by " + words + ", at noon.\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-held", "--lang", "en", first});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  httplib::Client c("127.0.0.1", port_);
  Json rec = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  ASSERT_EQ(rec["segments"].size(), 1u) << rec.dump();
  std::string text = rec["segments"][0]["text"];
  int64_t at = static_cast<int64_t>(CodePoints(text.substr(0, text.find(words))));
  auto put = c.Post("/api/v1/records/" + id + "/redactions", Auth("archivist"),
                    Json{{"segment", rec["segments"][0]["id"]},
                         {"chars", {at, at + static_cast<int64_t>(words.size())}},
                         {"reason", "names a bystander"}}
                        .dump(),
                    "application/json");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 201) << put->body;
  std::string second = Write(*tmp_, "held-2.txt",
                             "A sample opening added later.\n\nA sample paragraph about the well "
                             "by ZQ-HELD-CANARY, at noon.\n");
  ASSERT_EQ(RunAttest({"--archive", *archive_, "add", "--record", id, second}).exit_code, 0);
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  for (std::string who : {"", "researcher"}) {
    Json shown = Json::parse(Get("/api/v1/records/" + id, who)->body);
    std::string segs = shown["segments"].dump();
    EXPECT_EQ(segs.find("ZQ-HELD-CANARY"), std::string::npos) << who << segs;
    EXPECT_EQ(segs.find("opening added later"), std::string::npos) << who << segs;
    EXPECT_NE(segs.find("\u2588\u2588\u2588\u2588\u2588"), std::string::npos) << who << segs;
    EXPECT_FALSE(shown.contains("held"));
    EXPECT_EQ(Get("/records/" + id, who)->body.find("ZQ-HELD-CANARY"), std::string::npos);
    EXPECT_EQ(Get("/api/v1/search?q=ZQ-HELD-CANARY", who)->body.find("HELD-CANARY\u0020"),
              std::string::npos);
    EXPECT_EQ(Get("/api/v1/search?q=opening%20added%20later", who)->body.find("\"record\":\"" + id),
              std::string::npos);
  }
  Json staff = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  ASSERT_TRUE(staff.contains("held")) << staff.dump();
  int held_version = staff["held"][0]["version"];
  EXPECT_NE(staff["segments"].dump().find("ZQ-HELD-CANARY"), std::string::npos);
  // Only an archivist confirms, and says why; then it is shown as it is.
  auto refused = c.Post("/api/v1/records/" + id + "/redactions/confirm", Auth("researcher"),
                        Json{{"version", held_version}, {"reason", "checked"}}.dump(),
                        "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  ExpectProblem(c.Post("/api/v1/records/" + id + "/redactions/confirm", Auth("archivist"),
                       Json{{"version", held_version}}.dump(), "application/json"),
                400, "a confirmation without a reason");
  auto ok = c.Post("/api/v1/records/" + id + "/redactions/confirm", Auth("archivist"),
                   Json{{"version", held_version}, {"reason", "the new spelling is the "
                                                              "witness's own, checked"}}
                       .dump(),
                   "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  Json now = Json::parse(Get("/api/v1/records/" + id)->body);
  EXPECT_NE(now["segments"].dump().find("opening added later"), std::string::npos) << now.dump();
  ExpectProblem(c.Post("/api/v1/records/" + id + "/redactions/confirm", Auth("archivist"),
                       Json{{"version", held_version}, {"reason", "again"}}.dump(),
                       "application/json"),
                409, "a version no longer held");
}

// Issue 21, finding 3: hashes, sizes, manifests and proofs only to those who may read the
// version whole; others get a commitment that reveals nothing.
TEST_F(ApiTest, HashesSizesManifestsAndProofsOnlyForThoseWhoMayReadTheVersionWhole) {
  const std::string id = (*ids_)["redacted"];
  for (std::string who : {"", "researcher"}) {
    Json rec = Json::parse(Get("/api/v1/records/" + id, who)->body);
    for (const Json& v : rec["versions"]) {
      EXPECT_FALSE(v.contains("blobs")) << who << v.dump();
      EXPECT_FALSE(v.contains("manifest_sha256")) << who << v.dump();
      EXPECT_EQ(v["commitment"].get<std::string>().size(), 64u) << v.dump();
      EXPECT_TRUE(v["proof"].is_string());
      Json one = Json::parse(
          Get("/api/v1/records/" + id + "/versions/" + std::to_string(v["version"].get<int>()), who)
              ->body);
      EXPECT_FALSE(one.contains("manifest")) << who << one.dump();
    }
    Json proof = Json::parse(Get("/api/v1/records/" + id + "/proof", who)->body);
    EXPECT_TRUE(proof["proof"].is_string()) << proof.dump();
    EXPECT_FALSE(proof.contains("manifest")) << proof.dump();
    EXPECT_FALSE(proof.contains("leaf")) << proof.dump();
  }
  Json staff = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  EXPECT_TRUE(staff["versions"][0].contains("blobs"));
  Json versions = Json::parse(Get("/api/v1/records/" + id + "/versions/1", "archivist")->body);
  EXPECT_TRUE(versions.contains("manifest"));
  // A public record that hides nothing keeps its hashes for everyone.
  Json open = Json::parse(Get("/api/v1/records/" + (*ids_)["public"])->body);
  EXPECT_TRUE(open["versions"][0].contains("blobs"));
}

// Issue 21, finding 9: segments are named by refs that reveal neither order nor count.
TEST_F(ApiTest, SegmentIdsAreOpaqueAndUnordered) {
  Json rec = Json::parse(Get("/api/v1/records/" + (*ids_)["revised"])->body);
  ASSERT_GE(rec["segments"].size(), 2u);
  for (const Json& seg : rec["segments"]) {
    std::string ref = seg["id"];
    ASSERT_EQ(ref.size(), 33u) << ref;
    EXPECT_EQ(ref[0], 's');
    EXPECT_EQ(ref.find_first_not_of("0123456789abcdef", 1), std::string::npos) << ref;
    EXPECT_EQ(Get("/api/v1/segments/" + ref)->status, 200) << ref;
  }
  // Numbers are not ids here, and a ref changed by one digit names nothing.
  ExpectProblem(Get("/api/v1/segments/3"), 404, "a number");
  std::string ref = rec["segments"][0]["id"];
  ref[5] = ref[5] == '0' ? '1' : '0';
  ExpectProblem(Get("/api/v1/segments/" + ref), 404, "a changed ref");
  // Offsets count in the text as shown, so they give no hidden length away.
  Json red = Json::parse(Get("/api/v1/records/" + (*ids_)["redacted"])->body);
  EXPECT_EQ(red["segments"][0].value("char_start", int64_t{0}), 0);
}

// Issue 29: the file a record was added as is named to those who may change it, never to others.
TEST_F(ApiTest, TheFileARecordWasAddedAsIsShownToArchivistsOnly) {
  const std::string id = (*ids_)["public"];
  Json staff = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  ASSERT_TRUE(staff.contains("source")) << staff.dump();
  EXPECT_EQ(staff["source"]["file"], "public.txt");
  for (std::string who : {"", "researcher"}) {
    auto r = Get("/api/v1/records/" + id, who);
    EXPECT_EQ(r->body.find("public.txt"), std::string::npos) << who;
    EXPECT_EQ(Get("/records/" + id, who)->body.find("public.txt"), std::string::npos) << who;
  }
  // A file that could not be read: its name beside the reason, on the archivists' page.
  std::string broken = Write(*tmp_, "broken-sample.pdf", "%PDF-1.4\nnot really a PDF\n");
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-broken", "--lang", "en", broken});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string bad = Json::parse(added.out)["records"][0]["id"];
  RunAttest({"--archive", *archive_, "worker", "--until-idle"});
  auto page = Get("/records/" + bad, "session-archivist");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("broken-sample.pdf"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("class=\"failed\""), std::string::npos);
  auto open = Get("/records/" + bad);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->body.find("broken-sample.pdf"), std::string::npos);
}

TEST_F(ApiTest, AConsentFormIsStoredEncryptedAndEachReadingIsAudited) {
  // At rest: no file of the archive holds the form's words (the database keeps its name only).
  std::string cmd = "grep -rlaF " + std::string(kFormCanary) + " " + *archive_ + " | wc -l";
  FILE* p = popen(cmd.c_str(), "r");
  char line[64] = {};
  ASSERT_TRUE(fgets(line, sizeof line, p));
  pclose(p);
  EXPECT_EQ(std::string(line), "0\n");
  // The witness sees it listed and reads it; an archivist too; each reading is audited.
  Json me = Json::parse(Get("/api/v1/me", "witness-link")->body);
  ASSERT_EQ(me["consent_forms"].size(), 1u) << me.dump();
  std::string url = me["consent_forms"][0]["url"];
  auto form_views = [&] {
    auto listed = RunAttest({"--archive", *archive_, "audit", "--json"});
    int n = 0;
    const Json entries = Json::parse(listed.out)["entries"];
    for (const auto& e : entries) {
      if (e["action"] == "view" && e["detail"].is_object() &&
          e["detail"]["what"] == "consent-form") {
        ++n;
      }
    }
    return n;
  };
  const int views_before = form_views();
  for (const char* who : {"witness-link", "archivist"}) {
    auto r = Get(url, who);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << who;
    EXPECT_NE(r->body.find(kFormCanary), std::string::npos) << who;
    EXPECT_EQ(r->get_header_value("Cache-Control"), "private, no-store");
  }
  auto listed = RunAttest({"--archive", *archive_, "audit", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  int views = 0, added = 0;
  const Json entries = Json::parse(listed.out)["entries"];
  for (const auto& e : entries) {
    if (e["action"] == "form.add" && e["target"] == "w-research") ++added;
    if (e["action"] == "view" && e["detail"].is_object() && e["detail"]["what"] == "consent-form") {
      ++views;
    }
  }
  EXPECT_EQ(added, 1);
  EXPECT_EQ(views, views_before + 2);
  auto forms = RunAttest({"--archive", *archive_, "witness", "w-research", "--forms", "--json"});
  ASSERT_EQ(forms.exit_code, 0) << forms.err;
  EXPECT_EQ(Json::parse(forms.out)["consent_forms"][0]["file_name"], "form.txt");
  // A researcher is told nothing of it.
  ExpectProblem(Get(url, "researcher"), 404, "a researcher");
  auto bad = RunAttest({"--archive", *archive_, "witness", "w-research", "--consent-form",
                        *tmp_ + "/no-such-form.pdf"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no-such-form.pdf: no such file"), std::string::npos) << bad.err;
}

// Issue 23: a researcher asks for a collection with a purpose; an archivist grants it for a
// time with terms (or refuses it with a reason); the grant opens that collection's restricted
// material, and nothing else, to that researcher's views and searches; every step is audited
// without its words. (The grant ending by itself: AccessTest, and the workspace browser test
// with the clock moved.)
TEST_F(ApiTest, AnAccessRequestIsAskedGrantedForATimeAndOpensOnlyItsCollection) {
  auto tok = [&](const char* role) {
    auto r = RunAttest({"--archive", *archive_, "token", "create", "--role", role, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
  };
  Json asker = tok("researcher"), other = tok("researcher");
  auto as = [](const Json& t) {
    return httplib::Headers{{"Authorization", "Bearer " + t["token"].get<std::string>()}};
  };
  httplib::Client c("127.0.0.1", port_);
  const std::string restricted = (*ids_)["restricted"];
  auto ask = [&](const httplib::Headers& h, const Json& body) {
    return c.Post("/api/v1/access-requests", h, body.dump(), "application/json");
  };
  const Json good = {{"scope", "collection"}, {"id", "c-restricted"},
                     {"purpose", "A sample thesis on the crossing, chapter 3."}};
  // Before: the record is not there for them, and their search does not find it.
  EXPECT_EQ(c.Get("/api/v1/records/" + restricted, as(asker))->status, 404);
  auto found = [&](const Json& t, const std::string& q) {
    auto r = c.Get("/api/v1/search?q=" + q, as(t));
    EXPECT_TRUE(r && r->status == 200);
    return Json::parse(r->body)["total_estimate"].get<int64_t>();
  };
  EXPECT_EQ(found(asker, Canary("restricted")), 0);

  // Bad requests, each refused by name, nothing kept.
  ExpectProblem(ask({}, good), 401, "anonymous");
  ExpectProblem(ask(Auth("archivist"), good), 403, "an archivist reads it already");
  ExpectProblem(ask(as(asker), Json{{"scope", "planet"}, {"id", "x"}, {"purpose", "p"}}), 400,
                "an unknown scope");
  ExpectProblem(ask(as(asker), Json{{"scope", "record"}, {"id", "../etc"}, {"purpose", "p"}}),
                400, "an id with ../");
  ExpectProblem(ask(as(asker), Json{{"scope", "record"}, {"id", "r1"}, {"purpose", " \n"}}), 400,
                "no purpose");
  ExpectProblem(
      ask(as(asker), Json{{"scope", "record"}, {"id", "r1"}, {"purpose", std::string(5000, 'x')}}),
      400, "a purpose over 4 KiB");
  auto none = c.Get("/api/v1/access-requests", as(asker));
  ASSERT_TRUE(none);
  EXPECT_EQ(Json::parse(none->body)["requests"].size(), 0u) << none->body;

  auto made = ask(as(asker), good);
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  Json r = Json::parse(made->body);
  EXPECT_EQ(r["state"], "open");
  EXPECT_EQ(r["target"], "c-restricted");
  const std::string id = std::to_string(r["id"].get<int64_t>());
  // Asking opens nothing; the asker cannot grant it; another researcher does not see it.
  EXPECT_EQ(c.Get("/api/v1/records/" + restricted, as(asker))->status, 404);
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/grant", as(asker),
                       Json{{"days", 30}}.dump(), "application/json"),
                403, "a researcher granting");
  EXPECT_EQ(Json::parse(c.Get("/api/v1/access-requests", as(other))->body)["requests"].size(), 0u);
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/cancel", as(other), "", "application/json"),
                404, "another researcher cancelling");
  // The archivists' queue shows it with who asked.
  auto queue = c.Get("/api/v1/access-requests?state=open", Auth("archivist"));
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->status, 200) << queue->body;
  bool listed = false;
  const Json queued = Json::parse(queue->body);
  for (const Json& q : queued["requests"]) {
    if (q["id"] == r["id"]) {
      listed = true;
      EXPECT_EQ(q["requester"], "token:" + asker["id"].get<std::string>());
      EXPECT_EQ(q["purpose"], good["purpose"]);
    }
  }
  EXPECT_TRUE(listed) << queue->body;
  ExpectProblem(c.Get("/api/v1/access-requests?state=maybe", Auth("archivist")), 400, "a state");
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/grant", Auth("archivist"),
                       Json{{"days", 0}}.dump(), "application/json"),
                400, "a grant of no days");
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/grant", Auth("archivist"),
                       Json{{"days", 400}}.dump(), "application/json"),
                400, "a grant over a year");
  ExpectProblem(c.Post("/api/v1/access-requests/999999/grant", Auth("archivist"),
                       Json{{"days", 3}}.dump(), "application/json"),
                404, "no such request");
  auto granted = c.Post("/api/v1/access-requests/" + id + "/grant", Auth("archivist"),
                        Json{{"days", 1}, {"terms", "no names quoted"}}.dump(), "application/json");
  ASSERT_TRUE(granted);
  ASSERT_EQ(granted->status, 200) << granted->body;
  EXPECT_EQ(Json::parse(granted->body)["state"], "granted");
  EXPECT_FALSE(Json::parse(granted->body)["until"].get<std::string>().empty());
  // Decided once: a second answer is a conflict.
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/refuse", Auth("archivist"),
                       Json{{"reason", "late"}}.dump(), "application/json"),
                409, "a second answer");

  // Now the collection's restricted record opens to the asker, in its views and its search,
  // and to nobody else; other restricted material stays shut.
  auto rec = c.Get("/api/v1/records/" + restricted, as(asker));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, 200) << rec->body;
  EXPECT_NE(rec->body.find(Canary("restricted")), std::string::npos);
  EXPECT_GT(found(asker, Canary("restricted")), 0);
  EXPECT_EQ(found(asker, kVolunteerCanary), 0);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["volunteer"], as(asker))->status, 404);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["sealed"], as(asker))->status, 404);
  EXPECT_EQ(c.Get("/api/v1/records/" + restricted, as(other))->status, 404);
  EXPECT_EQ(found(other, Canary("restricted")), 0);
  // Their list shows the answer, without who gave it.
  Json mine = Json::parse(c.Get("/api/v1/access-requests", as(asker))->body)["requests"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["state"], "granted");
  EXPECT_EQ(mine[0]["terms"], "no names quoted");
  EXPECT_FALSE(mine[0].contains("decided_by"));

  // A refusal with its reason; a cancel of one's own open request.
  auto second = ask(as(asker), Json{{"scope", "record"}, {"id", (*ids_)["volunteer"]},
                                    {"purpose", "a sample comparison"}});
  ASSERT_TRUE(second && second->status == 201);
  const std::string id2 = std::to_string(Json::parse(second->body)["id"].get<int64_t>());
  ExpectProblem(c.Post("/api/v1/access-requests/" + id2 + "/refuse", Auth("archivist"),
                       Json{{"reason", ""}}.dump(), "application/json"),
                400, "a refusal without a reason");
  auto refused = c.Post("/api/v1/access-requests/" + id2 + "/refuse", Auth("archivist"),
                        Json{{"reason", "the witness has not agreed"}}.dump(), "application/json");
  ASSERT_TRUE(refused && refused->status == 200) << (refused ? refused->body : "");
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["volunteer"], as(asker))->status, 404);
  auto third = ask(as(asker), Json{{"scope", "collection"}, {"id", "c-sealed"},
                                   {"purpose", "a sample"}});
  ASSERT_TRUE(third && third->status == 201);
  const std::string id3 = std::to_string(Json::parse(third->body)["id"].get<int64_t>());
  auto cancelled = c.Post("/api/v1/access-requests/" + id3 + "/cancel", as(asker), "",
                          "application/json");
  ASSERT_TRUE(cancelled && cancelled->status == 200) << (cancelled ? cancelled->body : "");
  EXPECT_EQ(Json::parse(cancelled->body)["state"], "cancelled");

  // Audited, each step, without the purpose, the terms or the reason.
  auto audit = c.Get("/api/v1/audit?actor=token:" + asker["id"].get<std::string>(), Auth("admin"));
  ASSERT_TRUE(audit && audit->status == 200);
  EXPECT_NE(audit->body.find("access.ask"), std::string::npos);
  EXPECT_NE(audit->body.find("access.cancel"), std::string::npos);
  auto all = c.Get("/api/v1/audit", Auth("admin"));
  ASSERT_TRUE(all && all->status == 200);
  EXPECT_NE(all->body.find("access.grant"), std::string::npos);
  EXPECT_NE(all->body.find("access.refuse"), std::string::npos);
  for (const char* words : {"chapter 3", "no names quoted", "has not agreed"}) {
    EXPECT_EQ(all->body.find(words), std::string::npos) << words;
  }
  // The asker's reads of the granted record are audited as views.
  EXPECT_NE(audit->body.find(restricted), std::string::npos);

  // An archivist ends the grant before its day: the record closes at once.
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/end", as(asker), "", "application/json"),
                403, "a researcher ending a grant");
  auto ended = c.Post("/api/v1/access-requests/" + id + "/end", Auth("archivist"), "",
                      "application/json");
  ASSERT_TRUE(ended && ended->status == 200) << (ended ? ended->body : "");
  EXPECT_EQ(Json::parse(ended->body)["state"], "ended");
  EXPECT_EQ(c.Get("/api/v1/records/" + restricted, as(asker))->status, 404);
  EXPECT_EQ(found(asker, Canary("restricted")), 0);
  ExpectProblem(c.Post("/api/v1/access-requests/" + id + "/end", Auth("archivist"), "",
                       "application/json"),
                409, "a grant ended already");
}

// Issue 23: a volunteer takes in a testimony (it keeps who added it), reads it and finds it,
// but changes nothing and reads no other restricted material.
TEST_F(ApiTest, AVolunteerAddsAndReadsItsOwnRecordOnly) {
  httplib::Client c("127.0.0.1", port_);
  const std::string mine = (*ids_)["volunteer"];
  auto rec = c.Get("/api/v1/records/" + mine, Auth("volunteer"));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, 200) << rec->body;
  auto search = c.Get("/api/v1/search?q=" + std::string(kVolunteerCanary), Auth("volunteer"));
  ASSERT_TRUE(search);
  EXPECT_GT(Json::parse(search->body)["total_estimate"].get<int64_t>(), 0) << search->body;
  // Its account is another actor: it did not add this record.
  EXPECT_EQ(c.Get("/api/v1/records/" + mine, Auth("session-volunteer"))->status, 404);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["restricted"], Auth("volunteer"))->status, 404);
  EXPECT_EQ(c.Get("/api/v1/records/" + (*ids_)["research"], Auth("volunteer"))->status, 200);
  // It may not change consent, metadata or a transcript, even of its own record.
  ExpectProblem(c.Put("/api/v1/records/" + mine + "/consent", Auth("volunteer"),
                      Json{{"consent", "public"}, {"reason", "r"}}.dump(), "application/json"),
                403, "a volunteer changing consent");
  ExpectProblem(c.Get("/api/v1/audit", Auth("volunteer")), 403, "the audit log");
  // It may not describe a witness the archive knows already.
  httplib::MultipartFormDataItems known = {
      {"file", "A sample note.\n", "n.txt", "text/plain"},
      {"witness", "w-public", "", ""},
      {"witness_name", "A changed name", "", ""}};
  ExpectProblem(c.Post("/api/v1/records", Auth("volunteer"), known), 403,
                "a known witness's details");
}

TEST_F(ApiTest, AWitnessSeesTheirOwnRecordsThroughTheirLinkAndNothingElse) {
  auto make_link = [&](const std::string& witness) {
    auto r = RunAttest({"--archive", *archive_, "link", "create", witness, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
  };
  Json mine = make_link("w-restricted"), other = make_link("w-research");
  auto as = [&](const Json& link) {
    return httplib::Headers{{"Authorization", "Bearer " + link["token"].get<std::string>()}};
  };
  httplib::Client c("127.0.0.1", port_);
  const std::string own = (*ids_)["restricted"], theirs = (*ids_)["research"];
  ExpectProblem(c.Get("/api/v1/me"), 401, "anonymous");
  ExpectProblem(c.Get("/api/v1/me", Auth("researcher")), 401, "a researcher");
  // An archivist reads the witness's restricted record: the witness will see that.
  ASSERT_EQ(Get("/api/v1/records/" + own, "archivist")->status, 200);

  auto me = c.Get("/api/v1/me", as(mine));
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  Json j = Json::parse(me->body);
  EXPECT_EQ(j["witness"], "w-restricted");
  ASSERT_EQ(j["records"].size(), 1u) << j.dump();
  EXPECT_EQ(j["records"][0]["record"], own);
  EXPECT_EQ(j["records"][0]["consent"], "restricted");
  ASSERT_GE(j["records"][0]["seen_by"].size(), 1u);
  EXPECT_EQ(j["records"][0]["seen_by"].front()["what"], "record");  // newest first
  EXPECT_EQ(me->body.find(theirs), std::string::npos);
  // Their own words they read at every level; anyone else's that are not public, never.
  auto own_text = c.Get("/api/v1/records/" + own + "/segments", as(mine));
  ASSERT_TRUE(own_text);
  EXPECT_EQ(own_text->status, 200);
  EXPECT_NE(own_text->body.find(Canary("restricted")), std::string::npos) << own_text->body;
  EXPECT_EQ(c.Get("/api/v1/records/" + own + "/media/original", as(mine))->status, 200);
  EXPECT_EQ(c.Get("/api/v1/records/" + theirs, as(mine))->status, 404);
  EXPECT_EQ(c.Get("/api/v1/records/" + theirs + "/media/original", as(mine))->status, 404);
  // Search stays anonymous for a link (it is not a way to search their own words).
  EXPECT_EQ(
      Json::parse(
          c.Get("/api/v1/search?q=" + Canary("restricted"), as(mine))->body)["total_estimate"],
      0);
  // The other witness's link sees the other witness only, and a researcher's search that
  // showed their words among the views of their record.
  ASSERT_EQ(Get("/api/v1/search?q=" + Canary("research"), "researcher")->status, 200);
  auto them = c.Get("/api/v1/me", as(other));
  ASSERT_TRUE(them);
  EXPECT_EQ(them->body.find(own), std::string::npos);
  EXPECT_NE(them->body.find(theirs), std::string::npos);
  Json their_views = Json::parse(them->body)["records"][0]["seen_by"];
  ASSERT_FALSE(their_views.empty()) << them->body;
  EXPECT_EQ(their_views.front()["what"], "search");  // newest first

  // Asking: for their own record only, in the forms there are.
  const std::string body =
      Json{{"record", own}, {"kind", "withdraw"}, {"message", "sample\x1b[2J\u202e שלום\nbye"}}
          .dump();
  auto asked = c.Post("/api/v1/me/requests", as(mine), body, "application/json");
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->status, 201) << asked->body;
  ExpectProblem(c.Post("/api/v1/me/requests", as(other), body, "application/json"), 404,
                "another witness's record");
  ExpectProblem(c.Post("/api/v1/me/requests", as(mine),
                       Json{{"record", own}, {"kind", "publish"}}.dump(), "application/json"),
                400, "unknown kind");
  ExpectProblem(c.Post("/api/v1/me/requests", as(mine),
                       Json{{"record", own}, {"kind", "consent"}, {"consent", "withdrawn"}}.dump(),
                       "application/json"),
                400, "a level a witness cannot ask for");
  // A seal may be asked for (its day in the message); an archivist carries it out.
  auto seal = c.Post("/api/v1/me/requests", as(mine),
                     Json{{"record", own},
                          {"kind", "consent"},
                          {"consent", "sealed"},
                          {"message", "until 2040"}}
                         .dump(),
                     "application/json");
  ASSERT_TRUE(seal);
  EXPECT_EQ(seal->status, 201) << seal->body;
  ExpectProblem(c.Post("/api/v1/me/requests", Auth("archivist"), body, "application/json"), 401,
                "not a witness");
  auto listed = RunAttest({"--archive", *archive_, "requests", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  // This test's link's requests (an earlier test's witness page may have asked too).
  Json reqs = Json::array();
  const Json every = Json::parse(listed.out);
  for (const Json& q : every["requests"]) {
    if (q["link"] == mine["id"]) reqs.push_back(q);
  }
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1]["kind"], "consent");
  EXPECT_EQ(reqs[1]["consent"], "sealed");
  EXPECT_EQ(reqs[0]["record"], own);
  EXPECT_EQ(reqs[0]["witness"], "w-restricted");
  EXPECT_EQ(reqs[0]["link"], mine["id"]);
  EXPECT_EQ(reqs[0]["message"], "sample[2J שלום\nbye");  // kept without its terminal controls
  EXPECT_EQ(Json::parse(c.Get("/api/v1/me", as(mine))->body)["requests"].size(), 2u);
  EXPECT_EQ(Json::parse(c.Get("/api/v1/me", as(other))->body)["requests"].size(), 0u);

  // A revoked link opens nothing.
  ASSERT_EQ(RunAttest({"--archive", *archive_, "link", "revoke", mine["id"]}).exit_code, 0);
  ExpectProblem(c.Get("/api/v1/me", as(mine)), 401, "revoked link");
}

TEST_F(ApiTest, AConsentChangeTakesEffectEverywhereAtOnceAndIsLogged) {
  httplib::Client c("127.0.0.1", port_);
  const std::string& id = (*ids_)["public"];
  const std::string search = "/api/v1/search?q=" + Canary("public");
  auto total = [&](const std::string& who) {
    auto r = Get(search, who);
    EXPECT_TRUE(r && r->status == 200);
    return r ? Json::parse(r->body)["total_estimate"].get<int>() : -1;
  };
  EXPECT_EQ(total(""), 1);
  EXPECT_EQ(total(""), 1);  // now from the results cache
  // A research record of this test's own, to be sealed (a seal cannot be lifted before its day).
  std::string to_seal;
  {
    std::string file =
        Write(*tmp_, "to-seal.txt", "A sample paragraph, zqtosealcanary, to seal.\n");
    auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "research",
                        "--witness", "w-to-seal", "--lang", "en", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    to_seal = Json::parse(r.out)["records"][0]["id"];
    ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  }
  uint64_t size_before =
      Json::parse(RunAttest({"--archive", *archive_, "verify", "--json"}).out)["log_size"]
          .get<uint64_t>();

  const std::string path = "/api/v1/records/" + id + "/consent";
  const std::string body = Json{{"consent", "research"}, {"reason", "zqprivatereason"}}.dump();
  ExpectProblem(c.Put(path, body, "application/json"), 401, "anonymous");
  ExpectProblem(c.Put(path, Auth("researcher"), body, "application/json"), 403, "researcher");
  ExpectProblem(c.Put(path, Auth("archivist"),
                      R"({"consent":"restricted","reason":"x","segment":0})", "application/json"),
                400, "segment 0");
  ExpectProblem(
      c.Put(path, Auth("archivist"), R"({"consent":"restricted","reason":"x","segment":999999})",
            "application/json"),
      404, "a segment of no such record");
  ExpectProblem(c.Put(path, Auth("archivist"), "{\"consent\":\"everyone\",\"reason\":\"x\"}",
                      "application/json"),
                400, "unknown level");
  ExpectProblem(c.Put(path, Auth("archivist"), "{\"consent\":\"research\"}", "application/json"),
                400, "no reason");
  ExpectProblem(c.Put(path, Auth("archivist"), "{\"consent\":\"sealed\",\"reason\":\"x\"}",
                      "application/json"),
                400, "a seal without its day");
  ExpectProblem(
      c.Put(
          path, Auth("archivist"),
          Json{{"consent", "sealed"}, {"reason", "x"}, {"until", "2001-01-01"}, {"then", "public"}}
              .dump(),
          "application/json"),
      400, "a seal that opened long ago");

  // A seal hides a research record from its researchers until its day.
  const std::string research = "/api/v1/records/" + to_seal;
  EXPECT_EQ(Get(research, "researcher")->status, 200);
  auto seal = c.Put(
      research + "/consent", Auth("archivist"),
      Json{{"consent", "sealed"}, {"reason", "asked"}, {"until", "2099-01-01"}, {"then", "public"}}
          .dump(),
      "application/json");
  ASSERT_TRUE(seal);
  ASSERT_EQ(seal->status, 200) << seal->body;
  ExpectProblem(Get(research, "researcher"), 404, "sealed for researchers");
  ExpectProblem(Get(research, "archivist"), 404, "sealed for archivists");
  EXPECT_EQ(
      Json::parse(Get("/api/v1/search?q=zqtosealcanary", "archivist")->body)["total_estimate"], 0);
  // Nobody lifts it before its day, archivists included (doc/privacy.md).
  auto lift =
      c.Put(research + "/consent", Auth("archivist"),
            Json{{"consent", "research"}, {"reason", "too soon"}}.dump(), "application/json");
  ExpectProblem(lift, 409, "a seal lifted before its day");
  EXPECT_EQ(Json::parse(lift->body)["detail"],
            "record '" + to_seal +
                "' is sealed until 2099-01-01: before then it takes only a withdrawal or a later "
                "seal");
  // A withdrawn record is answered as one that does not exist.
  ExpectProblem(c.Put("/api/v1/records/" + (*ids_)["withdrawn"] + "/consent", Auth("archivist"),
                      body, "application/json"),
                404, "withdrawn record");
  ExpectProblem(
      c.Put("/api/v1/records/rnosuchrecord/consent", Auth("archivist"), body, "application/json"),
      404, "no record");

  auto put = c.Put(path, Auth("archivist"), body, "application/json");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  Json answer = Json::parse(put->body);
  EXPECT_EQ(answer["changed"], true);
  EXPECT_EQ(answer["from"], "public");

  // Anonymous callers lose it at once: search (cached before), record, page; researchers see
  // it with its history (when, to what), archivists also why.
  EXPECT_EQ(total(""), 0);
  EXPECT_EQ(total("researcher"), 1);
  ExpectProblem(Get("/api/v1/records/" + id), 404, "anonymous record");
  EXPECT_EQ(Get("/records/" + id)->status, 404);
  Json seen = Json::parse(Get("/api/v1/records/" + id, "researcher")->body);
  EXPECT_EQ(seen["consent"], "research");
  ASSERT_EQ(seen["consent_changes"].size(), 1u);
  EXPECT_EQ(seen["consent_changes"][0]["to"], "research");
  EXPECT_FALSE(seen["consent_changes"][0].contains("reason"));
  Json full = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  EXPECT_EQ(full["consent_changes"][0]["reason"], "zqprivatereason");
  auto page = Get("/records/" + id, "researcher");
  EXPECT_NE(page->body.find("consent-history"), std::string::npos);
  EXPECT_EQ(page->body.find("zqprivatereason"), std::string::npos);
  EXPECT_NE(Get("/records/" + id, "archivist")->body.find("zqprivatereason"), std::string::npos);

  // One consent leaf, which does not hold the reason; the archive verifies.
  Json rep = Json::parse(RunAttest({"--archive", *archive_, "verify", "--json"}).out);
  EXPECT_EQ(rep["ok"], true) << rep.dump();
  EXPECT_EQ(rep["log_size"].get<uint64_t>(), size_before + 2);  // the seal and the change
  auto again = c.Put(path, Auth("archivist"), body, "application/json");
  EXPECT_EQ(Json::parse(again->body)["changed"], false);
  EXPECT_EQ(Json::parse(RunAttest({"--archive", *archive_, "verify", "--json"}).out)["log_size"]
                .get<uint64_t>(),
            size_before + 2);  // the seal and the change

  // Back as it was (the suite's other tests share the archive when run in one process).
  auto back =
      c.Put(path, Auth("archivist"), Json{{"consent", "public"}, {"reason", "test done"}}.dump(),
            "application/json");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(total(""), 1);
}

TEST_F(ApiTest, EditingMetadataMakesARevisionShownAtOnce) {
  httplib::Client c("127.0.0.1", port_);
  const std::string& id = (*ids_)["public"];
  const std::string path = "/api/v1/records/" + id;
  const std::string body = Json{{"meta", {{"title", "Edited title (sample)"}}}}.dump();
  ExpectProblem(c.Patch(path, body, "application/json"), 401, "anonymous");
  ExpectProblem(c.Patch(path, Auth("researcher"), body, "application/json"), 403, "researcher");
  ExpectProblem(c.Patch(path, Auth("archivist"), "{\"meta\":[]}", "application/json"), 400,
                "meta not an object");
  ExpectProblem(c.Patch(path, Auth("archivist"), "{\"meta\":", "application/json"), 400,
                "malformed");
  ExpectProblem(c.Patch("/api/v1/records/" + (*ids_)["withdrawn"], Auth("archivist"), body,
                        "application/json"),
                404, "withdrawn: as a record that does not exist");
  size_t versions = Json::parse(Get(path)->body)["versions"].size();
  auto patched = c.Patch(path, Auth("archivist"), body, "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  Json rec = Json::parse(Get(path)->body);
  EXPECT_EQ(rec["meta"]["title"], "Edited title (sample)");
  EXPECT_EQ(rec["versions"].size(), versions + 1);
  EXPECT_NE(Get("/records/" + id)->body.find("Edited title (sample)"), std::string::npos);
  // Audited: by the token, the record and its new version; never the metadata.
  {
    auto r = RunAttest({"--archive", *archive_, "audit", "--json", "--actor",
                        "token:" + (*tokens_)["archivist.id"]});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    bool edited = false;
    const Json entries = Json::parse(r.out)["entries"];
    for (const auto& e : entries) {
      if (e["action"] != "edit" || e["target"] != id) continue;
      edited = true;
      EXPECT_EQ(e["detail"], (Json{{"version", rec["versions"].size()}})) << e.dump();
    }
    EXPECT_TRUE(edited) << r.out;
    EXPECT_EQ(r.out.find("Edited title"), std::string::npos);
  }
  // The text and its search entries stay.
  EXPECT_EQ(Json::parse(Get("/api/v1/search?q=" + Canary("public"))->body)["total_estimate"], 1);
  EXPECT_EQ(Json::parse(RunAttest({"--archive", *archive_, "verify", "--json"}).out)["ok"], true);
  ExpectProblem(c.Patch(path, Auth("archivist"), body, "application/json"), 400, "no change");
}

// doc/privacy.md: a sealed record is seen by nobody, archivists included, until its day; before
// it, it takes a withdrawal (the witness's right) or a seal to a later day, and every other write
// gets one answer that tells nothing of the record (no segment, no length). A withdrawn record's
// writes are answered as an unknown record's. Through the API and the command line alike.
TEST_F(ApiTest, ASealedRecordTakesOnlyAWithdrawalOrALaterSealAndAWithdrawnOneIsUnknown) {
  httplib::Client c("127.0.0.1", port_);
  std::string id;
  {
    std::string file = Write(*tmp_, "sealed-writes.txt",
                             "A sample paragraph about the well, zqsealwritecanary.\n");
    auto r = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public", "--witness",
                        "w-sealed-writes", "--lang", "en", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    id = Json::parse(r.out)["records"][0]["id"];
    ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  }
  const std::string vtt = Write(*tmp_, "sealed-writes.vtt",
                                "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none two three\n\n"
                                "00:00:01.000 --> 00:00:02.000\nfour five six\n");
  ASSERT_EQ(RunAttest({"--archive", *archive_, "transcript", "import", id, vtt}).exit_code, 0);
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  Json rec = Json::parse(Get("/api/v1/records/" + id, "archivist")->body);
  ASSERT_EQ(rec["segments"].size(), 2u) << rec.dump();
  const std::string line = rec["segments"][1]["id"];  // "four five six", 1 s to 2 s
  ASSERT_TRUE(rec["segments"][1].contains("start_ms")) << rec.dump();
  const std::string unknown_line = SegmentRef(999999);
  const std::string nobody = "rnosuchrecord";
  const std::string path = "/api/v1/records/" + id;
  auto seal = [&](const std::string& until) {
    return c.Put(
        path + "/consent", Auth("archivist"),
        Json{{"consent", "sealed"}, {"reason", "asked"}, {"until", until}, {"then", "restricted"}}
            .dump(),
        "application/json");
  };
  auto sealed = seal("2099-01-01");
  ASSERT_TRUE(sealed && sealed->status == 200) << (sealed ? sealed->body : "");

  // Every write of record `r` but a withdrawal and a later seal, by an archivist.
  auto writes = [&](const std::string& r) {
    const std::string p = "/api/v1/records/" + r;
    auto json = [](const Json& j) { return j.dump(); };
    std::vector<std::pair<std::string, httplib::Result>> out;
    auto put = [&](const std::string& what, const std::string& to, const Json& body) {
      out.emplace_back(what, c.Put(to, Auth("archivist"), json(body), "application/json"));
    };
    auto post = [&](const std::string& what, const std::string& to, const Json& body) {
      out.emplace_back(what, c.Post(to, Auth("archivist"), json(body), "application/json"));
    };
    out.emplace_back("metadata", c.Patch(p, Auth("archivist"), json({{"meta", {{"title", "x"}}}}),
                                         "application/json"));
    for (const char* level : {"public", "research", "restricted"}) {
      put(std::string("consent ") + level, p + "/consent", {{"consent", level}, {"reason", "x"}});
      for (Json segment : {Json(line), Json(21), Json(999999)}) {
        put(std::string("passage ") + level + " " + segment.dump(), p + "/consent",
            {{"consent", level}, {"reason", "x"}, {"segment", segment}});
      }
    }
    for (const char* until : {"2098-12-31", "2099-01-01"}) {
      put(std::string("seal until ") + until, p + "/consent",
          {{"consent", "sealed"}, {"reason", "x"}, {"until", until}, {"then", "public"}});
    }
    for (Json segment : {Json(line), Json(21), Json(999999)}) {
      for (Json chars : {Json::array({0, 2}), Json::array({0, 100000})}) {
        post("redaction " + segment.dump() + " " + chars.dump(), p + "/redactions",
             {{"segment", segment}, {"chars", chars}, {"reason", "x"}});
      }
      post("redaction " + segment.dump() + " ms", p + "/redactions",
           {{"segment", segment}, {"ms", {0, 500}}, {"reason", "x"}});
    }
    for (int version : {1, 3, 999}) {
      post("confirmation " + std::to_string(version), p + "/redactions/confirm",
           {{"version", version}, {"reason", "x"}});
    }
    return out;
  };
  // The same for the command line, which names segments by number.
  std::string next_file = Write(*tmp_, "sealed-writes-2.txt", "A sample revision.\n");
  auto cli_writes = [&](const std::string& r) {
    std::vector<std::pair<std::string, ProcessResult>> out;
    auto run = [&](const std::string& what, std::vector<std::string> args) {
      args.insert(args.begin(), {"--archive", *archive_});
      out.emplace_back(what, RunAttest(args));
    };
    run("edit", {"edit", r, "--meta", "{\"title\":\"x\"}"});
    for (const char* level : {"public", "research", "restricted"}) {
      run(std::string("consent ") + level, {"consent", r, level, "--reason", "x"});
      for (const char* segment : {"1", "21", "999999"}) {
        run(std::string("passage ") + segment,
            {"consent", r, level, "--reason", "x", "--segment", segment});
      }
    }
    run("seal earlier",
        {"consent", r, "sealed", "--until", "2098-12-31", "--then", "public", "--reason", "x"});
    for (const char* segment : {"1", "21", "999999"}) {
      for (const char* chars : {"0:2", "0:100000"}) {
        run(std::string("redact ") + segment + " " + chars,
            {"redact", r, "--segment", segment, "--chars", chars, "--reason", "x"});
      }
    }
    run("confirm", {"redact", r, "--confirm", "1", "--reason", "x"});
    run("transcript import", {"transcript", "import", r, vtt});
    run("a new version", {"add", "--record", r, next_file});
    return out;
  };

  // Sealed: every write gets the same answer, which names no segment and no length.
  auto expect_sealed = [&](const std::string& until) {
    const std::string refused = "record '" + id + "' is sealed until " + until +
                                ": before then it takes only a withdrawal or a later seal";
    for (auto& [what, r] : writes(id)) {
      ExpectProblem(r, 409, "sealed, " + what);
      if (r) {
        EXPECT_EQ(Json::parse(r->body)["detail"], refused) << what;
      }
    }
    for (auto& [what, r] : cli_writes(id)) {
      EXPECT_EQ(r.exit_code, 1) << what << ": " << r.err;
      EXPECT_EQ(r.err, "attest: " + refused + "\n") << what;
    }
    // A line named by itself is as absent as one that never was.
    auto corrected = c.Put("/api/v1/segments/" + line, Auth("archivist"),
                           Json{{"text", "four, five, six"}}.dump(), "application/json");
    auto none = c.Put("/api/v1/segments/" + unknown_line, Auth("archivist"),
                      Json{{"text", "four, five, six"}}.dump(), "application/json");
    ExpectProblem(corrected, 404, "a sealed record's line");
    ASSERT_TRUE(corrected && none);
    EXPECT_EQ(corrected->body, none->body);  // the same status and words
  };
  expect_sealed("2099-01-01");
  EXPECT_EQ(Json::parse(Get(path, "archivist")->body)["status"], 404);
  // A later seal is taken, and the answers name the new day.
  auto later = seal("2100-01-01");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200) << later->body;
  EXPECT_EQ(Json::parse(later->body)["changed"], true);
  expect_sealed("2100-01-01");
  // Nothing refused was recorded: since it was sealed, the record's audit rows are its seals.
  auto audit = RunAttest({"--archive", *archive_, "audit", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  int seals = 0;
  const Json entries = Json::parse(audit.out)["entries"];
  for (const Json& e : entries) {
    if (e["target"] != id || e["action"] == "view") continue;
    if (e["action"] == "consent") ++seals;
    if (seals > 0) {
      EXPECT_EQ(e["action"], "consent") << e.dump();
    }
  }
  EXPECT_EQ(seals, 2);

  // A withdrawal is taken (a witness's right); then every write is as for an unknown record.
  auto withdrawn = RunAttest({"--archive", *archive_, "withdraw", id, "--reason", "asked"});
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.err;
  auto gone = writes(id);
  auto missing = writes(nobody);
  ASSERT_EQ(gone.size(), missing.size());
  for (size_t i = 0; i < gone.size(); ++i) {
    const auto& [what, r] = gone[i];
    const auto& u = missing[i].second;
    ASSERT_TRUE(r && u) << what;
    EXPECT_EQ(r->status, u->status) << what << ": " << r->body << " vs " << u->body;
    std::string words = Json::parse(u->body)["detail"];
    for (size_t at; (at = words.find(nobody)) != std::string::npos;)
      words.replace(at, nobody.size(), id);
    EXPECT_EQ(Json::parse(r->body)["detail"], words) << what;
  }
  auto cli_gone = cli_writes(id);
  auto cli_missing = cli_writes(nobody);
  for (size_t i = 0; i < cli_gone.size(); ++i) {
    const auto& [what, r] = cli_gone[i];
    EXPECT_EQ(r.exit_code, cli_missing[i].second.exit_code) << what << ": " << r.err;
    std::string words = cli_missing[i].second.err;
    for (size_t at; (at = words.find(nobody)) != std::string::npos;)
      words.replace(at, nobody.size(), id);
    EXPECT_EQ(r.err, words) << what;
  }
  auto corrected = c.Put("/api/v1/segments/" + line, Auth("archivist"),
                         Json{{"text", "four, five, six"}}.dump(), "application/json");
  auto none = c.Put("/api/v1/segments/" + unknown_line, Auth("archivist"),
                    Json{{"text", "four, five, six"}}.dump(), "application/json");
  ASSERT_TRUE(corrected && none);
  EXPECT_EQ(corrected->status, none->status);
  EXPECT_EQ(corrected->body, none->body);
  // Finishing the withdrawal stays possible.
  EXPECT_EQ(RunAttest({"--archive", *archive_, "withdraw", id, "--reason", "again"}).exit_code, 0);
}

TEST_F(ApiTest, PerspectivesSetAccountsSideBySideByLanguageOrCommunity) {
  ASSERT_EQ(RunAttest({"--archive", *archive_, "witness", "w-public", "--community",
                       "Sample community (not real)", "--name", "zqprivatename"})
                .exit_code,
            0);
  auto bad = RunAttest({"--archive", *archive_, "witness", "w-public", "--languages", "he,xx-1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("xx-1"), std::string::npos) << bad.err;
  auto by_lang = Get("/perspectives?place=Haifa&date=1948");
  ASSERT_EQ(by_lang->status, 200);
  EXPECT_NE(by_lang->body.find("Sample community (not real)"), std::string::npos);
  EXPECT_NE(by_lang->body.find("by=community"), std::string::npos);
  auto by_community = Get("/perspectives?place=Haifa&date=1948&by=community");
  ASSERT_EQ(by_community->status, 200);
  EXPECT_NE(by_community->body.find("<bdi dir=\"auto\">Sample community (not real)</bdi>"),
            std::string::npos);
  Json events = Json::parse(Get("/api/v1/events?place=Haifa&date=1948")->body);
  ASSERT_EQ(events["witnesses"].size(), 1u);  // anonymous: the public witness only
  EXPECT_EQ(events["witnesses"][0]["community"], "Sample community (not real)");
  for (const auto& path :
       {"/perspectives?place=Haifa&date=1948&by=community", "/api/v1/events?place=Haifa&date=1948",
        "/witnesses/w-public", "/api/v1/witnesses/w-public"}) {
    EXPECT_EQ(Get(path, "archivist")->body.find("zqprivatename"), std::string::npos) << path;
  }
}

// A record opened from a search marks what the search matched (its analysis: "lighthouses"
// finds "lighthouse"), and on a scanned page draws the words where OCR read them.
TEST_F(ApiTest, ARecordOpenedFromASearchMarksItsMatchesOnTheTextAndTheScan) {
  std::string txt = Write(*tmp_, "scan.txt", "A sample scanned page about the harbour lighthouse.");
  std::string png = *tmp_ + "/scan.png";
  ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 --width=2200 "
                         "--wrap=word --output='" +
                         png + "' '" + txt + "' 2>/dev/null")
                            .c_str()),
            0);
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-scan", "--lang", "en", png});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);

  auto page = Get("/records/" + id + "?q=lighthouses");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<mark>lighthouse</mark>"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find("<mark>harbour</mark>"), std::string::npos);
  size_t svg = page->body.find("<svg class=\"ocr-hits\" viewBox=\"0 0 ");
  ASSERT_NE(svg, std::string::npos) << page->body;
  size_t end = page->body.find("</svg>", svg);
  std::string drawn = page->body.substr(svg, end - svg);
  EXPECT_NE(drawn.find("<rect x=\""), std::string::npos);
  EXPECT_EQ(drawn.find("<rect", drawn.find("<rect") + 1), std::string::npos)
      << "one word: " << drawn;
  // Filters and phrases as the search reads them; an unclosed quote runs to the end of the query.
  EXPECT_NE(Get("/records/" + id + "?q=lighthouse%20lang:en")->body.find("<mark>lighthouse</mark>"),
            std::string::npos);
  EXPECT_NE(Get("/records/" + id + "?q=%22harbour%20lighthouse")->body.find("<mark>harbour</mark>"),
            std::string::npos);
  // The scan is shown once (newcomer review: a PNG's page showed it twice).
  size_t first_img = page->body.find("/media/original\" alt=");
  ASSERT_NE(first_img, std::string::npos);
  EXPECT_EQ(page->body.find("/media/original\" alt=", first_img + 1), std::string::npos);
  // Without a query nothing is marked or drawn; a query the search refuses marks nothing.
  EXPECT_EQ(Get("/records/" + id)->body.find("ocr-hits"), std::string::npos);
  auto bad = Get("/records/" + id + "?q=-lighthouse");
  EXPECT_EQ(bad->status, 200);
  EXPECT_EQ(bad->body.find("<mark>"), std::string::npos);
}

// A scan browsers cannot show (a two-page TIFF) is shown page by page as OCR saw it, with the
// matched words drawn on the page they are on.
TEST_F(ApiTest, AMultiPageScanIsShownPageByPageWithItsHits) {
  std::vector<std::string> pngs;
  for (std::string text :
       {"Sample page one, about the orchard.", "Sample page two, about the lighthouse."}) {
    std::string txt = Write(*tmp_, "p" + std::to_string(pngs.size()) + ".txt", text);
    pngs.push_back(*tmp_ + "/p" + std::to_string(pngs.size()) + ".png");
    ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 "
                           "--width=2200 --wrap=word --output='" +
                           pngs.back() + "' '" + txt + "' 2>/dev/null")
                              .c_str()),
              0);
  }
  std::string tif = *tmp_ + "/two-pages.tif";
  for (size_t i = 0; i < pngs.size(); ++i) {
    Pix* p = pixRead(pngs[i].c_str());
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(pixWriteTiff(tif.c_str(), p, IFF_TIFF_ZIP, i == 0 ? "w" : "a"), 0);
    pixDestroy(&p);
  }
  auto added = RunAttest({"--archive", *archive_, "add", "--json", "--consent", "public",
                          "--witness", "w-tiff", "--lang", "en", tif});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string id = Json::parse(added.out)["records"][0]["id"];
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);

  Json rec = Json::parse(Get("/api/v1/records/" + id)->body);
  ASSERT_TRUE(rec["media"].contains("page-1") && rec["media"].contains("page-2")) << rec.dump();
  auto jpeg = Get("/api/v1/records/" + id + "/media/page-2");
  ASSERT_EQ(jpeg->status, 200);
  EXPECT_EQ(jpeg->get_header_value("Content-Type"), "image/jpeg");
  Pix* shown = pixReadMem(reinterpret_cast<const l_uint8*>(jpeg->body.data()), jpeg->body.size());
  ASSERT_NE(shown, nullptr);
  EXPECT_LE(pixGetWidth(shown), 1600);
  pixDestroy(&shown);
  ExpectProblem(Get("/api/v1/records/" + id + "/media/page-3"), 404, "no third page");
  // Page N is the N-th page the manifest names, not the store's order of hashes (review 28,
  // finding 3).
  Json manifest = Json::parse(
      Get("/api/v1/records/" + id + "/versions/" + std::to_string(rec["text_version"].get<int>()))
          ->body)["manifest"];
  std::vector<std::string> named;
  for (const auto& b : manifest["blobs"]) {
    if (b["role"] == "page") named.push_back(b["sha256"]);
  }
  ASSERT_EQ(named.size(), 2u) << manifest.dump();
  for (int n = 1; n <= 2; ++n) {
    EXPECT_EQ(ToHex(Sha256(Get("/api/v1/records/" + id + "/media/page-" + std::to_string(n))->body)),
              named[n - 1]) << "page " << n;
  }

  // The page with the word carries the drawing; the other does not.
  std::string page = Get("/records/" + id + "?q=lighthouse")->body;
  size_t img1 = page.find("/media/page-1\"");
  size_t img2 = page.find("/media/page-2\"");
  ASSERT_NE(img1, std::string::npos);
  ASSERT_NE(img2, std::string::npos);
  size_t svg = page.find("<svg class=\"ocr-hits\"");
  ASSERT_NE(svg, std::string::npos);
  EXPECT_GT(svg, img2);
  EXPECT_EQ(page.find("<svg class=\"ocr-hits\"", svg + 1), std::string::npos);
}

TEST_F(ApiTest, BadInputGetsClearFourHundredsAndNothingEscapesTheArchive) {
  httplib::Client c("127.0.0.1", port_);
  for (const char* path :
       {"/api/v1/records/..%2f..%2fattest.db", "/api/v1/records/../../attest.db",
        "/log/../attest.db", "/log/tile/../../keys/log.key", "/log/%2e%2e/keys/log.key",
        "/static/../attest.db", "/static/..%2fattest.db", "/fonts/..%2f..%2f..%2fetc%2fpasswd",
        "/fonts/passwd.ttf", "/api/v1/witnesses/..%2f..", "/api/v1/collections/%2e%2e",
        "/witnesses/..%2fkeys", "/records/..%2fkeys%2flog.key", "/api/v1/records/ABC/proof",
        "/api/v1/segments/-1"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 404 || r->status == 400) << path << ": " << r->status;
    EXPECT_EQ(r->body.find("PRIVATE"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("SQLite"), std::string::npos) << path;
  }
  ExpectProblem(c.Get("/api/v1/search?q=%FF%FE"), 400, "invalid UTF-8 query");
  ExpectProblem(c.Get("/api/v1/records/%FF"), 400, "invalid UTF-8 path");
  ExpectProblem(c.Get("/api/v1/search?q=" + std::string(1500, 'a')), 400, "long query");
  ExpectProblem(c.Get("/api/v1/search?q=%22"), 400, "only a quote");
  ExpectProblem(c.Get("/api/v1/search?q=river&cursor=forged"), 400, "forged cursor");
  ExpectProblem(c.Get("/api/v1/records?limit=100000"), 400, "limit");
  ExpectProblem(c.Get("/api/v1/records?cursor=x"), 400, "cursor");
  ExpectProblem(c.Get("/api/v1/nothing-here"), 404, "unknown endpoint");
  ExpectProblem(c.Get("/api/v1/events"), 400, "event without place or date");
  auto page404 = c.Get("/no/such/page");
  ASSERT_TRUE(page404);
  EXPECT_EQ(page404->status, 404);
  EXPECT_NE(page404->get_header_value("Content-Type").find("text/html"), std::string::npos);
  auto redirect = c.Get("/ui?lang=he&back=//evil.example/");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->get_header_value("Location"), "/");  // never to another host
  ExpectProblem(c.Get("/ui?lang=xx"), 400, "unknown interface language");

  // Headers: every answer forbids framing, inline script and sniffing.
  auto home = c.Get("/");
  ASSERT_TRUE(home);
  std::string csp = home->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(home->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(home->get_header_value("Referrer-Policy"), "no-referrer");
  // Text is compressed for clients that ask; nothing links to another host.
  auto gz = c.Get("/static/attest.css", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  for (const char* p : {"/", "/static/attest.css", "/static/attest.js", "/search?q=river"}) {
    std::string body = c.Get(p)->body;
    EXPECT_EQ(body.find("http://"), std::string::npos) << p;
    EXPECT_EQ(body.find("https://"), std::string::npos) << p;
  }

  // Raw bytes: malformed request lines and huge headers get 4xx, and the server goes on.
  auto raw = [&](const std::string& bytes) {
    int fd = ConnectLoopback(port_);
    EXPECT_GE(fd, 0);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
    close(fd);
    return out;
  };
  EXPECT_EQ(raw("GARBAGE\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " +
                std::string(20000, 'a') + "\r\n\r\n")
                .rfind("HTTP/1.1 4", 0),
            0u);
  EXPECT_EQ(raw("POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                "application/json\r\nContent-Length: 99999999999\r\n\r\n{}")
                .rfind("HTTP/1.1 4", 0),
            0u);
  EXPECT_EQ(raw("POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                "application/json\r\nContent-Length: 5\r\n\r\n\xff\xfe\xfd\xfc\xfb")
                .rfind("HTTP/1.1 400", 0),
            0u);
  auto ok = c.Get("/api/v1/");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ApiTest, TheLogIsServedAlikeByTheFastPathAndThePool) {
  httplib::Client c("127.0.0.1", port_);
  std::string cp = Slurp(*archive_ + "/log/checkpoint");
  auto fast = c.Get("/log/checkpoint");
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->status, 200);
  EXPECT_EQ(fast->body, cp);
  EXPECT_NE(fast->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  std::string etag = fast->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = c.Get("/log/checkpoint", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  auto head = c.Head("/log/checkpoint");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  // The pool answers what the fast path declines (a query string): the same bytes and tag.
  auto pooled = c.Get("/log/checkpoint?x=1");
  ASSERT_TRUE(pooled);
  EXPECT_EQ(pooled->body, cp);
  EXPECT_EQ(pooled->get_header_value("ETag"), etag);
  // Two requests in one write, then one that closes: three answers in order.
  int fd = ConnectLoopback(port_);
  ASSERT_GE(fd, 0);
  std::string reqs =
      "GET /log/checkpoint HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /log/tile/../../keys/log.key HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /log/checkpoint HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(write(fd, reqs.data(), reqs.size()), static_cast<ssize_t>(reqs.size()));
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fd);
  size_t first = out.find("HTTP/1.1 200");
  size_t second = out.find("HTTP/1.1 404", first + 1);
  size_t third = out.find("HTTP/1.1 200", second + 1);
  EXPECT_EQ(first, 0u) << out;
  EXPECT_NE(second, std::string::npos) << out;
  EXPECT_NE(third, std::string::npos) << out;
  EXPECT_EQ(out.find("PRIVATE"), std::string::npos);
}

TEST_F(ApiTest, TenThousandIdleConnectionsNeitherStopNorLeak) {
  rlimit lim;
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 12000);
  setrlimit(RLIMIT_NOFILE, &lim);
  ASSERT_GE(lim.rlim_cur, 10100u) << "the test needs 10,100 file descriptors";
  pid_t pid = server_->pid();
  // The archive handle a search opens (database, index) stays open for the next: open it
  // before counting.
  ASSERT_TRUE(Get("/api/v1/search?q=river"));
  int before = OpenFds(pid);
  std::vector<int> idle;
  for (int i = 0; i < 10000; ++i) {
    int fd = ConnectLoopback(port_, /*nonblocking=*/true);  // the connect in progress
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // While they sit there, the archive still answers.
  for (int i = 0; i < 20; ++i) {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    auto r = c.Get("/api/v1/search?q=river");
    ASSERT_TRUE(r) << "request " << i << " during the idle flood";
    EXPECT_EQ(r->status, 200);
  }
  for (int fd : idle) close(fd);
  // The server holds no more descriptors than before, once the kernel has let them go.
  int after = -1;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = OpenFds(pid);
    if (after <= before + 2) break;
  }
  EXPECT_LE(after, before + 2) << "before " << before;
  EXPECT_EQ(kill(pid, 0), 0);
}

}  // namespace
}  // namespace attest::testing
