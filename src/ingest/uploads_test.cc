#include "ingest/uploads.h"

#include <gtest/gtest.h>

#include <string>

#include "core/fault_env.h"
#include "core/hash.h"
#include "core/temp_dir.h"

namespace attest::ingest {
namespace {

// A clock the test sets.
class ClockEnv : public FaultEnv {
 public:
  ClockEnv() : FaultEnv(Env::Default()) {}
  int64_t NowMicros() override { return now_; }
  int64_t now_ = 1'800'000'000'000'000;
};

// A body that gives `bytes` in pieces of `step`, then ends (whole) or stops (cut).
PieceReader Body(const std::string& bytes, bool whole = true, size_t step = 7) {
  return [bytes, whole, step](const std::function<bool(const char*, size_t)>& sink) {
    for (size_t i = 0; i < bytes.size(); i += step) {
      if (!sink(bytes.data() + i, std::min(step, bytes.size() - i))) return false;
    }
    return whole;
  };
}

PieceChecksum Sha256Of(const std::string& bytes) {
  return {"sha256", std::string(AsBytes(Sha256(bytes)))};
}

class UploadsTest : public ::testing::Test {
 protected:
  TempDir dir_{"attest-uploads"};
  ClockEnv env_;
  Uploads uploads_{&env_, dir_.Join("uploads"), 1000, 100};

