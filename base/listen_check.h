// Why a listening address cannot be had, in words a user can act on ("address already in
// use"): gRPC and cpp-httplib only say that binding failed.
#ifndef CELLFLEET_BASE_LISTEN_CHECK_H_
#define CELLFLEET_BASE_LISTEN_CHECK_H_

#include "absl/status/status.h"
#include "base/host_port.h"

namespace cellfleet::base {

// Binds a TCP socket to `where` (without SO_REUSEPORT, as every listener of the project)
// and closes it again. OK when it could be bound; otherwise UNAVAILABLE naming the address
// and the system's reason. Port 0 always binds.
absl::Status CheckCanListen(const HostPort& where);

// A listener failed to bind `where`: UNAVAILABLE with the reason CheckCanListen finds.
absl::Status ListenFailure(const HostPort& where);

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_LISTEN_CHECK_H_
