// Resumable uploads (issue 23, doc/api.md "Resumable uploads (tus 1.0)"): a file sent in
// pieces, the connection dropped halfway and the upload resumed, then added as `attest add`
// would; every bad piece refused with nothing kept; an upload is its maker's only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "core/hash.h"
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

class UploadsApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signal(SIGPIPE, SIG_IGN);
    dir_ = new TempDir("attest-uploads-api");
    archive_ = new std::string(dir_->Join("archive"));
    ASSERT_EQ(RunAttest({"init", *archive_, "--origin", "example.org/uploads"}).exit_code, 0);
    tokens_ = new std::map<std::string, std::string>;
    for (const char* who : {"archivist", "archivist2", "researcher"}) {
      std::string role = std::string(who) == "researcher" ? "researcher" : "archivist";
      auto r = RunAttest({"--archive", *archive_, "token", "create", "--role", role, "--json"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (*tokens_)[who] = Json::parse(r.out)["token"];
    }
    auto u = RunAttest({"--archive", *archive_, "user", "add", "u-archivist", "--role", "archivist"},
                       -1, "a sample passphrase\n");
    ASSERT_EQ(u.exit_code, 0) << u.err;
    server_ = new Child({"--archive", *archive_, "serve", "--listen", "127.0.0.1:0"}, dir_->path());
    port_ = WaitForPort(*server_);
    ASSERT_GT(port_, 0);
  }
  static void TearDownTestSuite() {
    kill(server_->pid(), SIGTERM);
    ProcessResult r = server_->Wait();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    delete server_;
    delete dir_;
  }

  static httplib::Headers Tus(const std::string& who, httplib::Headers extra = {}) {
    extra.emplace("Tus-Resumable", "1.0.0");
    if (!who.empty()) extra.emplace("Authorization", "Bearer " + (*tokens_)[who]);
    return extra;
  }
  // A new upload of `length` bytes named `name`; its path ("" if refused).
  static std::string Create(const std::string& who, uint64_t length,
                            const std::string& name = "interview.txt", int want = 201) {
    httplib::Client c("127.0.0.1", port_);
    auto r = c.Post("/api/v1/uploads",
                    Tus(who, {{"Upload-Length", std::to_string(length)},
                              {"Upload-Metadata", "filename " + Base64Encode(name) +
                                                      ",filetype " + Base64Encode("text/plain")}}),
                    "", "application/octet-stream");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, want) << r->body;
    return r->status == 201 ? r->get_header_value("Location") : "";
  }
  static httplib::Result Patch(const std::string& who, const std::string& path, uint64_t offset,
                               const std::string& piece, const std::string& checksum = "") {
    httplib::Client c("127.0.0.1", port_);
    httplib::Headers h = Tus(who, {{"Upload-Offset", std::to_string(offset)}});
    if (!checksum.empty()) h.emplace("Upload-Checksum", checksum);
    return c.Patch(path, h, piece, "application/offset+octet-stream");
  }
  static uint64_t Offset(const std::string& who, const std::string& path) {
    httplib::Client c("127.0.0.1", port_);
    auto r = c.Head(path, Tus(who));
    if (!r || r->status != 200) return UINT64_MAX;
    return std::stoull(r->get_header_value("Upload-Offset"));
  }
  static std::string Sha256Header(const std::string& bytes) {
    return "sha256 " + Base64Encode(Sha256(bytes));
  }
  // Sends a PATCH head declaring `piece`'s size and only its first `sent` bytes, then drops
  // the connection, as a bad network does.
  static void PatchAndDrop(const std::string& who, const std::string& path, uint64_t offset,
                           const std::string& piece, size_t sent) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    std::string head = "PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n" +
                       "Authorization: Bearer " + (*tokens_)[who] +
                       "\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: " +
                       std::to_string(offset) + "\r\nContent-Length: " +
                       std::to_string(piece.size()) + "\r\n\r\n";
    std::string out = head + piece.substr(0, sent);
    ASSERT_EQ(write(fd, out.data(), out.size()), static_cast<ssize_t>(out.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server reads them
    close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // and sees the end
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string* archive_ = nullptr;
  static inline std::map<std::string, std::string>* tokens_ = nullptr;
  static inline Child* server_ = nullptr;
  static inline int port_ = 0;
};

// Sample bytes: a text file (the sniffer takes it), clearly a sample.
std::string SampleText(size_t n) {
  std::string line = "A sample line of a test upload, not a testimony. ";
  std::string out;
  while (out.size() < n) out += line;
  out.resize(n - 1);
  return out + "\n";
}

TEST_F(UploadsApiTest, AFileSentInPiecesSurvivesADroppedConnectionAndIsAddedAsAttestAddWould) {
  const std::string file = SampleText(3 * 1024 * 1024 + 123);
  std::string path = Create("archivist", file.size(), "../../sample\tinterview.txt");
  ASSERT_FALSE(path.empty());
  const size_t piece = 1024 * 1024;
  auto first = Patch("archivist", path, 0, file.substr(0, piece), Sha256Header(file.substr(0, piece)));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 204) << first->body;
  EXPECT_EQ(first->get_header_value("Upload-Offset"), std::to_string(piece));
  EXPECT_EQ(first->get_header_value("Tus-Resumable"), "1.0.0");
  // The second piece: the connection drops halfway. Without a checksum what arrived is kept.
  PatchAndDrop("archivist", path, piece, file.substr(piece, piece), piece / 2);
  uint64_t at = Offset("archivist", path);
  EXPECT_GE(at, piece);
  EXPECT_LE(at, piece + piece / 2);
  // Resumed from where the server says.
  while (at < file.size()) {
    size_t n = std::min<size_t>(piece, file.size() - at);
    auto r = Patch("archivist", path, at, file.substr(at, n), Sha256Header(file.substr(at, n)));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
    at = std::stoull(r->get_header_value("Upload-Offset"));
  }
  EXPECT_EQ(at, file.size());
  // Added with its witness and consent, by naming the upload.
  httplib::Client c("127.0.0.1", port_);
  std::string id = path.substr(path.rfind('/') + 1);
  httplib::MultipartFormDataItems form = {{"upload", id, "", ""},
                                          {"consent", "public", "", ""},
                                          {"witness", "w-upload", "", ""},
                                          {"lang", "en", "", ""}};
  auto added = c.Post("/api/v1/records", {{"Authorization", "Bearer " + (*tokens_)["archivist"]}},
                      form);
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;
  Json rec = Json::parse(added->body)["records"][0];
  EXPECT_EQ(rec["sha256"], ToHex(Sha256(file)));  // hashed on the server, the whole file
  EXPECT_EQ(rec["size"], file.size());
  // The upload is gone, and `attest show` knows the record.
  EXPECT_EQ(Offset("archivist", path), UINT64_MAX);
  auto show = RunAttest({"--archive", *archive_, "show", "--json", rec["id"]});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Json::parse(show.out)["witness"], "w-upload");
  // It becomes searchable once the worker has run.
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  auto found = c.Get("/api/v1/search?q=sample%20line%20upload");
  ASSERT_TRUE(found);
  EXPECT_NE(found->body.find(rec["id"].get<std::string>()), std::string::npos) << found->body;
}

