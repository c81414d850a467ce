// The SQLite backend of meta::Store: the conformance suite run on it, and what only SQLite
// shows (its database file).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "meta/schema.sql.h"
#include "meta/store.h"
#include "meta/store_conformance.h"

namespace attest::meta {
namespace {

// A database file with a raw connection for what the suite does behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return Status::Ok();
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError(sql + ": " + message);
  }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A store in a temporary directory of its own, removed with it (TempDir).
class SqliteBackend : public StoreBackend {
 public:
  SqliteBackend() : dir_("attest-meta"), path_(dir_.Join("attest.db")) {}
  const std::string& path() const { return path_; }

  Result<std::unique_ptr<Store>> Open() override {
    bool create = !opened_;
    opened_ = true;
    return OpenSqliteStore(path_, create);
  }

  Result<int> SchemaVersion() override {
    RawDb db(path_);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.handle(), "PRAGMA user_version", -1, &s, nullptr) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
      sqlite3_finalize(s);
      return Status::IOError("cannot read the schema version of " + path_);
    }
    int version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return version;
  }

  Status MakeAtSchema(int version) override {
    RawDb db(path_);
    for (int i = 0; i < version; ++i) RETURN_IF_ERROR(db.Exec(kMigrations[i]));
    return db.Exec("PRAGMA user_version=" + std::to_string(version));
  }

  Status SetSchemaVersion(int version) override {
    return RawDb(path_).Exec("PRAGMA user_version=" + std::to_string(version));
  }

  Status TamperAudit(int64_t id, const std::string& field, const std::string& value) override {
    RawDb db(path_);
    sqlite3_stmt* s = nullptr;
    std::string sql = "UPDATE audit SET " + field + " = ? WHERE id = ?";
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      return Status::InvalidArgument("cannot change audit field '" + field + "'");
    }
    sqlite3_bind_text(s, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, id);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE || sqlite3_changes(db.handle()) != 1) {
      return Status::NotFound("no audit entry " + std::to_string(id) + " changed");
    }
    return Status::Ok();
  }

 private:
  TempDir dir_;
  std::string path_;
  bool opened_ = false;
};

std::unique_ptr<StoreBackend> NewSqliteBackend() { return std::make_unique<SqliteBackend>(); }

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreBackendFactory{"sqlite", &NewSqliteBackend}));

TEST(SqliteStoreTest, DamagedDatabaseIsAClearError) {
  TempDir dir("attest-meta");
  std::ofstream(dir.Join("attest.db")) << std::string(8192, 'G');
  auto s = OpenSqliteStore(dir.Join("attest.db"), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorruption) << s.status().ToString();
  EXPECT_NE(s.status().message().find(dir.Join("attest.db")), std::string::npos);
}

TEST(SqliteStoreTest, MissingDatabaseIsNotCreatedUnlessAsked) {
  TempDir dir("attest-meta");
  EXPECT_TRUE(OpenSqliteStore(dir.Join("attest.db"), false).status().IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(dir.Join("attest.db")));
}

TEST(SqliteStoreTest, NewerSchemaIsRefusedNamingTheFile) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.Open().ok());
  ASSERT_TRUE(backend.SetSchemaVersion(99).ok());
  auto s = backend.Open();
  EXPECT_EQ(s.status().code(), Code::kUnimplemented);
  EXPECT_NE(s.status().message().find("attest.db has schema version 99"), std::string::npos)
      << s.status().ToString();
}

