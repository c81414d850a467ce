#include "access/access.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/fault_env.h"
#include "core/json.h"
#include "core/temp_dir.h"

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

// A store in a directory of its own, removed with it.
class TempStore {
 public:
  TempStore() { store_ = *meta::OpenSqliteStore(path(), true); }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
  std::string path() const { return dir_.Join("attest.db"); }
  meta::Store* get() const { return store_.get(); }
  meta::Store* operator->() const { return store_.get(); }

 private:
  TempDir dir_{"attest-access"};  // declared first: removed after store_ is closed
  std::unique_ptr<meta::Store> store_;
};

TempStore NewStore() { return TempStore(); }

Resource M(Consent c, std::string witness = "") {
  return Resource::Material(c, std::move(witness));
}

TEST(AccessTest, EachRoleReadsExactlyTheLevelsDesignAllows) {
  struct Row {
    Role role;
    bool pub, research, restricted;
  };
  for (Row row :
       {Row{Role::kAnonymous, true, false, false}, Row{Role::kVolunteer, true, true, false},
        Row{Role::kResearcher, true, true, false},
        Row{Role::kArchivist, true, true, true}, Row{Role::kAdmin, true, true, true}}) {
    Subject s{row.role, ""};
    EXPECT_EQ(Decide(s, Action::kRead, M(Consent::kPublic)), row.pub) << RoleName(row.role);
    EXPECT_EQ(Decide(s, Action::kRead, M(Consent::kResearch)), row.research) << RoleName(row.role);
    EXPECT_EQ(Decide(s, Action::kRead, M(Consent::kRestricted)), row.restricted)
        << RoleName(row.role);
    // Nobody reads sealed or withdrawn material through an interface.
    EXPECT_FALSE(Decide(s, Action::kRead, M(Consent::kSealed)));
    EXPECT_FALSE(Decide(s, Action::kRead, M(Consent::kWithdrawn)));
    bool staff = row.role == Role::kArchivist || row.role == Role::kAdmin;
    EXPECT_EQ(Decide(s, Action::kWrite, M(Consent::kPublic)), staff);
    EXPECT_EQ(Decide(s, Action::kAdd, M(Consent::kPublic)), staff || row.role == Role::kVolunteer);
    // Hidden spans and consent forms: the staff; the audit log: admins; nobody writes the log.
    EXPECT_EQ(Decide(s, Action::kRead, Resource::HiddenSpan(Consent::kPublic, "w-1")), staff);
    EXPECT_FALSE(Decide(s, Action::kRead, Resource::HiddenSpan(Consent::kSealed, "w-1")));
    EXPECT_EQ(Decide(s, Action::kRead, Resource::ConsentForm("w-1")), staff);
    EXPECT_EQ(Decide(s, Action::kRead, Resource::AuditLog()), row.role == Role::kAdmin);
    EXPECT_FALSE(Decide(s, Action::kWrite, Resource::AuditLog()));
  }
  EXPECT_EQ(ReadableLevels(Subject{Role::kResearcher, ""}).size(), 2u);
}

