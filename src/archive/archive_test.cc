#include "archive/archive.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "archive/manifest.h"
#include "archive/testing.h"
#include "core/fault_env.h"
#include "core/hash.h"
#include "core/temp_dir.h"

namespace attest::archive {
namespace {

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = temp_dir_.path();
    dir_ = tmp_ + "/archive";
    ASSERT_TRUE(Archive::Init(Env::Default(), dir_, "example.org/test").ok());
    auto a = Archive::Open(Env::Default(), dir_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    archive_ = std::move(*a);
  }
  Result<search::Results> Search(const std::string& q,
                                 search::Role role = search::Role::kArchivist) {
    search::SearchRequest req;
    req.query = q;
    req.role = role;
    return archive_->finder().Search(req);
  }
  // Adds what the extract job would make of a text record (one English segment), indexed.
  void AddText(const std::string& id, const std::string& text) {
    DerivedText d;
    d.derivation = {1, "text", "attest-text", "test"};
    d.text = text;
    d.lang = "en";
    meta::Segment g;
    g.char_start = 0;
    g.char_end = static_cast<int64_t>(text.size());
    g.lang = "en";
    g.text = text;
    d.segments.push_back(g);
    ASSERT_TRUE(archive_->records().AddDerived(id, 1, d).ok());
    ASSERT_TRUE(archive_->indexer().SyncIndex().ok());  // the index job
  }
  void TearDown() override { archive_.reset(); }
  TempDir temp_dir_{"attest-archive"};  // removed when the test ends
  std::string tmp_, dir_;
  std::unique_ptr<Archive> archive_;
};

// A derived version made from what a person read (after_version) lands only while the record's
// newest version is still the one they read, checked in the store's transaction (review 25, 1).
TEST_F(ArchiveTest, ADerivedVersionMadeFromAnOlderReadingIsRefusedAndNothingIsAdded) {
  std::string f = WriteFile(tmp_, "race.txt", "A sample text for the race.");
  AddOptions opts;
  opts.witness = "w-race";
  opts.lang = "en";
  opts.consent = meta::Consent::kPublic;
  auto added = archive_->records().Add({f}, opts);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  const std::string id = added->at(0).id;
  AddText(id, "A sample text for the race.");  // version 2, after version 1 was read
  DerivedText d;
  d.derivation = {1, "text", "human", "test"};  // another derivation than AddText's
  d.text = "A sample text, corrected.";
  d.lang = "en";
  d.after_version = 1;
  auto late = archive_->records().AddDerived(id, 1, d);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Code::kConflict);
  EXPECT_EQ(late.status().message(), kChangedMeanwhile);
  EXPECT_EQ(archive_->records().Get(id)->versions.size(), 2u);
  d.after_version = 2;
  auto v = archive_->records().AddDerived(id, 1, d);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->version, 3);
}

TEST_F(ArchiveTest, InitCreatesLayoutWithPrivateKey) {
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/keys/log.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(Env::Default()->FileExists(dir_ + "/log/checkpoint"));
  EXPECT_TRUE(Env::Default()->FileExists(dir_ + "/attest.db"));
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, 0u);
  EXPECT_EQ(archive_->verifier().VerifierKey().substr(0, 17), "example.org/test+");
}

TEST_F(ArchiveTest, SecondInitIsRefusedAndChangesNothing) {
  std::string before = *Env::Default()->ReadFile(dir_ + "/keys/log.key");
  Status st = Archive::Init(Env::Default(), dir_, "example.org/test");
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_NE(st.message().find(dir_), std::string::npos);
  EXPECT_EQ(*Env::Default()->ReadFile(dir_ + "/keys/log.key"), before);
  EXPECT_EQ(Archive::Init(Env::Default(), tmp_ + "/x", "bad origin").code(),
            Code::kInvalidArgument);
}

TEST_F(ArchiveTest, AddShowVerifyProve) {
  std::string f1 = WriteFile(tmp_, "one.txt", "Sample text, not testimony: one.");
  std::string f2 = WriteFile(tmp_, "two.txt", "Sample text, not testimony: two.");
  AddOptions opts;
  opts.witness = "w1";
  opts.lang = "en";
  opts.consent = meta::Consent::kPublic;
  opts.meta = {{"title", "sample"}};
  auto added = archive_->records().Add({f1, f2}, opts);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(added->size(), 2u);
  EXPECT_EQ((*added)[0].file, f1);
  EXPECT_EQ((*added)[0].sha256, ToHex(Sha256("Sample text, not testimony: one.")));
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, 2u);
  auto rec = archive_->records().Get((*added)[1].id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->witness_id, "w1");

  // A new version of the first record.
  opts.record_id = (*added)[0].id;
  std::string f3 = WriteFile(tmp_, "one-v2.txt", "Sample text, corrected.");
  auto v2 = archive_->records().Add({f3}, opts);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ((*v2)[0].version, 2);

  auto report = archive_->verifier().Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->ToJson().dump();
  EXPECT_EQ(report->versions, 3u);
  EXPECT_EQ(report->records, 2u);

  auto proof = archive_->verifier().Prove((*added)[0].id, 1);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  std::string json = proof->ToJson().dump();
  auto check = VerifyProof(Env::Default(), json, archive_->verifier().VerifierKey(), f1);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->record, (*added)[0].id);
  EXPECT_TRUE(check->file_checked);
  // The wrong file for that version is rejected.
  EXPECT_EQ(
      VerifyProof(Env::Default(), json, archive_->verifier().VerifierKey(), f3).status().code(),
      Code::kCorruption);
  EXPECT_FALSE(archive_->verifier().Prove((*added)[0].id, 7).ok());

  auto cons = archive_->verifier().ProveConsistency(1, std::nullopt);
  ASSERT_TRUE(cons.ok());
  EXPECT_EQ(cons->new_size, 3u);
  EXPECT_FALSE(archive_->verifier().ProveConsistency(4, std::nullopt).ok());
}

TEST_F(ArchiveTest, TamperedProofsAreRejected) {
  std::string f = WriteFile(tmp_, "a.txt", "sample a");
  auto added = *archive_->records().Add({f, WriteFile(tmp_, "b.txt", "sample b")}, AddOptions());
  Json proof = archive_->verifier().Prove(added[0].id, std::nullopt)->ToJson();
  std::string vkey = archive_->verifier().VerifierKey();
  ASSERT_TRUE(VerifyProof(Env::Default(), proof.dump(), vkey, std::nullopt).ok());

  Json p = proof;
  p["leaf_index"] = 1;
  EXPECT_FALSE(VerifyProof(Env::Default(), p.dump(), vkey, std::nullopt).ok());
  p = proof;
  p["inclusion_proof"] = Json::array();
  EXPECT_FALSE(VerifyProof(Env::Default(), p.dump(), vkey, std::nullopt).ok());
  p = proof;
  std::string leaf = *Base64Decode(p["leaf"].get<std::string>());
  leaf[10] ^= 1;
  p["leaf"] = Base64Encode(leaf);
  EXPECT_FALSE(VerifyProof(Env::Default(), p.dump(), vkey, std::nullopt).ok());
  p = proof;
  std::string cp = p["checkpoint"];
  cp[cp.find('\n') + 1] = '9';  // a different size, signature kept
  p["checkpoint"] = cp;
  EXPECT_FALSE(VerifyProof(Env::Default(), p.dump(), vkey, std::nullopt).ok());
  p = proof;
  p["manifest"] = Base64Encode(std::string("{}"));
  EXPECT_EQ(VerifyProof(Env::Default(), p.dump(), vkey, std::nullopt).status().code(),
            Code::kCorruption);
  auto other = *tlog::Signer::Generate("example.org/test", Env::Default());
  EXPECT_FALSE(
      VerifyProof(Env::Default(), proof.dump(), other.verifier().Vkey(), std::nullopt).ok());
  EXPECT_EQ(VerifyProof(Env::Default(), "{not json", vkey, std::nullopt).status().code(),
            Code::kInvalidArgument);
}

TEST_F(ArchiveTest, BadInputsAreNamedAndNothingIsStored) {
  std::string good = WriteFile(tmp_, "good.txt", "sample");
  std::string unreadable = WriteFile(tmp_, "secret.txt", "x");
  ::chmod(unreadable.c_str(), 0);
  std::string bad_name = WriteFile(tmp_, "caf\xE9.txt", "latin-1 name");
  struct Case {
    std::string path;
    Code code;
    std::string mention;
  };
  std::vector<Case> cases = {{tmp_ + "/missing.txt", Code::kNotFound, "missing.txt"},
                             {tmp_, Code::kInvalidArgument, "directory"},
                             {bad_name, Code::kInvalidArgument, "caf\\xE9.txt"}};
  if (::geteuid() != 0) cases.push_back({unreadable, Code::kPermissionDenied, "secret.txt"});
  for (const auto& c : cases) {
    auto r = archive_->records().Add({good, c.path}, AddOptions());
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.mention), std::string::npos) << r.status().ToString();
  }
  AddOptions opts;
  opts.lang = "english";
  EXPECT_EQ(archive_->records().Add({good}, opts).status().code(), Code::kInvalidArgument);
  opts = AddOptions();
  opts.witness = "../../etc";
  EXPECT_EQ(archive_->records().Add({good}, opts).status().code(), Code::kInvalidArgument);
  opts = AddOptions();
  opts.meta = Json::array();
  EXPECT_EQ(archive_->records().Add({good}, opts).status().code(), Code::kInvalidArgument);
  opts = AddOptions();
  opts.record_id = "rnosuchrecord";
  EXPECT_TRUE(archive_->records().Add({good}, opts).status().IsNotFound());
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, 0u);
  EXPECT_TRUE(archive_->records().List()->empty());
  EXPECT_TRUE(archive_->verifier().Verify()->ok);
}

