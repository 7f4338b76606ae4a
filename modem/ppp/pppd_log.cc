#include "modem/ppp/pppd_log.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "modem/ppp/link_failure.h"

namespace cellfleet::modem::ppp {
namespace {

// The last blank-separated word of `line`.
std::string LastWord(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  size_t space = line.find_last_of(" \t");
  return std::string(space == absl::string_view::npos ? line : line.substr(space + 1));
}

// Collapses runs of blanks: pppd pads "local  IP" and "primary   DNS" for alignment.
std::string Squeeze(absl::string_view line) {
  std::vector<absl::string_view> words =
      absl::StrSplit(absl::StripAsciiWhitespace(line), ' ', absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

}  // namespace

void PppdLogParser::Feed(absl::string_view raw) {
  const std::string line = Squeeze(raw);
  if (absl::StartsWith(line, "Using interface ")) {
    facts_.interface_name = LastWord(line);
  } else if (absl::StartsWith(line, "Sent ")) {
    // "Sent 1234 bytes, received 5678 bytes." (main.c print_link_stats)
    const std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    uint64_t sent = 0;
    uint64_t received = 0;
    if (words.size() == 6 && words[2] == "bytes," && words[3] == "received" &&
        absl::SimpleAtoi(words[1], &sent) && absl::SimpleAtoi(words[4], &received)) {
      facts_.bytes_sent = sent;
      facts_.bytes_received = received;
    }
  } else if (absl::StartsWith(line, "local IP address ")) {
    facts_.local_address = LastWord(line);
  } else if (absl::StartsWith(line, "remote IP address ")) {
    facts_.remote_address = LastWord(line);
  } else if (absl::StartsWith(line, "Could not determine remote IP address")) {
    facts_.remote_is_placeholder = true;
  } else if (absl::StartsWith(line, "primary DNS address ") ||
             absl::StartsWith(line, "secondary DNS address ")) {
    // pppd prints the secondary even when the network repeated the primary in it.
    std::string server = LastWord(line);
    if (std::find(facts_.dns_servers.begin(), facts_.dns_servers.end(), server) ==
        facts_.dns_servers.end()) {
      facts_.dns_servers.push_back(std::move(server));
    }
  } else if (line == "Serial connection established.") {
    facts_.serial_connection_established = true;
  } else if (absl::StartsWith(line, "Script ") && absl::StrContains(line, " finished (pid ")) {
    // "... finished (pid 1441), status = 0x3"
    size_t pos = line.rfind("status = 0x");
    if (pos != std::string::npos) {
      long status = std::strtol(line.c_str() + pos + 11, nullptr, 16);
      if (!facts_.ip_up() && !facts_.serial_connection_established) {
        facts_.connect_script_status = static_cast<int>(status);
      }
    }
  } else if (absl::StartsWith(line, "Failed (") && absl::EndsWith(line, ")")) {
    // chat -v -s met an ABORT string: "Failed (NO CARRIER)" ("abort on (...)" lines only
    // list them). pppd itself logs chat's exit status only with `debug`.
    const absl::string_view abort_string = absl::string_view(line).substr(8, line.size() - 9);
    if (!facts_.ip_up()) facts_.connect_script_status = ChatStatusForAbort(abort_string);
    facts_.last_problem = line;
  } else if (line == "alarm" && !facts_.ip_up() && !facts_.serial_connection_established) {
    facts_.connect_script_status = kChatTimeoutStatus;  // chat -v: its TIMEOUT expired
  } else if (absl::EndsWith(line, " authentication failed") &&
             !absl::StrContains(line, "peer")) {  // "PAP/CHAP/MS-CHAP... authentication failed"
    facts_.auth_rejected_by_peer = true;
    facts_.auth_rejection = line;
    facts_.last_problem = line;
  } else if (line == "Connect script failed") {
    facts_.connect_script_failed = true;
    facts_.last_problem = line;
  } else if (absl::StartsWith(line, "LCP terminated by peer")) {
    facts_.terminated_by_peer = true;
    facts_.last_problem = line;
  } else if (absl::StartsWith(line, "Terminating on signal") ||
             absl::StrContains(line, "Can't open options file") ||  // "/usr/sbin/pppd: ..."
             absl::StrContains(line, "requires root privilege")) {
    facts_.last_problem = line;
  } else if (line == "Modem hangup" || absl::StartsWith(line, "No response to ") ||
             absl::StartsWith(line, "LCP: timeout") || absl::StartsWith(line, "Failed to open") ||
             absl::StartsWith(line, "Device ") ||
             absl::StartsWith(line, "Can't create lock file") ||
             absl::StrContains(line, "authentication failed") ||
             absl::StartsWith(line, "Serial link appears to be disconnected")) {
    facts_.last_problem = line;
  }
}

}  // namespace cellfleet::modem::ppp