TEST_F(UploadsApiTest, BadPiecesAreRefusedClearlyAndNothingOfThemIsKept) {
  const std::string file = SampleText(4000);
  std::string path = Create("archivist", file.size());
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(Patch("archivist", path, 0, file.substr(0, 1000))->status, 204);
  // Out of order: a piece ahead of the offset.
  auto ahead = Patch("archivist", path, 2000, file.substr(2000, 1000));
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->status, 409) << ahead->body;
  EXPECT_EQ(ahead->get_header_value("Upload-Offset"), "1000");
  EXPECT_NE(ahead->body.find("resume from 1000"), std::string::npos) << ahead->body;
  // Repeated: the first piece again.
  EXPECT_EQ(Patch("archivist", path, 0, file.substr(0, 1000))->status, 409);
  // A wrong checksum: 460, nothing kept.
  auto wrong = Patch("archivist", path, 1000, file.substr(1000, 1000),
                     Sha256Header(file.substr(1000, 999) + "x"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 460) << wrong->body;
  EXPECT_NE(wrong->body.find("Upload-Checksum"), std::string::npos) << wrong->body;
  // A checksum in an algorithm the server does not take, or not base64.
  EXPECT_EQ(Patch("archivist", path, 1000, file.substr(1000, 10), "md5 AAAA")->status, 400);
  EXPECT_EQ(Patch("archivist", path, 1000, file.substr(1000, 10), "sha256 !!")->status, 400);
  // Past the declared length.
  EXPECT_EQ(Patch("archivist", path, 1000, std::string(3001, 'x'))->status, 413);
  EXPECT_EQ(Offset("archivist", path), 1000u);
  // Without the protocol's version, or with another content type.
  httplib::Client c("127.0.0.1", port_);
  auto no_tus = c.Patch(path, {{"Authorization", "Bearer " + (*tokens_)["archivist"]},
                               {"Upload-Offset", "1000"}},
                        "abc", "application/offset+octet-stream");
  ASSERT_TRUE(no_tus);
  EXPECT_EQ(no_tus->status, 412);
  auto wrong_type = c.Patch(path, Tus("archivist", {{"Upload-Offset", "1000"}}), "abc",
                            "application/octet-stream");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_EQ(Offset("archivist", path), 1000u);
  // An unfinished upload is not added: it names the upload and how far it got.
  std::string id = path.substr(path.rfind('/') + 1);
  auto early = c.Post("/api/v1/records", {{"Authorization", "Bearer " + (*tokens_)["archivist"]}},
                      httplib::MultipartFormDataItems{{"upload", id, "", ""}});
  ASSERT_TRUE(early);
  EXPECT_EQ(early->status, 400);
  EXPECT_NE(early->body.find("1000 of 4000"), std::string::npos) << early->body;
  // Ended by its maker.
  auto del = c.Delete(path, Tus("archivist"));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204);
  EXPECT_EQ(Offset("archivist", path), UINT64_MAX);
}