// A volunteer reads restricted material it added, and no one else's; a grant opens its
// collection's or record's restricted material to its holder, never sealed or withdrawn, never
// hidden spans or consent forms, and never a record its witness asked to withdraw.
TEST(AccessTest, AVolunteersOwnAdditionsAndAResearchersGrantsOpenRestrictedMaterialOnly) {
  meta::Record mine;
  mine.id = "r1";
  mine.collection_id = "c1";
  mine.witness_id = "w-1";
  mine.added_by = "user:vol";
  meta::Record other = mine;
  other.id = "r2";
  other.collection_id = "c2";
  other.added_by = "user:someone";
  Subject vol{Role::kVolunteer, "", "", "vol"};
  EXPECT_TRUE(Decide(vol, Action::kRead, Resource::Of(mine, Consent::kRestricted)));
  EXPECT_FALSE(Decide(vol, Action::kRead, Resource::Of(other, Consent::kRestricted)));
  EXPECT_FALSE(Decide(vol, Action::kRead, Resource::Of(mine, Consent::kSealed)));
  EXPECT_FALSE(Decide(vol, Action::kWrite, Resource::Of(mine, Consent::kRestricted)));
  EXPECT_FALSE(Decide(vol, Action::kRead, Resource::HiddenSpan(Consent::kRestricted, "w-1")));
  EXPECT_FALSE(Decide(vol, Action::kRead, Resource::ConsentForm("w-1")));
  // A token's actor is not an account's of the same name.
  Subject token{Role::kVolunteer, "vol"};
  EXPECT_FALSE(Decide(token, Action::kRead, Resource::Of(mine, Consent::kRestricted)));

  Subject ann{Role::kResearcher, "", "", "ann"};
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(other, Consent::kRestricted)));
  // Only a volunteer's additions open to it: an account that added records and is now a
  // researcher reads them as a researcher does.
  meta::Record anns = other;
  anns.added_by = "user:ann";
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(anns, Consent::kRestricted)));
  ann.grants = {{"collection", "c2", "2030-01-01T00:00:00Z"}};
  EXPECT_TRUE(Decide(ann, Action::kRead, Resource::Of(other, Consent::kRestricted)));
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(mine, Consent::kRestricted)));
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(other, Consent::kSealed)));
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(other, Consent::kWithdrawn)));
  EXPECT_FALSE(Decide(ann, Action::kWrite, Resource::Of(other, Consent::kRestricted)));
  ann.grants = {{"record", "r1", "2030-01-01T00:00:00Z"}};
  EXPECT_TRUE(Decide(ann, Action::kRead, Resource::Of(mine, Consent::kRestricted)));
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(other, Consent::kRestricted)));
  // A record id is not a collection id.
  ann.grants = {{"record", "c2", "2030-01-01T00:00:00Z"}};
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(other, Consent::kRestricted)));

  mine.withdrawal_asked = true;
  ann.grants = {{"record", "r1", "2030-01-01T00:00:00Z"}};
  EXPECT_FALSE(Decide(ann, Action::kRead, Resource::Of(mine, Consent::kRestricted)));
  EXPECT_FALSE(Decide(vol, Action::kRead, Resource::Of(mine, Consent::kRestricted)));
  EXPECT_TRUE(Decide(Subject{Role::kArchivist, "t"}, Action::kRead,
                     Resource::Of(mine, Consent::kRestricted)));
  // An anonymous caller holds no grant, whatever it carries.
  Subject anon;
  anon.grants = {{"record", "r2", "2030-01-01T00:00:00Z"}};
  EXPECT_FALSE(Decide(anon, Action::kRead, Resource::Of(other, Consent::kRestricted)));
}

TEST(AccessTest, AGrantIsLoadedWithTheCallerUntilItEnds) {
  ClockEnv env;
  auto store = NewStore();
  ASSERT_TRUE(CreateUser(&env, store.get(), "ann", Role::kResearcher, "correct horse battery")
                  .ok());
  auto t = CreateToken(&env, store.get(), Role::kResearcher, "", "");
  ASSERT_TRUE(t.ok());
  meta::AccessRequest r;
  r.requester = "token:" + t->token.id;
  r.scope = "collection";
  r.scope_id = "c1";
  r.purpose = "p";
  r.asked = FormatRfc3339(env.now_);
  int64_t id = *store->AddAccessRequest(r);
  meta::AccessRequest d;
  d.state = "granted";
  d.decided = r.asked;
  d.decided_by = "user:arch";
  d.until = FormatRfc3339(env.now_ + int64_t{86400} * 1000000);
  ASSERT_TRUE(*store->DecideAccessRequest(id, d));
  auto who = Authenticate(&env, store.get(), t->secret);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->grants.size(), 1u);
  EXPECT_EQ(who->grants[0].scope, "collection");
  EXPECT_EQ(who->grants[0].id, "c1");
  env.now_ += int64_t{86400} * 1000000;  // a day later it has ended
  EXPECT_TRUE(Authenticate(&env, store.get(), t->secret)->grants.empty());
}

