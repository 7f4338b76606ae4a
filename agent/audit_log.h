// An append-only JSON-lines record of every mutating call: who, what, and the result.
#ifndef CELLFLEET_AGENT_AUDIT_LOG_H_
#define CELLFLEET_AGENT_AUDIT_LOG_H_

#include <cstdio>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/authorizer.h"

namespace cellfleet::agent {

class AuditLog {
 public:
  // An empty path logs to nowhere (the agent warns at start-up).
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();

  // One line, flushed and fsync'd before the call's result goes back.
  void Record(const Caller& caller, absl::string_view method, absl::string_view what,
              const grpc::Status& result);

 private:
  explicit AuditLog(std::FILE* file) : file_(file) {}
  absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_AUDIT_LOG_H_