TEST_F(ArchiveTest, OpenNamesWhatIsWrong) {
  auto r = Archive::Open(Env::Default(), tmp_ + "/nowhere");
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find("attest init"), std::string::npos);
  // A damaged database.
  std::string db = dir_ + "/attest.db";
  archive_.reset();
  Env::Default()->RemoveFile(db + "-wal").ok();
  Env::Default()->RemoveFile(db + "-shm").ok();
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(db, std::string(4096, 'X')).ok());
  auto d = Archive::Open(Env::Default(), dir_);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kCorruption);
  EXPECT_NE(d.status().message().find("attest.db"), std::string::npos);
}

TEST_F(ArchiveTest, VerifyNamesDamagedAndMissingBlobsAndTiles) {
  auto added = *archive_->records().Add(
      {WriteFile(tmp_, "a.txt", "sample a"), WriteFile(tmp_, "b.txt", "sample b"),
       WriteFile(tmp_, "c.txt", "sample c")},
      AddOptions());
  auto* fs = static_cast<blob::FsBlobStore*>(BlobsForTesting(archive_.get()));
  std::string pa = fs->PathFor(added[0].sha256);
  ::chmod(pa.c_str(), 0644);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(pa, "tampered").ok());
  ASSERT_TRUE(Env::Default()->RemoveFile(fs->PathFor(added[1].sha256)).ok());
  auto rep = *archive_->verifier().Verify();
  EXPECT_FALSE(rep.ok);
  std::string text = rep.ToJson().dump();
  EXPECT_NE(text.find(added[0].id), std::string::npos);
  EXPECT_NE(text.find("damaged"), std::string::npos);
  EXPECT_NE(text.find(added[1].id), std::string::npos);
  EXPECT_NE(text.find("missing"), std::string::npos);
  EXPECT_EQ(text.find(added[2].id), std::string::npos);  // the intact one is not named

  // A tampered tile.
  std::string tile = dir_ + "/log/tile/0/000.p/3";
  std::string t = *Env::Default()->ReadFile(tile);
  t[5] ^= 1;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(tile, t).ok());
  rep = *archive_->verifier().Verify();
  EXPECT_NE(rep.ToJson().dump().find("tile/0/000"), std::string::npos);
}

TEST_F(ArchiveTest, AddToADamagedLogIsRefusedBeforeAnythingIsRecorded) {
  ASSERT_TRUE(archive_->records().Add({WriteFile(tmp_, "a.txt", "sample a")}, AddOptions()).ok());
  std::string tile = dir_ + "/log/tile/0/000.p/1";
  std::string t = *Env::Default()->ReadFile(tile);
  t[0] ^= 1;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(tile, t).ok());
  auto r = archive_->records().Add({WriteFile(tmp_, "b.txt", "sample b")}, AddOptions());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_EQ(archive_->records().List()->size(), 1u);
  EXPECT_EQ(*StoreForTesting(archive_.get())->LeafCount(), 1u);
  auto rep = *archive_->verifier().Verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_NE(rep.ToJson().dump().find("tile/0/000"), std::string::npos);
}

TEST_F(ArchiveTest, VerifyDetectsAlteredMetadataAndManifests) {
  auto added = *archive_->records().Add(
      {WriteFile(tmp_, "a.txt", "sample a"), WriteFile(tmp_, "b.txt", "sample b")}, AddOptions());
  sqlite3* db;
  ASSERT_EQ(sqlite3_open((dir_ + "/attest.db").c_str(), &db), SQLITE_OK);
  std::string sql =
      "UPDATE versions SET private_json = '{\"file_name\":\"forged.txt\",\"meta\":{}}'"
      " WHERE record_id = '" +
      added[0].id +
      "';"
      "UPDATE versions SET manifest = CAST('{}' AS BLOB) WHERE record_id = '" +
      added[1].id + "';";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto rep = *archive_->verifier().Verify();
  EXPECT_FALSE(rep.ok);
  bool metadata = false, manifest = false;
  for (const auto& p : rep.problems) {
    if (p.kind == "metadata" && p.record == added[0].id) metadata = true;
    if (p.kind == "manifest" && p.record == added[1].id) manifest = true;
  }
  EXPECT_TRUE(metadata) << rep.ToJson().dump();
  EXPECT_TRUE(manifest) << rep.ToJson().dump();
}

TEST_F(ArchiveTest, WithdrawErasesContentKeepsCommitmentAndVerifies) {
  std::string f = WriteFile(tmp_, "w.txt", "sample to withdraw");
  auto added =
      *archive_->records().Add({f, WriteFile(tmp_, "k.txt", "sample to keep")}, AddOptions());
  EXPECT_EQ(archive_->consent().Withdraw(added[0].id, "").status().code(), Code::kInvalidArgument);
  auto w = archive_->consent().Withdraw(added[0].id, "the witness asked");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, 3u);
  EXPECT_TRUE(BlobsForTesting(archive_.get())->Stat(added[0].sha256).status().IsNotFound());
  auto rec = *archive_->records().Get(added[0].id);
  EXPECT_TRUE(rec.versions[0].private_json.empty());
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
  EXPECT_EQ(rep.withdrawn, std::vector<std::string>{added[0].id});
  // The commitment can still be proven.
  auto proof = archive_->verifier().Prove(added[0].id, std::nullopt);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyProof(Env::Default(), proof->ToJson().dump(),
                          archive_->verifier().VerifierKey(), std::nullopt)
                  .ok());
  // Withdrawing again logs nothing more.
  ASSERT_TRUE(archive_->consent().Withdraw(added[0].id, "again").ok());
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, 3u);
  EXPECT_TRUE(archive_->consent().Withdraw("rnosuch", "x").status().IsNotFound());
}

// Every file under `dir` that holds `needle` in its raw bytes.
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  std::string cmd = "grep -rlaF -- '" + needle + "' '" + dir + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {"(grep could not run)"};
  char line[4096];
  while (fgets(line, sizeof line, p)) {
    std::string f(line);
    if (!f.empty() && f.back() == '\n') f.pop_back();
    out.push_back(f);
  }
  pclose(p);
  return out;
}

TEST_F(ArchiveTest, AWithdrawalLeavesTheWordsInNoFileOfTheArchive) {
  // A made-up word in the file, its metadata, its place and its indexed text; a second record
  // stays.
  const std::string canary = "zqxwithdrawncanary";
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "Sample paragraph " + std::to_string(i) + " (not testimony) with " + canary + ".\n\n";
  }
  AddOptions opts;
  opts.consent = meta::Consent::kRestricted;
  opts.meta = Json{{"title", "sample " + canary}};
  opts.places = {"Kfar " + canary};  // a place the witness asked to be hidden with the rest
  auto added = *archive_->records().Add({WriteFile(tmp_, "w.txt", text)}, opts);
  ASSERT_NO_FATAL_FAILURE(AddText(added[0].id, text));
  auto kept =
      *archive_->records().Add({WriteFile(tmp_, "k.txt", "Another sample record.")}, AddOptions());
  ASSERT_NO_FATAL_FAILURE(AddText(kept[0].id, "Another sample record."));
  // A second handle, as a server keeps, that has searched: its reader and its connection stay
  // open across the withdrawal.
  auto server = *Archive::Open(Env::Default(), dir_);
  search::SearchRequest req;
  req.query = canary;
  req.role = search::Role::kArchivist;
  ASSERT_EQ(server->finder().Search(req)->total_estimate, 1u);
  EXPECT_FALSE(FilesHolding(dir_, canary).empty()) << "the test looks for the wrong bytes";

  ASSERT_TRUE(archive_->consent().Withdraw(added[0].id, "the witness asked").ok());
  EXPECT_EQ(FilesHolding(dir_, canary), std::vector<std::string>{});
  EXPECT_EQ(server->finder().Search(req)->total_estimate, 0u);
  req.query = "another";
  EXPECT_EQ(server->finder().Search(req)->total_estimate, 1u);  // the rest is still found
  EXPECT_EQ(FilesHolding(dir_, canary), std::vector<std::string>{});
}

