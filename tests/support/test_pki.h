// Certificates made in memory with the validity and usage a test asks for: what
// make-certs.sh will not make (one expired, one not yet valid, one for servers only).
#ifndef CELLFLEET_TESTS_SUPPORT_TEST_PKI_H_
#define CELLFLEET_TESTS_SUPPORT_TEST_PKI_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace cellfleet::testing {

// A new EC P-256 private key (PEM).
std::string NewKeyPem();

class TestCa {
 public:
  // A new CA named `name`.
  explicit TestCa(const std::string& name);
  // An existing CA, e.g. make-certs.sh's ca.crt and ca.key.
  static absl::StatusOr<TestCa> Load(const std::string& cert_pem, const std::string& key_pem);
  TestCa(TestCa&&) noexcept;
  ~TestCa();

  std::string pem() const;
  // A certificate for `key_pem` naming `name`, valid from `from_days` to `to_days` from
  // now, with these extended key usages.
  std::string Issue(const std::string& key_pem, const std::string& name, long from_days,
                    long to_days, const char* usage = "serverAuth,clientAuth") const;
  // A revocation list numbered `number`, revoking `revoked` made-up serials.
  std::string Crl(long number, int revoked) const;

 private:
  struct Parts;
  explicit TestCa(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace cellfleet::testing

#endif  // CELLFLEET_TESTS_SUPPORT_TEST_PKI_H_
