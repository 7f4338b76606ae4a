// An append-only JSON-lines record of every mutating call: who, what, and the result.
#ifndef CELLFLEET_AGENT_SECURITY_AUDIT_LOG_H_
#define CELLFLEET_AGENT_SECURITY_AUDIT_LOG_H_

#include <cstdio>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/security/authorizer.h"
#include "base/clock.h"
#include "base/serial_executor.h"

namespace cellfleet::agent {

class AuditLog {
 public:
  // An empty path logs to nowhere (the agent warns at start-up).
  // `clock` stamps the lines and must outlive the log.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path, const base::Clock& clock = base::Clock::Real());
  ~AuditLog();

  // One line, written, flushed and fsync'd on the log's own thread (never the caller's,
  // a gRPC thread); `then` runs after, so the call's result goes back once it is on
  // disk. Records made while the agent stops are still written. `reply`, when given, is
  // what the device answered (an AT command's first reply line).
  void Record(const Caller& caller, absl::string_view method, absl::string_view what,
              const grpc::Status& result, std::function<void()> then = nullptr,
              absl::string_view reply = {});

 private:
  AuditLog(std::FILE* file, const base::Clock& clock) : file_(file), clock_(clock) {}
  std::FILE* const file_;
  const base::Clock& clock_;  // written on executor_ (after its Stop, by the last callers)
  base::SerialExecutor executor_{"cf-audit"};
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_AUDIT_LOG_H_