// Every file under `dir` whose bytes hold `needle` (any bytes, unlike FilesHolding's grep).
std::vector<std::string> FilesHoldingBytes(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto bytes = Env::Default()->ReadFile(e.path().string());
    if (bytes.ok() && bytes->find(needle) != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

TEST_F(ArchiveTest, RestrictedFilesAreEncryptedAndAWithdrawalLeavesNoKeyForAnyCopy) {
  const std::string canary = "zqxshreddedcanary";
  const std::string text = "A sample restricted file (not testimony) with " + canary + ".";
  auto restricted = *archive_->records().Add({WriteFile(tmp_, "r.txt", text)}, AddOptions());
  AddOptions open;
  open.consent = meta::Consent::kPublic;
  const std::string later = "A sample public file, zqxnarrowedlater, to be restricted.";
  auto pub = *archive_->records().Add({WriteFile(tmp_, "p.txt", later)}, open);
  blob::BlobStore* blobs = BlobsForTesting(archive_.get());
  auto* fs = static_cast<blob::FsBlobStore*>(blobs);
  const std::string sha = restricted[0].sha256;
  EXPECT_TRUE(*blobs->IsEncrypted(sha));
  EXPECT_FALSE(*blobs->IsEncrypted(pub[0].sha256));
  std::string stored = *Env::Default()->ReadFile(fs->PathFor(sha));
  EXPECT_EQ(stored.find(canary), std::string::npos);
  std::string read;
  {
    auto f = *blobs->Open(sha);
    char buf[256];
    size_t n = *f->Read(sizeof buf, buf);
    read.assign(buf, n);
  }
  EXPECT_EQ(read, text);

  // Narrowed later: encrypted in place, and still the same bytes to every reader.
  ASSERT_TRUE(archive_->consent()
                  .ChangeConsent(pub[0].id, meta::Consent::kRestricted, "asked", "test")
                  .ok());
  EXPECT_TRUE(*blobs->IsEncrypted(pub[0].sha256));
  EXPECT_EQ(FilesHolding(dir_ + "/blobs", "zqxnarrowedlater"), std::vector<std::string>{});
  EXPECT_TRUE(archive_->verifier().Verify()->ok);

  // A backup taken now holds the file only encrypted; the withdrawal destroys its key, and the
  // key's bytes are then in no file of the archive.
  const std::string key = *Env::Default()->ReadFile(fs->KeyPathFor(sha));
  ASSERT_EQ(FilesHoldingBytes(dir_, key), std::vector<std::string>{fs->KeyPathFor(sha)});
  ASSERT_TRUE(archive_->consent().Withdraw(restricted[0].id, "the witness asked").ok());
  EXPECT_FALSE(Env::Default()->FileExists(fs->KeyPathFor(sha)));
  EXPECT_EQ(FilesHoldingBytes(dir_, key), std::vector<std::string>{});
  EXPECT_EQ(stored.find(canary), std::string::npos);
  EXPECT_TRUE(archive_->verifier().Verify()->ok);
}

TEST_F(ArchiveTest, ARedactedSpanIsNeverMatchedAndLeavesTheIndexFiles) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  const std::string text = "A sample account (not testimony): we reached zqxhiddenvillage at dawn.";
  auto added = *archive_->records().Add({WriteFile(tmp_, "v.txt", text)}, opts);
  const std::string id = added[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(id, text));
  ASSERT_EQ(Search("zqxhiddenvillage")->total_estimate, 1u);
  auto segs = *StoreForTesting(archive_.get())->RecordSegments(id);
  ASSERT_EQ(segs.size(), 1u);
  const int64_t seg = segs[0].segment.id;
  const int64_t at = static_cast<int64_t>(text.find("zqxhiddenvillage"));  // ASCII: bytes = cps

  EXPECT_EQ(archive_->consent()
                .Redact(id, seg, std::make_pair(at, at + 100), std::nullopt, "x", "test")
                .status()
                .code(),
            Code::kInvalidArgument);  // past the end
  EXPECT_TRUE(archive_->consent()
                  .Redact(id, 999999, std::nullopt, std::nullopt, "x", "test")
                  .status()
                  .IsNotFound());
  EXPECT_EQ(
      archive_->consent().Redact(id, seg, std::nullopt, std::nullopt, "", "test").status().code(),
      Code::kInvalidArgument);  // no reason
  auto r = archive_->consent().Redact(id, seg, std::make_pair(at, at + 16), std::nullopt,
                                      "names the village", "cli:test");
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  // No role finds it; the rest of the passage is still found, with the mark in its snippet.
  for (auto role :
       {search::Role::kAnonymous, search::Role::kResearcher, search::Role::kArchivist}) {
    EXPECT_EQ(Search("zqxhiddenvillage", role)->total_estimate, 0u);
    auto dawn = Search("dawn", role);
    ASSERT_EQ(dawn->total_estimate, 1u);
    const std::string snippet = dawn->records[0].hits[0].snippet;
    EXPECT_EQ(snippet.find("zqxhiddenvillage"), std::string::npos) << snippet;
    EXPECT_NE(snippet.find(kRedactionMark), std::string::npos) << snippet;
  }
  EXPECT_EQ(FilesHolding(dir_ + "/index", "zqxhiddenvillage"), std::vector<std::string>{});
  // The archive keeps the words for those who may read them.
  EXPECT_NE((*StoreForTesting(archive_.get())->RecordSegments(id))[0].segment.text.find(
                "zqxhiddenvillage"),
            std::string::npos);
  const auto rows = *StoreForTesting(archive_.get())->ListRedactions(id);
  RedactedText shown = ApplyRedactions(segs[0], PlanRedactions(segs, rows));
  EXPECT_EQ(shown.text, "A sample account (not testimony): we reached " +
                            std::string(kRedactionMark) + " at dawn.");
  ASSERT_EQ(shown.marks.size(), 1u);
  EXPECT_EQ(shown.text.substr(shown.marks[0].first, shown.marks[0].second - shown.marks[0].first),
            kRedactionMark);

  // Another version's text is searched for the hidden words themselves, not their offsets: a
  // revision that adds an opening paragraph still has them hidden where they now are.
  meta::SegmentState opening = segs[0], later = segs[0];
  opening.segment.id = seg + 1000;
  opening.segment.version = 5;
  opening.segment.char_start = 0;
  opening.segment.text = "An opening paragraph added in revision.";
  opening.segment.char_end = 39;
  later.segment.id = seg + 1001;
  later.segment.version = 5;
  later.segment.char_start = 40;
  later.segment.char_end = 40 + segs[0].segment.char_end;
  {
    auto plan = PlanRedactions({segs[0], opening, later}, rows);
    EXPECT_FALSE(plan.Held(5));
    EXPECT_EQ(ApplyRedactions(opening, plan).text, opening.segment.text);
    EXPECT_EQ(ApplyRedactions(later, plan).text, shown.text);
  }
  // A passage's own level follows its words into another version, redactions or none.
  {
    meta::SegmentState kept = segs[0];
    kept.segment.consent = meta::Consent::kRestricted;
    meta::SegmentState moved = later, other = opening;
    moved.effective = other.effective = meta::Consent::kPublic;
    auto plan = PlanRedactions({kept, other, moved}, {});
    EXPECT_EQ(plan.Level(moved), meta::Consent::kRestricted);
    EXPECT_EQ(plan.Level(other), meta::Consent::kPublic);
    EXPECT_FALSE(plan.Held(5));
  }
  // A version the words cannot be found in is held until an archivist confirms it.
  later.segment.text = "A sample account (not testimony): we reached the coast at dawn.";
  EXPECT_TRUE(PlanRedactions({segs[0], opening, later}, rows).Held(5));

  // Reason and words: neither in the audit log.
  auto audit = *StoreForTesting(archive_.get())->ListAudit("", "");
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "redact");
  EXPECT_EQ(audit.back().detail.find("village"), std::string::npos);
  // A rebuilt index applies it too.
  ASSERT_TRUE(archive_->indexer().Reindex().ok());
  EXPECT_EQ(Search("zqxhiddenvillage")->total_estimate, 0u);
  EXPECT_EQ(FilesHolding(dir_ + "/index", "zqxhiddenvillage"), std::vector<std::string>{});
}

// For each role, searching an archive that holds material at every level answers exactly as an
// archive that never held what that role may not read: the same totals, record counts, facets,
// ranking weights and snippets (doc/privacy.md, "Access is decided before ranking").
TEST_F(ArchiveTest, ACallersSearchEqualsThatOfAnArchiveThatNeverHeldWhatTheyMayNotRead) {
  struct Sample {
    meta::Consent consent;
    std::string collection, place, date, text;
  };
  const std::vector<Sample> samples = {
      {meta::Consent::kPublic, "c-a", "Haifa", "1948-05", "the river crossing at dawn, a sample"},
      {meta::Consent::kResearch, "c-b", "Jaffa", "1948-04",
       "the river and the bridge, zqxresearchonly, a sample"},
      {meta::Consent::kRestricted, "c-b", "Haifa", "1948-06",
       "the river again, the river, zqxrestrictedonly, a sample"},
      {meta::Consent::kSealed, "c-c", "Acre", "1948-05", "the river, zqxsealedonly, a sample"},
      {meta::Consent::kPublic, "c-c", "Acre", "1948-07", "a second public sample of the bridge"},
  };
  auto build = [&](const std::string& dir, std::function<bool(meta::Consent)> keep) {
    EXPECT_TRUE(Archive::Init(Env::Default(), dir, "example.org/test").ok());
    auto a = *Archive::Open(Env::Default(), dir);
    int n = 0;
    for (const Sample& x : samples) {
      if (!keep(x.consent)) continue;
      AddOptions o;
      o.consent = x.consent == meta::Consent::kSealed ? meta::Consent::kRestricted : x.consent;
      o.collection = x.collection;
      o.places = {x.place};
      o.date = x.date;
      auto added =
          *a->records().Add({WriteFile(tmp_, "s" + std::to_string(n++) + ".txt", x.text)}, o);
      DerivedText d;
      d.derivation = {1, "text", "attest-text", "test"};
      d.text = x.text;
      d.lang = "en";
      meta::Segment g;
      g.char_start = 0;
      g.char_end = static_cast<int64_t>(x.text.size());
      g.lang = "en";
      g.text = x.text;
      d.segments.push_back(g);
      EXPECT_TRUE(a->records().AddDerived(added[0].id, 1, d).ok());
      if (x.consent == meta::Consent::kSealed) {
        Consents::Seal seal{"2999-01-01", meta::Consent::kPublic};
        EXPECT_TRUE(a->consent()
                        .ChangeConsent(added[0].id, meta::Consent::kSealed, "sample", "test", &seal)
                        .ok());
      }
    }
    EXPECT_TRUE(a->indexer().SyncIndex().ok());
    return a;
  };
  auto full = build(tmp_ + "/full", [](meta::Consent) { return true; });
  struct Case {
    search::Role role;
    std::vector<meta::Consent> readable;
  };
  for (const Case& c :
       {Case{search::Role::kAnonymous, {meta::Consent::kPublic}},
        Case{search::Role::kResearcher, {meta::Consent::kPublic, meta::Consent::kResearch}},
        Case{search::Role::kArchivist,
             {meta::Consent::kPublic, meta::Consent::kResearch, meta::Consent::kRestricted}}}) {
    std::string dir = tmp_ + "/only-" + std::to_string(static_cast<int>(c.role));
    auto only = build(dir, [&](meta::Consent level) {
      return std::find(c.readable.begin(), c.readable.end(), level) != c.readable.end();
    });
    for (const char* q : {"river", "zqx*", "bridge", "sample", "place:Haifa", "date:1948",
                          "collection:c-b", "river -bridge", "\"the river\""}) {
      search::SearchRequest req;
      req.query = q;
      req.role = c.role;
      auto a = full->finder().Search(req), b = only->finder().Search(req);
      ASSERT_TRUE(a.ok() && b.ok()) << q;
      const std::string who = std::string(q) + " as role " + std::to_string(int(c.role));
      EXPECT_EQ(a->total_estimate, b->total_estimate) << who;
      EXPECT_EQ(a->records_estimate, b->records_estimate) << who;
      EXPECT_EQ(a->lang_facets, b->lang_facets) << who;
      EXPECT_EQ(a->collection_facets, b->collection_facets) << who;
      EXPECT_EQ(a->place_facets, b->place_facets) << who;
      EXPECT_EQ(a->month_facets, b->month_facets) << who;
      ASSERT_EQ(a->records.size(), b->records.size()) << who;
      for (size_t i = 0; i < a->records.size(); ++i) {
        ASSERT_EQ(a->records[i].hits.size(), b->records[i].hits.size()) << who;
        for (size_t k = 0; k < a->records[i].hits.size(); ++k) {
          EXPECT_DOUBLE_EQ(a->records[i].hits[k].weight, b->records[i].hits[k].weight) << who;
          EXPECT_EQ(a->records[i].hits[k].snippet, b->records[i].hits[k].snippet) << who;
        }
      }
    }
  }
}