// doc/privacy.md: a sealed record is seen by nobody, archivists included, until its day, so
// before it nobody may change it (a consent change would open it); a withdrawn one is gone.
TEST(AccessTest, ASealedRecordTakesOnlyAWithdrawalOrALaterSealAndAWithdrawnOneOnlyItsWithdrawal) {
  for (Role role : {Role::kArchivist, Role::kAdmin}) {
    Subject s{role, "t1"};
    for (Consent c : {Consent::kPublic, Consent::kResearch, Consent::kRestricted}) {
      for (Action a : {Action::kWrite, Action::kWithdraw, Action::kReseal}) {
        EXPECT_TRUE(Decide(s, a, M(c))) << meta::ConsentName(c);
      }
    }
    EXPECT_FALSE(Decide(s, Action::kWrite, M(Consent::kSealed)));
    EXPECT_TRUE(Decide(s, Action::kWithdraw, M(Consent::kSealed)));
    EXPECT_TRUE(Decide(s, Action::kReseal, M(Consent::kSealed)));
    EXPECT_FALSE(Decide(s, Action::kWrite, M(Consent::kWithdrawn)));
    EXPECT_FALSE(Decide(s, Action::kReseal, M(Consent::kWithdrawn)));
    EXPECT_TRUE(Decide(s, Action::kWithdraw, M(Consent::kWithdrawn)));  // finishing it
  }
  // Nobody else writes at all, whatever the level.
  for (Subject s :
       {Subject{}, Subject{Role::kResearcher, "t2"}, Subject{Role::kAnonymous, "w1", "w-1"}}) {
    for (Action a : {Action::kWrite, Action::kWithdraw, Action::kReseal}) {
      EXPECT_FALSE(Decide(s, a, M(Consent::kSealed, "w-1")));
      EXPECT_FALSE(Decide(s, a, M(Consent::kPublic, "w-1")));
    }
  }
  EXPECT_FALSE(RecordTakes(Consent::kSealed, Action::kWrite));
  EXPECT_TRUE(RecordTakes(Consent::kRestricted, Action::kWrite));
}

