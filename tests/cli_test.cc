// End-to-end behaviour of the `attest` command, as a user or a script sees it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "core/json.h"
#include "meta/store.h"
#include "process.h"

namespace attest::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = temp_dir_.path();
    archive_ = tmp_ + "/archive";
    auto r = RunAttest({"init", archive_, "--origin", "example.org/cli-test"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ProcessResult A(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", archive_});
    return RunAttest(args);
  }
  TempDir temp_dir_{"attest-cli"};  // removed when the test ends
  std::string tmp_, archive_;
};

TEST_F(CliTest, EveryVerbHasHelp) {
  for (const char* verb : {"init", "add", "show", "list", "withdraw", "verify", "log",
                           "verify-proof", "search", "reindex", "serve", "demo"}) {
    auto r = RunAttest({verb, "--help"});
    EXPECT_EQ(r.exit_code, 0) << verb;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << verb;
  }
  EXPECT_EQ(RunAttest({"log", "prove", "--help"}).exit_code, 0);
  EXPECT_EQ(RunAttest({}).exit_code, 2);
  EXPECT_EQ(RunAttest({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunAttest({"add"}).exit_code, 2);
}

// The command line asks access::Decide too: a sealed record's words are read by nobody, the
// operator included, until the seal opens.
TEST_F(CliTest, ASealedRecordsWordsAreNotExportedEvenToTheOperator) {
  std::string file = tmp_ + "/s.txt";
  FILE* f = fopen(file.c_str(), "w");
  fputs("A sample text (not testimony) to be sealed.\n", f);
  fclose(f);
  auto added = A({"add", "--json", "--consent", "public", file});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string id = Json::parse(added.out)["records"][0]["id"];
  auto open_export = A({"transcript", "export", id});
  EXPECT_EQ(open_export.err.find("is sealed"), std::string::npos) << open_export.err;
  ASSERT_EQ(A({"consent", id, "sealed", "--until", "2999-01-01", "--then", "public", "--reason",
               "sample"})
                .exit_code,
            0);
  // Looking at material that is not public from the command line is audited too.
  ASSERT_EQ(A({"show", id}).exit_code, 0);
  auto audit = A({"audit", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  const Json entries = Json::parse(audit.out)["entries"];
  bool shown = false;
  for (const auto& e : entries) {
    if (e["action"] == "view" && e["target"] == id && e["detail"]["what"] == "record" &&
        e["actor"].get<std::string>().rfind("cli:", 0) == 0) {
      shown = true;
    }
  }
  EXPECT_TRUE(shown) << audit.out;
  auto sealed = A({"transcript", "export", id});
  EXPECT_EQ(sealed.exit_code, 1);
  EXPECT_NE(sealed.err.find("record '" + id +
                            "' is sealed: its words are read by nobody until "
                            "its seal opens"),
            std::string::npos)
      << sealed.err;
}

TEST_F(CliTest, AddJsonListsRecordsInInputOrder) {
  std::vector<std::string> files;
  for (int i = 0; i < 5; ++i) {
    files.push_back(Write(tmp_, "f" + std::to_string(i) + ".txt", "sample " + std::to_string(i)));
  }
  std::vector<std::string> args = {
      "add",    "--json",    "--lang", "fr",     "--consent",
      "public", "--witness", "w-1",    "--meta", R"({"title":"échantillon"})"};
  args.insert(args.end(), files.begin(), files.end());
  auto r = A(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["records"].size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(j["records"][i]["file"], files[i]);
    EXPECT_EQ(j["records"][i]["version"], 1);
    EXPECT_EQ(j["records"][i]["sha256"].get<std::string>().size(), 64u);
  }
  std::string id = j["records"][2]["id"];
  auto show = A({"show", id, "--json"});
  ASSERT_EQ(show.exit_code, 0);
  Json s = Json::parse(show.out);
  EXPECT_EQ(s["consent"], "public");
  EXPECT_EQ(s["witness"], "w-1");
  EXPECT_EQ(s["versions"][0]["lang"], "fr");
  EXPECT_EQ(s["versions"][0]["leaf_index"], 2);
  auto list = A({"list", "--json"});
  EXPECT_EQ(Json::parse(list.out)["records"].size(), 5u);
  EXPECT_EQ(A({"verify"}).exit_code, 0);
}

TEST_F(CliTest, ArchiveFromEnvironmentVariable) {
  setenv("ATTEST_ARCHIVE", archive_.c_str(), 1);
  auto r = RunAttest({"list"});
  unsetenv("ATTEST_ARCHIVE");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto none = RunAttest({"list"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("ATTEST_ARCHIVE"), std::string::npos) << none.err;
}

TEST_F(CliTest, ProveAndVerifyProofOffline) {
  std::string f = Write(tmp_, "orig.txt", "sample original");
  auto add = A({"add", "--json", f, Write(tmp_, "other.txt", "another sample")});
  std::string id = Json::parse(add.out)["records"][0]["id"];
  auto proof = A({"log", "prove", id, "--json"});
  ASSERT_EQ(proof.exit_code, 0) << proof.err;
  Json p = Json::parse(proof.out);
  for (const char* k : {"checkpoint", "leaf_index", "leaf", "inclusion_proof"}) {
    EXPECT_TRUE(p.contains(k)) << k;
  }
  std::string proof_path = Write(tmp_, "proof.json", proof.out);
  std::string vkey = A({"log", "key"}).out;
  vkey.pop_back();
  std::string key_path = Write(tmp_, "log.vkey", vkey + "\n");
  // Checked without the archive: move it away first.
  ASSERT_EQ(rename(archive_.c_str(), (archive_ + ".away").c_str()), 0);
  auto ok = RunAttest({"verify-proof", proof_path, "--key", vkey, "--file", f});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(RunAttest({"verify-proof", proof_path, "--key", key_path}).exit_code, 0);
  auto wrong_file = RunAttest(
      {"verify-proof", proof_path, "--key", vkey, "--file", Write(tmp_, "x.txt", "not it")});
  EXPECT_EQ(wrong_file.exit_code, 1);
  p["leaf_index"] = 1;
  auto tampered = RunAttest({"verify-proof", Write(tmp_, "bad.json", p.dump()), "--key", vkey});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.err.find("REJECTED"), std::string::npos);
  ASSERT_EQ(rename((archive_ + ".away").c_str(), archive_.c_str()), 0);

  auto cons = A({"log", "consistency", "--from", "1", "--json"});
  ASSERT_EQ(cons.exit_code, 0);
  Json c = Json::parse(cons.out);
  EXPECT_EQ(c["old_size"], 1);
  EXPECT_EQ(c["new_size"], 2);
  EXPECT_EQ(c["consistency_proof"].size(), 1u);
  EXPECT_EQ(A({"log", "consistency", "--from", "5"}).exit_code, 2);
  auto cp = A({"log", "checkpoint"});
  EXPECT_EQ(cp.out.substr(0, cp.out.find('\n')), "example.org/cli-test");
}

TEST_F(CliTest, BadInputIsAClearErrorAndStoresNothing) {
  std::string good = Write(tmp_, "good.txt", "sample");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string mention;
  };
  std::vector<Case> cases = {
      {{"add", tmp_ + "/missing.txt"}, 1, "missing.txt: no such file"},
      {{"add", tmp_}, 1, "is a directory"},
      {{"add", Write(tmp_, "na\xEFve.txt", "x")}, 1, "na\\xEFve.txt"},
      {{"add", "--consent", "secret", good}, 2, "unknown consent level 'secret'"},
      {{"add", "--meta", "{oops", good}, 2, "--meta is not valid JSON"},
      {{"add", "--meta", "[1]", good}, 2, "--meta must be a JSON object"},
      {{"add", "--lang", "Hebrew", good}, 2, "--lang 'Hebrew'"},
      {{"add", "--witness", "../etc", good}, 2, "--witness '../etc'"},
      {{"add", "--record", "rnope", good}, 1, "no record 'rnope'"},
      {{"show", "rnope"}, 1, "no record 'rnope'"},
      {{"withdraw", "rnope", "--reason", "x"}, 1, "no record 'rnope'"},
  };
  for (const auto& c : cases) {
    auto r = A(c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.mention), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos);
  }
  EXPECT_EQ(A({"log", "checkpoint"}).out.find("\n0\n") != std::string::npos, true);
  EXPECT_EQ(A({"list"}).out, "");
}

// An original the archive's user may not read is refused, naming it. Root reads everything, so
// under root the command runs as `nobody` (setpriv) over an archive that user owns.
TEST_F(CliTest, UnreadableFileIsNamed) {
  std::string secret = Write(tmp_, "secret.txt", "sample");
  chmod(secret.c_str(), 0);
  std::vector<std::string> args = {"--archive", archive_, "add", secret};
  ProcessResult r;
  if (geteuid() == 0) {
    if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv (util-linux) missing";
    ASSERT_EQ(system(("chown -R 65534:65534 " + archive_ + " && chmod 755 " + tmp_).c_str()), 0);
    std::string cmd = "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups " +
                      std::string(ATTEST_BINARY) + " --archive " + archive_ + " add " + secret +
                      " 2>" + tmp_ + "/err.txt";
    int status = system(cmd.c_str());
    r.exit_code = WEXITSTATUS(status);
    r.err = Slurp(tmp_ + "/err.txt");
  } else {
    r = RunAttest(args);
  }
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("secret.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
}

TEST_F(CliTest, SecondInitIsRefused) {
  auto r = RunAttest({"init", archive_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already holds an attest archive"), std::string::npos);
  auto notdir = RunAttest({"init", Write(tmp_, "file", "x")});
  EXPECT_EQ(notdir.exit_code, 1);
  EXPECT_NE(notdir.err.find("not a directory"), std::string::npos);
  EXPECT_EQ(RunAttest({"init", tmp_ + "/o", "--origin", "has space"}).exit_code, 2);
  EXPECT_EQ(A({"verify"}).exit_code, 0);
}

TEST_F(CliTest, VerifyReportsDamageAndWithdrawal) {
  auto add = A({"add", "--json", Write(tmp_, "a.txt", "sample a"), Write(tmp_, "b.txt", "sample b"),
                Write(tmp_, "c.txt", "sample c")});
  Json recs = Json::parse(add.out)["records"];
  std::string a = recs[0]["id"], b = recs[1]["id"], c = recs[2]["id"];
  auto w = A({"withdraw", c, "--reason", "asked by the witness"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto ok = A({"verify", "--json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  Json rep = Json::parse(ok.out);
  EXPECT_EQ(rep["withdrawn"][0], c);
  EXPECT_TRUE(rep["problems"].empty());

  std::string sha = recs[1]["sha256"];
  std::string path =
      archive_ + "/blobs/sha256/" + sha.substr(0, 2) + "/" + sha.substr(2, 2) + "/" + sha;
  chmod(path.c_str(), 0644);
  Write(archive_ + "/blobs/sha256/" + sha.substr(0, 2) + "/" + sha.substr(2, 2), sha, "changed");
  auto bad = A({"verify"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("record " + b), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("damaged"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("record " + a), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("problem: blob record " + c), std::string::npos) << bad.out;
}

TEST_F(CliTest, DamagedDatabaseOrCheckpointIsNamed) {
  A({"add", Write(tmp_, "a.txt", "sample a")});
  std::string cp_path = archive_ + "/log/checkpoint";
  std::string cp = Slurp(cp_path);
  std::string forged = cp;
  forged[forged.find('\n') + 1] = '7';
  Write(archive_ + "/log", "checkpoint", forged);
  auto r = A({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("log/checkpoint"), std::string::npos) << r.err;
  Write(archive_ + "/log", "checkpoint", cp);
  EXPECT_EQ(A({"verify"}).exit_code, 0);
  unlink((archive_ + "/attest.db-wal").c_str());
  unlink((archive_ + "/attest.db-shm").c_str());
  Write(archive_, "attest.db", std::string(5000, '\x42'));
  auto d = A({"list"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_NE(d.err.find("attest.db"), std::string::npos) << d.err;
  EXPECT_NE(d.err.find("damaged"), std::string::npos) << d.err;
}

TEST_F(CliTest, TwoAddProcessesAtOnceBothSucceed) {
  TempDir par_dir("attest-par");
  std::string out_dir = par_dir.path();
  std::vector<std::unique_ptr<Child>> kids;
  for (int p = 0; p < 4; ++p) {
    std::vector<std::string> args = {"--archive", archive_, "add", "--json"};
    for (int i = 0; i < 10; ++i) {
      args.push_back(Write(tmp_, "p" + std::to_string(p) + "-" + std::to_string(i),
                           "sample " + std::to_string(p * 100 + i)));
    }
    kids.push_back(std::make_unique<Child>(args, out_dir));
  }
  for (auto& k : kids) {
    auto r = k->Wait();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Json::parse(r.out)["records"].size(), 10u);
  }
  auto v = A({"verify", "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_EQ(Json::parse(v.out)["log_size"], 40);
}

// Ask answers an English question with the French and Arabic witnesses' own words, one group
// per witness; a question without words exits 2. Texts: the UDHR samples (not testimony).
TEST_F(CliTest, AskAnswersAcrossLanguagesWithEachWitnessOnce) {
  std::string fr = Write(tmp_, "udhr-fra-14.txt",
                         "Devant la persécution, toute personne a le droit de chercher asile et "
                         "de bénéficier de l'asile en d'autres pays.\n");
  std::string ar = Write(tmp_, "udhr-arb-14.txt",
                         "لكل فرد الحق أن يلجأ إلى بلاد أخرى أو يحاول الالتجاء إليها هربا من "
                         "الاضطهاد.\n");
  std::string en = Write(tmp_, "udhr-eng-14.txt",
                         "Everyone has the right to seek and to enjoy in other countries asylum "
                         "from persecution.\n\nThis right may not be invoked in the case of "
                         "prosecutions genuinely arising from non-political crimes.\n");
  ASSERT_EQ(A({"add", "--wait", "--witness", "w-fr", "--lang", "fr", fr}).exit_code, 0);
  ASSERT_EQ(A({"add", "--wait", "--witness", "w-ar", "--lang", "ar", ar}).exit_code, 0);
  ASSERT_EQ(A({"add", "--wait", "--witness", "w-en", "--lang", "en", en}).exit_code, 0);
  auto r = A({"ask", "--json", "Who may seek asylum from persecution?"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  std::set<std::string> witnesses;
  for (const auto& g : j["groups"]) {
    EXPECT_TRUE(witnesses.insert(g["witness"]).second) << "a witness twice: " << r.out;
  }
  EXPECT_EQ(witnesses, std::set<std::string>({"w-fr", "w-ar", "w-en"})) << r.out;
  EXPECT_EQ(j["notices"].size(), 1u);
  EXPECT_TRUE(j["paths"]["dictionary"]);
  // In words, with the citation and the checkpoint.
  auto text = A({"ask", "asile", "--filter-lang", "fr"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("witness w-fr"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("witness w-en"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("log entry"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("checkpoint"), std::string::npos) << text.out;
  auto bad = A({"ask", "?!"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no words"), std::string::npos) << bad.err;
  EXPECT_EQ(A({"ask", "asile", "--date", "soon"}).exit_code, 2);
}

// Text records are split into paragraphs, identified by language and searchable; withdrawal
// takes them out of the index; reindex rebuilds it. Texts: the UDHR samples (not testimony).
TEST_F(CliTest, SearchFindsTextRecordsAndForgetsWithdrawnOnes) {
  std::string fr = Write(tmp_, "udhr-fra.txt",
                         "Article premier\n      Tous les êtres humains naissent libres et égaux "
                         "en dignité et en droits.\n");
  std::string he =
      Write(tmp_, "udhr-heb.txt", "הואיל והזלזול בזכויות האדם וביזוין הבשילו מעשים פראיים\n");
  auto add = A({"add", "--json", "--wait", "--lang", "fr", fr, he});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  Json recs = Json::parse(add.out)["records"];
  std::string fr_id = recs[0]["id"], he_id = recs[1]["id"];
  auto r = A({"search", "--json", "dignite"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["records"].size(), 1u);
  EXPECT_EQ(j["records"][0]["record"], fr_id);
  EXPECT_EQ(j["records"][0]["segments"][0]["lang"], "fr");
  // Character offsets of the hit in the record's text: "dignité" starts at code point 73.
  EXPECT_EQ(j["records"][0]["segments"][0]["chars"][0][0], 73);
  // The Hebrew paragraph was identified as Hebrew although the command said fr.
  Json hj = Json::parse(A({"search", "--json", "אדם"}).out);
  ASSERT_EQ(hj["records"].size(), 1u);
  EXPECT_EQ(hj["records"][0]["segments"][0]["lang"], "he");
  EXPECT_EQ(A({"search", "colour:red"}).exit_code, 2);
  ASSERT_EQ(A({"withdraw", fr_id, "--reason", "asked"}).exit_code, 0);
  EXPECT_TRUE(Json::parse(A({"search", "--json", "dignite"}).out)["records"].empty());
  ASSERT_EQ(A({"reindex"}).exit_code, 0);
  EXPECT_TRUE(Json::parse(A({"search", "--json", "dignite"}).out)["records"].empty());
  EXPECT_EQ(Json::parse(A({"search", "--json", "אדם"}).out)["records"].size(), 1u);
  EXPECT_EQ(A({"verify"}).exit_code, 0);
}

// Sample sentences (samples/names; not testimony).
TEST_F(CliTest, NamesPlacesDatesAndPagesFromTheCommandLine) {
  std::string he = Write(tmp_, "he.txt", "משפט לדוגמה: האוטובוס מכפר עזה הגיע בערב.\n");
  std::string en = Write(tmp_, "en.txt", "Sample sentence: the market opens early.\n");
  ASSERT_EQ(A({"add", "--wait", "--lang", "he", he}).exit_code, 0);
  ASSERT_EQ(
      A({"add", "--wait", "--lang", "en", "--place", "Jenin", "--date", "2024-05", en}).exit_code,
      0);
  EXPECT_EQ(A({"names", "add", "Kfar Aza"}).exit_code, 0);
  EXPECT_EQ(A({"names", "add", "X", "--kind", "river"}).exit_code, 2);
  auto listed = A({"names", "list"});
  EXPECT_EQ(listed.out, "place\tKfar Aza\n");
  auto r = A({"search", "Kfar Aza"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[מכפר] [עזה]"), std::string::npos) << r.out;
  Json j = Json::parse(A({"search", "--json", "market place:ג'נין date:2024"}).out);
  ASSERT_EQ(j["records"].size(), 1u);
  EXPECT_EQ(j["facets"]["place"]["Jenin"], 1);
  EXPECT_EQ(j["facets"]["month"]["2024-05"], 1);
  EXPECT_EQ(A({"add", "--date", "May 2024", en}).exit_code, 2);
  EXPECT_EQ(A({"search", "--cursor", "nonsense", "market"}).exit_code, 2);
  EXPECT_EQ(A({"names", "remove", "Kfar Aza"}).exit_code, 0);
  EXPECT_EQ(A({"names", "remove", "Kfar Aza"}).exit_code, 1);
}

TEST_F(CliTest, DemoBuildsAVerifiedSampleArchive) {
  auto r = RunAttest({"demo", "--dir", tmp_ + "/demo", "--no-serve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not testimony"), std::string::npos);
  EXPECT_NE(r.out.find("intact"), std::string::npos);
  auto list = RunAttest({"--archive", tmp_ + "/demo", "list", "--json"});
  // The Declaration in four languages, and articles 1 and 3 read by espeak-ng in each.
  Json records = Json::parse(list.out)["records"];
  ASSERT_EQ(records.size(), 12u);
  int texts = 0, voices = 0;
  for (const auto& rec : records) {
    std::string w = rec["witness"];
    texts += w.rfind("sample-text-", 0) == 0;
    voices += w.rfind("sample-voice-", 0) == 0;
    EXPECT_EQ(rec["consent"], "public");
  }
  EXPECT_EQ(texts, 4);
  EXPECT_EQ(voices, 8);
  EXPECT_NE(r.out.find("not transcribed"), std::string::npos);  // says how to transcribe them
}

TEST_F(CliTest, AnotherUserOfTheMachineCanReadNothingOfTheArchive) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  constexpr int kNobody = 65534;
  auto added = A({"add", Write(tmp_, "p.txt", "Sample text, not testimony."), "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string sha = Json::parse(added.out)["records"][0]["sha256"];
  struct stat st;
  ASSERT_EQ(stat(archive_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "the archive directory is open to others";
  for (const char* f : {"attest.db", "keys/log.key"}) {
    ASSERT_EQ(stat((archive_ + "/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 077, 0u) << f << " is open to others";
  }
  // The other user can run attest, but reads nothing: not the key, the database, a file or
  // the index, not even through attest.
  ASSERT_EQ(RunAttest({"--help"}, kNobody).exit_code, 0) << "attest cannot run as nobody";
  for (const std::string& f : std::vector<std::string>{
           "attest.db", "keys/log.key", "keys/log.vkey",
           "blobs/sha256/" + sha.substr(0, 2) + "/" + sha.substr(2, 2) + "/" + sha}) {
    ASSERT_TRUE(ReadableBy(0, archive_ + "/" + f)) << f << " is not there";
    EXPECT_FALSE(ReadableBy(kNobody, archive_ + "/" + f)) << f << " is readable by nobody";
  }
  auto listed = RunAttest({"--archive", archive_, "list"}, kNobody);
  EXPECT_NE(listed.exit_code, 0);
  EXPECT_EQ(listed.out.find("p.txt"), std::string::npos);
  EXPECT_NE(listed.err.find("ermission denied"), std::string::npos) << listed.err;
  // An archive opened up by hand is made private again when its owner next uses it.
  ASSERT_EQ(chmod(archive_.c_str(), 0755), 0);
  ASSERT_EQ(A({"list"}).exit_code, 0);
  ASSERT_EQ(stat(archive_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

// Text from outside is cleaned of terminal controls on its way in, and whatever the archive
// holds (an archive written before that cleaning, say) is printed with its controls escaped.
TEST_F(CliTest, StoredTextNeverReachesTheTerminalWithItsEscapeSequences) {
  const std::string esc_name = tmp_ + "/report\x1b]0;owned\x07\x1b[2J.txt";
  FILE* f = fopen(esc_name.c_str(), "w");
  ASSERT_TRUE(f);
  fputs("A sample text (not testimony) with a hostile name.\n", f);
  fclose(f);
  auto added = A({"add", "--consent", "public", "--meta",
                  "{\"title\":\"\\u001b[31mTitle\\u202e\\u05e9\\u05dc\\u05d5\\u05dd\"}", esc_name});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.out.find('\x1b'), std::string::npos) << added.out;
  EXPECT_NE(added.out.find("report\\x1b]0;owned\\x07\\x1b[2J.txt"), std::string::npos);
  std::string id = added.out.substr(0, added.out.find('\t'));
  ASSERT_EQ(A({"consent", id, "research", "--reason", "asked \x1b[8mhidden\x1b[0m"}).exit_code, 0);

  auto shown = A({"show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  for (const auto& r : {shown, A({"show", "--json", id}), A({"list"}), A({"list", "--json"})}) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\u202e"), std::string::npos) << r.out;
  }
  EXPECT_NE(shown.out.find("asked [8mhidden[0m"), std::string::npos) << shown.out;
  {
    // Stored clean: the file name and the title keep their letters (Hebrew too), not the
    // controls.
    auto store = meta::OpenSqliteStore(archive_ + "/attest.db", false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto rec = (*store)->GetRecord(id);
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    Json priv = Json::parse(rec->versions[0].private_json);
    EXPECT_EQ(priv["file_name"], "report]0;owned[2J.txt");
    EXPECT_EQ(priv["meta"]["title"], "[31mTitle\u05e9\u05dc\u05d5\u05dd");

    // A witness's request as an older archive may hold it: raw, escapes and all.
    ASSERT_TRUE((*store)
                    ->AddWitnessRequest({0, "w-1", id, "withdraw", "",
                                         "please\x1b]52;c;cm0gLXJmIH4=\x07 \xc2\x9b"
                                         "2J\u202e",
                                         "wlink", "2026-01-01T00:00:00Z"})
                    .ok());
  }
  auto requests = A({"requests"});
  ASSERT_EQ(requests.exit_code, 0) << requests.err;
  EXPECT_EQ(requests.out.find('\x1b'), std::string::npos) << requests.out;
  EXPECT_EQ(requests.out.find("\xc2\x9b"), std::string::npos) << requests.out;
  EXPECT_NE(requests.out.find("please\\x1b]52;c;cm0gLXJmIH4=\\x07 \\u009b2J\\u202e"),
            std::string::npos)
      << requests.out;
  auto as_json = A({"requests", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  EXPECT_EQ(as_json.out.find('\x1b'), std::string::npos) << as_json.out;
  EXPECT_EQ(as_json.out.find("\xc2\x9b"), std::string::npos) << as_json.out;
  EXPECT_EQ(Json::parse(as_json.out)["requests"][0]["message"],
            "please\x1b]52;c;cm0gLXJmIH4=\x07 \xc2\x9b"
            "2J\u202e");  // the same value
}

}  // namespace
}  // namespace attest::testing
