// A property of `attest serve` (issue 21): for random records with random redactions, consent
// levels (of records and of single passages) and revisions that move or respell the hidden
// words, no answer of any endpoint to a caller below archivist contains a word that caller may
// not read, nor a value (a file's hash or size, an offset into the stored text) that would let
// them recover one from a list of candidates.
//
// The seed is printed and can be set with ATTEST_PROPERTY_SEED to replay a failure; the
// archive is sample text made of made-up words, never testimony.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "core/hash.h"
#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

// A caller below archivist, and the levels they read.
struct Caller {
  std::string name;
  std::string token;  // "" for anonymous
  std::set<std::string> levels;
};

// One record as the test made it.
struct Sample {
  std::string id;
  std::string consent;
  std::vector<std::string> files;       // the text of every file added (original and revisions)
  std::vector<std::string> paragraphs;  // of the newest file
  std::set<std::string> redacted;       // words under a redaction (and their respellings)
  std::set<std::string> restricted;     // words of a passage made restricted
};

class RedactionPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    tmp_ = temp_dir_.path();
    archive_ = tmp_ + "/archive";
    ASSERT_EQ(RunAttest({"init", archive_, "--origin", "example.org/property"}).exit_code, 0);
    const char* env = std::getenv("ATTEST_PROPERTY_SEED");
    // A fixed seed, so CI is repeatable; set another to explore.
    seed_ = env ? std::strtoull(env, nullptr, 10) : 20261206;
    rng_.seed(seed_);
    std::cout << "ATTEST_PROPERTY_SEED=" << seed_ << "\n";
  }
  void TearDown() override {
    if (server_) {
      kill(server_->pid(), SIGTERM);
      server_->Wait();
      delete server_;
    }
  }

  // A made-up word no other part of the archive holds.
  std::string Word() {
    static const char kLetters[] = "bcdfghjklmnpqrstvwxz";
    std::string w = "zq";
    for (int i = 0; i < 8; ++i) w += kLetters[rng_() % 20];
    return w;
  }
  std::string Paragraph(int words) {
    std::string p = "Sample";
    for (int i = 0; i < words; ++i) p += " " + Word();
    return p + ".";
  }
  // The made-up words of a text, with their byte offsets.
  static std::vector<std::pair<size_t, std::string>> Words(const std::string& text) {
    std::vector<std::pair<size_t, std::string>> out;
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find_first_of(" .\n", at);
      if (end == std::string::npos) end = text.size();
      if (text.compare(at, 2, "zq") == 0) out.push_back({at, text.substr(at, end - at)});
      at = end + 1;
    }
    return out;
  }
  static std::string Join(const std::vector<std::string>& paragraphs) {
    std::string t;
    for (const auto& p : paragraphs) t += p + "\n\n";
    return t;
  }

  httplib::Headers Auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }
  httplib::Result Get(const std::string& path, const std::string& token = "") {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c.Get(path, Auth(token));
  }
  std::string Token(const char* role) {
    auto r = RunAttest({"--archive", archive_, "token", "create", "--role", role, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["token"];
  }
  void Work() {
    ASSERT_EQ(RunAttest({"--archive", archive_, "worker", "--until-idle"}).exit_code, 0);
  }

  // Redacts one random word of one random segment of the record's newest text (as the
  // archivist reads it).
  void RedactOne(Sample& s) {
    httplib::Client c("127.0.0.1", port_);
    Json rec = Json::parse(c.Get("/api/v1/records/" + s.id, Auth(archivist_))->body);
    ASSERT_TRUE(rec["segments"].is_array() && !rec["segments"].empty()) << rec.dump();
    const Json& seg = rec["segments"][rng_() % rec["segments"].size()];
    std::string text = seg["text"];
    std::vector<std::pair<size_t, std::string>> words = Words(text);
    if (words.empty()) return;
    auto [at, word] = words[rng_() % words.size()];
    if (s.redacted.count(word)) return;
    int64_t cp = static_cast<int64_t>(CodePoints(text.substr(0, at)));
    auto r = c.Post("/api/v1/records/" + s.id + "/redactions", Auth(archivist_),
                    Json{{"segment", seg["id"]},
                         {"chars", {cp, cp + static_cast<int64_t>(CodePoints(word))}},
                         {"reason", "sample"}}
                        .dump(),
                    "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
    s.redacted.insert(word);
  }

  // Keeps one random passage of the record from all but archivists.
  void RestrictOne(Sample& s) {
    httplib::Client c("127.0.0.1", port_);
    Json rec = Json::parse(c.Get("/api/v1/records/" + s.id, Auth(archivist_))->body);
    if (rec["segments"].size() < 2) return;
    const Json& seg = rec["segments"][rng_() % rec["segments"].size()];
    auto r =
        c.Put("/api/v1/records/" + s.id + "/consent", Auth(archivist_),
              Json{{"consent", "restricted"}, {"reason", "sample"}, {"segment", seg["id"]}}.dump(),
              "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    for (const auto& [at, word] : Words(seg["text"])) s.restricted.insert(word);
  }

  // A revision: paragraphs added before and between, one perhaps dropped, and perhaps a hidden
  // word respelled (so it cannot be found: the version is then held).
  void Revise(Sample& s) {
    std::vector<std::string> next;
    next.push_back(Paragraph(4 + rng_() % 4));
    for (const auto& p : s.paragraphs) {
      if (rng_() % 4 == 0) next.push_back(Paragraph(3));
      next.push_back(p);
    }
    if (!s.redacted.empty() && rng_() % 3 == 0) {
      // The witness names the hidden one again, in a new passage.
      std::string word = *std::next(s.redacted.begin(), rng_() % s.redacted.size());
      next.push_back("Sample " + Word() + " " + word + " " + Word() + ".");
    }
    if (!s.redacted.empty() && rng_() % 3 == 0) {
      std::string word = *std::next(s.redacted.begin(), rng_() % s.redacted.size());
      std::string respelled = word.substr(0, 5) + "-" + word.substr(5);
      for (auto& p : next) {
        if (auto at = p.find(word); at != std::string::npos) p.replace(at, word.size(), respelled);
      }
      s.redacted.insert(respelled);
    }
    s.paragraphs = next;
    std::string text = Join(next);
    s.files.push_back(text);
    std::string file = Write(tmp_, s.id + "-" + std::to_string(s.files.size()) + ".txt", text);
    auto r = RunAttest({"--archive", archive_, "add", "--record", s.id, file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir temp_dir_{"attest-property"};  // removed when the test ends
  std::string tmp_, archive_;
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  Child* server_ = nullptr;
  int port_ = 0;
  std::string archivist_;
};

TEST_F(RedactionPropertyTest, NoAnswerGivesACallerBelowArchivistAHiddenWordOrAWayToGuessIt) {
  const char* kLevels[] = {"public", "public", "public", "research", "restricted"};
  std::vector<Sample> samples;
  for (int i = 0; i < 8; ++i) {
    Sample s;
    s.consent = kLevels[rng_() % 5];
    int n = 2 + static_cast<int>(rng_() % 3);
    for (int k = 0; k < n; ++k) s.paragraphs.push_back(Paragraph(5 + rng_() % 6));
    s.files.push_back(Join(s.paragraphs));
    std::string file = Write(tmp_, "sample-" + std::to_string(i) + ".txt", s.files.back());
    auto r = RunAttest({"--archive", archive_, "add", "--json", "--consent", s.consent, "--witness",
                        "w-" + std::to_string(i), "--lang", "en", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    s.id = Json::parse(r.out)["records"][0]["id"];
    samples.push_back(std::move(s));
  }
  Work();
  archivist_ = Token("archivist");
  std::vector<Caller> callers = {{"anonymous", "", {"public"}},
                                 {"researcher", Token("researcher"), {"public", "research"}}};
  server_ = new Child({"--archive", archive_, "serve", "--listen", "127.0.0.1:0"}, tmp_);
  for (int i = 0; i < 400 && !port_; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::string banner = server_->OutputSoFar();
    auto pos = banner.find("http://127.0.0.1:");
    if (pos != std::string::npos) port_ = std::atoi(banner.c_str() + pos + 17);
  }
  ASSERT_GT(port_, 0);

  // Random redactions, revisions and passages kept back, in random order.
  for (auto& s : samples) {
    int steps = 1 + static_cast<int>(rng_() % 4);
    for (int k = 0; k < steps; ++k) {
      switch (rng_() % 4) {
        case 0:
        case 1:
          RedactOne(s);
          break;
        case 2:
          Revise(s);
          Work();
          break;
        default:
          RestrictOne(s);
      }
    }
    if (s.redacted.empty()) RedactOne(s);
    if (rng_() % 2) {
      Revise(s);
      Work();
    }
  }
  Work();

  for (const Caller& caller : callers) {
    SCOPED_TRACE(caller.name);
    // What this caller may not meet: every word of a record they may not read, and everything
    // redacted or kept back in the rest; and the files that hold any of it, by hash and size.
    std::set<std::string> hidden;
    std::set<std::string> hashes, sizes;
    std::vector<std::string> paths = {"/api/v1/records", "/api/v1/witnesses", "/",
                                      "/api/v1/search?q=sample&limit=100", "/search?q=sample"};
    for (const auto& s : samples) {
      bool reads = caller.levels.count(s.consent) > 0;
      std::set<std::string> words;
      for (const auto& f : s.files) {
        for (const auto& [at, word] : Words(f)) words.insert(word);
      }
      if (!reads) {
        hidden.insert(words.begin(), words.end());
      } else {
        hidden.insert(s.redacted.begin(), s.redacted.end());
        hidden.insert(s.restricted.begin(), s.restricted.end());
      }
      for (const auto& f : s.files) {
        hashes.insert(ToHex(Sha256(f)));
        sizes.insert("\"size\":" + std::to_string(f.size()));
      }
      for (std::string p :
           {"/api/v1/records/" + s.id, "/api/v1/records/" + s.id + "/segments", "/records/" + s.id,
            "/api/v1/records/" + s.id + "/proof", "/api/v1/records/" + s.id + "/media/original",
            "/api/v1/records/" + s.id + "/transcript", std::string("/api/v1/witnesses")}) {
        paths.push_back(p);
      }
      for (int v = 1; v <= 2 * static_cast<int>(s.files.size()) + 1; ++v) {
        paths.push_back("/api/v1/records/" + s.id + "/versions/" + std::to_string(v));
        paths.push_back("/api/v1/records/" + s.id + "/proof?version=" + std::to_string(v));
      }
      for (const auto& f : s.files) {
        paths.push_back("/verify?sha256=" + ToHex(Sha256(f)));
        paths.push_back("/api/v1/verify?sha256=" + ToHex(Sha256(f)));
      }
    }
    // Search, suggestions and Ask for every hidden word, and its prefix.
    for (const auto& w : hidden) {
      paths.push_back("/api/v1/search?q=" + w);
      paths.push_back("/api/v1/suggest?q=" + w.substr(0, 6));
      paths.push_back("/api/v1/ask?q=" + w);
    }
    for (const auto& path : paths) {
      auto r = Get(path, caller.token);
      ASSERT_TRUE(r) << path;
      EXPECT_LT(r->status, 500) << path;
      std::string body = r->body;
      // A search or Ask echoes the query asked: that is the caller's own word, not a leak.
      if (auto q = path.find("?q="); q != std::string::npos) {
        std::string asked = path.substr(q + 3);
        for (size_t at; (at = body.find(asked)) != std::string::npos;) body.erase(at, asked.size());
        asked = asked.substr(0, 6);
      }
      for (const auto& w : hidden) {
        if (path.find("suggest?q=") != std::string::npos && w.size() >= 6 &&
            path.substr(path.size() - 6) == w.substr(0, 6)) {
          // the prefix asked is echoed; the rest of the word must not be
          EXPECT_EQ(body.find(w), std::string::npos) << path;
          continue;
        }
        EXPECT_EQ(body.find(w), std::string::npos) << "'" << w << "' at " << path;
      }
      bool partial_record = false;
      for (const auto& s : samples) {
        if (path.find(s.id) != std::string::npos && caller.levels.count(s.consent) &&
            (!s.redacted.empty() || !s.restricted.empty())) {
          partial_record = true;
        }
      }
      if (partial_record || path.find("/search") != std::string::npos ||
          path.find("/ask") != std::string::npos) {
        for (const auto& h : hashes) {
          // A record the caller reads whole may show its hash; the others may not.
          bool own_whole = false;
          for (const auto& s : samples) {
            if (!caller.levels.count(s.consent) || !s.redacted.empty() || !s.restricted.empty()) {
              continue;
            }
            for (const auto& f : s.files) own_whole |= ToHex(Sha256(f)) == h;
          }
          if (!own_whole) {
            EXPECT_EQ(body.find(h), std::string::npos) << "a hash at " << path;
          }
        }
      }
      if (partial_record) {
        for (const auto& z : sizes) EXPECT_EQ(body.find(z), std::string::npos) << z << " " << path;
        // Offsets count in the text as shown, nothing else.
        Json j = Json::parse(body, nullptr, false);
        if (j.is_object() && j.contains("segments") && j["segments"].is_array()) {
          int64_t expect = 0;
          for (const Json& seg : j["segments"]) {
            if (!seg.is_object() || !seg.contains("char_start")) continue;
            EXPECT_EQ(seg["char_start"], expect) << path;
            int64_t length = static_cast<int64_t>(CodePoints(seg["text"].get<std::string>()));
            EXPECT_EQ(seg["char_end"], expect + length) << path;
            expect += length + 1;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace attest::testing
