#include "agent/security/certificate_store.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/file_contents.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "tests/support/test_pki.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::NewKeyPem;
using ::cellfleet::testing::TestCa;
using ::testing::HasSubstr;

class CertificateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/certificate-store-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    paths_ = {dir_ + "/tls/agent.crt", dir_ + "/tls/agent.key", dir_ + "/tls/ca.crt",
              dir_ + "/tls/crl"};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Read(const std::string& path) { return *base::ReadFileContents(path); }

  std::string dir_;
  CertificatePaths paths_;
  TestCa ca_{"cellfleet CA"};
};

TEST_F(CertificateStoreTest, EnrollsFromNothingThenRenewsKeepingTheName) {
  CertificateStore store(paths_);
  absl::StatusOr<std::string> csr = store.MakeRequest("board-07");
  ASSERT_THAT(csr, IsOk());
  EXPECT_THAT(*csr, HasSubstr("BEGIN CERTIFICATE REQUEST"));
  EXPECT_EQ(std::filesystem::status(dir_ + "/tls").permissions(),
            std::filesystem::perms::owner_all);
  const std::string pending = Read(paths_.key + ".pending");
  ASSERT_THAT(store.MakeRequest("board-07"), IsOk());
  EXPECT_EQ(Read(paths_.key + ".pending"), pending) << "asked again: the same key";

  // Enrolling: the board has no CA; the one sent is checked against and then kept.
  absl::StatusOr<v1::AgentCertificate> installed =
      store.Install(ca_.Issue(pending, "board-07", 0, 825), ca_.pem());
  ASSERT_THAT(installed, IsOk());
  EXPECT_EQ(installed->subject(), "CN=board-07");
  EXPECT_EQ(Read(paths_.key), pending);
  EXPECT_EQ(Read(paths_.client_ca), ca_.pem());
  EXPECT_FALSE(std::filesystem::exists(paths_.key + ".pending"));
  EXPECT_EQ(*store.CurrentName(), "board-07");

  // Renewing: a new key, the same name.
  ASSERT_THAT(store.MakeRequest("board-07"), IsOk());
  const std::string next = Read(paths_.key + ".pending");
  EXPECT_NE(next, pending);
  absl::Status renamed = store.Install(ca_.Issue(next, "board-08", 0, 825), "").status();
  EXPECT_EQ(renamed.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(renamed.message(), HasSubstr("names \"board-08\"; this board is \"board-07\""));
  ASSERT_THAT(store.Install(ca_.Issue(next, "board-07", 0, 825), ""), IsOk());
  EXPECT_EQ(Read(paths_.key), next);
}

TEST_F(CertificateStoreTest, RefusesWhatWouldLockTheBoardOut) {
  CertificateStore store(paths_);
  // Nothing pending yet.
  absl::Status none = store.Install(ca_.Issue(NewKeyPem(), "b", 0, 9), "").status();
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.message(), HasSubstr("no pending key"));

  ASSERT_THAT(store.MakeRequest("b"), IsOk());
  const std::string pending = Read(paths_.key + ".pending");
  struct Case {
    std::string name, cert, ca, reason;
  };
  TestCa other("another CA");
  const std::vector<Case> cases = {
      {"expired", ca_.Issue(pending, "b", -30, -1), ca_.pem(), "certificate has expired"},
      {"not yet valid", ca_.Issue(pending, "b", 5, 30), ca_.pem(), "certificate is not yet valid"},
      {"another key", ca_.Issue(NewKeyPem(), "b", 0, 9), ca_.pem(),
       "not for this board's pending key"},
      {"another CA", other.Issue(pending, "b", 0, 9), ca_.pem(), "does not verify"},
      {"client only", ca_.Issue(pending, "b", 0, 9, "clientAuth"), ca_.pem(), "(serverAuth)"},
      {"no CA at all", ca_.Issue(pending, "b", 0, 9), "", "no CA to check"},
      {"not a certificate", "junk", ca_.pem(), "holds no certificate"},
  };
  for (const Case& c : cases) {
    absl::Status refused = store.Install(c.cert, c.ca).status();
    EXPECT_FALSE(refused.ok()) << c.name;
    EXPECT_THAT(refused.message(), HasSubstr(c.reason)) << c.name;
  }
  EXPECT_FALSE(std::filesystem::exists(paths_.cert));
  EXPECT_EQ(Read(paths_.key + ".pending"), pending) << "a refusal keeps the pending key";
  // The positive control: the same key, the right CA, now valid.
  ASSERT_THAT(store.Install(ca_.Issue(pending, "b", 0, 9), ca_.pem()), IsOk());
  // Once the board has a CA, one of another CA is not taken with a certificate.
  ASSERT_THAT(store.MakeRequest("b"), IsOk());
  absl::Status swapped =
      store.Install(other.Issue(Read(paths_.key + ".pending"), "b", 0, 9), other.pem()).status();
  EXPECT_THAT(swapped.message(), HasSubstr("this board trusts another CA"));
}

TEST_F(CertificateStoreTest, RevocationListsFromItsCaOnlyAndNeverOlder) {
  std::filesystem::create_directories(paths_.crl_dir);
  std::ofstream(paths_.client_ca) << ca_.pem();
  CertificateStore store(paths_);
  absl::StatusOr<InstalledRevocationList> first = store.InstallRevocationList(ca_.Crl(1001, 2));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->number, 1001);
  EXPECT_EQ(first->revoked, 2);
  EXPECT_FALSE(first->unchanged);
  ASSERT_EQ(std::distance(std::filesystem::directory_iterator(paths_.crl_dir),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_TRUE(store.InstallRevocationList(ca_.Crl(1001, 2))->unchanged);
  absl::Status older = store.InstallRevocationList(ca_.Crl(1000, 0)).status();
  EXPECT_EQ(older.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(older.message(), HasSubstr("older than the board's (number 1000 < 1001)"));
  TestCa other("cellfleet CA");  // the same name, another key: a forgery
  absl::Status forged = store.InstallRevocationList(other.Crl(2000, 0)).status();
  EXPECT_THAT(forged.message(), HasSubstr("not signed by this board's client CA"));
  EXPECT_THAT(store.InstallRevocationList("junk").status().message(),
              HasSubstr("holds no revocation list"));
  absl::StatusOr<InstalledRevocationList> newer = store.InstallRevocationList(ca_.Crl(1002, 3));
  ASSERT_THAT(newer, IsOk());
  EXPECT_EQ(newer->revoked, 3);

  CertificateStore unset(CertificatePaths{paths_.cert, paths_.key, paths_.client_ca, ""});
  EXPECT_THAT(unset.InstallRevocationList(ca_.Crl(1003, 0)).status().message(),
              HasSubstr("security.tls.crl_dir is not set"));
}

}  // namespace
}  // namespace cellfleet::agent
