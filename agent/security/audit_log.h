// An append-only JSON-lines record of every mutating call: who, what, and the result.
// It holds against what an exposed agent meets: a mutating call acts only once its
// "begin" line is on disk (a full disk refuses the call, never lets it pass unaudited);
// lines are bounded and secrets masked; the file is capped and rotated; refusals of
// callers with no role are counted and sampled, so no stranger can flood it.
#ifndef CELLFLEET_AGENT_SECURITY_AUDIT_LOG_H_
#define CELLFLEET_AGENT_SECURITY_AUDIT_LOG_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/security/authorizer.h"
#include "base/clock.h"
#include "base/serial_executor.h"

namespace cellfleet::agent {

struct AuditLogOptions {
  std::string path;  // empty: nowhere (the agent warns at start-up)
  // Past this size the file becomes <path>.1, replacing the one before, and a new one
  // begins: at most twice this on disk.
  int64_t max_bytes = int64_t{16} << 20;
  // Refusals of callers with no role: one line per period, counting those not written.
  absl::Duration sample_every = absl::Minutes(1);
};

class AuditLog {
 public:
  // `clock` stamps the lines and must outlive the log.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      AuditLogOptions options, const base::Clock& clock = base::Clock::Real());
  ~AuditLog();

  // Before a mutating call acts: a "begin" line, written and fsync'd on the log's own
  // thread (never the caller's, a gRPC thread). `then` is told OK once it is on disk, or
  // UNAVAILABLE saying the audit log cannot be written: the call must then not act.
  void Begin(const Caller& caller, absl::string_view method, absl::string_view what,
             std::function<void(absl::Status)> then);

  // The call's outcome (or a refusal), written the same way; `then` runs after, written
  // or not, so the call's result goes back once it is on disk. Records made while the
  // agent stops are still written. `reply`, when given, is what the device answered (an
  // AT command's first reply line). Refusals of callers with no role are sampled.
  void Record(const Caller& caller, absl::string_view method, absl::string_view what,
              const grpc::Status& result, std::function<void()> then = nullptr,
              absl::string_view reply = {});

  // Refusals of callers with no role that got no line of their own, since the start.
  int64_t unwritten_refusals() const;

 private:
  AuditLog(AuditLogOptions options, int fd, bool regular, off_t size, const base::Clock& clock);

  // Whether a refusal of `caller` is one to count rather than write; if not, how many
  // were counted since the last one written.
  bool CountInsteadOfWriting(const Caller& caller, const grpc::Status& result,
                             int64_t* counted_before);
  void Post(std::string line, std::function<void(absl::Status)> then);
  absl::Status Write(const std::string& line);
  absl::Status RotateIfFull(size_t adding) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status CannotWrite(int error) const;

  const AuditLogOptions options_;
  const base::Clock& clock_;
  // The file: written on executor_, and after its Stop by the last callers.
  absl::Mutex write_mu_;
  int fd_ ABSL_GUARDED_BY(write_mu_);
  const bool regular_;  // a regular file: rotated, and a torn line cut off
  off_t size_ ABSL_GUARDED_BY(write_mu_);

  mutable absl::Mutex sample_mu_;
  absl::Time last_sampled_ ABSL_GUARDED_BY(sample_mu_) = absl::InfinitePast();
  int64_t counted_since_sample_ ABSL_GUARDED_BY(sample_mu_) = 0;
  int64_t unwritten_ ABSL_GUARDED_BY(sample_mu_) = 0;

  base::SerialExecutor executor_{"cf-audit"};
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_AUDIT_LOG_H_
