#include "convert/ppp_to_proto.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::convert {

absl::StatusOr<modem::ppp::PdpType> PdpFromProto(v1::PdpType type) {
  switch (type) {
    case v1::PDP_TYPE_UNSPECIFIED:
    case v1::PDP_TYPE_IP:
      return modem::ppp::PdpType::kIp;
    case v1::PDP_TYPE_IPV6:
      return modem::ppp::PdpType::kIpv6;
    case v1::PDP_TYPE_IPV4V6:
      return modem::ppp::PdpType::kIpv4v6;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "pdp_type: unknown PDP type ", static_cast<int>(type), "; use IP, IPV6 or IPV4V6"));
  }
}

absl::StatusOr<modem::ppp::Auth> AuthFromProto(v1::AuthMethod method) {
  switch (method) {
    case v1::AUTH_METHOD_UNSPECIFIED:
    case v1::AUTH_METHOD_NONE:
      return modem::ppp::Auth::kNone;
    case v1::AUTH_METHOD_PAP:
      return modem::ppp::Auth::kPap;
    case v1::AUTH_METHOD_CHAP:
      return modem::ppp::Auth::kChap;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "auth: unknown auth method ", static_cast<int>(method), "; use NONE, PAP or CHAP"));
  }
}

v1::PdpType PdpToProto(modem::ppp::PdpType type) {
  switch (type) {
    case modem::ppp::PdpType::kIp:
      return v1::PDP_TYPE_IP;
    case modem::ppp::PdpType::kIpv6:
      return v1::PDP_TYPE_IPV6;
    case modem::ppp::PdpType::kIpv4v6:
      return v1::PDP_TYPE_IPV4V6;
  }
  return v1::PDP_TYPE_IP;
}

v1::AuthMethod AuthToProto(modem::ppp::Auth auth) {
  switch (auth) {
    case modem::ppp::Auth::kNone:
      return v1::AUTH_METHOD_NONE;
    case modem::ppp::Auth::kPap:
      return v1::AUTH_METHOD_PAP;
    case modem::ppp::Auth::kChap:
      return v1::AUTH_METHOD_CHAP;
  }
  return v1::AUTH_METHOD_NONE;
}

v1::ConnectionFailure FailureToProto(modem::ppp::LinkFailure failure) {
  switch (failure) {
    case modem::ppp::LinkFailure::kNone:
      return v1::CONNECTION_FAILURE_UNSPECIFIED;
    case modem::ppp::LinkFailure::kPortLocked:
      return v1::CONNECTION_FAILURE_PORT_LOCKED;
    case modem::ppp::LinkFailure::kPortOpenFailed:
      return v1::CONNECTION_FAILURE_PORT_OPEN_FAILED;
    case modem::ppp::LinkFailure::kChatTimeout:
      return v1::CONNECTION_FAILURE_CHAT_TIMEOUT;
    case modem::ppp::LinkFailure::kNoCarrier:
      return v1::CONNECTION_FAILURE_NO_CARRIER;
    case modem::ppp::LinkFailure::kModemError:
      return v1::CONNECTION_FAILURE_MODEM_ERROR;
    case modem::ppp::LinkFailure::kBusy:
      return v1::CONNECTION_FAILURE_BUSY;
    case modem::ppp::LinkFailure::kNoAnswer:
      return v1::CONNECTION_FAILURE_NO_ANSWER;
    case modem::ppp::LinkFailure::kNoDialtone:
      return v1::CONNECTION_FAILURE_NO_DIALTONE;
    case modem::ppp::LinkFailure::kConnectScriptFailed:
      return v1::CONNECTION_FAILURE_CONNECT_SCRIPT_FAILED;
    case modem::ppp::LinkFailure::kNegotiationFailed:
      return v1::CONNECTION_FAILURE_NEGOTIATION_FAILED;
    case modem::ppp::LinkFailure::kAuthRejected:
      return v1::CONNECTION_FAILURE_AUTH_REJECTED;
    case modem::ppp::LinkFailure::kPeerAuthFailed:
      return v1::CONNECTION_FAILURE_PEER_AUTH_FAILED;
    case modem::ppp::LinkFailure::kEchoTimeout:
      return v1::CONNECTION_FAILURE_ECHO_TIMEOUT;
    case modem::ppp::LinkFailure::kModemHangup:
      return v1::CONNECTION_FAILURE_MODEM_HANGUP;
    case modem::ppp::LinkFailure::kNoKernelSupport:
      return v1::CONNECTION_FAILURE_NO_KERNEL_SUPPORT;
    case modem::ppp::LinkFailure::kNotPrivileged:
      return v1::CONNECTION_FAILURE_NOT_PRIVILEGED;
    case modem::ppp::LinkFailure::kOptionError:
      return v1::CONNECTION_FAILURE_OPTION_ERROR;
    case modem::ppp::LinkFailure::kPeerTerminated:
      return v1::CONNECTION_FAILURE_PEER_TERMINATED;
    case modem::ppp::LinkFailure::kTerminated:
    case modem::ppp::LinkFailure::kInternal:
      break;
  }
  return v1::CONNECTION_FAILURE_INTERNAL;
}

v1::ConnectionState StateToProto(modem::ppp::LinkState state) {
  switch (state) {
    case modem::ppp::LinkState::kDisconnected:
      return v1::CONNECTION_STATE_DISCONNECTED;
    case modem::ppp::LinkState::kDialing:
      return v1::CONNECTION_STATE_DIALING;
    case modem::ppp::LinkState::kConnected:
      return v1::CONNECTION_STATE_CONNECTED;
    case modem::ppp::LinkState::kDisconnecting:
      return v1::CONNECTION_STATE_DISCONNECTING;
    case modem::ppp::LinkState::kFailed:
      return v1::CONNECTION_STATE_FAILED;
  }
  return v1::CONNECTION_STATE_UNSPECIFIED;
}

}  // namespace cellfleet::convert
