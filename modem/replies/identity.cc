#include "modem/replies/identity.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cellfleet::modem {
namespace {

absl::string_view StripOptionalPrefix(absl::string_view text, absl::string_view prefix) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::StartsWithIgnoreCase(text, prefix)) {
    text = absl::StripAsciiWhitespace(text.substr(prefix.size()));
  }
  return text;
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status Malformed(absl::string_view what, absl::string_view reason, absl::string_view line) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed ", what, " reply: ", reason, " in \"", line, "\""));
}

}  // namespace

absl::StatusOr<AtiInfo> ParseAti(const std::vector<std::string>& lines) {
  std::vector<absl::string_view> values;
  for (const std::string& line : lines) {
    absl::string_view t = absl::StripAsciiWhitespace(line);
    if (!t.empty()) values.push_back(t);
  }
  if (values.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed ATI reply: expected manufacturer and model lines, got ",
                     values.size(), " line(s)"));
  }
  AtiInfo info;
  info.manufacturer = std::string(values[0]);
  info.model = std::string(values[1]);
  for (size_t i = 2; i < values.size(); ++i) {
    if (absl::StartsWithIgnoreCase(values[i], "Revision:")) {
      info.revision = std::string(StripOptionalPrefix(values[i], "Revision:"));
    }
  }
  return info;
}

absl::StatusOr<std::string> ParseImei(absl::string_view line) {
  absl::string_view value = StripOptionalPrefix(line, "+CGSN:");
  value = absl::StripAsciiWhitespace(absl::StripPrefix(absl::StripSuffix(value, "\""), "\""));
  if (!AllDigits(value) || (value.size() != 15 && value.size() != 14)) {
    return Malformed("AT+CGSN", "an IMEI is 14 or 15 digits", line);
  }
  return std::string(value);
}

absl::StatusOr<std::string> ParseImsi(absl::string_view line) {
  absl::string_view value = StripOptionalPrefix(line, "+CIMI:");
  if (!AllDigits(value) || value.size() < 6 || value.size() > 15) {
    return Malformed("AT+CIMI", "an IMSI is 6 to 15 digits", line);
  }
  return std::string(value);
}

absl::StatusOr<std::string> ParseIccid(absl::string_view line) {
  absl::string_view t = absl::StripAsciiWhitespace(line);
  if (!absl::StartsWithIgnoreCase(t, "+QCCID:") && !absl::StartsWithIgnoreCase(t, "+CCID:") &&
      !absl::StartsWithIgnoreCase(t, "+ICCID:")) {
    return Malformed("AT+QCCID", "missing +QCCID:", line);
  }
  absl::string_view value = absl::StripAsciiWhitespace(t.substr(t.find(':') + 1));
  value = absl::StripPrefix(absl::StripSuffix(value, "\""), "\"");
  if (absl::Status valid = ValidateIccid(value); !valid.ok()) {
    return Malformed("AT+QCCID", valid.message(), line);
  }
  return std::string(value);
}

absl::Status ValidateIccid(absl::string_view iccid) {
  if (iccid.size() < 18 || iccid.size() > 22) {
    return absl::InvalidArgumentError("an ICCID is 18 to 22 characters");
  }
  for (char c : iccid) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("an ICCID holds digits and hex letters only");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseRevision(absl::string_view line) {
  absl::string_view value = StripOptionalPrefix(line, "+CGMR:");
  value = StripOptionalPrefix(value, "+QGMR:");
  value = StripOptionalPrefix(value, "Revision:");
  if (value.empty() || value.size() > 64) return Malformed("AT+QGMR", "empty or too long", line);
  for (char c : value) {
    if (!std::isprint(static_cast<unsigned char>(c))) {
      return Malformed("AT+QGMR", "non-printable character", line);
    }
  }
  return std::string(value);
}

}  // namespace cellfleet::modem
