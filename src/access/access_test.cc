#include "access/access.h"

#include <gtest/gtest.h>

#include "core/fault_env.h"
#include "core/json.h"

namespace attest::access {
namespace {

using meta::Consent;

// A clock the test sets.
class ClockEnv : public FaultEnv {
 public:
  ClockEnv() : FaultEnv(Env::Default()) {}
  int64_t NowMicros() override { return now_; }
  int64_t now_ = 1'800'000'000'000'000;
};

std::unique_ptr<meta::Store> NewStore() {
  char tmpl[] = "/tmp/attest-access-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  return std::move(*meta::OpenSqliteStore(dir + "/attest.db", true));
}

TEST(AccessTest, EachRoleReadsExactlyTheLevelsDesignAllows) {
  struct Row {
    Role role;
    bool pub, research, restricted;
  };
  for (Row row :
       {Row{Role::kAnonymous, true, false, false}, Row{Role::kResearcher, true, true, false},
        Row{Role::kArchivist, true, true, true}, Row{Role::kAdmin, true, true, true}}) {
    Subject s{row.role, ""};
    EXPECT_EQ(Decide(s, Action::kRead, Consent::kPublic), row.pub) << RoleName(row.role);
    EXPECT_EQ(Decide(s, Action::kRead, Consent::kResearch), row.research) << RoleName(row.role);
    EXPECT_EQ(Decide(s, Action::kRead, Consent::kRestricted), row.restricted) << RoleName(row.role);
    // Nobody reads sealed or withdrawn material through an interface.
    EXPECT_FALSE(Decide(s, Action::kRead, Consent::kSealed));
    EXPECT_FALSE(Decide(s, Action::kRead, Consent::kWithdrawn));
    bool writes = row.role == Role::kArchivist || row.role == Role::kAdmin;
    EXPECT_EQ(Decide(s, Action::kWrite, Consent::kPublic), writes);
  }
  EXPECT_EQ(ReadableLevels(Subject{Role::kResearcher, ""}).size(), 2u);
}

TEST(AccessTest, AWitnessReadsTheirOwnRecordsAtEveryLevelButWithdrawnAndNothingElse) {
  Subject witness{Role::kAnonymous, "wabc", "w-1"};
  for (meta::Consent c : {meta::Consent::kPublic, meta::Consent::kResearch,
                          meta::Consent::kRestricted, meta::Consent::kSealed}) {
    EXPECT_TRUE(Decide(witness, Action::kRead, c, "w-1")) << meta::ConsentName(c);
    EXPECT_EQ(Decide(witness, Action::kRead, c, "w-2"), c == meta::Consent::kPublic)
        << meta::ConsentName(c);
    EXPECT_FALSE(Decide(witness, Action::kWrite, c, "w-1"));
  }
  EXPECT_FALSE(Decide(witness, Action::kRead, meta::Consent::kWithdrawn, "w-1"));
  // Without a link, naming the witness changes nothing.
  EXPECT_FALSE(Decide(Subject{}, Action::kRead, meta::Consent::kRestricted, ""));
  EXPECT_FALSE(
      Decide(Subject{Role::kResearcher, "t1", ""}, Action::kRead, meta::Consent::kRestricted, ""));
}

TEST(AccessTest, TokensAreStoredHashedAndStopWorkingWhenRevokedOrExpired) {
  ClockEnv env;
  auto store = NewStore();
  auto t = CreateToken(&env, store.get(), Role::kArchivist, "laptop", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->secret.rfind("attest_", 0), 0u);
  auto listed = *store->ListTokens();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].sha256.find(t->secret), std::string::npos);
  EXPECT_NE(listed[0].sha256, t->secret);

  auto who = Authenticate(&env, store.get(), t->secret);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->role, Role::kArchivist);
  EXPECT_EQ(who->token_id, t->token.id);

  // One character off, truncated, empty: refused alike.
  std::string wrong = t->secret;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  for (const std::string& bad : {wrong, t->secret.substr(0, 20), std::string(), std::string("x")}) {
    auto r = Authenticate(&env, store.get(), bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
    EXPECT_EQ(r.status().message(), "the token is not valid");
  }

  ASSERT_TRUE(*store->RevokeToken(t->token.id, FormatRfc3339(env.now_)));
  EXPECT_FALSE(*store->RevokeToken(t->token.id, FormatRfc3339(env.now_)));
  auto revoked = Authenticate(&env, store.get(), t->secret);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.status().message(), "the token was revoked");

  auto soon =
      CreateToken(&env, store.get(), Role::kResearcher, "", FormatRfc3339(env.now_ + 60'000'000));
  ASSERT_TRUE(soon.ok());
  EXPECT_TRUE(Authenticate(&env, store.get(), soon->secret).ok());
  env.now_ += 61'000'000;
  auto expired = Authenticate(&env, store.get(), soon->secret);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().message(), "the token has expired");

  EXPECT_FALSE(CreateToken(&env, store.get(), Role::kAnonymous, "", "").ok());
  EXPECT_FALSE(CreateToken(&env, store.get(), Role::kAdmin, "", "next week").ok());
  EXPECT_FALSE(ParseRole("root").ok());
}

}  // namespace
}  // namespace attest::access
