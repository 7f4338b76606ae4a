#include "pki/enrollment_token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::pki {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

TEST(EnrollmentTokenTest, ParsesSixtyFourHexDigitsAndRefusesAnythingElse) {
  absl::StatusOr<std::string> token = ParseEnrollmentToken(absl::StrCat(" ", kToken, "\n"), "f");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  for (absl::string_view bad :
       {"", "0011", "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00"}) {
    absl::StatusOr<std::string> refused = ParseEnrollmentToken(bad, "/etc/cellfleet/token");
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(refused.status().message(),
                HasSubstr("/etc/cellfleet/token holds no enrollment token"));
  }
}

TEST(EnrollmentTokenTest, AProofMatchesOnlyItsTokenPurposeAndMessage) {
  const std::string token = *ParseEnrollmentToken(kToken, "t");
  const std::string proof = EnrollmentProof(token, ProofOf::kCertificate, "PEM");
  EXPECT_EQ(proof.size(), 64u);
  EXPECT_TRUE(ProofMatches(token, ProofOf::kCertificate, "PEM", proof));
  EXPECT_TRUE(ProofMatches(token, ProofOf::kCertificate, "PEM", absl::AsciiStrToUpper(proof)));
  EXPECT_FALSE(ProofMatches(token, ProofOf::kCertificateRequest, "PEM", proof));
  EXPECT_FALSE(ProofMatches(token, ProofOf::kCertificate, "PEM ", proof));
  std::string other = token;
  other[0] = '1';
  EXPECT_FALSE(ProofMatches(other, ProofOf::kCertificate, "PEM", proof));
  EXPECT_FALSE(ProofMatches(token, ProofOf::kCertificate, "PEM", proof.substr(1)));
  EXPECT_FALSE(ProofMatches(token, ProofOf::kCertificate, "PEM", ""));
}

TEST(EnrollmentTokenTest, FingerprintIsTheTokensSha256) {
  // sha256("abc"), the FIPS 180-2 example.
  EXPECT_EQ(TokenFingerprint("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace cellfleet::pki