TEST_F(ArchiveTest, ADatabaseBackupHoldsRestrictedWordsOnlySealedAndTheirKeyDiesWithThem) {
  const std::string hidden = "zqxsealedwords", open_word = "zqxopenwords";
  AddOptions restricted;  // the default level
  restricted.meta = Json{{"title", "sample " + hidden}};
  auto r =
      *archive_->records().Add({WriteFile(tmp_, "r.txt", "A sample, " + hidden + ".")}, restricted);
  ASSERT_NO_FATAL_FAILURE(AddText(r[0].id, "A sample, " + hidden + "."));
  AddOptions pub;
  pub.consent = meta::Consent::kPublic;
  auto p =
      *archive_->records().Add({WriteFile(tmp_, "p.txt", "A sample, " + open_word + ".")}, pub);
  ASSERT_NO_FATAL_FAILURE(AddText(p[0].id, "A sample, " + open_word + "."));
  // Narrowed later: sealed then.
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(p[0].id, meta::Consent::kResearch, "x", "test").ok());
  auto p2 = *archive_->records().Add({WriteFile(tmp_, "q.txt", "Another, zqxnarrowedwords.")}, pub);
  ASSERT_NO_FATAL_FAILURE(AddText(p2[0].id, "Another, zqxnarrowedwords."));
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(p2[0].id, meta::Consent::kRestricted, "x", "test").ok());

  // A backup of the database as it is now (write-ahead log folded in).
  ASSERT_TRUE(StoreForTesting(archive_.get())->ScrubDeleted().ok());
  const std::string backup = *Env::Default()->ReadFile(dir_ + "/attest.db");
  EXPECT_NE(backup.find(open_word), std::string::npos) << "the test looks at the wrong bytes";
  EXPECT_EQ(backup.find(hidden), std::string::npos);
  EXPECT_EQ(backup.find("zqxnarrowedwords"), std::string::npos);
  EXPECT_NE(backup.find(std::string(meta::kSealedPrefix)), std::string::npos);
  // Every reader still reads the words.
  EXPECT_EQ((*StoreForTesting(archive_.get())->RecordSegments(r[0].id))[0].segment.text,
            "A sample, " + hidden + ".");
  EXPECT_NE(archive_->records().Get(r[0].id)->versions[0].private_json.find(hidden),
            std::string::npos);
  EXPECT_EQ(Search(hidden)->total_estimate, 1u);
  ASSERT_TRUE(archive_->indexer().Reindex().ok());
  EXPECT_EQ(Search("zqxnarrowedwords")->total_estimate, 1u);
  EXPECT_TRUE(archive_->verifier().Verify()->ok);

  // Withdrawn: the key is gone, and what the backup holds opens with no key in the archive.
  const std::string key_path = RecordKeysForTesting(archive_.get())->PathFor(r[0].id);
  ASSERT_TRUE(Env::Default()->FileExists(key_path));
  ASSERT_TRUE(archive_->consent().Withdraw(r[0].id, "the witness asked").ok());
  EXPECT_FALSE(Env::Default()->FileExists(key_path));
  size_t at = backup.find(std::string(meta::kSealedPrefix));
  RecordKeys fresh(Env::Default(), dir_ + "/keys/records");
  bool opened_any = false;
  while (at != std::string::npos) {
    size_t end = at + meta::kSealedPrefix.size();
    while (end < backup.size() &&
           (isalnum(static_cast<unsigned char>(backup[end])) || backup[end] == '+' ||
            backup[end] == '/' || backup[end] == '=')) {
      ++end;
    }
    auto opened = fresh.Open(r[0].id, backup.substr(at, end - at));
    if (opened.ok()) opened_any = true;
    at = backup.find(std::string(meta::kSealedPrefix), end);
  }
  EXPECT_FALSE(opened_any);
}

TEST_F(ArchiveTest, OnePassageCanBeKeptFromThePublicInsideAPublicRecord) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  const std::string first = "First sample passage, zqopenpassage.";
  const std::string second = "Second sample passage, zqclosedpassage.";
  const std::string text = first + "\n\n" + second;
  auto added = *archive_->records().Add({WriteFile(tmp_, "p.txt", text)}, opts);
  const std::string id = added[0].id;
  DerivedText d;
  d.derivation = {1, "text", "attest-text", "test"};
  d.text = text;
  d.lang = "en";
  for (const auto& [start, passage] :
       {std::pair<int64_t, std::string>{0, first}, {first.size() + 2, second}}) {
    meta::Segment g;
    g.char_start = start;
    g.char_end = start + static_cast<int64_t>(passage.size());
    g.lang = "en";
    g.text = passage;
    d.segments.push_back(g);
  }
  ASSERT_TRUE(archive_->records().AddDerived(id, 1, d).ok());
  ASSERT_TRUE(archive_->indexer().SyncIndex().ok());
  auto count = [&](const std::string& q, search::Role role) {
    auto r = Search(q, role);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->total_estimate : 99;
  };
  EXPECT_EQ(count("zqclosedpassage", search::Role::kAnonymous), 1u);
  auto segments = *StoreForTesting(archive_.get())->RecordSegments(id);
  ASSERT_EQ(segments.size(), 2u);
  const int64_t closed = segments[1].segment.id;

  EXPECT_EQ(archive_->consent()
                .ChangeConsent(id, meta::Consent::kSealed, "asked", "cli:test", nullptr, closed)
                .status()
                .code(),
            Code::kInvalidArgument);  // a seal is for a whole record
  EXPECT_TRUE(archive_->consent()
                  .ChangeConsent(id, meta::Consent::kRestricted, "asked", "cli:test", nullptr,
                                 closed + 1000)
                  .status()
                  .IsNotFound());
  auto c = archive_->consent().ChangeConsent(id, meta::Consent::kRestricted, "asked", "cli:test",
                                             nullptr, closed);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->from, meta::Consent::kPublic);
  EXPECT_EQ((*c)->segment_id, closed);
  // Again: nothing to change.
  EXPECT_FALSE(
      archive_->consent()
          .ChangeConsent(id, meta::Consent::kRestricted, "asked", "cli:test", nullptr, closed)
          ->has_value());

  // The record stays public; the passage is for archivists only, in search and in the store.
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kPublic);
  EXPECT_EQ(count("zqopenpassage", search::Role::kAnonymous), 1u);
  EXPECT_EQ(count("zqclosedpassage", search::Role::kAnonymous), 0u);
  EXPECT_EQ(count("zqclosedpassage", search::Role::kResearcher), 0u);
  EXPECT_EQ(count("zqclosedpassage", search::Role::kArchivist), 1u);
  EXPECT_EQ(count("passage", search::Role::kAnonymous), 1u);  // the open one only
  EXPECT_EQ((*StoreForTesting(archive_.get())->RecordSegments(id))[1].effective,
            meta::Consent::kRestricted);
  // A later change of the record's level does not open the passage: the stricter wins.
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kResearch, "asked", "cli:test").ok());
  EXPECT_EQ(count("zqclosedpassage", search::Role::kResearcher), 0u);
  EXPECT_EQ(count("zqopenpassage", search::Role::kResearcher), 1u);
  // The log states the passage's change; the history and the audit log keep it.
  auto history = *archive_->consent().ConsentHistory(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].segment_id, closed);
  EXPECT_EQ(history[1].segment_id, 0);
  auto leaf = ParseLeaf((*StoreForTesting(archive_.get())->Leaves(history[0].leaf_index, 1))[0]);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_EQ(leaf->segment_commitment, CommitSegment(archive_->records().Get(id)->salt, closed));
  EXPECT_EQ(leaf->consent, "restricted");
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
  // The text made again (a new version of the same passages): the passage stays closed.
  d.derivation = {1, "text", "attest-text", "test-2"};
  ASSERT_TRUE(archive_->records().AddDerived(id, 1, d).ok());
  ASSERT_TRUE(archive_->indexer().SyncIndex().ok());
  EXPECT_EQ(count("zqclosedpassage", search::Role::kAnonymous), 0u);
  EXPECT_EQ(count("zqclosedpassage", search::Role::kResearcher), 0u);
  EXPECT_GE(count("zqclosedpassage", search::Role::kArchivist), 1u);
  EXPECT_GE(count("zqopenpassage", search::Role::kResearcher), 1u);
}