TEST(AccessTest, AWitnessReadsTheirOwnRecordsAtEveryLevelButWithdrawnAndNothingElse) {
  Subject witness{Role::kAnonymous, "wabc", "w-1"};
  for (meta::Consent c : {meta::Consent::kPublic, meta::Consent::kResearch,
                          meta::Consent::kRestricted, meta::Consent::kSealed}) {
    EXPECT_TRUE(Decide(witness, Action::kRead, M(c, "w-1"))) << meta::ConsentName(c);
    EXPECT_EQ(Decide(witness, Action::kRead, M(c, "w-2")), c == meta::Consent::kPublic)
        << meta::ConsentName(c);
    EXPECT_FALSE(Decide(witness, Action::kWrite, M(c, "w-1")));
    EXPECT_TRUE(Decide(witness, Action::kRead, Resource::HiddenSpan(c, "w-1")));
    EXPECT_FALSE(Decide(witness, Action::kRead, Resource::HiddenSpan(c, "w-2")));
  }
  EXPECT_FALSE(Decide(witness, Action::kRead, M(meta::Consent::kWithdrawn, "w-1")));
  EXPECT_TRUE(Decide(witness, Action::kRead, Resource::ConsentForm("w-1")));
  EXPECT_FALSE(Decide(witness, Action::kRead, Resource::ConsentForm("w-2")));
  EXPECT_FALSE(Decide(witness, Action::kRead, Resource::AuditLog()));
  // Without a link, naming the witness changes nothing.
  EXPECT_FALSE(Decide(Subject{}, Action::kRead, M(meta::Consent::kRestricted, "")));
  EXPECT_FALSE(Decide(Subject{}, Action::kRead, Resource::ConsentForm("")));
  EXPECT_FALSE(
      Decide(Subject{Role::kResearcher, "t1", ""}, Action::kRead, M(meta::Consent::kRestricted)));
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
    EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
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

TEST(AccessTest, AccountsKeepOnlyAnArgon2idHashAndRefuseBadNamesAndShortPasswords) {
  ClockEnv env;
  auto store = NewStore();
  const std::string pw = "correct horse battery";
  auto u = CreateUser(&env, store.get(), "amira", Role::kResearcher, pw);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  auto stored = *store->FindUser("amira");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->password.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << stored->password;
  EXPECT_EQ(stored->password.find(pw), std::string::npos);
  EXPECT_EQ(stored->role, "researcher");

  EXPECT_EQ(CreateUser(&env, store.get(), "amira", Role::kAdmin, pw).status().code(),
            Code::kConflict);
  for (const char* bad : {"", "Amira", "a b", "../etc", "x\n"}) {
    auto r = CreateUser(&env, store.get(), bad, Role::kResearcher, pw);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
  auto short_pw = CreateUser(&env, store.get(), "yossi", Role::kResearcher, "short");
  EXPECT_EQ(short_pw.status().message(), "the password is shorter than 12 characters");
  EXPECT_FALSE(CreateUser(&env, store.get(), "yossi", Role::kAnonymous, pw).ok());
}

TEST(AccessTest, ALoginMakesASessionThatEndsOnLogoutExpiryRoleChangeOrDisabling) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);
  const std::string pw = "correct horse battery";
  ASSERT_TRUE(CreateUser(&env, store.get(), "amira", Role::kArchivist, pw).ok());

  auto s = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->secret.rfind("attests_", 0), 0u);
  auto who = AuthenticateSession(&env, store.get(), s->secret);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->role, Role::kArchivist);
  EXPECT_EQ(who->user, "amira");
  EXPECT_EQ(who->Actor(), "user:amira");
  EXPECT_EQ(who->csrf.size(), 52u);
  // Stored as a digest only.
  EXPECT_FALSE(*store->FindSession(s->secret));

  // Two logins are two sessions with their own form tokens.
  auto s2 = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  ASSERT_TRUE(s2.ok());
  EXPECT_NE(s2->secret, s->secret);
  EXPECT_NE(s2->session.csrf, s->session.csrf);

  ASSERT_TRUE(LogOut(&env, store.get(), s->secret).ok());
  EXPECT_EQ(AuthenticateSession(&env, store.get(), s->secret).status().code(),
            Code::kUnauthenticated);
  EXPECT_TRUE(AuthenticateSession(&env, store.get(), s2->secret).ok());

  // A role change ends every session of the account.
  ASSERT_TRUE(*store->SetUserRole("amira", "researcher"));
  EXPECT_FALSE(AuthenticateSession(&env, store.get(), s2->secret).ok());
  auto s3 = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(AuthenticateSession(&env, store.get(), s3->secret)->role, Role::kResearcher);

  // Twelve hours later the session has ended.
  env.now_ += (kSessionSeconds - 1) * 1'000'000;
  EXPECT_TRUE(AuthenticateSession(&env, store.get(), s3->secret).ok());
  env.now_ += 2'000'000;
  EXPECT_FALSE(AuthenticateSession(&env, store.get(), s3->secret).ok());

  // Disabled: no session, no login, even with the right password.
  auto s4 = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  ASSERT_TRUE(s4.ok());
  ASSERT_TRUE(*store->SetUserDisabled("amira", FormatRfc3339(env.now_)));
  EXPECT_FALSE(AuthenticateSession(&env, store.get(), s4->secret).ok());
  auto refused = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  EXPECT_EQ(refused.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(refused.status().message(), "this account is disabled");
  ASSERT_TRUE(*store->SetUserDisabled("amira", ""));
  EXPECT_TRUE(LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1").ok());

  // A new password ends the sessions, and the old one no longer logs in.
  auto s5 = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  ASSERT_TRUE(ChangePassword(store.get(), "amira", "another long passphrase").ok());
  EXPECT_FALSE(AuthenticateSession(&env, store.get(), s5->secret).ok());
  EXPECT_FALSE(LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1").ok());
  EXPECT_TRUE(
      LogIn(&env, store.get(), &throttle, "amira", "another long passphrase", "192.0.2.1").ok());
}

TEST(AccessTest, AWrongPasswordAndAnUnknownNameAreRefusedAlikeAndAudited) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);
  ASSERT_TRUE(
      CreateUser(&env, store.get(), "amira", Role::kResearcher, "correct horse battery").ok());
  auto wrong = LogIn(&env, store.get(), &throttle, "amira", "not the password", "192.0.2.1");
  auto unknown = LogIn(&env, store.get(), &throttle, "nobody", "not the password", "192.0.2.2");
  EXPECT_EQ(wrong.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(wrong.status().ToString(), unknown.status().ToString());
  auto ok = LogIn(&env, store.get(), &throttle, "amira", "correct horse battery", "192.0.2.3");
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(LogOut(&env, store.get(), ok->secret).ok());

  auto entries = *store->ListAudit("", "");
  std::vector<std::string> seen;
  for (const auto& e : entries) seen.push_back(e.actor + " " + e.action + " " + e.target);
  EXPECT_EQ(seen, (std::vector<std::string>{"address:192.0.2.1 login.refused amira",
                                            "address:192.0.2.2 login.refused nobody",
                                            "user:amira login amira", "user:amira logout amira"}));
  for (const auto& e : entries) {
    EXPECT_EQ(e.detail.find("not the password"), std::string::npos);
  }
}

TEST(AccessTest, RefusedLoginsHoldBackTheAccountAndTheAddressForTheWindow) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);
  const std::string pw = "correct horse battery";
  ASSERT_TRUE(CreateUser(&env, store.get(), "amira", Role::kResearcher, pw).ok());
  // Five wrong guesses for one account, from five addresses.
  for (int i = 0; i < 5; ++i) {
    auto r = LogIn(&env, store.get(), &throttle, "amira", "guess " + std::to_string(i),
                   "198.51.100." + std::to_string(i));
    EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  }
  // Now even the right password is held back, from any address, and no entry is written.
  size_t entries = store->ListAudit("", "")->size();
  auto held = LogIn(&env, store.get(), &throttle, "amira", pw, "203.0.113.9");
  EXPECT_EQ(held.status().code(), Code::kExhausted);
  EXPECT_EQ(held.status().message(), "too many refused logins; try again in 900 s");
  EXPECT_EQ(store->ListAudit("", "")->size(), entries);
  env.now_ += 600'000'000;
  EXPECT_EQ(throttle.WaitSeconds("amira", "203.0.113.9"), 300);
  env.now_ += 300'000'000;
  EXPECT_TRUE(LogIn(&env, store.get(), &throttle, "amira", pw, "203.0.113.9").ok());

  // Twenty refusals from one address, each for another name: that address is held back, for
  // every name, and the others are not.
  for (int i = 0; i < 20; ++i) {
    (void)LogIn(&env, store.get(), &throttle, "name" + std::to_string(i), "guess", "192.0.2.66");
  }
  EXPECT_EQ(LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.66").status().code(),
            Code::kExhausted);
  EXPECT_TRUE(LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.67").ok());

  // A right password clears the account's count: four wrong, one right, four wrong is not held.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 4; ++i) {
      (void)LogIn(&env, store.get(), &throttle, "amira", "guess", "192.0.2." + std::to_string(i));
    }
    if (round == 0) {
      ASSERT_TRUE(LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.9").ok());
    }
  }
  EXPECT_EQ(throttle.WaitSeconds("amira", "192.0.2.9"), 0);
}