TEST_F(UploadsApiTest, SizesAndNamesThatCannotBeAreRefusedBeforeAnythingIsKept) {
  // A client that claims a terabyte.
  EXPECT_EQ(Create("archivist", 1'000'000'000'000ull, "big.wav", 413), "");
  EXPECT_EQ(Create("archivist", 0, "empty.txt", 400), "");
  httplib::Client c("127.0.0.1", port_);
  auto no_length = c.Post("/api/v1/uploads", Tus("archivist"), "", "application/octet-stream");
  ASSERT_TRUE(no_length);
  EXPECT_EQ(no_length->status, 400);
  EXPECT_NE(no_length->body.find("Upload-Length"), std::string::npos);
  auto bad_length = c.Post("/api/v1/uploads", Tus("archivist", {{"Upload-Length", "12abc"}}), "",
                           "application/octet-stream");
  EXPECT_EQ(bad_length->status, 400);
  // A piece over 64 MiB is refused by its declared length, before it is read.
  std::string path = Create("archivist", 100);
  ASSERT_FALSE(path.empty());
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string head = "PATCH " + path + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n" +
                     "Authorization: Bearer " + (*tokens_)["archivist"] +
                     "\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                     "Content-Length: 1000000000\r\n\r\n";
  ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  char buf[512] = {};
  ssize_t got = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  ASSERT_GT(got, 0);
  EXPECT_EQ(std::string(buf).substr(0, 12), "HTTP/1.1 413") << buf;
  // Nothing but the one upload was kept: the refused ones left no directory.
  size_t kept = 0;
  for (auto& e : std::filesystem::directory_iterator(*archive_ + "/blobs/tmp/uploads")) {
    (void)e;
    ++kept;
  }
  EXPECT_EQ(kept, 1u);
  EXPECT_EQ(c.Delete(path, Tus("archivist"))->status, 204);
}