TEST(SqliteStoreTest, MigrationKeepsWhatTheOldSchemaHeld) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.MakeAtSchema(1).ok());
  {
    RawDb db(backend.path());
    ASSERT_TRUE(db.Exec("INSERT INTO log_leaves VALUES (0, 'leaf 0');"
                        "INSERT INTO witnesses(id, created) VALUES ('w1', 't');"
                        "INSERT INTO records(id, witness_id, consent, created, salt) "
                        "VALUES ('r1', 'w1', 'research', 't', 'salt');"
                        "INSERT INTO versions VALUES ('r1', 1, '{}', 'ab', '{\"p\":1}', 'en', 't', "
                        "0, NULL);"
                        "INSERT INTO segments(record_id, version, text) VALUES ('r1', 1, 'words');"
                        "INSERT INTO jobs(kind, record_id, version, created, updated) "
                        "VALUES ('index', 'r1', 1, 't', 't');"
                        // Views in the audit log, indexed by record by migration 13.
                        "INSERT INTO audit VALUES (1, 't', 'token:t1', 'view', 'r1', "
                        "'{\"what\":\"record\"}', 'p0', 'h1');"
                        "INSERT INTO audit VALUES (2, 't', 'user:bob', 'view', NULL, "
                        "'{\"records\":[\"r1\",\"r2\"],\"what\":\"search\"}', 'h1', 'h2');"
                        "INSERT INTO audit VALUES (3, 't', 'cli:ann', 'withdraw', 'r1', NULL, "
                        "'h2', 'h3');"
                        "INSERT INTO audit VALUES (4, 't', 'token:t1', 'view', NULL, 'not json', "
                        "'h3', 'h4');")
                    .ok());
  }
  auto store = backend.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Record r = *(*store)->GetRecord("r1");
  EXPECT_EQ(r.witness_id, "w1");
  EXPECT_EQ(r.consent, Consent::kResearch);
  EXPECT_EQ(r.salt, "salt");
  ASSERT_EQ(r.versions.size(), 1u);
  EXPECT_EQ(r.versions[0].private_json, R"({"p":1})");
  EXPECT_EQ((*(*store)->RecordSegments("r1")).at(0).segment.text, "words");
  Job job = (*(*store)->ListJobs({})).at(0);
  EXPECT_EQ(job.kind, "index");
  EXPECT_EQ(job.bytes, 0u);  // a column a later migration added
  EXPECT_EQ(*(*store)->Leaves(0, 1), std::vector<std::string>{"leaf 0"});
  RecordViews views = *(*store)->ViewsOf("r1", 10);
  ASSERT_EQ(views.newest.size(), 2u);
  EXPECT_EQ(views.newest[0].id, 2);
  EXPECT_EQ(views.newest[1].id, 1);
  EXPECT_EQ(views.total, 2u);
  EXPECT_EQ((*store)->ViewsOf("r2", 10)->total, 1u);
  AddRequest v2 = NewRecord("r1", std::string(64, '2'), "");
  v2.create = false;
  auto added = (*store)->AddVersions({v2});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ((*added).at(0).version, 2);
  EXPECT_EQ((*added).at(0).leaf_index, 1u);
}

TEST(SqliteStoreTest, MigrationFourteenKeepsWitnessRequestsAndTakesASeal) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.MakeAtSchema(13).ok());
  {
    RawDb db(backend.path());
    ASSERT_TRUE(db.Exec("INSERT INTO witnesses(id, created) VALUES ('w1', 't');"
                        "INSERT INTO records(id, witness_id, consent, created, salt) "
                        "VALUES ('r1', 'w1', 'public', 't', 'salt');"
                        "INSERT INTO witness_requests VALUES (7, 'w1', 'r1', 'consent', "
                        "'restricted', 'sample words', 'l1', 't');")
                    .ok());
    // Before migration 14 a seal could not be asked for.
    EXPECT_FALSE(db.Exec("INSERT INTO witness_requests VALUES (8, 'w1', 'r1', 'consent', "
                         "'sealed', '', 'l1', 't');")
                     .ok());
  }
  auto store = backend.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto id = (*store)->AddWitnessRequest({0, "w1", "r1", "consent", "sealed", "until 2030",
                                         "l1", "t2"});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 8);
  auto unknown = (*store)->AddWitnessRequest({0, "w1", "r1", "consent", "open", "", "l1", "t"});
  EXPECT_FALSE(unknown.ok());
  std::vector<WitnessRequest> all = *(*store)->ListWitnessRequests();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 7);
  EXPECT_EQ(all[0].level, "restricted");
  EXPECT_EQ(all[0].message, "sample words");
  EXPECT_EQ(all[1].level, "sealed");
}

TEST(SqliteStoreTest, MigrationFifteenKeepsAccountsSessionsAndTokensAndTakesAVolunteer) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.MakeAtSchema(14).ok());
  {
    RawDb db(backend.path());
    ASSERT_TRUE(db.Exec("INSERT INTO users VALUES ('u1', 'ann', 'researcher', 'pw', 't', NULL);"
                        "INSERT INTO sessions VALUES ('s1', 'u1', 'csrf', 't', 't2');"
                        "INSERT INTO tokens VALUES ('t1', 'sha', 'archivist', 'l', 't', NULL, "
                        "NULL);"
                        "INSERT INTO records(id, consent, created, salt) "
                        "VALUES ('r1', 'public', 't', 'salt');")
                    .ok());
    // Before migration 15 there were no volunteers.
    EXPECT_FALSE(
        db.Exec("INSERT INTO users VALUES ('u2', 'vol', 'volunteer', 'pw', 't', NULL);").ok());
  }
  auto store = backend.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto session = (*store)->FindSession("s1");
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_TRUE(session->has_value());
  EXPECT_EQ((*session)->second.name, "ann");
  EXPECT_EQ((*(*store)->FindToken("sha"))->role, "archivist");
  EXPECT_EQ((*store)->GetRecord("r1")->added_by, "");
  EXPECT_TRUE((*store)->AddUser({"u2", "vol", "volunteer", "pw", "t", ""}).ok());
  EXPECT_EQ((*(*store)->FindUser("vol"))->role, "volunteer");
  // Foreign keys are on again: a session of no account is refused.
  EXPECT_FALSE((*store)->AddSession({"s2", "u-none", "c", "t", "t3"}).ok());
}

}  // namespace
}  // namespace attest::meta
