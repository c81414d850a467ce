// Ask with the semantic path, end to end: an embedding model with random weights that the test
// writes (real GGUF format; search/embedder_testing.h) is registered with `attest models add
// --kind embedding`, the semantic index is built and follows the archive (consent, withdrawal,
// reindex), and every answer holds only what its caller may read. Texts: sample sentences
// written for these tests (not testimony).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <set>
#include <thread>

#include "access/access.h"
#include "archive/archive.h"
#include "core/json.h"
#include "service/ask.h"
#include "process.h"
#include "search/embedder_testing.h"

namespace attest::testing {
namespace {

access::Subject As(access::Role role) {
  access::Subject s;
  s.role = role;
  return s;
}

class SemanticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = temp_dir_.path();
    archive_ = tmp_ + "/archive";
    ASSERT_EQ(RunAttest({"init", archive_, "--origin", "example.org/semantic"}).exit_code, 0);
  }
  ProcessResult A(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", archive_});
    return RunAttest(args);
  }
  // Adds a one-paragraph text record and returns its id.
  std::string Add(const std::string& witness, const std::string& lang, const std::string& consent,
                  const std::string& text) {
    std::string file = Write(tmp_, witness + ".txt", text + "\n");
    auto r = A({"add", "--json", "--wait", "--witness", witness, "--lang", lang, "--consent",
                consent, file});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["records"][0]["id"];
  }
  Json Ask(access::Role role, const std::string& q) {
    auto a = archive::Archive::Open(Env::Default(), archive_);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    service::AskRequest req;
    req.question = q;
    req.limit = 50;
    auto r = service::Ask(service::ScopeOf(a->get(), As(role)), req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  Json Meta() { return Json::parse(Slurp(archive_ + "/index/semantic/meta.json")); }
  TempDir temp_dir_{"attest-semantic"};  // removed when the test ends
  std::string tmp_, archive_;
};

TEST_F(SemanticTest, TheSemanticIndexFollowsTheArchiveAndAnswersWithinTheCallersLevels) {
  std::string model = tmp_ + "/tiny-multilingual-e5.gguf";
  ASSERT_TRUE(search::WriteTestEmbeddingModel(model, {}).ok());
  std::string he = Add("w-he", "he", "public", "בית החולים היה מלא בבוקר");
  std::string en = Add("w-en", "en", "public", "The hospital was full in the morning.");
  Add("w-research", "en", "research", "A sample zqsemresearch line about the hospital.");
  Add("w-restricted", "fr", "restricted", "Une phrase zqsemrestricted sur l'hôpital.");
  // Before a model: the dictionary path only, and the notice about Hebrew.
  Json before = Ask(access::Role::kAnonymous, "hospital");
  EXPECT_FALSE(before["paths"]["semantic"]);
  EXPECT_EQ(before["notices"].size(), 1u);

  auto added = A({"models", "add", "--kind", "embedding", "--json", model});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  Json m = Json::parse(added.out);
  EXPECT_EQ(m["kind"], "embedding");
  // Provenance: which model file made the vectors, with what.
  Json meta = Meta();
  EXPECT_EQ(meta["provenance"]["model_sha256"], m["sha256"]);
  EXPECT_EQ(meta["provenance"]["query_prefix"], "query: ");  // a file named like e5
  EXPECT_NE(meta["provenance"]["tool"].get<std::string>().find("llama.cpp"), std::string::npos);
  EXPECT_EQ(meta["segments"]["public"], 2);
  EXPECT_EQ(meta["segments"]["research"], 1);
  EXPECT_EQ(meta["segments"]["restricted"], 1);
  // A sync with nothing new leaves the index as it is: no file rewritten (readers keep their
  // graphs), and the model is not even loaded.
  auto written = [&] {
    struct stat st;
    EXPECT_EQ(::stat((archive_ + "/index/semantic/meta.json").c_str(), &st), 0);
    return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  };
  std::string stamp = written();
  ASSERT_EQ(A({"worker", "--until-idle"}).exit_code, 0);
  ASSERT_EQ(A({"names", "add", "Haifa"}).exit_code, 0);  // the lexical index is rebuilt
  EXPECT_EQ(written(), stamp);

  // Every caller: the semantic path, and only what the caller may read, whatever it ranks.
  struct Who {
    access::Role role;
    std::set<std::string> witnesses;
  };
  for (const Who& who :
       {Who{access::Role::kAnonymous, {"w-he", "w-en"}},
        Who{access::Role::kResearcher, {"w-he", "w-en", "w-research"}},
        Who{access::Role::kArchivist, {"w-he", "w-en", "w-research", "w-restricted"}}}) {
    for (const char* q : {"בית החולים", "hospital", "מה קרה בבוקר", "zqsemrestricted"}) {
      Json answer = Ask(who.role, q);
      EXPECT_TRUE(answer["paths"]["semantic"]) << q;
      EXPECT_TRUE(answer["notices"].empty()) << "the semantic index reaches Hebrew";
      std::set<std::string> seen;
      for (const auto& g : answer["groups"]) seen.insert(g["witness"]);
      for (const auto& w : seen) EXPECT_TRUE(who.witnesses.count(w)) << w << " for " << q;
      answer.erase("question");  // the question is echoed; the rest must hold no canary
      std::string dump = answer.dump();
      if (!who.witnesses.count("w-research")) {
        EXPECT_EQ(dump.find("zqsemresearch"), std::string::npos) << q;
      }
      if (!who.witnesses.count("w-restricted")) {
        EXPECT_EQ(dump.find("zqsemrestricted"), std::string::npos) << q;
        EXPECT_EQ(dump.find("l'hôpital"), std::string::npos) << q;
      }
    }
  }
  // The meaning path brings what the words cannot: with any question, the semantic list
  // offers every segment the caller may read (a random model ranks them at random), so the
  // Hebrew witness is there for an English question, found by meaning.
  Json cross = Ask(access::Role::kAnonymous, "what was it like that morning");
  bool by_meaning = false, by_both = false;
  for (const auto& g : cross["groups"]) {
    std::set<std::string> how(g["found_by"].begin(), g["found_by"].end());
    by_meaning |= g["witness"] == "w-he" && how.count("meaning");
    by_both |= how.count("meaning") && how.count("words");
  }
  EXPECT_TRUE(by_meaning) << cross.dump();
  EXPECT_TRUE(by_both) << "fused: found by its words and by meaning: " << cross.dump();

  // A change of consent moves the vector; the public no longer meets it.
  ASSERT_EQ(A({"consent", he, "research", "--reason", "asked"}).exit_code, 0);
  ASSERT_EQ(A({"reindex"}).exit_code, 0);
  meta = Meta();
  EXPECT_EQ(meta["segments"]["public"], 1);
  EXPECT_EQ(meta["segments"]["research"], 2);
  for (const auto& g : Ask(access::Role::kAnonymous, "בית החולים")["groups"]) {
    EXPECT_NE(g["witness"], "w-he");
  }
  // A withdrawal takes it out for everyone.
  ASSERT_EQ(A({"withdraw", en, "--reason", "asked"}).exit_code, 0);
  ASSERT_EQ(A({"worker", "--until-idle"}).exit_code, 0);
  meta = Meta();
  EXPECT_EQ(meta["segments"]["public"], 0) << meta.dump();
  for (const auto& g : Ask(access::Role::kArchivist, "hospital morning")["groups"]) {
    EXPECT_NE(g["witness"], "w-en");
  }
}

TEST_F(SemanticTest, AFileThatIsNotAnEmbeddingModelIsRefusedByName) {
  std::string junk = Write(tmp_, "junk.gguf", "GGUF, but only in name");
  auto r = A({"models", "add", "--kind", "embedding", junk});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("junk.gguf"), std::string::npos) << r.err;
  auto list = A({"models", "list", "--json"});
  EXPECT_EQ(list.out.find("junk"), std::string::npos) << list.out;
}

// A registered model file that goes missing stops neither the archive's work nor Ask: the
// answers go on without the semantic path, and say what they cannot reach.
TEST_F(SemanticTest, AModelFileThatGoesMissingStopsNothing) {
  std::string model = tmp_ + "/tiny.gguf";
  ASSERT_TRUE(search::WriteTestEmbeddingModel(model, {}).ok());
  Add("w-one", "en", "public", "A sample line about the orchard.");
  ASSERT_EQ(A({"models", "add", "--kind", "embedding", model}).exit_code, 0);
  EXPECT_TRUE(Ask(access::Role::kAnonymous, "orchard")["paths"]["semantic"]);
  ASSERT_EQ(std::remove(model.c_str()), 0);
  Add("w-two", "en", "public", "Another sample line about the orchard.");
  Json answer = Ask(access::Role::kAnonymous, "orchard");
  EXPECT_FALSE(answer["paths"]["semantic"]);
  EXPECT_EQ(answer["groups"].size(), 2u);
  EXPECT_EQ(answer["notices"].size(), 1u);
  // The operator is told why.
  auto list = A({"models", "list"});
  EXPECT_NE(list.out.find("the semantic index could not follow the archive"), std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("tiny.gguf"), std::string::npos) << list.out;
  EXPECT_TRUE(Json::parse(A({"models", "list", "--json"}).out).contains("semantic_error"));
}

// However much one witness says, the first page shows as many witnesses as exist.
TEST_F(SemanticTest, AskPutsNDistinctWitnessesOnTheFirstPage) {
  std::string many;
  for (int i = 0; i < 12; ++i) {
    many += "A sample line about the harbour and the harbour lights, number " + std::to_string(i) +
            ".\n\n";
  }
  Write(tmp_, "talkative.txt", many);
  ASSERT_EQ(A({"add", "--wait", "--witness", "w-talkative", "--lang", "en", "--consent", "public",
               tmp_ + "/talkative.txt"})
                .exit_code,
            0);
  for (int i = 0; i < 7; ++i) {
    Add("w-" + std::to_string(i), i % 2 ? "fr" : "en", "public",
        i % 2 ? "Une phrase sur le port, exemple " + std::to_string(i) + "."
              : "One line about the harbour, sample " + std::to_string(i) + ".");
  }
  auto a = archive::Archive::Open(Env::Default(), archive_);
  ASSERT_TRUE(a.ok());
  service::AskRequest req;
  req.question = "the harbour";
  req.limit = 5;
  auto r = service::Ask(service::ScopeOf(a->get(), As(access::Role::kAnonymous)), req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::set<std::string> witnesses;
  for (const auto& g : (*r)["groups"]) witnesses.insert(g["witness"]);
  EXPECT_EQ(witnesses.size(), 5u) << r->dump();
  req.limit = 10;
  r = service::Ask(service::ScopeOf(a->get(), As(access::Role::kAnonymous)), req);
  witnesses.clear();
  for (const auto& g : (*r)["groups"]) witnesses.insert(g["witness"]);
  EXPECT_EQ(witnesses.size(), 8u) << "all eight witnesses, each once: " << r->dump();
  std::set<std::string> langs;
  for (size_t i = 0; i < 2; ++i) langs.insert((*r)["groups"][i]["lang"].get<std::string>());
  EXPECT_EQ(langs.size(), 2u) << "French is among the first two places";
}

// The optional summary: off unless config.json names an endpoint; asked of a local
// OpenAI-compatible server with the question and the numbered passages shown; labelled as
// machine-written with the passages it cited; a remote endpoint is refused unless allowed.
TEST_F(SemanticTest, TheSummaryIsOptInLocalLabelledAndCitesThePassages) {
  Add("w-one", "en", "public", "A sample line about the ferry at dawn.");
  Add("w-two", "fr", "public", "Une phrase sur le bac à l'aube.");
  Add("w-hidden", "en", "restricted", "A zqsumhidden line about the ferry at dawn.");
  // A stand-in for a local llama.cpp server.
  httplib::Server fake;
  std::string received;
  fake.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
    received = req.body;
    Json reply = {{"model", "stand-in"},
                  {"choices",
                   {{{"message",
                      {{"role", "assistant"},
                       {"content", "Both speak of the ferry at dawn [1] [2] [9]."}}}}}}};
    res.set_content(reply.dump(), "application/json");
  });
  int port = fake.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { fake.listen_after_bind(); });
  auto ask = [&](bool summary) {
    auto a = archive::Archive::Open(Env::Default(), archive_);
    service::AskRequest req;
    req.question = "the ferry at dawn";
    req.summary = summary;
    auto r = service::Ask(service::ScopeOf(a->get(), As(access::Role::kAnonymous)), req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  };
  // Not configured: no summary, nothing asked of anyone.
  EXPECT_TRUE(ask(true)["summary"].is_null());
  EXPECT_TRUE(received.empty());
  Write(archive_, "config.json",
        Json{{"ask",
              {{"summary",
                {{"endpoint", "http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions"},
                 {"model", "local"}}}}}}
            .dump());
  // Configured but not asked for: none.
  EXPECT_TRUE(ask(false)["summary"].is_null());
  EXPECT_TRUE(received.empty());
  Json answer = ask(true);
  const Json& sm = answer["summary"];
  ASSERT_TRUE(sm.is_object()) << answer.dump();
  EXPECT_EQ(sm["label"], "machine-written summary");
  EXPECT_EQ(sm["text"], "Both speak of the ferry at dawn [1] [2] [9].");
  EXPECT_EQ(sm["cites"], Json::array({1, 2})) << "only passages that exist";
  // What was sent: the question and the passages this caller was shown, nothing else.
  Json sent = Json::parse(received);
  EXPECT_EQ(sent["model"], "local");
  std::string user = sent["messages"][1]["content"];
  EXPECT_NE(user.find("the ferry at dawn"), std::string::npos);
  EXPECT_NE(user.find("[1] (witness "), std::string::npos);
  EXPECT_EQ(received.find("zqsumhidden"), std::string::npos);
  // The passages are the answer; the summary never replaces them.
  EXPECT_EQ(answer["groups"].size(), 2u);
  // A remote endpoint is refused unless allowed; nothing is sent.
  received.clear();
  Write(
      archive_, "config.json",
      Json{{"ask", {{"summary", {{"endpoint", "http://192.0.2.1/v1/chat/completions"}}}}}}.dump());
  Json remote = ask(true);
  EXPECT_NE(remote["summary"]["error"].get<std::string>().find("not on this machine"),
            std::string::npos);
  EXPECT_FALSE(remote["summary"].contains("text"));
  // A misspelt setting is named, not ignored.
  Write(archive_, "config.json", R"({"ask": {"sumary": {}}})");
  {
    auto a = archive::Archive::Open(Env::Default(), archive_);
    service::AskRequest req;
    req.question = "ferry";
    req.summary = true;
    auto r = service::Ask(service::ScopeOf(a->get(), As(access::Role::kAnonymous)), req);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("ask.sumary"), std::string::npos) << r.status().message();
  }
  fake.stop();
  serving.join();
}

}  // namespace
}  // namespace attest::testing
