// The PPP link's own types (modem/ppp/) and their v1 enums, both ways, in one place: the
// config manager reads pushed configs with them, the link manager reports with them.
#ifndef CELLFLEET_CONVERT_PPP_TO_PROTO_H_
#define CELLFLEET_CONVERT_PPP_TO_PROTO_H_

#include "absl/status/statusor.h"
#include "cellfleet/v1/connection.pb.h"
#include "modem/ppp/connection_settings.h"
#include "modem/ppp/link_failure.h"
#include "modem/ppp/pppd_supervisor.h"

namespace cellfleet::convert {

// INVALID_ARGUMENT naming the field for a value this build does not know; UNSPECIFIED
// is the default (IP, no authentication).
absl::StatusOr<modem::ppp::PdpType> PdpFromProto(v1::PdpType type);
absl::StatusOr<modem::ppp::Auth> AuthFromProto(v1::AuthMethod method);
v1::PdpType PdpToProto(modem::ppp::PdpType type);
v1::AuthMethod AuthToProto(modem::ppp::Auth auth);

v1::ConnectionFailure FailureToProto(modem::ppp::LinkFailure failure);
v1::ConnectionState StateToProto(modem::ppp::LinkState state);

}  // namespace cellfleet::convert

#endif  // CELLFLEET_CONVERT_PPP_TO_PROTO_H_
