#include "agent/security/audit_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

namespace cellfleet::agent {

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                         const base::Clock& clock) {
  std::FILE* file = nullptr;
  if (!path.empty()) {
    file = std::fopen(path.c_str(), "ae");  // append, close-on-exec
    if (file == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot open audit log ", path, ": ", std::strerror(errno)));
    }
  }
  return std::unique_ptr<AuditLog>(new AuditLog(file, clock));
}

AuditLog::~AuditLog() {
  executor_.Stop();  // queued lines are written first
  if (file_ != nullptr) std::fclose(file_);
}

void AuditLog::Record(const Caller& caller, absl::string_view method, absl::string_view what,
                      const grpc::Status& result, std::function<void()> then,
                      absl::string_view reply) {
  nlohmann::json line = {
      {"time", absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone())},
      {"identity", caller.identity},
      {"role", std::string(RoleName(caller.role))},
      {"peer", caller.peer},
      {"method", std::string(method)},
      {"request", std::string(what)},
      {"result", absl::StatusCodeToString(static_cast<absl::StatusCode>(result.error_code()))},
      {"message", result.error_message()},
  };
  if (!reply.empty()) line["reply"] = std::string(reply);
  // Told CANCELLED while stopping: written all the same, an audit line is never dropped.
  executor_.Post([this,
                  text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  then = std::move(then)](absl::Status) {
    if (file_ != nullptr) {
      std::fwrite(text.data(), 1, text.size(), file_);  // stdio locks the FILE itself
      std::fflush(file_);
      ::fsync(::fileno(file_));
    }
    if (then) then();
  });
}

}  // namespace cellfleet::agent
