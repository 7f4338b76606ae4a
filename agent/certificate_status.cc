#include "agent/certificate_status.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "agent/security/certificate_info.h"
#include "base/file_contents.h"

namespace cellfleet::agent {

void CertificateStatus::FillStatus(v1::ModemStatus& status) const {
  struct stat st {};
  const std::string seen = ::stat(path_.c_str(), &st) == 0
                               ? absl::StrCat(st.st_size, ":", st.st_mtim.tv_sec, ".",
                                              st.st_mtim.tv_nsec, ":", st.st_ino)
                               : absl::StrCat("error: ", std::strerror(errno));
  absl::MutexLock lock(&mu_);
  if (seen != seen_) {
    seen_ = seen;
    absl::StatusOr<std::string> pem = base::ReadFileContents(path_);
    absl::StatusOr<v1::AgentCertificate> info =
        pem.ok() ? ParseCertificateInfo(*pem) : absl::StatusOr<v1::AgentCertificate>(pem.status());
    info_.Clear();
    if (info.ok()) {
      info_ = *std::move(info);
    } else {
      info_.set_error(absl::StrCat(path_, ": ", info.status().message()));
    }
  }
  *status.mutable_agent_certificate() = info_;
}

}  // namespace cellfleet::agent
