#include "tlog/note.h"

#include <gtest/gtest.h>

#include "tlog/test_vectors.h"

namespace attest::tlog {
namespace {

class NoteTest : public ::testing::Test {
 protected:
  void SetUp() override { v_ = LoadVectors(); }
  Json v_;
};

TEST_F(NoteTest, SeedGivesTheKnownVerifierKey) {
  std::string seed = *FromHex(v_["checkpoint_seed_hex"].get<std::string>());
  auto signer = Signer::FromSeed("example.org/attest-test", seed);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->verifier().Vkey(), v_["checkpoint_vkey"].get<std::string>());
}

TEST_F(NoteTest, SigningTheKnownBodyGivesTheKnownNote) {
  std::string seed = *FromHex(v_["checkpoint_seed_hex"].get<std::string>());
  auto signer = *Signer::FromSeed("example.org/attest-test", seed);
  std::string note = v_["checkpoint"];
  std::string body = note.substr(0, note.find("\n\n") + 1);
  EXPECT_EQ(*signer.Sign(body), note);  // Ed25519 is deterministic
}

TEST_F(NoteTest, KnownCheckpointVerifiesAndParses) {
  auto v = Verifier::FromVkey(v_["checkpoint_vkey"].get<std::string>());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto body = v->Open(v_["checkpoint"].get<std::string>());
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  auto cp = ParseCheckpointBody(*body);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->origin, "example.org/attest-test");
  EXPECT_EQ(cp->size, 64u);
  EXPECT_EQ(cp->root, D(v_["roots"][64]));
}

TEST_F(NoteTest, TamperedBodyIsRejected) {
  auto v = *Verifier::FromVkey(v_["checkpoint_vkey"].get<std::string>());
  auto r = v.Open(v_["checkpoint_tampered_body"].get<std::string>());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
}

TEST_F(NoteTest, WrongKeyIsRejected) {
  auto v = *Verifier::FromVkey(v_["checkpoint_wrong_key_vkey"].get<std::string>());
  EXPECT_FALSE(v.Open(v_["checkpoint"].get<std::string>()).ok());
}

TEST_F(NoteTest, MalformedNotesAreRejected) {
  auto v = *Verifier::FromVkey(v_["checkpoint_vkey"].get<std::string>());
  std::string note = v_["checkpoint"];
  EXPECT_FALSE(v.Open("").ok());
  EXPECT_FALSE(v.Open(note.substr(0, note.size() - 1)).ok());        // no final newline
  EXPECT_FALSE(v.Open(note.substr(0, note.find("\n\n") + 1)).ok());  // no signatures
  std::string flipped = note;
  flipped[note.size() - 10] = flipped[note.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(v.Open(flipped).ok());
}

TEST_F(NoteTest, KeysRoundTripAndBadKeysAreRejected) {
  auto s = *Signer::Generate("archive.example.org/testimonies", Env::Default());
  auto s2 = Signer::FromSkey(s.Skey());
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->verifier().Vkey(), s.verifier().Vkey());
  EXPECT_TRUE(Verifier::FromVkey(s.verifier().Vkey()).ok());
  EXPECT_FALSE(Verifier::FromVkey("name+00000000+AAAA").ok());
  EXPECT_FALSE(Verifier::FromVkey("just-a-name").ok());
  std::string vk = s.verifier().Vkey();
  vk[vk.find('+') + 1] = vk[vk.find('+') + 1] == '0' ? '1' : '0';  // wrong key hash
  EXPECT_FALSE(Verifier::FromVkey(vk).ok());
  EXPECT_FALSE(Signer::FromSkey("PRIVATE+KEY+x+00000000+AAAA").ok());
  EXPECT_FALSE(Signer::FromSeed("has space", std::string(32, 'a')).ok());
}

TEST_F(NoteTest, CheckpointBodyParserRejectsBadInput) {
  EXPECT_FALSE(ParseCheckpointBody("o\n01\nAAAA\n").ok());
  EXPECT_FALSE(ParseCheckpointBody("o\n1\n").ok());
  EXPECT_FALSE(ParseCheckpointBody("o\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
  EXPECT_FALSE(ParseCheckpointBody("o\n1\nAAAA\n").ok());
  EXPECT_TRUE(ParseCheckpointBody("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
}

}  // namespace
}  // namespace attest::tlog
