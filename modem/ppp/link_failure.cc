#include "modem/ppp/link_failure.h"

namespace cellfleet::modem::ppp {

absl::string_view LinkFailureName(LinkFailure failure) {
  switch (failure) {
    case LinkFailure::kNone:
      return "none";
    case LinkFailure::kPortLocked:
      return "modem port locked by another program";
    case LinkFailure::kPortOpenFailed:
      return "modem port could not be opened";
    case LinkFailure::kChatTimeout:
      return "modem did not answer the connect script in time";
    case LinkFailure::kNoCarrier:
      return "NO CARRIER (network refused the call or the APN)";
    case LinkFailure::kModemError:
      return "modem answered ERROR to the connect script";
    case LinkFailure::kBusy:
      return "BUSY";
    case LinkFailure::kNoAnswer:
      return "NO ANSWER";
    case LinkFailure::kNoDialtone:
      return "NO DIALTONE";
    case LinkFailure::kConnectScriptFailed:
      return "connect script failed";
    case LinkFailure::kNegotiationFailed:
      return "PPP negotiation failed";
    case LinkFailure::kAuthRejected:
      return "the network rejected our PAP/CHAP credentials";
    case LinkFailure::kPeerAuthFailed:
      return "the peer failed to authenticate";
    case LinkFailure::kEchoTimeout:
      return "link dead: no answer to LCP echo requests";
    case LinkFailure::kModemHangup:
      return "modem hung up";
    case LinkFailure::kNoKernelSupport:
      return "the kernel has no PPP support";
    case LinkFailure::kNotPrivileged:
      return "pppd lacks privileges";
    case LinkFailure::kOptionError:
      return "pppd refused an option";
    case LinkFailure::kTerminated:
      return "hung up on request";
    case LinkFailure::kPeerTerminated:
      return "the network ended the link";
    case LinkFailure::kInternal:
      return "pppd failed";
  }
  return "pppd failed";
}

std::optional<int> ChatStatusForAbort(absl::string_view abort_string) {
  for (size_t i = 0; i < kChatAborts.size(); ++i) {
    if (kChatAborts[i] == abort_string) return 4 + static_cast<int>(i);
  }
  return std::nullopt;
}

LinkFailure FailureFromExit(int pppd_exit, std::optional<int> chat_status) {
  switch (pppd_exit) {
    case 0:
      return LinkFailure::kNone;
    case 2:
      return LinkFailure::kOptionError;
    case 3:
      return LinkFailure::kNotPrivileged;
    case 4:
      return LinkFailure::kNoKernelSupport;
    case 5:
      return LinkFailure::kTerminated;
    case 6:
      return LinkFailure::kPortLocked;
    case 7:
      return LinkFailure::kPortOpenFailed;
    case 8:
      switch (chat_status.value_or(-1)) {
        case 3:
          return LinkFailure::kChatTimeout;
        case 4:
          return LinkFailure::kBusy;
        case 5:
          return LinkFailure::kNoCarrier;
        case 6:
          return LinkFailure::kNoDialtone;
        case 7:
          return LinkFailure::kModemError;
        case 8:
          return LinkFailure::kNoAnswer;
        default:
          return LinkFailure::kConnectScriptFailed;
      }
    case 10:
      return LinkFailure::kNegotiationFailed;
    case 11:
      return LinkFailure::kPeerAuthFailed;
    case 15:
      return LinkFailure::kEchoTimeout;
    case 16:
      return LinkFailure::kModemHangup;
    case 19:
      return LinkFailure::kAuthRejected;
    default:
      return LinkFailure::kInternal;
  }
}

}  // namespace cellfleet::modem::ppp
