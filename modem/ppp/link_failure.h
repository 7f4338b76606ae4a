// Why a PPP link failed, from pppd's exit status (pppd(8) EXIT STATUS) and chat's.
#ifndef CELLFLEET_MODEM_PPP_LINK_FAILURE_H_
#define CELLFLEET_MODEM_PPP_LINK_FAILURE_H_

#include <array>
#include <optional>

#include "absl/strings/string_view.h"

namespace cellfleet::modem::ppp {

enum class LinkFailure {
  kNone,
  kPortLocked,           // pppd 6
  kPortOpenFailed,       // pppd 7
  kChatTimeout,          // pppd 8, chat 3
  kNoCarrier,            // chat 5: ABORT "NO CARRIER" (also a refused APN)
  kModemError,           // chat 7: ABORT "ERROR"
  kBusy,                 // chat 4
  kNoAnswer,             // chat 8
  kNoDialtone,           // chat 6
  kConnectScriptFailed,  // pppd 8, other chat statuses
  kNegotiationFailed,    // pppd 10
  kAuthRejected,         // pppd 19: the peer refused our credentials
  kPeerAuthFailed,       // pppd 11
  kEchoTimeout,          // pppd 15: dead link
  kModemHangup,          // pppd 16
  kNoKernelSupport,      // pppd 4
  kNotPrivileged,        // pppd 3
  kOptionError,          // pppd 2
  kTerminated,           // pppd 5: ended by a signal (our hang-up)
  kPeerTerminated,       // pppd 0 or 5 without our asking: the network ended the link
  kInternal,             // pppd 1, 9, 12-14, 17, 18, anything else
};

absl::string_view LinkFailureName(LinkFailure failure);

// The connect script's ABORT strings, in the order RenderPppFiles writes them: chat exits
// with 4 + the index of the one it met.
inline constexpr std::array<absl::string_view, 5> kChatAborts = {
    "BUSY", "NO CARRIER", "NO DIALTONE", "ERROR", "NO ANSWER"};
inline constexpr int kChatTimeoutStatus = 3;

// chat's exit status for the ABORT string it reported ("abort on (NO CARRIER)").
std::optional<int> ChatStatusForAbort(absl::string_view abort_string);

// `chat_status` as chat reported it (see kChatAborts).
LinkFailure FailureFromExit(int pppd_exit, std::optional<int> chat_status);

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_LINK_FAILURE_H_
