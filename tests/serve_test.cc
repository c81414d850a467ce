// `attest serve`: the log as static tiles, public records only, no path escapes, clean stop.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

TEST(ServeTest, ServesLogAndPublicRecordsOnly) {
  TempDir temp_dir("attest-serve");
  std::string tmp = temp_dir.path();
  std::string archive = tmp + "/archive";
  ASSERT_EQ(RunAttest({"init", archive, "--origin", "example.org/serve"}).exit_code, 0);
  auto pub = RunAttest({"--archive", archive, "add", "--json", "--consent", "public",
                        Write(tmp, "p.txt", "public sample")});
  auto res = RunAttest({"--archive", archive, "add", "--json", "--consent", "research",
                        Write(tmp, "r.txt", "research sample")});
  std::string pub_id = Json::parse(pub.out)["records"][0]["id"];
  std::string res_id = Json::parse(res.out)["records"][0]["id"];

  Child server({"--archive", archive, "serve", "--listen", "127.0.0.1:0"}, tmp);
  // The banner names the port; wait for it (bounded).
  int port = 0;
  for (int i = 0; i < 200 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string banner = server.OutputSoFar();
    auto pos = banner.find("http://127.0.0.1:");
    if (pos != std::string::npos) port = std::atoi(banner.c_str() + pos + 17);
  }
  ASSERT_GT(port, 0);
  httplib::Client cli("127.0.0.1", port);

  auto cp = cli.Get("/log/checkpoint");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->status, 200);
  EXPECT_EQ(cp->body, Slurp(archive + "/log/checkpoint"));
  auto tile = cli.Get("/log/tile/0/000.p/2");
  ASSERT_TRUE(tile);
  EXPECT_EQ(tile->status, 200);
  EXPECT_EQ(tile->body.size(), 64u);
  for (const char* bad : {"/log/../attest.db", "/log/tile/../../keys/log.key", "/log/keys/log.key",
                          "/log/%2e%2e/attest.db"}) {
    auto r = cli.Get(bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << bad;
    EXPECT_EQ(r->body.find("PRIVATE"), std::string::npos);
  }

  auto list = cli.Get("/api/v1/records");
  ASSERT_TRUE(list);
  EXPECT_NE(list->body.find(pub_id), std::string::npos);
  EXPECT_EQ(list->body.find(res_id), std::string::npos);  // research: not for anonymous
  auto proof = cli.Get("/api/v1/records/" + pub_id + "/proof");
  ASSERT_TRUE(proof);
  EXPECT_EQ(proof->status, 200);
  EXPECT_EQ(Json::parse(proof->body)["record"], pub_id);
  auto hidden = cli.Get("/api/v1/records/" + res_id + "/proof");
  auto missing = cli.Get("/api/v1/records/rnosuchrecord/proof");
  ASSERT_TRUE(hidden && missing);
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(hidden->body, missing->body);  // not inferable from the answer
  EXPECT_EQ(hidden->get_header_value("Content-Type"), "application/problem+json");
  auto home = cli.Get("/");
  ASSERT_TRUE(home);
  EXPECT_NE(home->body.find(pub_id), std::string::npos);
  EXPECT_EQ(home->body.find(res_id), std::string::npos);

  kill(server.pid(), SIGTERM);
  ProcessResult r = server.Wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace attest::testing
