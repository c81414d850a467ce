#include "service/summary.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace attest::service {
namespace {

// Records what would have been sent, and answers what it is told to.
class FakeTransport : public SummaryTransport {
 public:
  std::optional<Reply> reply;
  std::vector<std::string> origins, paths, bodies;
  std::optional<Reply> Post(const std::string& origin, const std::string& path,
                            const std::string& body, int) override {
    origins.push_back(origin);
    paths.push_back(path);
    bodies.push_back(body);
    return reply;
  }
};

std::vector<SummaryPassage> Groups() {
  return {{1, "w1", "en", "Sample passage one."}, {2, "w2", "fr", "Passage d'exemple deux."}};
}

Json Completion(const std::string& content) {
  return {{"model", "local-model"}, {"choices", {{{"message", {{"content", content}}}}}}};
}

TEST(SummaryTest, EndpointsOnThisMachineOnly) {
  for (const char* url : {"http://127.0.0.1:8080/v1/chat/completions", "http://localhost/v1",
                          "https://[::1]:9/x"}) {
    auto e = ParseEndpoint(url);
    ASSERT_TRUE(e) << url;
    EXPECT_TRUE(e->loopback) << url;
  }
  auto e = ParseEndpoint("https://api.example.org:443/v1/chat/completions");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->loopback);
  EXPECT_EQ(e->origin, "https://api.example.org:443");
  EXPECT_EQ(e->path, "/v1/chat/completions");
  EXPECT_EQ(e->host, "api.example.org");
  // A host that only starts like a loopback one is not one.
  e = ParseEndpoint("http://127.0.0.1.example.org/v1");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->loopback);
  EXPECT_FALSE(ParseEndpoint("ftp://127.0.0.1/x"));
  EXPECT_FALSE(ParseEndpoint("127.0.0.1:8080"));
  EXPECT_FALSE(ParseEndpoint("http://"));
}

TEST(SummaryTest, NothingIsSentToARemoteEndpointUnlessAllowed) {
  FakeTransport t;
  t.reply = SummaryTransport::Reply{200, Completion("Both say so [1][2].").dump()};
  Json settings = {{"endpoint", "https://api.example.org/v1/chat/completions"}};
  Summary out = Summarise(settings, "what happened?", Groups(), &t);
  EXPECT_TRUE(t.bodies.empty());
  EXPECT_NE(out.error.find("nothing was sent"), std::string::npos);
  EXPECT_TRUE(out.text.empty());

  settings["allow_remote"] = true;
  out = Summarise(settings, "what happened?", Groups(), &t);
  ASSERT_EQ(t.bodies.size(), 1u);
  EXPECT_EQ(out.text, "Both say so [1][2].");
  EXPECT_EQ(out.cites, (std::set<int>{1, 2}));
}

TEST(SummaryTest, SendsTheNumberedPassagesAndReadsTheCitations) {
  FakeTransport t;
  t.reply = SummaryTransport::Reply{200, Completion("One account [2], not [7] or [x].").dump()};
  Json settings = {{"endpoint", "http://127.0.0.1:8080/v1/chat/completions"},
                   {"model", "m"}};
  Summary out = Summarise(settings, "what happened?", Groups(), &t);
  ASSERT_EQ(t.bodies.size(), 1u);
  EXPECT_EQ(t.origins[0], "http://127.0.0.1:8080");
  EXPECT_EQ(t.paths[0], "/v1/chat/completions");
  Json sent = Json::parse(t.bodies[0]);
  EXPECT_EQ(sent["model"], "m");
  EXPECT_EQ(sent["temperature"], 0);
  std::string user = sent["messages"][1]["content"];
  EXPECT_NE(user.find("Question: what happened?"), std::string::npos);
  EXPECT_NE(user.find("[1] (witness w1, en) Sample passage one."), std::string::npos);
  EXPECT_NE(user.find("[2] (witness w2, fr) Passage d'exemple deux."), std::string::npos);
  EXPECT_EQ(out.cites, std::set<int>{2});  // only passages that exist
  EXPECT_EQ(out.model, "local-model");
  EXPECT_TRUE(out.error.empty());
}

TEST(SummaryTest, AFailedSummaryNamesWhyAndIsNeverTheAnswer) {
  Json settings = {{"endpoint", "http://localhost:8080/v1"}};
  FakeTransport silent;  // no reply at all
  EXPECT_NE(Summarise(settings, "q", Groups(), &silent).error.find(
                "did not answer"),
            std::string::npos);
  FakeTransport failing;
  failing.reply = SummaryTransport::Reply{500, "oops"};
  EXPECT_NE(Summarise(settings, "q", Groups(), &failing).error.find(
                "(HTTP 500)"),
            std::string::npos);
  FakeTransport odd;
  odd.reply = SummaryTransport::Reply{200, R"({"choices": []})"};
  EXPECT_NE(Summarise(settings, "q", Groups(), &odd).error.find(
                "not an OpenAI-style chat completion"),
            std::string::npos);
  FakeTransport binary;
  binary.reply = SummaryTransport::Reply{200, Completion("ok").dump()};
  binary.reply->body.replace(binary.reply->body.find("ok"), 2, "\\u00ff");  // valid: é-like
  EXPECT_TRUE(Summarise(settings, "q", Groups(), &binary).error.empty());
  Json bad_url = {{"endpoint", "file:///etc/passwd"}};
  FakeTransport unused;
  EXPECT_NE(Summarise(bad_url, "q", Groups(), &unused).error.find(
                "not an http(s) URL"),
            std::string::npos);
  EXPECT_TRUE(unused.bodies.empty());
}

}  // namespace
}  // namespace attest::service
