#include "agent/security/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "modem/replies/at_secrets.h"
#include "nlohmann/json.hpp"

namespace cellfleet::agent {
namespace {

// A line stays small whatever a caller sends: requests may be 1 MiB.
constexpr size_t kMaxField = 512;
constexpr size_t kMaxName = 128;

// Masked first, so a cut can never leave half a secret.
std::string Bounded(absl::string_view text, size_t limit) {
  std::string masked = modem::MaskAtSecrets(text);
  if (masked.size() <= limit) return masked;
  const size_t cut = masked.size() - limit;
  masked.resize(limit);
  return absl::StrCat(masked, "...[", cut, " more bytes]");
}

bool IsRefusal(const grpc::Status& result) {
  return result.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
         result.error_code() == grpc::StatusCode::UNAUTHENTICATED;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options,
                                                         const base::Clock& clock) {
  int fd = -1;
  bool regular = false;
  off_t size = 0;
  if (!options.path.empty()) {
    fd = ::open(options.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      const int error = errno;
      if (fd >= 0) ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat("cannot open audit log ", options.path, ": ", std::strerror(error)));
    }
    regular = S_ISREG(st.st_mode);
    size = st.st_size;
  }
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(options), fd, regular, size, clock));
}

AuditLog::AuditLog(AuditLogOptions options, int fd, bool regular, off_t size,
                   const base::Clock& clock)
    : options_(std::move(options)), clock_(clock), fd_(fd), regular_(regular), size_(size) {}

AuditLog::~AuditLog() {
  executor_.Stop();  // queued lines are written first
  absl::MutexLock lock(&write_mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void AuditLog::Begin(const Caller& caller, absl::string_view method, absl::string_view what,
                     std::function<void(absl::Status)> then) {
  nlohmann::json line = {
      {"time", absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone())},
      {"phase", "begin"},
      {"identity", Bounded(caller.identity, kMaxName)},
      {"role", std::string(RoleName(caller.role))},
      {"peer", Bounded(caller.peer, kMaxName)},
      {"method", std::string(method)},
      {"request", Bounded(what, kMaxField)},
  };
  Post(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", std::move(then));
}

void AuditLog::Record(const Caller& caller, absl::string_view method, absl::string_view what,
                      const grpc::Status& result, std::function<void()> then,
                      absl::string_view reply) {
  int64_t counted_before = 0;
  if (CountInsteadOfWriting(caller, result, &counted_before)) {
    if (then) then();
    return;
  }
  nlohmann::json line = {
      {"time", absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone())},
      {"identity", Bounded(caller.identity, kMaxName)},
      {"role", std::string(RoleName(caller.role))},
      {"peer", Bounded(caller.peer, kMaxName)},
      {"method", std::string(method)},
      {"result", absl::StatusCodeToString(static_cast<absl::StatusCode>(result.error_code()))},
      {"message", Bounded(result.error_message(), kMaxField)},
  };
  if (caller.role == Role::kNone && IsRefusal(result)) {
    // A stranger's request is not worth its bytes: which call, and how many went unwritten.
    line["refusals_not_written"] = counted_before;
  } else {
    line["request"] = Bounded(what, kMaxField);
  }
  if (!reply.empty()) line["reply"] = Bounded(reply, kMaxField);
  Post(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
       [then = std::move(then)](absl::Status) {
         if (then) then();
       });
}

int64_t AuditLog::unwritten_refusals() const {
  absl::MutexLock lock(&sample_mu_);
  return unwritten_;
}

bool AuditLog::CountInsteadOfWriting(const Caller& caller, const grpc::Status& result,
                                     int64_t* counted_before) {
  if (caller.role != Role::kNone || !IsRefusal(result)) return false;
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&sample_mu_);
  if (now - last_sampled_ < options_.sample_every) {
    ++counted_since_sample_;
    ++unwritten_;
    return true;
  }
  last_sampled_ = now;
  *counted_before = counted_since_sample_;
  counted_since_sample_ = 0;
  return false;
}

void AuditLog::Post(std::string line, std::function<void(absl::Status)> then) {
  // Told CANCELLED while stopping: written all the same, an audit line is never dropped.
  executor_.Post([this, line = std::move(line), then = std::move(then)](absl::Status) {
    absl::Status written = Write(line);
    if (then) then(std::move(written));
  });
}

absl::Status AuditLog::Write(const std::string& line) {
  absl::MutexLock lock(&write_mu_);
  if (fd_ < 0) return absl::OkStatus();  // no audit log configured
  if (absl::Status room = RotateIfFull(line.size()); !room.ok()) return room;
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      // A torn line would make the next one unreadable: cut it off (best effort: the
      // call is refused either way).
      if (done > 0 && regular_ && ::ftruncate(fd_, size_) != 0) done = 0;
      return CannotWrite(error);
    }
    done += static_cast<size_t>(n);
  }
  size_ += static_cast<off_t>(done);
  // EINVAL: a file that cannot be synced (a device); nothing to wait for.
  if (::fsync(fd_) != 0 && errno != EINVAL) return CannotWrite(errno);
  return absl::OkStatus();
}

absl::Status AuditLog::RotateIfFull(size_t adding) {
  if (!regular_ || size_ == 0 || size_ + static_cast<off_t>(adding) <= options_.max_bytes) {
    return absl::OkStatus();
  }
  const std::string previous = options_.path + ".1";
  if (::rename(options_.path.c_str(), previous.c_str()) != 0) return CannotWrite(errno);
  const int fd = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    const int error = errno;
    ::rename(previous.c_str(), options_.path.c_str());  // keep writing where it was
    return CannotWrite(error);
  }
  ::close(fd_);
  fd_ = fd;
  size_ = 0;
  return absl::OkStatus();
}

absl::Status AuditLog::CannotWrite(int error) const {
  return absl::UnavailableError(
      absl::StrCat("the audit log cannot be written (", options_.path, ": ", std::strerror(error),
                   "); calls that change the board are refused until it can"));
}

}  // namespace cellfleet::agent
