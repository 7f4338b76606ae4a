#include "agent/audit_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

namespace cellfleet::agent {

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  std::FILE* file = nullptr;
  if (!path.empty()) {
    file = std::fopen(path.c_str(), "ae");  // append, close-on-exec
    if (file == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot open audit log ", path, ": ", std::strerror(errno)));
    }
  }
  return std::unique_ptr<AuditLog>(new AuditLog(file));
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

void AuditLog::Record(const Caller& caller, absl::string_view method, absl::string_view what,
                      const grpc::Status& result) {
  nlohmann::json line = {
      {"time", absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())},
      {"identity", caller.identity},
      {"role", std::string(RoleName(caller.role))},
      {"peer", caller.peer},
      {"method", std::string(method)},
      {"request", std::string(what)},
      {"result", absl::StatusCodeToString(static_cast<absl::StatusCode>(result.error_code()))},
      {"message", result.error_message()},
  };
  const std::string text = line.dump() + "\n";
  absl::MutexLock lock(&mu_);
  if (file_ == nullptr) return;
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
  ::fsync(::fileno(file_));
}

}  // namespace cellfleet::agent
