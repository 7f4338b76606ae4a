// The board's own certificate over its life: a key made on the board (kept pending until
// a certificate for it arrives), its certificate signing request, the certificate
// installed beside the key, and the client CA's revocation list. The key never leaves
// the board; the CA key never comes to it (docs/security.md, "Certificates").
#ifndef CELLFLEET_AGENT_SECURITY_CERTIFICATE_STORE_H_
#define CELLFLEET_AGENT_SECURITY_CERTIFICATE_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/serial_executor.h"
#include "cellfleet/v1/modem_status.pb.h"

namespace cellfleet::agent {

struct CertificatePaths {
  std::string cert;       // the certificate the agent serves
  std::string key;        // its key; the pending one is <key>.pending
  std::string client_ca;  // the CA a new certificate must come from (and operators' CA)
  std::string crl_dir;    // where the CA's revocation list goes
};

struct InstalledRevocationList {
  int64_t number = 0;
  int revoked = 0;
  bool unchanged = false;  // the same list (by number) was there already
};

class CertificateStore {
 public:
  explicit CertificateStore(CertificatePaths paths);
  ~CertificateStore();  // Stop()

  // Runs `task` on the store's own thread: the methods below make keys and write files,
  // never on a gRPC thread. After Stop a task is told CANCELLED at once.
  void Post(base::Task task) { thread_.Post(std::move(task)); }
  void Stop() { thread_.Stop(); }

  // The pending key (PEM), made (EC P-256, mode 0600) if there is none.
  absl::StatusOr<std::string> PendingKey() const;
  // A certificate signing request for the pending key naming `common_name`.
  absl::StatusOr<std::string> MakeRequest(absl::string_view common_name) const;
  // The common name of the certificate served now; NOT_FOUND when there is none.
  absl::StatusOr<std::string> CurrentName() const;

  // Installs `cert_pem` for the pending key, key and certificate replaced together. It
  // must verify against the board's client CA (or `ca_pem` when the board has none yet,
  // which is then written there), be a server certificate, and name the board as the
  // certificate it replaces does. INVALID_ARGUMENT / PERMISSION_DENIED / FAILED_PRECONDITION
  // say which rule it breaks.
  absl::StatusOr<v1::AgentCertificate> Install(absl::string_view cert_pem,
                                               absl::string_view ca_pem) const;

  // Writes `crl_pem` to crl_dir under its issuer's hash name: it must be signed by the
  // client CA and not be older (by CRL number) than the list there.
  absl::StatusOr<InstalledRevocationList> InstallRevocationList(absl::string_view crl_pem) const;

 private:
  const CertificatePaths paths_;
  base::SerialExecutor thread_;
};

// A self-signed certificate for `key_pem`, a day long: what a board not yet enrolled
// serves its enrollment calls with (the token's proofs, not this, authenticate them).
absl::StatusOr<std::string> SelfSignedCertificate(absl::string_view key_pem,
                                                  absl::string_view common_name);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_CERTIFICATE_STORE_H_