TEST_F(UploadsApiTest, AnUploadIsItsMakersAloneAndNeedsAnArchivist) {
  std::string path = Create("archivist", 10);
  ASSERT_FALSE(path.empty());
  httplib::Client c("127.0.0.1", port_);
  // Anonymous: 401; a researcher: 403; another archivist: 404, as for no upload at all.
  EXPECT_EQ(c.Post("/api/v1/uploads", Tus("", {{"Upload-Length", "10"}}), "", "text/plain")->status,
            401);
  EXPECT_EQ(c.Post("/api/v1/uploads", Tus("researcher", {{"Upload-Length", "10"}}), "",
                   "text/plain")->status,
            403);
  for (const char* who : {"", "researcher", "archivist2"}) {
    int want = std::string(who).empty() ? 401 : std::string(who) == "researcher" ? 403 : 404;
    EXPECT_EQ(c.Get(path, Tus(who))->status, want) << who;
    EXPECT_EQ(Patch(who, path, 0, "0123456789")->status, want) << who;
    EXPECT_EQ(c.Delete(path, Tus(who))->status, want) << who;
  }
  auto none = c.Get("/api/v1/uploads/" + std::string(32, 'a'), Tus("archivist2"));
  auto other = c.Get(path, Tus("archivist2"));
  EXPECT_EQ(none->body, other->body);  // nothing tells the two apart
  EXPECT_EQ(Offset("archivist", path), 0u);
  // Another archivist cannot add it either.
  auto add = c.Post("/api/v1/records", {{"Authorization", "Bearer " + (*tokens_)["archivist2"]}},
                    httplib::MultipartFormDataItems{{"upload", path.substr(path.rfind('/') + 1),
                                                     "", ""}});
  EXPECT_EQ(add->status, 400);
  // OPTIONS says what the server speaks, to anyone.
  auto opt = c.Options("/api/v1/uploads");
  ASSERT_TRUE(opt);
  EXPECT_EQ(opt->status, 204);
  EXPECT_EQ(opt->get_header_value("Tus-Version"), "1.0.0");
  EXPECT_NE(opt->get_header_value("Tus-Extension").find("checksum"), std::string::npos);
  EXPECT_EQ(c.Delete(path, Tus("archivist"))->status, 204);
}

TEST_F(UploadsApiTest, ASessionNeedsItsFormTokenForEveryChange) {
  // Log in as a browser does.
  httplib::Client c("127.0.0.1", port_);
  auto form = c.Get("/login");
  ASSERT_TRUE(form);
  std::string set = form->get_header_value("Set-Cookie");
  std::string csrf_cookie = set.substr(0, set.find(';'));
  const std::string field = "name=\"csrf\" value=\"";
  size_t at = form->body.find(field);
  ASSERT_NE(at, std::string::npos);
  at += field.size();
  std::string token = form->body.substr(at, form->body.find('"', at) - at);
  auto in = c.Post("/login", {{"Cookie", csrf_cookie}},
                   "csrf=" + token + "&name=u-archivist&password=a%20sample%20passphrase",
                   "application/x-www-form-urlencoded");
  ASSERT_TRUE(in);
  ASSERT_EQ(in->status, 303) << in->body;
  std::string session;
  for (size_t i = 0; i < in->get_header_value_count("Set-Cookie"); ++i) {
    std::string v = in->get_header_value("Set-Cookie", i);
    if (v.rfind("__Host-attest_session=", 0) == 0) session = v.substr(0, v.find(';'));
  }
  ASSERT_FALSE(session.empty());
  httplib::Headers no_token = {{"Cookie", session}, {"Tus-Resumable", "1.0.0"},
                               {"Upload-Length", "10"}};
  auto refused = c.Post("/api/v1/uploads", no_token, "", "text/plain");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_FALSE(std::filesystem::exists(*archive_ + "/blobs/tmp/uploads") &&
               !std::filesystem::is_empty(*archive_ + "/blobs/tmp/uploads"));
}