  std::string DataOf(const UploadState& s) {
    auto d = env_.ReadFile(dir_.Join("uploads/" + s.id + "/data"));
    return d.ok() ? *d : "";
  }
};

TEST_F(UploadsTest, PiecesInOrderMakeTheFileAndAreTakenForAnAdd) {
  auto s = uploads_.Create("token:a", 10, "../../etc/interview\x01.wav", "audio/wav");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->file_name, "upload");  // a control character: the name is not kept
  ASSERT_TRUE(uploads_.Append(s->id, "token:a", 0, 4, Sha256Of("0123"), Body("0123")).ok());
  auto after = uploads_.Append(s->id, "token:a", 4, 6, std::nullopt, Body("456789"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(after->finished());
  auto path = uploads_.Take(s->id, "token:a");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*env_.ReadFile(*path), "0123456789");
  EXPECT_EQ(path->substr(path->rfind('/') + 1), "upload");
  EXPECT_TRUE(uploads_.Remove(s->id, "token:a").ok());
  EXPECT_TRUE(uploads_.Get(s->id, "token:a").status().IsNotFound());
}

TEST_F(UploadsTest, AFileNameKeepsOnlyItsLastPart) {
  EXPECT_EQ(CleanFileName("../../a/b/interview.wav"), "interview.wav");
  EXPECT_EQ(CleanFileName("C:\\x\\scan.pdf"), "scan.pdf");
  EXPECT_EQ(CleanFileName(".."), "upload");
  EXPECT_EQ(CleanFileName(""), "upload");
  EXPECT_EQ(CleanFileName("\xff\xfe.txt"), "upload");
  EXPECT_EQ(CleanFileName("עדות.txt"), "עדות.txt");
}

TEST_F(UploadsTest, APieceOutOfOrderOrRepeatedIsRefusedAndNothingMoves) {
  auto s = *uploads_.Create("token:a", 10, "a.txt", "");
  ASSERT_TRUE(uploads_.Append(s.id, "token:a", 0, 4, std::nullopt, Body("0123")).ok());
  Refusal why;
  auto again = uploads_.Append(s.id, "token:a", 0, 4, std::nullopt, Body("0123"), &why);
  EXPECT_TRUE(again.status().code() == Code::kConflict);
  EXPECT_EQ(why, Refusal::kWrongOffset);
  EXPECT_NE(again.status().message().find("resume from 4"), std::string::npos);
  auto ahead = uploads_.Append(s.id, "token:a", 8, 2, std::nullopt, Body("89"), &why);
  EXPECT_EQ(why, Refusal::kWrongOffset);
  EXPECT_EQ(uploads_.Get(s.id, "token:a")->offset, 4u);
  EXPECT_EQ(DataOf(s), "0123");
}

TEST_F(UploadsTest, AWrongChecksumKeepsNothingOfThePiece) {
  auto s = *uploads_.Create("token:a", 10, "a.txt", "");
  Refusal why;
  auto bad = uploads_.Append(s.id, "token:a", 0, 4, Sha256Of("0124"), Body("0123"), &why);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(why, Refusal::kChecksumMismatch);
  EXPECT_EQ(uploads_.Get(s.id, "token:a")->offset, 0u);
  EXPECT_EQ(DataOf(s), "");
}

TEST_F(UploadsTest, ACutPieceKeepsWhatArrivedWithoutAChecksumAndNothingWithOne) {
  auto s = *uploads_.Create("token:a", 20, "a.txt", "");
  Refusal why;
  auto cut = uploads_.Append(s.id, "token:a", 0, 10, std::nullopt, Body("01234", false), &why);
  EXPECT_EQ(why, Refusal::kCutShort);
  EXPECT_EQ(uploads_.Get(s.id, "token:a")->offset, 5u);
  auto cut2 = uploads_.Append(s.id, "token:a", 5, 10, Sha256Of("5678901234"), Body("567", false),
                              &why);
  EXPECT_EQ(why, Refusal::kCutShort);
  EXPECT_EQ(uploads_.Get(s.id, "token:a")->offset, 5u);
  // Resumed: the bytes of the cut piece past the offset are gone.
  ASSERT_TRUE(uploads_.Append(s.id, "token:a", 5, 5, std::nullopt, Body("abcde")).ok());
  EXPECT_EQ(DataOf(s), "01234abcde");
}

TEST_F(UploadsTest, SizesOverTheLimitsAreRefusedBeforeAnythingIsKept) {
  Refusal why;
  EXPECT_FALSE(uploads_.Create("token:a", 1'000'000'000'000, "big", "", &why).ok());
  EXPECT_EQ(why, Refusal::kTooLarge);
  EXPECT_FALSE(uploads_.Create("token:a", 0, "empty", "", &why).ok());
  EXPECT_EQ(why, Refusal::kNone);
  EXPECT_FALSE(env_.FileExists(dir_.Join("uploads")) &&
               !env_.ListDir(dir_.Join("uploads"))->empty());
  auto s = *uploads_.Create("token:a", 150, "a", "");
  EXPECT_FALSE(uploads_.Append(s.id, "token:a", 0, 101, std::nullopt, Body(std::string(101, 'x')),
                               &why).ok());
  EXPECT_EQ(why, Refusal::kTooLarge);  // over the piece limit
  ASSERT_TRUE(uploads_.Append(s.id, "token:a", 0, 100, std::nullopt, Body(std::string(100, 'x')))
                  .ok());
  EXPECT_FALSE(uploads_.Append(s.id, "token:a", 100, 60, std::nullopt, Body(std::string(60, 'x')),
                               &why).ok());
  EXPECT_EQ(why, Refusal::kTooLarge);  // past the length
  // A body longer than it said is cut, not written past the piece.
  EXPECT_FALSE(uploads_.Append(s.id, "token:a", 100, 10, std::nullopt,
                               Body(std::string(20, 'y')), &why).ok());
  EXPECT_LE(uploads_.Get(s.id, "token:a")->offset, 110u);
}

TEST_F(UploadsTest, AnUploadIsItsMakersOnlyAndUnfinishedIsNotTaken) {
  auto s = *uploads_.Create("token:a", 10, "a.txt", "");
  EXPECT_TRUE(uploads_.Get(s.id, "token:b").status().IsNotFound());
  EXPECT_TRUE(uploads_.Get(s.id, "").status().IsNotFound());
  EXPECT_TRUE(uploads_.Get("../../etc", "token:a").status().IsNotFound());
  EXPECT_TRUE(uploads_.Append(s.id, "token:b", 0, 1, std::nullopt, Body("x")).status().IsNotFound());
  EXPECT_TRUE(uploads_.Remove(s.id, "token:b").IsNotFound());
  auto unfinished = uploads_.Take(s.id, "token:a");
  EXPECT_TRUE(unfinished.status().code() == Code::kInvalidArgument);
  EXPECT_NE(unfinished.status().message().find("0 of 10"), std::string::npos);
}

TEST_F(UploadsTest, AnUploadLeftAloneExpiresAndIsRemoved) {
  auto s = *uploads_.Create("token:a", 10, "a.txt", "");
  ASSERT_TRUE(uploads_.Append(s.id, "token:a", 0, 3, std::nullopt, Body("012")).ok());
  env_.now_ += Uploads::kDefaultTtlMicros - 1;
  EXPECT_TRUE(uploads_.Get(s.id, "token:a").ok());
  EXPECT_EQ(uploads_.RemoveExpired(), 0);
  env_.now_ += 2;
  EXPECT_TRUE(uploads_.Get(s.id, "token:a").status().IsNotFound());
  EXPECT_EQ(uploads_.RemoveExpired(), 1);
  EXPECT_TRUE(env_.ListDir(dir_.Join("uploads"))->empty());
}

TEST_F(UploadsTest, ChecksumHeadersAreParsedStrictly) {
  auto ok = ParseUploadChecksum("sha1 " + Base64Encode(std::string(20, 'a')));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->algorithm, "sha1");
  EXPECT_FALSE(ParseUploadChecksum("md5 AAAA").ok());
  EXPECT_FALSE(ParseUploadChecksum("sha256").ok());
  EXPECT_FALSE(ParseUploadChecksum("sha256 !!!").ok());
  EXPECT_FALSE(ParseUploadChecksum("sha256 " + Base64Encode(std::string(20, 'a'))).ok());
}

TEST_F(UploadsTest, ASha1ChecksumIsCheckedToo) {
  auto s = *uploads_.Create("token:a", 3, "a.txt", "");
  // SHA-1 of "abc".
  auto sum = ParseUploadChecksum("sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  ASSERT_TRUE(sum.ok());
  EXPECT_TRUE(uploads_.Append(s.id, "token:a", 0, 3, *sum, Body("abd")).status().code() == Code::kInvalidArgument);
  EXPECT_TRUE(uploads_.Append(s.id, "token:a", 0, 3, *sum, Body("abc")).ok());
}

}  // namespace
}  // namespace attest::ingest
