// The conformance suite of meta::Store (store_conformance.h): witnesses, their consent forms,
// links and requests; API tokens; accounts and their sessions.
#include "meta/store_conformance.h"

namespace attest::meta {
namespace {

// Witnesses.

TEST_P(StoreConformanceTest, AWitnessKeepsTheDetailsNotGivenAgain) {
  ASSERT_TRUE(store_->SetWitness({"w1", "Dana", "Kfar Aza", "he,en"}, kT0).ok());
  ASSERT_TRUE(store_->SetWitness({"w1", "", "Kibbutz Kfar Aza", ""}, kT1).ok());
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "w2")}).ok());
  auto got = *store_->GetWitnesses({"w1", "w2", "w3", "w1"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got["w1"].id, "w1");
  EXPECT_EQ(got["w1"].name, "Dana");
  EXPECT_EQ(got["w1"].community, "Kibbutz Kfar Aza");
  EXPECT_EQ(got["w1"].languages, "he,en");
  EXPECT_EQ(got["w2"].name, "");  // made by its record, with no details
  EXPECT_TRUE(store_->GetWitnesses({})->empty());
}

TEST_P(StoreConformanceTest, ConsentFormsAreListedPerWitnessAndOutliveAWithdrawal) {
  std::string form_sha(64, 'f');
  WitnessForm f{0, "w1", form_sha, 1234, "application/pdf", "form.pdf", kT0, "cli:ann"};
  auto id = store_->AddWitnessForm(f);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  f.sha256 = std::string(64, 'g');
  f.added = kT1;
  int64_t second = *store_->AddWitnessForm(f);
  EXPECT_LT(*id, second);
  ASSERT_TRUE(store_
                  ->AddWitnessForm(
                      {0, "w2", std::string(64, 'h'), 1, "text/plain", "b.txt", kT0, "cli:ann"})
                  .ok());
  auto forms = *store_->ListWitnessForms("w1");
  ASSERT_EQ(forms.size(), 2u);
  EXPECT_EQ(forms[0].id, *id);
  EXPECT_EQ(forms[0].witness_id, "w1");
  EXPECT_EQ(forms[0].sha256, form_sha);
  EXPECT_EQ(forms[0].size, 1234u);
  EXPECT_EQ(forms[0].mime, "application/pdf");
  EXPECT_EQ(forms[0].file_name, "form.pdf");
  EXPECT_EQ(forms[0].added, kT0);
  EXPECT_EQ(forms[0].added_by, "cli:ann");
  EXPECT_EQ(forms[1].added, kT1);
  EXPECT_TRUE(store_->ListWitnessForms("w3")->empty());
  // A record whose original is also a form: withdrawing it keeps the blob.
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", form_sha, "w1")}).ok());
  auto w = *store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("w"));
  EXPECT_TRUE(w.blobs_to_erase.empty());
  EXPECT_EQ(store_->ListWitnessForms("w1")->size(), 2u);
}

TEST_P(StoreConformanceTest, AWitnessLinkIsFoundBySha256AndRevokedOnce) {
  std::string sha(64, 'l');
  ASSERT_TRUE(store_->AddWitnessLink({"wabc", sha, "w1", kT0}).ok());
  auto found = *store_->FindWitnessLink(sha);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, "wabc");
  EXPECT_EQ(found->witness_id, "w1");
  EXPECT_EQ(found->created, kT0);
  EXPECT_TRUE(found->revoked.empty());
  EXPECT_FALSE(store_->FindWitnessLink(std::string(64, 'x'))->has_value());
  EXPECT_TRUE(*store_->RevokeWitnessLink("wabc", kT1));
  EXPECT_FALSE(*store_->RevokeWitnessLink("wabc", kT1));
  EXPECT_FALSE(*store_->RevokeWitnessLink("wzzz", kT1));
  EXPECT_EQ((*store_->FindWitnessLink(sha))->revoked, kT1);
}

TEST_P(StoreConformanceTest, WitnessRequestsAreListedInOrder) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "w1")}).ok());
  auto a = store_->AddWitnessRequest({0, "w1", "r1", "consent", "research", "please", "wabc", kT0});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  int64_t b = *store_->AddWitnessRequest({0, "w1", "r1", "withdraw", "", "remove it", "wabc", kT1});
  EXPECT_LT(*a, b);
  auto all = *store_->ListWitnessRequests();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, *a);
  EXPECT_EQ(all[0].witness_id, "w1");
  EXPECT_EQ(all[0].record_id, "r1");
  EXPECT_EQ(all[0].kind, "consent");
  EXPECT_EQ(all[0].level, "research");
  EXPECT_EQ(all[0].message, "please");
  EXPECT_EQ(all[0].link_id, "wabc");
  EXPECT_EQ(all[0].created, kT0);
  EXPECT_EQ(all[1].kind, "withdraw");
  EXPECT_EQ(all[1].level, "");
}

// Researchers' access requests (migration 15).