// A passage with its own level whose words a later version corrects: that version takes the
// level where it overlaps the passage (so nothing opens), and is held from those who may not
// read the passage until an archivist confirms it; the version the level was set in is not
// held by the level its correction inherited (finding 4 of the OCR editor's review).
TEST_F(ArchiveTest, APassageCorrectedInALaterVersionHoldsOnlyThatVersionUntilConfirmed) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  const std::string first = "First sample passage, zqopenpassage.";
  const std::string second = "Second sample passage about the boats.";
  auto added = *archive_->records().Add({WriteFile(tmp_, "p.txt", first + "\n\n" + second)}, opts);
  const std::string id = added[0].id;
  auto derive = [&](const std::string& tool_version, const std::string& two) {
    DerivedText d;
    d.derivation = {1, "text", "attest-text", tool_version};
    d.text = first + "\n\n" + two;
    d.lang = "en";
    for (const auto& [start, passage] :
         {std::pair<int64_t, std::string>{0, first}, {first.size() + 2, two}}) {
      meta::Segment g;
      g.char_start = start;
      g.char_end = start + static_cast<int64_t>(passage.size());
      g.lang = "en";
      g.text = passage;
      d.segments.push_back(g);
    }
    auto v = archive_->records().AddDerived(id, 1, d);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->version : 0;
  };
  const int v2 = derive("one", second);
  auto segments = *StoreForTesting(archive_.get())->RecordSegments(id);
  ASSERT_EQ(segments.size(), 2u);
  const int64_t closed = segments[1].segment.id;
  ASSERT_TRUE(archive_->consent()
                  .ChangeConsent(id, meta::Consent::kRestricted, "asked", "cli:test", nullptr,
                                 closed)
                  .ok());
  // A person corrects a word of the passage.
  const int v3 = derive("two", "Second sample passage about the boots.");
  segments = *StoreForTesting(archive_.get())->RecordSegments(id);
  ASSERT_EQ(segments.size(), 4u);
  EXPECT_EQ(segments[3].effective, meta::Consent::kRestricted) << "the level carries over";
  auto plan = *archive_->consent().PlanOf(id);
  EXPECT_FALSE(plan.Held(v2)) << "the passage's own version stays readable";
  ASSERT_TRUE(plan.Held(v3));
  EXPECT_EQ(plan.held[v3], std::vector<int64_t>{-closed});
  // An archivist confirms it: the hold is lifted, and nothing is redacted by the confirmation.
  auto confirmed = archive_->consent().ConfirmRedactions(id, v3, "checked", "cli:test");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  plan = *archive_->consent().PlanOf(id);
  EXPECT_FALSE(plan.Held(v3));
  EXPECT_TRUE(plan.hide.empty()) << "a confirmation hides nothing";
  auto rows = *archive_->consent().ListRedactions(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].confirms, -closed);
  EXPECT_EQ(rows[0].confirms_version, v3);
}

TEST_F(ArchiveTest, TheAuditLogIsChainedAndAnAlteredEntryIsNamed) {
  auto added = *archive_->records().Add({WriteFile(tmp_, "a.txt", "Sample text for the audit.")},
                                        AddOptions());
  const std::string id = added[0].id;
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kResearch, "asked", "cli:alice").ok());
  ASSERT_TRUE(StoreForTesting(archive_.get())
                  ->Audit({0, "2026-11-26T10:00:00Z", "token:tabc", "view", id,
                           R"({"what":"record"})", "", ""})
                  .ok());
  ASSERT_TRUE(archive_->consent().Withdraw(id, "the witness asked", "cli:bob").ok());
  auto entries = *StoreForTesting(archive_.get())->ListAudit("", "");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].actor, "cli:alice");
  EXPECT_EQ(entries[0].action, "consent");
  EXPECT_EQ(entries[0].detail, R"({"from":"restricted","to":"research"})");
  EXPECT_EQ(entries[0].prev_hash, meta::kAuditGenesis);
  EXPECT_EQ(entries[1].prev_hash, entries[0].hash);
  EXPECT_EQ(entries[2].action, "withdraw");
  EXPECT_EQ(entries[2].actor, "cli:bob");
  EXPECT_EQ(entries[2].prev_hash, entries[1].hash);
  EXPECT_EQ(StoreForTesting(archive_.get())->ListAudit("", "token:tabc")->size(), 1u);
  EXPECT_EQ(StoreForTesting(archive_.get())->ListAudit("2999", "")->size(), 0u);
  EXPECT_TRUE(archive_->verifier().Verify()->ok);

  auto sql = [&](const std::string& stmt) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/attest.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, stmt.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << stmt;
    sqlite3_close(db);
  };
  auto audit_problem = [&]() -> std::string {
    auto report = archive_->verifier().Verify();
    if (!report.ok()) return report.status().ToString();
    for (const auto& p : report->problems) {
      if (p.kind == "audit") return p.detail;
    }
    return "";
  };
  // Who viewed it, changed after the fact.
  sql("UPDATE audit SET actor = 'token:tother' WHERE id = 2");
  EXPECT_NE(audit_problem().find("audit entry 2"), std::string::npos) << audit_problem();
  sql("UPDATE audit SET actor = 'token:tabc' WHERE id = 2");
  EXPECT_EQ(audit_problem(), "");
  // An entry taken out.
  sql("DELETE FROM audit WHERE id = 2");
  EXPECT_NE(audit_problem().find("audit entry 3"), std::string::npos) << audit_problem();
}

TEST_F(ArchiveTest, AChangeOfConsentIsLoggedFollowedBySearchAndKeptInTheHistory) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  const std::string text = "Sample text: zqconsentcanary.";
  auto added = *archive_->records().Add({WriteFile(tmp_, "c.txt", text)}, opts);
  const std::string id = added[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(id, text));
  auto anonymous_hits = [&] {
    auto r = Search("zqconsentcanary", search::Role::kAnonymous);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->total_estimate : 99;
  };
  EXPECT_EQ(anonymous_hits(), 1u);
  uint64_t size = archive_->verifier().Checkpoint()->checkpoint.size;

  EXPECT_EQ(archive_->consent()
                .ChangeConsent(id, meta::Consent::kResearch, "", "cli:test")
                .status()
                .code(),
            Code::kInvalidArgument);  // no reason
  auto c = archive_->consent().ChangeConsent(id, meta::Consent::kResearch, "the witness asked",
                                             "cli:test");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->from, meta::Consent::kPublic);
  EXPECT_EQ((*c)->leaf_index, size);
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kResearch);
  EXPECT_EQ(anonymous_hits(), 0u);  // the index followed
  auto researcher = Search("zqconsentcanary", search::Role::kResearcher);
  EXPECT_EQ(researcher->total_estimate, 1u);

  // The log holds a consent leaf with the level and not the reason; the archive verifies.
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, size + 1);
  auto leaves = *StoreForTesting(archive_.get())->Leaves(size, 1);
  auto leaf = ParseLeaf(leaves[0]);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_EQ(leaf->kind, "consent");
  EXPECT_EQ(leaf->consent, "research");
  EXPECT_EQ(leaves[0].find("asked"), std::string::npos);
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();

  // The same level again changes nothing and logs nothing.
  auto same = archive_->consent().ChangeConsent(id, meta::Consent::kResearch, "again", "cli:test");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->has_value());
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, size + 1);

  // Back to public: found again. The history holds both, oldest first, with who and why.
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kPublic, "cleared", "token:t1").ok());
  EXPECT_EQ(anonymous_hits(), 1u);
  auto history = *archive_->consent().ConsentHistory(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].to, meta::Consent::kResearch);
  EXPECT_EQ(history[0].reason, "the witness asked");
  EXPECT_EQ(history[1].by, "token:t1");

  // A rebuilt index holds the level now; a sealed level or a withdrawn record is refused.
  ASSERT_TRUE(archive_->indexer().Reindex().ok());
  EXPECT_EQ(anonymous_hits(), 1u);
  EXPECT_EQ(archive_->consent()
                .ChangeConsent(id, meta::Consent::kSealed, "x", "cli:test")
                .status()
                .code(),
            Code::kInvalidArgument);  // a seal needs its day
  EXPECT_EQ(archive_->consent()
                .ChangeConsent(id, meta::Consent::kWithdrawn, "x", "cli:test")
                .status()
                .code(),
            Code::kInvalidArgument);
  ASSERT_TRUE(archive_->consent().Withdraw(id, "asked").ok());
  // Withdrawn: as a record that does not exist (doc/privacy.md).
  EXPECT_TRUE(archive_->consent()
                  .ChangeConsent(id, meta::Consent::kPublic, "x", "cli:test")
                  .status()
                  .IsNotFound());
  EXPECT_TRUE(archive_->consent()
                  .ChangeConsent("rnosuch", meta::Consent::kPublic, "x", "cli:test")
                  .status()
                  .IsNotFound());
}

// An Env whose clock a test sets.
class ClockEnv : public FaultEnv {
 public:
  ClockEnv() : FaultEnv(Env::Default()) {}
  int64_t NowMicros() override { return now_us; }
  int64_t now_us = 0;
};

int64_t Micros(const std::string& rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : 0;
}

// Closes `*archive` and opens the archive in `dir` again with `clock`'s time.
void ReopenWith(ClockEnv* clock, const std::string& dir, std::unique_ptr<Archive>* archive) {
  archive->reset();
  auto opened = Archive::Open(clock, dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  *archive = std::move(*opened);
}

// A seal keeps a record from everyone until its day, then opens by itself: no sleeping, the
// clock is the Env's.
TEST_F(ArchiveTest, ASealOpensOnItsDayByItself) {
  ClockEnv clock;
  clock.now_us = Micros("2026-11-26T12:00:00Z");
  ASSERT_NO_FATAL_FAILURE(ReopenWith(&clock, dir_, &archive_));
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  const std::string text = "Sample text: zqsealcanary.";
  auto added = *archive_->records().Add({WriteFile(tmp_, "s.txt", text)}, opts);
  const std::string id = added[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(id, text));
  auto hits = [&](search::Role role) {
    auto r = Search("zqsealcanary", role);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->total_estimate : 99;
  };
  ASSERT_EQ(hits(search::Role::kAnonymous), 1u);

  Consents::Seal seal{"2027-01-01", meta::Consent::kResearch};
  Consents::Seal past{"2026-11-26", meta::Consent::kResearch};  // today is not later
  EXPECT_EQ(archive_->consent()
                .ChangeConsent(id, meta::Consent::kSealed, "asked", "cli:t", &past)
                .status()
                .code(),
            Code::kInvalidArgument);
  Consents::Seal bad_day{"2027-02", meta::Consent::kResearch};
  EXPECT_EQ(archive_->consent()
                .ChangeConsent(id, meta::Consent::kSealed, "asked", "cli:t", &bad_day)
                .status()
                .code(),
            Code::kInvalidArgument);
  auto sealed =
      archive_->consent().ChangeConsent(id, meta::Consent::kSealed, "asked", "cli:t", &seal);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kSealed);
  EXPECT_EQ(hits(search::Role::kArchivist), 0u);  // sealed: nobody, archivists included

  // The day before: still sealed, whatever is asked.
  clock.now_us = Micros("2026-12-31T23:59:59Z");
  ASSERT_TRUE(archive_->consent().OpenDueSeals().ok());
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kSealed);
  uint64_t size = archive_->verifier().Checkpoint()->checkpoint.size;

  // Its day: the next archive opened (any command, the server's next request) opens it.
  clock.now_us = Micros("2027-01-01T00:00:01Z");
  archive_.reset();
  auto next = Archive::Open(&clock, dir_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  archive_ = std::move(*next);
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kResearch);
  EXPECT_EQ(hits(search::Role::kAnonymous), 0u);
  EXPECT_EQ(hits(search::Role::kResearcher), 1u);
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, size + 1);
  auto leaves = *StoreForTesting(archive_.get())->Leaves(size - 1, 2);
  EXPECT_EQ(ParseLeaf(leaves[0])->until, "2027-01-01");
  EXPECT_EQ(ParseLeaf(leaves[1])->consent, "research");
  auto history = *archive_->consent().ConsentHistory(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].by, "seal");
  ASSERT_TRUE(archive_->consent().OpenDueSeals().ok());  // nothing more to open
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, size + 1);
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
}

