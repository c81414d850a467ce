#include "core/hash.h"

#include <gtest/gtest.h>

namespace attest {
namespace {

// Tokens, sessions and form tokens are compared with ConstantTimeEquals (OpenSSL's
// CRYPTO_memcmp, which reads every byte whatever it finds): right answers at every position,
// and a length difference is an answer too, never a read past either end.
TEST(HashTest, ConstantTimeEqualsComparesEveryPositionAndLength) {
  const std::string a(64, 'x');
  EXPECT_TRUE(ConstantTimeEquals(a, std::string(64, 'x')));
  for (size_t i = 0; i < a.size(); ++i) {
    std::string b = a;
    b[i] = 'y';
    EXPECT_FALSE(ConstantTimeEquals(a, b)) << i;
    b[i] = static_cast<char>('x' ^ 0x80);  // a difference in the high bit only
    EXPECT_FALSE(ConstantTimeEquals(a, b)) << i;
  }
  EXPECT_FALSE(ConstantTimeEquals(a, a.substr(0, 63)));
  EXPECT_FALSE(ConstantTimeEquals(a, a + "x"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
}

TEST(HashTest, Sha256KnownAnswers) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, StreamingEqualsOneShot) {
  std::string data(1000000, 'a');
  Sha256Stream s;
  for (size_t i = 0; i < data.size(); i += 4096) s.Update(std::string_view(data).substr(i, 4096));
  EXPECT_EQ(ToHex(s.Finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HashTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HashTest, HexRoundTripAndRejectsBadInput) {
  EXPECT_EQ(*FromHex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
  EXPECT_FALSE(DigestFromHex("00").ok());
  EXPECT_TRUE(IsSha256Hex(ToHex(Sha256("x"))));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
}

TEST(HashTest, Base64Rfc4648Vectors) {
  const char* cases[][2] = {{"", ""},
                            {"f", "Zg=="},
                            {"fo", "Zm8="},
                            {"foo", "Zm9v"},
                            {"foob", "Zm9vYg=="},
                            {"fooba", "Zm9vYmE="},
                            {"foobar", "Zm9vYmFy"}};
  for (auto& c : cases) {
    EXPECT_EQ(Base64Encode(std::string_view(c[0])), c[1]);
    EXPECT_EQ(*Base64Decode(c[1]), c[0]);
  }
}

TEST(HashTest, Base64RejectsMalformed) {
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Z===").ok());
  EXPECT_FALSE(Base64Decode("Zh==").ok());  // non-zero padding bits
  EXPECT_FALSE(Base64Decode("Zm9v\n").ok());
  EXPECT_FALSE(Base64Decode("Z=9v").ok());
  EXPECT_FALSE(Base64Decode("Zm-v").ok());
}

TEST(HashTest, Base32LowerMatchesRfc4648WithoutPadding) {
  for (auto [in, out] :
       std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                        {"f", "my"},
                                                        {"fo", "mzxq"},
                                                        {"foo", "mzxw6"},
                                                        {"foob", "mzxw6yq"},
                                                        {"fooba", "mzxw6ytb"},
                                                        {"foobar", "mzxw6ytboi"}}) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(in.data());
    EXPECT_EQ(Base32Lower(bytes, in.size(), (in.size() * 8 + 4) / 5), out) << in;
  }
  const uint8_t raw[] = {0xff, 0xff, 0xff};
  EXPECT_EQ(Base32Lower(raw, 3, 2), "77");  // cut at `chars`
}

}  // namespace
}  // namespace attest
