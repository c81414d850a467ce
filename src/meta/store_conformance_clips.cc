// The conformance suite of meta::Store (store_conformance.h): clips and the sessions composed of
// them (doc/format/metadata.md, migration 16).
#include "meta/store_conformance.h"

namespace attest::meta {
namespace {

Clip MediaClip(const std::string& id, const std::string& owner, const std::string& created) {
  Clip c;
  c.id = id;
  c.owner = owner;
  c.record_id = "r1";
  c.version = 1;
  c.start_ms = 1000;
  c.end_ms = 5000;
  c.title = "sample clip";
  c.note = "a note";
  c.created = created;
  return c;
}

TEST_P(StoreConformanceTest, AClipIsKeptListedByOwnerAndLosesItsWordsWhenItsRecordIsWithdrawn) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "w1")}).ok());
  ASSERT_TRUE(store_->AddClip(MediaClip("c1", "user:ann", kT0)).ok());
  Clip text = MediaClip("c2", "user:ann", kT1);
  text.start_ms = text.end_ms = -1;
  text.char_start = 10;
  text.char_end = 40;
  ASSERT_TRUE(store_->AddClip(text).ok());
  ASSERT_TRUE(store_->AddClip(MediaClip("c3", "user:bob", kT1)).ok());
  EXPECT_FALSE(store_->AddClip(MediaClip("c1", "user:bob", kT1)).ok());  // id taken
  Clip empty = MediaClip("c4", "user:bob", kT1);
  empty.end_ms = empty.start_ms;
  EXPECT_FALSE(store_->AddClip(empty).ok());  // no span
  Clip orphan = MediaClip("c5", "user:bob", kT1);
  orphan.record_id = "r9";
  EXPECT_FALSE(store_->AddClip(orphan).ok());  // no such record

  auto got = *store_->GetClip("c2");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->start_ms, -1);
  EXPECT_EQ(got->char_start, 10);
  EXPECT_EQ(got->char_end, 40);
  EXPECT_EQ(got->title, "sample clip");
  auto anns = *store_->ListClips("user:ann", 10);
  ASSERT_EQ(anns.size(), 2u);
  EXPECT_EQ(anns[0].id, "c2");  // newest first
  EXPECT_EQ(store_->ListClips("", 10)->size(), 3u);
  EXPECT_EQ(store_->ListClips("", 1)->size(), 1u);

  ASSERT_TRUE(store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("w")).ok());
  got = *store_->GetClip("c1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->title, "");
  EXPECT_EQ(got->note, "");
  EXPECT_EQ(got->start_ms, 1000);  // the span stays: a session shows a gap there
  EXPECT_TRUE(*store_->DeleteClip("c1"));
  EXPECT_FALSE(*store_->DeleteClip("c1"));
  EXPECT_FALSE(store_->GetClip("c1")->has_value());
}

TEST_P(StoreConformanceTest, ASessionIsSavedByRevisionAndListedForItsOwnerAndThoseItIsSharedWith) {
  ClipSession s;
  s.id = "s1";
  s.owner = "user:ann";
  s.title = "sample session";
  s.audience = "school:14-16";
  s.target_s = 600;
  s.languages = "fr,he";
  s.items = R"([{"clip":"c1","kind":"clip"}])";
  s.created = s.updated = kT0;
  auto first = store_->SaveClipSession(s);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->revision, 1);
  EXPECT_EQ(store_->SaveClipSession(s).status().code(), Code::kConflict);  // id taken

  ClipSession next = *first;
  next.title = "renamed";
  next.shared = "researcher";
  next.updated = kT1;
  auto second = store_->SaveClipSession(next);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->revision, 2);
  EXPECT_EQ(second->created, kT0);
  // A save of revision 1 again: another save came in between.
  auto stale = store_->SaveClipSession(next);
  EXPECT_EQ(stale.status().code(), Code::kConflict);
  EXPECT_NE(stale.status().message().find("revision 2"), std::string::npos);
  ClipSession ghost = next;
  ghost.id = "s9";
  EXPECT_EQ(store_->SaveClipSession(ghost).status().code(), Code::kNotFound);

  auto got = *store_->GetClipSession("s1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->title, "renamed");
  EXPECT_EQ(got->items, s.items);
  EXPECT_EQ(got->target_s, 600);
  EXPECT_EQ(got->languages, "fr,he");

  ClipSession mine = s;
  mine.id = "s2";
  mine.owner = "user:bob";
  ASSERT_TRUE(store_->SaveClipSession(mine).ok());
  EXPECT_EQ(store_->ListClipSessions("user:bob", {}, 10)->size(), 1u);
  EXPECT_EQ(store_->ListClipSessions("user:bob", {"researcher", "public"}, 10)->size(), 2u);
  EXPECT_EQ(store_->ListClipSessions("user:cat", {"public"}, 10)->size(), 0u);
  ClipSession bad = s;
  bad.id = "s3";
  bad.shared = "everyone";
  EXPECT_FALSE(store_->SaveClipSession(bad).ok());
  EXPECT_TRUE(*store_->DeleteClipSession("s2"));
  EXPECT_FALSE(store_->GetClipSession("s2")->has_value());
}

}  // namespace
}  // namespace attest::meta