TEST_P(StoreConformanceTest, AnAccessRequestIsDecidedOnceAndItsGrantEndsByItself) {
  AccessRequest r;
  r.requester = "user:ann";
  r.scope = "collection";
  r.scope_id = "c1";
  r.purpose = "a thesis on the crossing";
  r.asked = kT0;
  auto a = store_->AddAccessRequest(r);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  r.scope = "record";
  r.scope_id = "r9";
  int64_t b = *store_->AddAccessRequest(r);
  r.requester = "token:tother";
  int64_t c = *store_->AddAccessRequest(r);
  EXPECT_LT(*a, b);
  auto mine = *store_->ListAccessRequests("user:ann", "", 0, 10);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].id, b);  // newest first
  EXPECT_EQ(mine[1].scope_id, "c1");
  EXPECT_EQ(mine[1].purpose, "a thesis on the crossing");
  EXPECT_EQ(mine[1].state, "open");
  EXPECT_EQ(mine[1].asked, kT0);
  EXPECT_EQ(store_->ListAccessRequests("", "open", 0, 10)->size(), 3u);
  EXPECT_EQ(store_->ListAccessRequests("", "open", c, 10)->size(), 2u);  // before c
  EXPECT_EQ(store_->ListAccessRequests("", "", 0, 1)->size(), 1u);

  AccessRequest grant;
  grant.state = "granted";
  grant.decided = kT1;
  grant.decided_by = "user:arch";
  grant.terms = "no quotation by name";
  grant.until = "2026-11-24T10:00:00Z";
  EXPECT_TRUE(*store_->DecideAccessRequest(*a, grant));
  AccessRequest refuse;
  refuse.state = "refused";
  refuse.decided = kT1;
  refuse.decided_by = "user:other";
  refuse.reason = "late";
  EXPECT_FALSE(*store_->DecideAccessRequest(*a, refuse));  // decided once
  EXPECT_FALSE(*store_->DecideAccessRequest(9999, refuse));
  EXPECT_TRUE(*store_->DecideAccessRequest(b, refuse));
  auto got = *store_->GetAccessRequest(*a);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, "granted");
  EXPECT_EQ(got->decided_by, "user:arch");
  EXPECT_EQ(got->terms, "no quotation by name");
  EXPECT_EQ(got->until, "2026-11-24T10:00:00Z");
  EXPECT_EQ((*store_->GetAccessRequest(b))->reason, "late");
  EXPECT_FALSE(store_->GetAccessRequest(9999)->has_value());

  auto active = *store_->ActiveGrants("user:ann", "2026-11-24T09:59:59Z");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].scope_id, "c1");
  EXPECT_TRUE(store_->ActiveGrants("user:ann", "2026-11-24T10:00:00Z")->empty());
  EXPECT_TRUE(store_->ActiveGrants("token:tother", kT0)->empty());
}

TEST_P(StoreConformanceTest, ARecordKeepsWhoAddedItAndAVolunteerIsARole) {
  auto req = NewRecord("r1", std::string(64, '1'), "w1");
  req.added_by = "user:vol";
  ASSERT_TRUE(store_->AddVersions({req}).ok());
  ASSERT_TRUE(store_->AddVersions({NewRecord("r2", std::string(64, '2'), "w1")}).ok());
  EXPECT_EQ(store_->GetRecord("r1")->added_by, "user:vol");
  EXPECT_EQ(store_->GetRecord("r2")->added_by, "");
  EXPECT_TRUE(store_->AddToken({"tvol", std::string(64, '3'), "volunteer", "", kT0}).ok());
  EXPECT_EQ((*store_->FindToken(std::string(64, '3')))->role, "volunteer");
}

// API tokens.

TEST_P(StoreConformanceTest, ATokenIsFoundBySha256AndRevokedOnce) {
  Token t{"tabc", std::string(64, '1'), "researcher", "for Ann", kT0, "2027-01-01T00:00:00Z"};
  ASSERT_TRUE(store_->AddToken(t).ok());
  ASSERT_TRUE(store_->AddToken({"tdef", std::string(64, '2'), "admin", "", kT1}).ok());
  auto found = *store_->FindToken(t.sha256);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, "tabc");
  EXPECT_EQ(found->role, "researcher");
  EXPECT_EQ(found->label, "for Ann");
  EXPECT_EQ(found->created, kT0);
  EXPECT_EQ(found->expires, "2027-01-01T00:00:00Z");
  EXPECT_TRUE(found->revoked.empty());
  EXPECT_FALSE(store_->FindToken(std::string(64, '3'))->has_value());
  auto all = *store_->ListTokens();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "tabc");
  EXPECT_EQ(all[1].expires, "");  // never
  EXPECT_TRUE(*store_->RevokeToken("tabc", kT1));
  EXPECT_FALSE(*store_->RevokeToken("tabc", kT1));
  EXPECT_FALSE(*store_->RevokeToken("tzzz", kT1));
  EXPECT_EQ((*store_->FindToken(t.sha256))->revoked, kT1);
  EXPECT_FALSE(store_->AddToken(t).ok());  // the same id again
}