TEST_F(UploadsApiTest, AnArchivistFollowsARecordsJobsAndRetriesAFailedOne) {
  // A file named as a PDF that holds no PDF: its extract job fails (doc/ingest.md).
  std::string bytes(3000, '\x01');
  std::string path = Create("archivist", bytes.size(), "sample-broken.pdf");
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(Patch("archivist", path, 0, bytes)->status, 204);
  httplib::Client c("127.0.0.1", port_);
  auto added = c.Post("/api/v1/records", {{"Authorization", "Bearer " + (*tokens_)["archivist"]}},
                      httplib::MultipartFormDataItems{
                          {"upload", path.substr(path.rfind('/') + 1), "", ""},
                          {"consent", "public", "", ""}});
  ASSERT_EQ(added->status, 201) << added->body;
  std::string id = Json::parse(added->body)["records"][0]["id"];
  const std::string jobs = "/api/v1/records/" + id + "/jobs";
  auto queued = c.Get(jobs, {{"Authorization", "Bearer " + (*tokens_)["archivist"]}});
  ASSERT_EQ(queued->status, 200) << queued->body;
  Json q = Json::parse(queued->body)["jobs"];
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(q[0]["kind"], "extract");
  EXPECT_EQ(q[0]["state"], "queued");
  // Only for those who may add records: the public 401, a researcher 403 (of a record they may
  // read; one they may not is 404, as one that does not exist).
  EXPECT_EQ(c.Get(jobs)->status, 401);
  EXPECT_EQ(c.Get(jobs, {{"Authorization", "Bearer " + (*tokens_)["researcher"]}})->status, 403);
  EXPECT_EQ(c.Get("/api/v1/records/rnosuchrecord/jobs",
                  {{"Authorization", "Bearer " + (*tokens_)["archivist"]}})->status, 404);
  ASSERT_EQ(RunAttest({"--archive", *archive_, "worker", "--until-idle"}).exit_code, 0);
  Json after = Json::parse(
      c.Get(jobs, {{"Authorization", "Bearer " + (*tokens_)["archivist"]}})->body)["jobs"];
  int64_t failed = 0;
  for (const Json& j : after) {
    if (j["state"] == "failed") {
      failed = j["id"];
      EXPECT_FALSE(j["error"].get<std::string>().empty()) << j.dump();
    }
  }
  ASSERT_GT(failed, 0) << after.dump();
  // The page shows the jobs to an archivist (with the reason), and nothing of them to others.
  auto page = c.Get("/records/" + id, {{"Authorization", "Bearer " + (*tokens_)["archivist"]}});
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("class=\"jobs\""), std::string::npos);
  EXPECT_NE(page->body.find("/jobs/" + std::to_string(failed) + "/retry"), std::string::npos);
  // Retried: queued again, and audited.
  const std::string retry = jobs + "/" + std::to_string(failed) + "/retry";
  EXPECT_EQ(c.Post(retry, {{"Authorization", "Bearer " + (*tokens_)["researcher"]}}, "",
                   "text/plain")->status,
            403);
  auto again = c.Post(retry, {{"Authorization", "Bearer " + (*tokens_)["archivist"]}}, "",
                      "text/plain");
  ASSERT_EQ(again->status, 200) << again->body;
  bool queued_again = false;
  const Json answer = Json::parse(again->body);
  for (const Json& j : answer["jobs"]) {
    if (j["id"] == failed) queued_again = j["state"] == "queued";
  }
  EXPECT_TRUE(queued_again) << failed << " " << again->body;
  auto audit = RunAttest({"--archive", *archive_, "audit", "--json"});
  EXPECT_NE(audit.out.find("\"job.retry\""), std::string::npos);
  // A job of another record is not this record's.
  EXPECT_EQ(c.Post("/api/v1/records/rnosuchrecord/jobs/" + std::to_string(failed) + "/retry",
                   {{"Authorization", "Bearer " + (*tokens_)["archivist"]}}, "", "text/plain")
                ->status,
            404);
  // A done job is not retried.
  for (const Json& j : after) {
    if (j["state"] != "done") continue;
    EXPECT_EQ(c.Post(jobs + "/" + std::to_string(j["id"].get<int64_t>()) + "/retry",
                     {{"Authorization", "Bearer " + (*tokens_)["archivist"]}}, "", "text/plain")
                  ->status / 100,
              4);
  }
}

