#include "agent/security/certificate_store.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/file_contents.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::HasSubstr;

// A PKI made here, with validity and usage chosen per certificate (expired ones too).
struct Issued {
  std::string cert_pem;
  std::string key_pem;
};

std::string Pem(int (*write)(BIO*, const X509*), const X509* x) {
  BIO* bio = BIO_new(BIO_s_mem());
  write(bio, x);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

EVP_PKEY* ReadKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

class Ca {
 public:
  explicit Ca(const std::string& name) : key_(EVP_EC_gen("P-256")), cert_(X509_new()) {
    Fill(cert_, name, key_, 0, 3650, cert_);
    AddExtension(cert_, cert_, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert_, cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
    X509_sign(cert_, key_, EVP_sha256());
  }
  ~Ca() {
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  std::string pem() const { return Pem(PEM_write_bio_X509, cert_); }

  // A certificate for `key_pem` naming `name`, valid from `from_days` to `to_days` from now.
  std::string Issue(const std::string& key_pem, const std::string& name, long from_days,
                    long to_days, const char* usage = "serverAuth,clientAuth") {
    EVP_PKEY* key = ReadKey(key_pem);
    X509* cert = X509_new();
    Fill(cert, name, key, from_days, to_days, cert_);
    AddExtension(cert, cert_, NID_ext_key_usage, usage);
    X509_sign(cert, key_, EVP_sha256());
    std::string pem = Pem(PEM_write_bio_X509, cert);
    X509_free(cert);
    EVP_PKEY_free(key);
    return pem;
  }

  // A revocation list numbered `number`, revoking `revoked` serials.
  std::string Crl(long number, int revoked) {
    X509_CRL* crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(cert_));
    ASN1_TIME* now = X509_gmtime_adj(nullptr, 0);
    X509_CRL_set1_lastUpdate(crl, now);
    ASN1_TIME_free(now);
    for (int i = 0; i < revoked; ++i) {
      X509_REVOKED* entry = X509_REVOKED_new();
      ASN1_INTEGER* serial = ASN1_INTEGER_new();
      ASN1_INTEGER_set(serial, 100 + i);
      X509_REVOKED_set_serialNumber(entry, serial);
      ASN1_TIME* when = X509_gmtime_adj(nullptr, 0);
      X509_REVOKED_set_revocationDate(entry, when);
      ASN1_TIME_free(when);
      ASN1_INTEGER_free(serial);
      X509_CRL_add0_revoked(crl, entry);
    }
    ASN1_INTEGER* crl_number = ASN1_INTEGER_new();
    ASN1_INTEGER_set(crl_number, number);
    X509_CRL_add1_ext_i2d(crl, NID_crl_number, crl_number, 0, 0);
    ASN1_INTEGER_free(crl_number);
    X509_CRL_sign(crl, key_, EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_CRL(bio, crl);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(size));
    BIO_free(bio);
    X509_CRL_free(crl);
    return pem;
  }

 private:
  static void Fill(X509* cert, const std::string& name, EVP_PKEY* key, long from_days, long to_days,
                   X509* issuer) {
    static long serial = 1;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), from_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(cert), to_days * 86400);
    X509_NAME* subject = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, issuer == cert ? subject : X509_get_subject_name(issuer));
    X509_set_pubkey(cert, key);
  }

  EVP_PKEY* key_;
  X509* cert_;
};

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
  Ca ca_{"cellfleet CA"};
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
  absl::Status none = store.Install(ca_.Issue(KeyPem(EVP_EC_gen("P-256")), "b", 0, 9), "").status();
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.message(), HasSubstr("no pending key"));

  ASSERT_THAT(store.MakeRequest("b"), IsOk());
  const std::string pending = Read(paths_.key + ".pending");
  struct Case {
    std::string name, cert, ca, reason;
  };
  Ca other("another CA");
  EVP_PKEY* stranger = EVP_EC_gen("P-256");
  const std::vector<Case> cases = {
      {"expired", ca_.Issue(pending, "b", -30, -1), ca_.pem(), "certificate has expired"},
      {"not yet valid", ca_.Issue(pending, "b", 5, 30), ca_.pem(), "certificate is not yet valid"},
      {"another key", ca_.Issue(KeyPem(stranger), "b", 0, 9), ca_.pem(),
       "not for this board's pending key"},
      {"another CA", other.Issue(pending, "b", 0, 9), ca_.pem(), "does not verify"},
      {"client only", ca_.Issue(pending, "b", 0, 9, "clientAuth"), ca_.pem(), "(serverAuth)"},
      {"no CA at all", ca_.Issue(pending, "b", 0, 9), "", "no CA to check"},
      {"not a certificate", "junk", ca_.pem(), "holds no certificate"},
  };
  EVP_PKEY_free(stranger);
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
  Ca other("cellfleet CA");  // the same name, another key: a forgery
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
