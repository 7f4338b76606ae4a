#include "modem/ppp/connection_settings.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cellfleet::modem::ppp {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status ValidateApn(const std::string& apn) {
  if (apn.empty()) return absl::OkStatus();
  if (apn.size() > 100) return Invalid("apn", "longer than 100 octets (3GPP TS 23.003)");
  for (absl::string_view label : absl::StrSplit(apn, '.')) {
    if (label.empty()) return Invalid("apn", "empty label (two dots, or a dot at an end)");
    if (label.size() > 63) return Invalid("apn", "a label is longer than 63 octets");
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') {
        return Invalid(
            "apn", absl::StrCat("character ",
                                absl::ascii_isprint(c) ? absl::StrCat("'", std::string(1, c), "'")
                                                       : "(non-printable)",
                                " is not allowed: letters, digits, '-' and '.' only"));
      }
    }
    if (label.front() == '-' || label.back() == '-')
      return Invalid("apn", "a label starts or ends with '-'");
  }
  // Reserved endings that would make it an operator identifier (TS 23.003 9.1.1).
  std::string lower = absl::AsciiStrToLower(apn);
  if (absl::StartsWith(lower, "rac") || absl::StartsWith(lower, "lac") ||
      absl::StartsWith(lower, "sgsn") || absl::StartsWith(lower, "rnc") ||
      absl::EndsWith(lower, ".gprs")) {
    return Invalid("apn",
                   "starts with rac, lac, sgsn or rnc, or ends in .gprs, which 3GPP reserves");
  }
  return absl::OkStatus();
}

absl::Status ValidateCredential(absl::string_view field, const std::string& value) {
  if (value.size() > 128) return Invalid(field, "longer than 128 characters");
  for (char c : value) {
    if (c == '"' || c == '\'' || c == '\\')
      return Invalid(field, "quotes and backslashes are not allowed");
    if (c == '\n' || c == '\r') return Invalid(field, "newlines are not allowed");
    if (!absl::ascii_isgraph(c))
      return Invalid(field, "only printable characters without blanks are allowed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view PdpTypeName(PdpType type) {
  switch (type) {
    case PdpType::kIp:
      return "IP";
    case PdpType::kIpv6:
      return "IPV6";
    case PdpType::kIpv4v6:
      return "IPV4V6";
  }
  return "IP";
}

std::optional<int> DialContextId(absl::string_view d) {
  // 3GPP TS 27.007 10.2.1.1 packet-domain dial: *99# or *99***<cid>#. (#777 is CDMA.)
  if (d == "*99#") return 1;
  if (!absl::ConsumePrefix(&d, "*99***") || !absl::ConsumeSuffix(&d, "#")) return std::nullopt;
  int cid = 0;
  if (d.empty() || d.size() > 2 || !std::all_of(d.begin(), d.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(d, &cid) || cid < 1 || cid > 16) {
    return std::nullopt;
  }
  return cid;
}

absl::Status Validate(const ConnectionSettings& s) {
  if (absl::Status apn = ValidateApn(s.apn); !apn.ok()) return apn;
  if (absl::Status user = ValidateCredential("username", s.username); !user.ok()) return user;
  if (absl::Status password = ValidateCredential("password", s.password); !password.ok())
    return password;
  if (s.auth != Auth::kNone && s.username.empty())
    return Invalid("username", "PAP or CHAP needs a username");
  if (s.auth == Auth::kNone && (!s.username.empty() || !s.password.empty())) {
    return Invalid("auth", "credentials given but auth is none: choose PAP or CHAP");
  }
  if (!DialContextId(s.dial_string)) {
    return Invalid("dial_string",
                   absl::StrCat("\"", s.dial_string, "\" is not *99# or *99***<cid>#, cid 1..16"));
  }
  if (s.modem_port.empty() || s.modem_port[0] != '/' ||
      s.modem_port.find_first_of(" \t\n\"'\\") != std::string::npos) {
    return Invalid("modem_port", "an absolute device path without blanks or quotes");
  }
  switch (s.baud) {
    case 9600:
    case 19200:
    case 38400:
    case 57600:
    case 115200:
    case 230400:
    case 460800:
    case 921600:
      break;
    default:
      return Invalid("baud", absl::StrCat(s.baud, " is not a supported rate"));
  }
  if (s.lcp_echo_interval_s < 1 || s.lcp_echo_interval_s > 3600)
    return Invalid("lcp_echo_interval", "1..3600 s");
  if (s.lcp_echo_failure < 1 || s.lcp_echo_failure > 100)
    return Invalid("lcp_echo_failure", "1..100");
  if (s.chat_timeout < absl::Seconds(1) || s.chat_timeout > absl::Minutes(5))
    return Invalid("chat_timeout", "1 s..5 min");
  return absl::OkStatus();
}

}  // namespace cellfleet::modem::ppp
