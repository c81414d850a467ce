#include "service/cite.h"

#include <gtest/gtest.h>

namespace attest::service {
namespace {

TEST(CiteTest, ClockTimes) {
  EXPECT_EQ(FormatClock(754'000), "12:34");
  EXPECT_EQ(FormatClock(3'723'500), "1:02:03");
  EXPECT_EQ(FormatClock(-5), "0:00");
}

meta::Version Version(int n, const std::string& manifest, const std::string& private_json) {
  meta::Version v;
  v.version = n;
  v.manifest = manifest;
  v.private_json = private_json;
  v.leaf_index = 40 + n;
  return v;
}

TEST(CiteTest, ACitationNamesTitleWitnessRecordVersionAndLogEntry) {
  meta::Record r;
  r.id = "r1";
  r.witness_id = "w7";
  r.versions.push_back(
      Version(1, "{}", R"({"meta": {"title": "Sample title", "phone": "private"}})"));
  r.versions.push_back(Version(2, R"({"derived": {"artifact": "transcript", "from": 1}})", ""));
  EXPECT_EQ(NewestOriginal(r), &r.versions[0]);
  Json shown = ShownMeta(NewestOriginal(r));
  EXPECT_EQ(shown, Json({{"title", "Sample title"}}));  // never what else --meta held
  EXPECT_EQ(Citation(r, r.versions[1], "example.org/log", ", at 1:02"),
            "Sample title. Witness w7, record r1, version 2, at 1:02. attest archive "
            "example.org/log, log entry 42.");
  EXPECT_EQ(SegmentLink("r1", "s00", 62'500), "/records/r1?t=62#s00");
  EXPECT_EQ(SegmentLink("r1", "s00", -1), "/records/r1#s00");
}

}  // namespace
}  // namespace attest::service