// A witness who asked for a withdrawal of a sealed record is not overtaken by its day: it
// opens no wider than restricted (the archivists') until an archivist acts on the request.
TEST_F(ArchiveTest, ASealWhoseWitnessAskedForAWithdrawalOpensOnlyToArchivists) {
  ClockEnv clock;
  clock.now_us = Micros("2026-11-26T12:00:00Z");
  ASSERT_NO_FATAL_FAILURE(ReopenWith(&clock, dir_, &archive_));
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  opts.witness = "w-seal";
  const std::string text = "Sample text: zqsealwithdrawcanary.";
  auto added = *archive_->records().Add({WriteFile(tmp_, "s.txt", text)}, opts);
  const std::string id = added[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(id, text));
  Consents::Seal seal{"2027-01-01", meta::Consent::kPublic};
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kSealed, "asked", "cli:t", &seal).ok());
  clock.now_us = Micros("2026-12-01T00:00:00Z");
  ASSERT_TRUE(archive_->consent()
                  .AddWitnessRequest({0, "w-seal", id, "withdraw", "", "please", "wlink",
                                      FormatRfc3339(clock.now_us)})
                  .ok());
  EXPECT_TRUE(archive_->records().Get(id)->withdrawal_asked);
  clock.now_us = Micros("2027-01-01T00:00:01Z");
  ASSERT_TRUE(archive_->consent().OpenDueSeals().ok());
  auto r = *archive_->records().Get(id);
  EXPECT_EQ(r.consent, meta::Consent::kRestricted);
  EXPECT_TRUE(r.withdrawal_asked) << "the seal's opening is no archivist's act";
  auto found = Search("zqsealwithdrawcanary", search::Role::kAnonymous);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total_estimate, 0u);
}

// doc/privacy.md: a sealed record is seen by nobody, archivists included, until its day. So
// before it nobody changes it either (a consent change would open it, an edit or a redaction's
// answer would tell of it): it takes a withdrawal or a seal to a later day, and every other
// change gets one answer that says nothing of what the record holds. A withdrawn record's
// changes are answered as an unknown record's.
TEST_F(ArchiveTest, ASealedRecordTakesOnlyAWithdrawalOrALaterSealUntilItsDay) {
  ClockEnv clock;
  clock.now_us = Micros("2026-11-26T12:00:00Z");
  archive_.reset();
  archive_ = *Archive::Open(&clock, dir_);
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  const std::string text = "Sample text: zqsealwritecanary, a sample.";
  const std::string id = (*archive_->records().Add({WriteFile(tmp_, "s.txt", text)}, opts))[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(id, text));
  const int64_t segment = archive_->records().Segments(id)->back().segment.id;
  Consents::Seal seal{"2027-01-01", meta::Consent::kRestricted};
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kSealed, "asked", "cli:t", &seal).ok());
  const uint64_t size = archive_->verifier().Checkpoint()->checkpoint.size;

  const std::string refused = "record '" + id +
                              "' is sealed until 2027-01-01: before then it takes only a "
                              "withdrawal or a later seal";
  auto expect_refused = [&](const Status& st, const std::string& what) {
    EXPECT_EQ(st.code(), Code::kConflict) << what << ": " << st.ToString();
    EXPECT_EQ(st.message(), refused) << what;
  };
  Consents::Seal earlier{"2026-12-31", meta::Consent::kPublic};
  Consents::Seal same{"2027-01-01", meta::Consent::kPublic};
  for (meta::Consent to : {meta::Consent::kPublic, meta::Consent::kRestricted}) {
    expect_refused(archive_->consent().ChangeConsent(id, to, "x", "cli:t").status(), "open");
    expect_refused(
        archive_->consent().ChangeConsent(id, to, "x", "cli:t", nullptr, segment).status(),
        "a passage");
  }
  expect_refused(archive_->consent()
                     .ChangeConsent(id, meta::Consent::kSealed, "x", "cli:t", &earlier)
                     .status(),
                 "an earlier seal");
  expect_refused(
      archive_->consent().ChangeConsent(id, meta::Consent::kSealed, "x", "cli:t", &same).status(),
      "the same day");
  expect_refused(archive_->records().EditMetadata(id, {{"title", "x"}}).status(), "metadata");
  // Whatever the segment and the span: the same words, no segment's length, no number.
  for (int64_t s : {segment, segment + 1, int64_t{999999}}) {
    for (auto chars : {std::make_pair<int64_t, int64_t>(0, 5), {0, 100000}}) {
      expect_refused(archive_->consent().Redact(id, s, chars, std::nullopt, "x", "cli:t").status(),
                     "a redaction");
    }
  }
  for (int version : {1, 2, 999}) {
    expect_refused(archive_->consent().ConfirmRedactions(id, version, "x", "cli:t").status(),
                   "a confirmation");
  }
  DerivedText d;
  d.derivation = {1, "text", "human", "test"};
  d.text = "x";
  expect_refused(archive_->records().AddDerived(id, 1, d).status(), "a derived version");
  AddOptions next;
  next.record_id = id;
  expect_refused(archive_->records().Add({WriteFile(tmp_, "n.txt", "x")}, next).status(),
                 "a new version");
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, size);  // nothing logged
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kSealed);

  // A later seal is taken; the record then answers with its new day.
  Consents::Seal later{"2027-06-01", meta::Consent::kRestricted};
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kSealed, "x", "cli:t", &later).ok());
  EXPECT_NE(archive_->records()
                .EditMetadata(id, {{"title", "x"}})
                .status()
                .message()
                .find("sealed until 2027-06-01"),
            std::string::npos);

  // On its day it opens, and takes changes again.
  clock.now_us = Micros("2027-06-01T00:00:01Z");
  archive_.reset();
  archive_ = *Archive::Open(&clock, dir_);
  EXPECT_EQ(archive_->records().Get(id)->consent, meta::Consent::kRestricted);
  EXPECT_TRUE(archive_->records().EditMetadata(id, {{"title", "x"}}).ok());

  // Withdrawn: every change is answered as for a record that does not exist, but a withdrawal.
  ASSERT_TRUE(archive_->consent().Withdraw(id, "asked", "cli:t").ok());
  auto as_unknown = [&](const Status& withdrawn, const Status& unknown, const std::string& what) {
    EXPECT_EQ(withdrawn.code(), unknown.code()) << what;
    std::string words = unknown.message();
    for (size_t at; (at = words.find("rnosuch")) != std::string::npos;) words.replace(at, 7, id);
    EXPECT_EQ(withdrawn.message(), words) << what;
  };
  auto both = [&](auto change, const std::string& what) {
    as_unknown(change(id), change("rnosuch"), what);
  };
  both(
      [&](const std::string& r) {
        return archive_->records().EditMetadata(r, {{"t", "y"}}).status();
      },
      "metadata");
  both(
      [&](const std::string& r) {
        return archive_->consent().ChangeConsent(r, meta::Consent::kPublic, "x", "cli:t").status();
      },
      "consent");
  both(
      [&](const std::string& r) {
        return archive_->consent()
            .ChangeConsent(r, meta::Consent::kSealed, "x", "cli:t", &later)
            .status();
      },
      "a seal");
  both(
      [&](const std::string& r) {
        return archive_->consent()
            .Redact(r, segment, std::nullopt, std::nullopt, "x", "cli:t")
            .status();
      },
      "a redaction");
  both(
      [&](const std::string& r) {
        return archive_->consent().ConfirmRedactions(r, 1, "x", "cli:t").status();
      },
      "a confirmation");
  both([&](const std::string& r) { return archive_->records().AddDerived(r, 1, d).status(); },
       "a derived version");
  both(
      [&](const std::string& r) {
        AddOptions o;
        o.record_id = r;
        return archive_->records().Add({WriteFile(tmp_, "n.txt", "x")}, o).status();
      },
      "a new version");
  EXPECT_TRUE(archive_->consent().Withdraw(id, "again", "cli:t")->already_withdrawn);
}