// Accounts and sessions.

User Ann() { return {"u1", "ann", "researcher", "$argon2id$ann", kT0, ""}; }

Session SessionOf(const std::string& sha, const std::string& user, const std::string& created,
                  const std::string& expires) {
  return {sha, user, "csrf-" + sha.substr(0, 4), created, expires};
}

TEST_P(StoreConformanceTest, AccountsAreFoundByNameAndListedByName) {
  ASSERT_TRUE(store_->AddUser({"u2", "zoe", "admin", "$argon2id$zoe", kT0, ""}).ok());
  ASSERT_TRUE(store_->AddUser(Ann()).ok());
  auto ann = *store_->FindUser("ann");
  ASSERT_TRUE(ann.has_value());
  EXPECT_EQ(ann->id, "u1");
  EXPECT_EQ(ann->role, "researcher");
  EXPECT_EQ(ann->password, "$argon2id$ann");
  EXPECT_EQ(ann->created, kT0);
  EXPECT_TRUE(ann->disabled.empty());
  EXPECT_FALSE(store_->FindUser("bob")->has_value());
  auto all = *store_->ListUsers();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "ann");
  EXPECT_EQ(all[1].name, "zoe");
  EXPECT_FALSE(store_->AddUser({"u3", "ann", "admin", "x", kT0}).ok());  // the name is taken
}

TEST_P(StoreConformanceTest, ChangingAnAccountEndsItsSessions) {
  ASSERT_TRUE(store_->AddUser(Ann()).ok());
  ASSERT_TRUE(store_->AddUser({"u2", "zoe", "admin", "$argon2id$zoe", kT0, ""}).ok());
  std::string s1(64, '1'), s2(64, '2'), z(64, 'z');
  constexpr char kLate[] = "2026-01-01T12:00:00Z";
  ASSERT_TRUE(store_->AddSession(SessionOf(z, "u2", kT0, kLate)).ok());
  auto relogin = [&](const std::string& sha) {
    ASSERT_TRUE(store_->AddSession(SessionOf(sha, "u1", kT0, kLate)).ok());
    ASSERT_TRUE((*store_->FindSession(sha)).has_value());
  };
  relogin(s1);
  EXPECT_TRUE(*store_->SetUserRole("ann", "archivist"));
  EXPECT_FALSE(store_->FindSession(s1)->has_value());
  EXPECT_EQ((*store_->FindUser("ann"))->role, "archivist");
  relogin(s1);
  EXPECT_TRUE(*store_->SetUserPassword("ann", "$argon2id$new"));
  EXPECT_FALSE(store_->FindSession(s1)->has_value());
  EXPECT_EQ((*store_->FindUser("ann"))->password, "$argon2id$new");
  relogin(s2);
  EXPECT_TRUE(*store_->SetUserDisabled("ann", kT1));
  EXPECT_FALSE(store_->FindSession(s2)->has_value());
  EXPECT_EQ((*store_->FindUser("ann"))->disabled, kT1);
  EXPECT_TRUE(*store_->SetUserDisabled("ann", ""));
  EXPECT_TRUE((*store_->FindUser("ann"))->disabled.empty());
  EXPECT_TRUE(store_->FindSession(z)->has_value());  // zoe's is untouched
  EXPECT_FALSE(*store_->SetUserRole("bob", "admin"));
  EXPECT_FALSE(*store_->SetUserPassword("bob", "x"));
  EXPECT_FALSE(*store_->SetUserDisabled("bob", kT1));
}

TEST_P(StoreConformanceTest, ASessionIsFoundWithItsAccountAndExpiredOnesGoAtTheNextLogin) {
  ASSERT_TRUE(store_->AddUser(Ann()).ok());
  std::string old(64, 'o'), now(64, 'n');
  ASSERT_TRUE(store_->AddSession(SessionOf(old, "u1", kT0, kT1)).ok());
  auto found = *store_->FindSession(old);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->first.sha256, old);
  EXPECT_EQ(found->first.user_id, "u1");
  EXPECT_EQ(found->first.csrf, "csrf-oooo");
  EXPECT_EQ(found->first.created, kT0);
  EXPECT_EQ(found->first.expires, kT1);
  EXPECT_EQ(found->second.name, "ann");
  EXPECT_EQ(found->second.role, "researcher");
  ASSERT_TRUE(store_->AddSession(SessionOf(now, "u1", kT1, "2026-01-02T00:00:00Z")).ok());
  EXPECT_FALSE(store_->FindSession(old)->has_value());  // expired at kT1
  EXPECT_TRUE(store_->FindSession(now)->has_value());
  ASSERT_TRUE(store_->DeleteSession(now).ok());
  EXPECT_FALSE(store_->FindSession(now)->has_value());
  EXPECT_FALSE(store_->FindSession(std::string(64, 'x'))->has_value());
}

}  // namespace
}  // namespace attest::meta
