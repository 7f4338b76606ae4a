#include "base/listen_check.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace cellfleet::base {

absl::Status CheckCanListen(const HostPort& where) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(where.port);
  const int looked_up = ::getaddrinfo(where.host.empty() ? nullptr : where.host.c_str(),
                                      port.c_str(), &hints, &found);
  if (looked_up != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", where.ToString(), ": ", ::gai_strerror(looked_up)));
  }
  int error = 0;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));  // TIME_WAIT is no owner
    const bool bound = ::bind(fd, a->ai_addr, a->ai_addrlen) == 0;
    error = bound ? 0 : errno;
    ::close(fd);
    if (!bound) break;
  }
  ::freeaddrinfo(found);
  if (error == 0) return absl::OkStatus();
  std::string reason = std::strerror(error);
  if (error == EADDRINUSE) reason += " (another process listens on port " + port + ")";
  return absl::UnavailableError(absl::StrCat("cannot listen on ", where.ToString(), ": ", reason));
}

absl::Status ListenFailure(const HostPort& where) {
  absl::Status why = CheckCanListen(where);
  if (!why.ok()) return why;
  return absl::UnavailableError(absl::StrCat("cannot listen on ", where.ToString()));
}

}  // namespace cellfleet::base