TEST_F(ArchiveTest, EditingMetadataAddsARevisionWithTheSameFilesAndKeepsTheText) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  opts.meta = {{"title", "Sample A"}};
  const std::string text = "Sample text: zqmetacanary.";
  auto added = *archive_->records().Add({WriteFile(tmp_, "m.txt", text)}, opts);
  const std::string id = added[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(id, text));
  uint64_t size = archive_->verifier().Checkpoint()->checkpoint.size;

  auto v =
      archive_->records().EditMetadata(id, {{"title", "Sample B"}, {"note", "corrected title"}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->version, 3);
  EXPECT_EQ(v->blobs.size(), 1u);
  EXPECT_EQ(v->blobs[0].sha256, added[0].sha256);  // the same file
  EXPECT_NE(v->private_json.find("Sample B"), std::string::npos);
  EXPECT_NE(v->private_json.find("m.txt"), std::string::npos);  // the file name stays
  EXPECT_EQ(archive_->verifier().Checkpoint()->checkpoint.size, size + 1);
  auto leaf = ParseLeaf((*StoreForTesting(archive_.get())->Leaves(size, 1))[0]);
  EXPECT_EQ(leaf->kind, "revise");
  EXPECT_EQ(leaf->version, 3);
  // Audited: who, which record, which version; never what the metadata says.
  auto audit = *StoreForTesting(archive_.get())->ListAudit("", "");
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "edit");
  EXPECT_EQ(audit.back().actor, "cli");
  EXPECT_EQ(audit.back().target, id);
  EXPECT_EQ(audit.back().detail, R"({"version":3})");
  EXPECT_EQ((*StoreForTesting(archive_.get())->Leaves(size, 1))[0].find("Sample"),
            std::string::npos);
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
  ASSERT_TRUE(archive_->indexer().SyncIndex().ok());
  EXPECT_EQ(Search("zqmetacanary", search::Role::kAnonymous)->total_estimate, 1u);

  EXPECT_EQ(archive_->records()
                .EditMetadata(id, {{"title", "Sample B"}, {"note", "corrected title"}})
                .status()
                .code(),
            Code::kInvalidArgument);  // nothing changes
  EXPECT_EQ(archive_->records().EditMetadata(id, Json::array()).status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(archive_->records().EditMetadata("rnosuch", {{"title", "x"}}).status().IsNotFound());
  ASSERT_TRUE(archive_->consent().Withdraw(id, "asked").ok());
  // Withdrawn: as a record that does not exist (doc/privacy.md).
  EXPECT_TRUE(archive_->records().EditMetadata(id, {{"title", "C"}}).status().IsNotFound());
}

TEST_F(ArchiveTest, SameBytesTwiceAreStoredOnceAndWithdrawKeepsTheOther) {
  std::string f = WriteFile(tmp_, "same.txt", "identical sample");
  auto a = *archive_->records().Add({f}, AddOptions());
  auto b = *archive_->records().Add({f}, AddOptions());
  EXPECT_NE(a[0].id, b[0].id);
  EXPECT_EQ(BlobsForTesting(archive_.get())->List()->size(), 1u);
  ASSERT_TRUE(archive_->consent().Withdraw(a[0].id, "asked").ok());
  EXPECT_TRUE(BlobsForTesting(archive_.get())->Verify(b[0].sha256).ok());
  EXPECT_TRUE(archive_->verifier().Verify()->ok);
}

TEST_F(ArchiveTest, DatabaseOlderThanLogIsDetectedNotOverwritten) {
  std::string db = dir_ + "/attest.db";
  archive_.reset();
  // Keep a copy of the empty database, add, then put the old database back.
  std::string old = *Env::Default()->ReadFile(db);
  {
    auto a = *Archive::Open(Env::Default(), dir_);
    ASSERT_TRUE(a->records().Add({WriteFile(tmp_, "x.txt", "sample x")}, AddOptions()).ok());
  }
  Env::Default()->RemoveFile(db + "-wal").ok();
  Env::Default()->RemoveFile(db + "-shm").ok();
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(db, old).ok());
  auto r = Archive::Open(Env::Default(), dir_);
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_EQ(Env::Default()->ReadFile(dir_ + "/log/checkpoint")->find("\n1\n") != std::string::npos,
            true);
}

// The public log names no record and no segment (doc/format/leaf.md, attest.leaf.v2): not in
// the database's leaves, not in any file of the log a mirror copies.
TEST_F(ArchiveTest, NoLeafNamesARecordOrASegment) {
  AddOptions open;
  open.consent = meta::Consent::kPublic;
  auto pub = *archive_->records().Add({WriteFile(tmp_, "p.txt", "Sample public text.")}, open);
  auto hidden =
      *archive_->records().Add({WriteFile(tmp_, "h.txt", "Sample restricted text.")}, AddOptions());
  const std::string pub_id = pub[0].id, hidden_id = hidden[0].id;
  ASSERT_NO_FATAL_FAILURE(AddText(pub_id, "Sample public text."));
  ASSERT_NO_FATAL_FAILURE(AddText(hidden_id, "Sample restricted text."));
  const int64_t segment = (*StoreForTesting(archive_.get())->RecordSegments(pub_id))[0].segment.id;
  ASSERT_TRUE(
      archive_->consent()
          .ChangeConsent(pub_id, meta::Consent::kRestricted, "asked", "cli:test", nullptr, segment)
          .ok());
  ASSERT_TRUE(archive_->consent()
                  .ChangeConsent(hidden_id, meta::Consent::kResearch, "asked", "cli:test")
                  .ok());
  ASSERT_TRUE(archive_->records().EditMetadata(pub_id, {{"title", "Sample"}}).ok());
  const std::string pub_salt = archive_->records().Get(pub_id)->salt;
  const std::string hidden_salt = archive_->records().Get(hidden_id)->salt;
  ASSERT_TRUE(archive_->consent().Withdraw(hidden_id, "the witness asked").ok());

  const uint64_t size = archive_->verifier().Checkpoint()->checkpoint.size;
  ASSERT_EQ(size, 8u);  // 2 adds, 2 texts, 2 consent changes, 1 revision, 1 withdrawal
  auto leaves = *StoreForTesting(archive_.get())->Leaves(0, size);
  ASSERT_EQ(leaves.size(), size);
  std::map<std::string, int> per_commitment;
  for (const std::string& bytes : leaves) {
    EXPECT_EQ(bytes.find(pub_id), std::string::npos) << bytes;
    EXPECT_EQ(bytes.find(hidden_id), std::string::npos) << bytes;
    EXPECT_EQ(bytes.find("\"record\""), std::string::npos) << bytes;
    EXPECT_EQ(bytes.find("\"segment\""), std::string::npos) << bytes;
    auto leaf = ParseLeaf(bytes);
    ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
    EXPECT_EQ(leaf->format, 2);
    ++per_commitment[leaf->record_commitment];
    if (!leaf->segment_commitment.empty()) {
      EXPECT_EQ(leaf->segment_commitment, CommitSegment(pub_salt, segment));
    }
  }
  // Each record's leaves carry its one commitment, which only its salt gives.
  EXPECT_EQ(per_commitment.size(), 2u);
  EXPECT_EQ(per_commitment[CommitRecord(pub_salt, pub_id)], 4);
  EXPECT_EQ(per_commitment[CommitRecord(hidden_salt, hidden_id)], 4);
  // Nor does any file of the log: tiles, entry bundles, checkpoint.
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/log")) {
    if (!e.is_regular_file()) continue;
    ++files;
    std::string data = *Env::Default()->ReadFile(e.path().string());
    EXPECT_EQ(data.find(pub_id), std::string::npos) << e.path();
    EXPECT_EQ(data.find(hidden_id), std::string::npos) << e.path();
  }
  EXPECT_GT(files, 2);
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
  EXPECT_EQ(rep.withdrawn, std::vector<std::string>{hidden_id});
}

// Adds a record through the store with the leaf `make_leaf` gives for the version's fields and
// the record's salt (an older attest's v1 leaf, or a forged one), then logs it.
std::string AddWithLeaf(
    Archive* archive, const std::string& file,
    const std::function<Result<std::string>(const LeafFields&, const std::string&)>& make_leaf) {
  auto info = BlobsForTesting(archive)->PutFile(file);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  meta::AddRequest req;
  req.record_id = NewRecordId(Env::Default());
  req.consent = meta::Consent::kRestricted;
  req.created = "2026-01-02T03:04:05Z";
  req.salt.resize(32);
  Env::Default()->RandomBytes(req.salt.data(), req.salt.size());
  const std::string id = req.record_id;
  const blob::BlobInfo blob = *info;
  req.build = [&, id, blob](int version, const std::string& salt,
                            uint64_t) -> Result<meta::NewVersion> {
    Json priv = {{"file_name", "old.txt"}, {"meta", Json::object()}};
    ManifestFields mf;
    mf.record = id;
    mf.version = version;
    mf.lang = "en";
    mf.created = "2026-01-02T03:04:05Z";
    mf.blobs = {{"original", blob.sha256, blob.size}};
    meta::NewVersion nv;
    ASSIGN_OR_RETURN(nv.private_json, CanonicalJson(priv));
    ASSIGN_OR_RETURN(mf.private_hmac, CommitPrivate(salt, priv));
    ASSIGN_OR_RETURN(nv.manifest, BuildManifest(mf));
    nv.manifest_sha256 = ToHex(Sha256(nv.manifest));
    nv.lang = mf.lang;
    nv.created = mf.created;
    nv.blobs = mf.blobs;
    ASSIGN_OR_RETURN(nv.leaf,
                     make_leaf({"add", id, version, nv.manifest_sha256, mf.created}, salt));
    return nv;
  };
  auto added = StoreForTesting(archive)->AddVersions({req});
  EXPECT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(archive->verifier().Integrate().ok());
  return id;
}

Result<std::string> V1Leaf(const LeafFields& f, const std::string&) { return BuildLeafV1(f); }

// A consent change through the store with the leaf `make_leaf` gives, then logged.
void ChangeConsentWithLeaf(
    Archive* archive, const std::string& id, int64_t segment, meta::Consent to,
    const std::function<Result<std::string>(const LeafFields&, const std::string&)>& make_leaf) {
  meta::ConsentChange change;
  change.record_id = id;
  change.to = to;
  change.reason = "asked";
  change.by = "cli:test";
  change.segment_id = segment;
  const std::string salt = archive->records().Get(id)->salt;
  auto done = StoreForTesting(archive)->ChangeConsent(
      change, "2026-01-03T00:00:00Z", [&](int version, const std::string& manifest) {
        return make_leaf({"consent", id, version, manifest, "2026-01-03T00:00:00Z",
                          meta::ConsentName(to), "", segment},
                         salt);
      });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_TRUE(archive->verifier().Integrate().ok());
}

