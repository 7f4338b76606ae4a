// The words every fleet tool uses for a call's outcome, so that the CLI's tables, the
// collector's logs and the stream engine's notes say the same thing for the same error.
#ifndef CELLFLEET_FLEET_ERROR_TEXT_H_
#define CELLFLEET_FLEET_ERROR_TEXT_H_

#include <string>

#include "grpcpp/support/status.h"

namespace cellfleet::fleet {

// "UNAVAILABLE"
std::string CodeName(grpc::StatusCode code);
// "UNAVAILABLE: connection refused"
std::string ErrorText(const grpc::Status& status);

// An enum value's name without its type prefix: MODEM_STATE_READY -> READY, and
// UNSPECIFIED -> "-".
std::string ShortEnumName(const std::string& full, const std::string& prefix);

}  // namespace cellfleet::fleet

#endif  // CELLFLEET_FLEET_ERROR_TEXT_H_