TEST(AccessTest, GuessesSentAtOnceMakeAtMostTheLimitsPasswordChecks) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);
  ASSERT_TRUE(
      CreateUser(&env, store.get(), "amira", Role::kResearcher, "correct horse battery").ok());
  // Each guess on its own thread with its own handle on the store, as the server's are.
  constexpr int kGuesses = 24;
  std::atomic<int> checked{0}, held{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kGuesses; ++i) {
    threads.emplace_back([&, i] {
      auto own = meta::OpenSqliteStore(store.path(), false);
      ASSERT_TRUE(own.ok()) << own.status().ToString();
      while (!go) std::this_thread::yield();
      auto r = LogIn(&env, own->get(), &throttle, "amira", "guess " + std::to_string(i),
                     "198.51.100." + std::to_string(i));
      Code code = r.status().code();
      (code == Code::kUnauthenticated ? checked : code == Code::kExhausted ? held : other)++;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(checked, 5);
  EXPECT_EQ(held, kGuesses - 5);
  EXPECT_EQ(other, 0);
  // Each password check writes one refusal: the log agrees.
  int refusals = 0;
  for (const auto& e : *store->ListAudit("", "")) refusals += e.action == "login.refused";
  EXPECT_EQ(refusals, 5);
}

TEST(AccessTest, AddressesAreCountedPerIpv4AddressAndPerIpv6Slash64) {
  EXPECT_EQ(LoginThrottle::AddressKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(LoginThrottle::AddressKey("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(LoginThrottle::AddressKey("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(LoginThrottle::AddressKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64");
  EXPECT_EQ(LoginThrottle::AddressKey("fe80::1%eth0"), "fe80::/64");
  EXPECT_NE(LoginThrottle::AddressKey("2001:db8:1:3::1"), "2001:db8:1:2::/64");
  // Not an address: a bounded key, one per string.
  const std::string odd = LoginThrottle::AddressKey(std::string(16 * 1024, 'x'));
  EXPECT_EQ(odd.size(), 33u);
  EXPECT_NE(odd, LoginThrottle::AddressKey("unknown"));

  ClockEnv env;
  LoginThrottle throttle(&env);
  LoginThrottle::Ticket ticket;
  // Twenty attempts from twenty addresses of one /64, each at another name.
  for (int i = 0; i < 20; ++i) {
    char address[64];
    std::snprintf(address, sizeof address, "2001:db8:1:2:%x::%x", i, i + 1);
    ASSERT_EQ(throttle.TryReserve("name" + std::to_string(i), "", address, &ticket), 0) << i;
  }
  EXPECT_EQ(throttle.TryReserve("amira", "", "2001:db8:1:2:abcd::9", &ticket), 900);
  EXPECT_EQ(throttle.TryReserve("amira", "", "2001:db8:1:3::1", &ticket), 0);
  // IPv4 addresses are their own.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(throttle.TryReserve("v4name" + std::to_string(i), "", "192.0.2.1", &ticket), 0);
  }
  EXPECT_GT(throttle.TryReserve("amira", "", "::ffff:192.0.2.1", &ticket), 0);
  EXPECT_EQ(throttle.TryReserve("amira", "", "192.0.2.2", &ticket), 0);
}

TEST(AccessTest, ASuccessReleasesItsAttemptAndEmptiedCountsArePrunedSafely) {
  ClockEnv env;
  LoginThrottle::Limits limits;
  limits.prune_at = 4;
  LoginThrottle throttle(&env, limits);
  // Successes from one address never hold it back.
  for (int i = 0; i < 50; ++i) {
    LoginThrottle::Ticket ticket;
    ASSERT_EQ(throttle.TryReserve("user" + std::to_string(i), "", "192.0.2.1", &ticket), 0) << i;
    throttle.Release(ticket);
  }
  // Counts emptied by releases and counts gone stale are pruned alike, and the limits hold.
  env.now_ += limits.window_us + 1;
  LoginThrottle::Ticket ticket;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(throttle.TryReserve("amira", "", "192.0.2.2", &ticket), 0);
  EXPECT_EQ(throttle.TryReserve("amira", "", "192.0.2.3", &ticket), 900);
  EXPECT_EQ(throttle.WaitSeconds("amira", "192.0.2.4"), 900);
}

TEST(AccessTest, ANameThatCannotBeAnAccountsIsRefusedBeforeAnyWork) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);
  const std::string pw = "correct horse battery";
  ASSERT_TRUE(CreateUser(&env, store.get(), "amira", Role::kResearcher, pw).ok());
  const std::string long_name(16 * 1024, 'a');
  for (int i = 0; i < 30; ++i) {
    auto r = LogIn(&env, store.get(), &throttle, long_name, "guess", "192.0.2.1");
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "the account name is over 64 bytes");
  }
  auto upper = LogIn(&env, store.get(), &throttle, "Amira", pw, "192.0.2.1");
  EXPECT_EQ(upper.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(upper.status().message(), "an account name is 1 to 64 of a-z 0-9 . _ -");
  // Nothing was counted or audited.
  EXPECT_EQ(throttle.WaitSeconds(long_name, "192.0.2.1"), 0);
  EXPECT_TRUE(store->ListAudit("", "")->empty());
  EXPECT_TRUE(LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1").ok());
}

TEST(AccessTest, TheOwnersSessionsKeepWorkingWhileTheAccountIsHeldBack) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);
  const std::string pw = "correct horse battery";
  ASSERT_TRUE(CreateUser(&env, store.get(), "amira", Role::kResearcher, pw).ok());
  auto session = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1");
  ASSERT_TRUE(session.ok());
  for (int i = 0; i < 5; ++i) {
    (void)LogIn(&env, store.get(), &throttle, "amira", "guess", "203.0.113." + std::to_string(i));
  }
  int64_t retry = 0;
  auto held = LogIn(&env, store.get(), &throttle, "amira", pw, "192.0.2.1", &retry);
  EXPECT_EQ(held.status().code(), Code::kExhausted);
  EXPECT_EQ(retry, 900);
  auto who = AuthenticateSession(&env, store.get(), session->secret);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->user, "amira");
}

TEST(AccessTest, AnAdminsPasswordResetLetsTheOwnerLogInAtOnce) {
  ClockEnv env;
  auto store = NewStore();
  LoginThrottle throttle(&env);  // the server's, which does not see the reset
  ASSERT_TRUE(
      CreateUser(&env, store.get(), "amira", Role::kResearcher, "correct horse battery").ok());
  for (int i = 0; i < 5; ++i) {
    (void)LogIn(&env, store.get(), &throttle, "amira", "guess", "203.0.113." + std::to_string(i));
  }
  EXPECT_EQ(LogIn(&env, store.get(), &throttle, "amira", "guess", "203.0.113.9").status().code(),
            Code::kExhausted);
  // `attest user password amira`, in another process.
  ASSERT_TRUE(ChangePassword(store.get(), "amira", "a new long passphrase").ok());
  EXPECT_TRUE(
      LogIn(&env, store.get(), &throttle, "amira", "a new long passphrase", "192.0.2.1").ok());
  // The count starts anew for the new password, as strict as before.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        LogIn(&env, store.get(), &throttle, "amira", "guess", "203.0.113." + std::to_string(i))
            .status()
            .code(),
        Code::kUnauthenticated);
  }
  EXPECT_EQ(LogIn(&env, store.get(), &throttle, "amira", "a new long passphrase", "192.0.2.1")
                .status()
                .code(),
            Code::kExhausted);
}

}  // namespace
}  // namespace attest::access