// The log of an archive made by an older attest holds v1 leaves, which stay; the new ones are
// v2, for its old records too, and the whole verifies, withdrawals included.
TEST_F(ArchiveTest, VerifyReadsALogMixingAnOlderAttestsV1Leaves) {
  const std::string old_id = AddWithLeaf(archive_.get(), WriteFile(tmp_, "o.txt", "old"), V1Leaf);
  ASSERT_NO_FATAL_FAILURE(AddText(old_id, "Sample old text."));  // a v2 derive leaf
  const int64_t segment = (*StoreForTesting(archive_.get())->RecordSegments(old_id))[0].segment.id;
  ASSERT_NO_FATAL_FAILURE(
      ChangeConsentWithLeaf(archive_.get(), old_id, segment, meta::Consent::kResearch, V1Leaf));
  auto first = ParseLeaf((*StoreForTesting(archive_.get())->Leaves(0, 1))[0]);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->format, 1);
  EXPECT_EQ(first->record, old_id);  // what an older leaf keeps revealing
  auto v1_consent = ParseLeaf((*StoreForTesting(archive_.get())->Leaves(2, 1))[0]);
  ASSERT_TRUE(v1_consent.ok()) << v1_consent.status().ToString();
  EXPECT_EQ(v1_consent->segment, segment);
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();

  // From the upgrade on: v2, for the old record and for new ones.
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(old_id, meta::Consent::kPublic, "asked", "cli:test").ok());
  auto added = *archive_->records().Add({WriteFile(tmp_, "n.txt", "new")}, AddOptions());
  const uint64_t size = archive_->verifier().Checkpoint()->checkpoint.size;
  for (const std::string& bytes : *StoreForTesting(archive_.get())->Leaves(3, size - 3)) {
    EXPECT_EQ(ParseLeaf(bytes)->format, 2) << bytes;
  }
  rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();

  // Withdrawn, the old record has no salt and no v2 version leaf but its text's: its withdraw
  // leaf is checked against that one, and the record is reported withdrawn, not damaged.
  ASSERT_TRUE(archive_->consent().Withdraw(old_id, "the witness asked").ok());
  rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
  EXPECT_EQ(rep.withdrawn, std::vector<std::string>{old_id});
  // Its proofs still verify offline, v1 and v2 alike.
  for (int version : {1, 2}) {
    auto proof = archive_->verifier().Prove(old_id, version);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    auto check = VerifyProof(Env::Default(), proof->ToJson().dump(),
                             archive_->verifier().VerifierKey(), std::nullopt);
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_EQ(check->record, old_id);
    EXPECT_EQ(check->version, version);
  }
}

TEST_F(ArchiveTest, VerifyDetectsAV2LeafWhoseCommitmentIsNotItsRecords) {
  const std::string other_salt(32, 'x');
  auto forged = [&](const LeafFields& f, const std::string&) { return BuildLeaf(f, other_salt); };
  const std::string bad_id = AddWithLeaf(archive_.get(), WriteFile(tmp_, "b.txt", "bad"), forged);
  auto good = *archive_->records().Add({WriteFile(tmp_, "g.txt", "good")}, AddOptions());
  auto rep = *archive_->verifier().Verify();
  EXPECT_FALSE(rep.ok);
  ASSERT_EQ(rep.problems.size(), 1u) << rep.ToJson().dump();
  EXPECT_EQ(rep.problems[0].kind, "leaf");
  EXPECT_EQ(rep.problems[0].record, bad_id);
  EXPECT_NE(rep.problems[0].detail.find("rc"), std::string::npos) << rep.problems[0].detail;

  // A consent leaf of the good record under the wrong commitment, and one whose segment
  // commitment is not the segment's.
  ASSERT_NO_FATAL_FAILURE(
      ChangeConsentWithLeaf(archive_.get(), good[0].id, 0, meta::Consent::kResearch, forged));
  ASSERT_NO_FATAL_FAILURE(AddText(good[0].id, "Sample good text."));
  const int64_t segment =
      (*StoreForTesting(archive_.get())->RecordSegments(good[0].id))[0].segment.id;
  ASSERT_NO_FATAL_FAILURE(ChangeConsentWithLeaf(archive_.get(), good[0].id, segment,
                                                meta::Consent::kRestricted,
                                                [&](LeafFields f, const std::string& salt) {
                                                  f.segment += 1;
                                                  return BuildLeaf(f, salt);
                                                }));
  rep = *archive_->verifier().Verify();
  int consent_problems = 0;
  for (const auto& p : rep.problems) {
    if (p.record == good[0].id && p.kind == "leaf") ++consent_problems;
  }
  EXPECT_EQ(consent_problems, 2) << rep.ToJson().dump();
}

TEST_F(ArchiveTest, AWithdrawnRecordsV2LeavesAreCheckedWithoutItsSaltAndItIsReportedWithdrawn) {
  auto added = *archive_->records().Add(
      {WriteFile(tmp_, "w.txt", "sample to withdraw"), WriteFile(tmp_, "f.txt", "sample")},
      AddOptions());
  const std::string id = added[0].id;
  ASSERT_TRUE(
      archive_->consent().ChangeConsent(id, meta::Consent::kResearch, "asked", "cli:test").ok());
  auto w = archive_->consent().Withdraw(id, "the witness asked");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE(archive_->records().Get(id)->salt.empty());
  auto add_leaf = ParseLeaf((*StoreForTesting(archive_.get())->Leaves(added[0].leaf_index, 1))[0]);
  auto withdraw_leaf = ParseLeaf((*StoreForTesting(archive_.get())->Leaves(w->leaf_index, 1))[0]);
  ASSERT_TRUE(add_leaf.ok() && withdraw_leaf.ok());
  EXPECT_EQ(withdraw_leaf->kind, "withdraw");
  EXPECT_EQ(withdraw_leaf->format, 2);
  EXPECT_EQ(withdraw_leaf->version, 1);
  EXPECT_EQ(withdraw_leaf->record_commitment, add_leaf->record_commitment);
  auto rep = *archive_->verifier().Verify();
  EXPECT_TRUE(rep.ok) << rep.ToJson().dump();
  EXPECT_EQ(rep.withdrawn, std::vector<std::string>{id});

  // A withdraw leaf that is not the record's (another commitment): named, and the record is
  // still reported withdrawn.
  const std::string other = added[1].id;
  ASSERT_TRUE(
      StoreForTesting(archive_.get())
          ->Withdraw(other, "asked", "2026-01-04T00:00:00Z",
                     [&](int last) {
                       return BuildLeaf({"withdraw", other, last, "", "t"}, std::string(32, 'x'));
                     })
          .ok());
  ASSERT_TRUE(archive_->verifier().Integrate().ok());
  rep = *archive_->verifier().Verify();
  EXPECT_FALSE(rep.ok);
  bool named = false;
  for (const auto& p : rep.problems) {
    if (p.record == other && p.kind == "leaf") named = true;
    EXPECT_NE(p.record, id) << p.detail;
  }
  EXPECT_TRUE(named) << rep.ToJson().dump();
  EXPECT_EQ(rep.withdrawn, (std::vector<std::string>{std::min(id, other), std::max(id, other)}));
}

// A v2 leaf names no record: an offline check takes it from the manifest the leaf commits
// to, and refuses a proof without one or one that claims another record.
TEST_F(ArchiveTest, AProofOfAV2LeafNamesItsRecordThroughItsManifest) {
  auto added = *archive_->records().Add({WriteFile(tmp_, "a.txt", "sample a")}, AddOptions());
  Json proof = archive_->verifier().Prove(added[0].id, std::nullopt)->ToJson();
  auto check =
      VerifyProof(Env::Default(), proof.dump(), archive_->verifier().VerifierKey(), std::nullopt);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->record, added[0].id);
  EXPECT_EQ(check->version, 1);
  Json other = proof;
  other["record"] = NewRecordId(Env::Default());
  EXPECT_EQ(
      VerifyProof(Env::Default(), other.dump(), archive_->verifier().VerifierKey(), std::nullopt)
          .status()
          .code(),
      Code::kCorruption);
  Json bare = proof;
  bare.erase("manifest");
  EXPECT_FALSE(
      VerifyProof(Env::Default(), bare.dump(), archive_->verifier().VerifierKey(), std::nullopt)
          .ok());
}

// Each failure point of an add (file create, write, fsync, rename, directory sync) leaves an
// archive that opens, verifies, and holds every add acknowledged before it.
TEST(ArchiveCrashTest, FaultAtEveryStepOfAnAddLosesNothingAcknowledged) {
  TempDir temp_dir("attest-archive");
  std::string tmp = temp_dir.path();
  std::string src = WriteFile(tmp, "s.txt", std::string(200000, 's'));
  for (int k = 1;; ++k) {
    std::string dir = tmp + "/a" + std::to_string(k);
    ASSERT_TRUE(Archive::Init(Env::Default(), dir, "example.org/crash").ok());
    FaultEnv env(Env::Default());
    std::string acknowledged;
    {
      auto a = *Archive::Open(&env, dir);
      acknowledged =
          (*a->records().Add({WriteFile(tmp, "first.txt", "first sample")}, AddOptions()))[0].id;
      env.FailAfter(k, FaultEnv::Mode::kCrash);
      auto r = a->records().Add({src}, AddOptions());
      (void)r;
    }
    bool hit = env.fault_hit();
    env.Disarm();
    auto a = Archive::Open(Env::Default(), dir);
    ASSERT_TRUE(a.ok()) << "fault at " << k << ": " << a.status().ToString();
    auto rep = (*a)->verifier().Verify();
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(rep->ok) << "fault at " << k << ": " << rep->ToJson().dump();
    EXPECT_TRUE((*a)->records().Get(acknowledged).ok()) << k;
    if (!hit) break;
  }
}

}  // namespace
}  // namespace attest::archive