// Intake names the witness: a new one's private name, community and languages, and the signed
// consent form, kept as `attest witness` keeps them (the form encrypted and its adding
// audited). What is wrong with any of them is said before anything is stored.
TEST_F(UploadsApiTest, AnAddTakesTheWitnesssDetailsAndSignedConsentForm) {
  httplib::Client c("127.0.0.1", port_);
  const httplib::Headers auth = {{"Authorization", "Bearer " + (*tokens_)["archivist"]}};
  const std::string text = "A sample text for a witness's details, not a testimony.\n";
  const std::string form_bytes = "%PDF-1.4\nA sample signed consent form, zqconsentformbytes.\n";
  auto count = [&] {
    auto r = c.Get("/api/v1/records?limit=100", auth);
    return Json::parse(r->body)["total"].get<int>();
  };
  auto item = [](const char* name, const std::string& value) {
    return httplib::MultipartFormData{name, value, "", ""};
  };
  const int before = count();
  // Refused, nothing stored: details without the witness's id; languages that are not tags; an
  // empty consent form.
  for (const auto& [why, items] : std::vector<std::pair<std::string, httplib::MultipartFormDataItems>>{
           {"witness", {{"file", text, "w.txt", "text/plain"},
                        {"consent_form", form_bytes, "form.pdf", "application/pdf"}}},
           {"languages", {{"file", text, "w.txt", "text/plain"}, item("witness", "w-intake"),
                          item("witness_languages", "hebrew and arabic")}},
           {"empty", {{"file", text, "w.txt", "text/plain"}, item("witness", "w-intake"),
                      {"consent_form", "", "form.pdf", "application/pdf"}}}}) {
    auto r = c.Post("/api/v1/records", auth, items);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << why << ": " << r->body;
    EXPECT_NE(r->body.find(why), std::string::npos) << r->body;
  }
  EXPECT_EQ(count(), before);
  auto none = RunAttest({"--archive", *archive_, "witness", "w-intake", "--forms", "--json"});
  EXPECT_EQ(Json::parse(none.out)["consent_forms"].size(), 0u) << none.out << none.err;

  auto added = c.Post("/api/v1/records", auth,
                      httplib::MultipartFormDataItems{
                          {"file", text, "w.txt", "text/plain"},
                          item("witness", "w-intake"),
                          item("witness_name", "Sample Name zqwitnessprivatename"),
                          item("witness_community", "Sample community"),
                          item("witness_languages", "he,ar"),
                          item("consent", "public"),
                          {"consent_form", form_bytes, "signed form.pdf", "application/pdf"}});
  ASSERT_EQ(added->status, 201) << added->body;
  const std::string id = Json::parse(added->body)["records"][0]["id"];
  EXPECT_EQ(count(), before + 1);
  auto forms = RunAttest({"--archive", *archive_, "witness", "w-intake", "--forms", "--json"});
  ASSERT_EQ(forms.exit_code, 0) << forms.err;
  Json listed = Json::parse(forms.out)["consent_forms"];
  ASSERT_EQ(listed.size(), 1u) << forms.out;
  EXPECT_EQ(listed[0]["mime"], "application/pdf");
  EXPECT_EQ(listed[0]["size"], form_bytes.size());
  // Stored encrypted: its bytes are nowhere in the clear among the archive's files.
  for (const auto& f : std::filesystem::recursive_directory_iterator(*archive_)) {
    if (!f.is_regular_file()) continue;
    EXPECT_EQ(Slurp(f.path()).find("zqconsentformbytes"), std::string::npos) << f.path();
  }
  auto audit = RunAttest({"--archive", *archive_, "audit", "--json"});
  EXPECT_NE(audit.out.find("\"form.add\""), std::string::npos);
  // The name is never shown; the community is, beside the witness's accounts.
  for (const std::string& path : {"/api/v1/records/" + id, std::string("/api/v1/witnesses/w-intake"),
                                 std::string("/witnesses/w-intake"), "/records/" + id}) {
    auto r = c.Get(path, auth);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body.find("zqwitnessprivatename"), std::string::npos) << path;
  }
  EXPECT_EQ(audit.out.find("zqwitnessprivatename"), std::string::npos);
}

}  // namespace
}  // namespace attest::testing
