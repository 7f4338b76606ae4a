#include "modem/replies/registration.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {
namespace {

struct PrefixEntry {
  absl::string_view prefix;
  RegistrationDomain domain;
};
// Longest first so "+C5GREG" is not read as something shorter.
constexpr PrefixEntry kPrefixes[] = {
    {"+C5GREG:", RegistrationDomain::kFiveG},
    {"+CGREG:", RegistrationDomain::kGprs},
    {"+CEREG:", RegistrationDomain::kEps},
    {"+CREG:", RegistrationDomain::kCircuit},
};

}  // namespace

absl::string_view RegistrationStatText(int stat) {
  switch (stat) {
    case 0:
      return "not registered";
    case 1:
      return "registered, home";
    case 2:
      return "searching";
    case 3:
      return "registration denied";
    case 4:
      return "unknown";
    case 5:
      return "registered, roaming";
    case 6:
      return "registered for SMS only, home";
    case 7:
      return "registered for SMS only, roaming";
    case 8:
      return "attached for emergency bearer services only";
    case 9:
      return "registered, home (CSFB not preferred)";
    case 10:
      return "registered, roaming (CSFB not preferred)";
    case 11:
      return "emergency bearer services only";
    default:
      return "other";
  }
}

absl::string_view RegistrationPrefix(RegistrationDomain domain) {
  switch (domain) {
    case RegistrationDomain::kCircuit:
      return "+CREG";
    case RegistrationDomain::kGprs:
      return "+CGREG";
    case RegistrationDomain::kEps:
      return "+CEREG";
    case RegistrationDomain::kFiveG:
      return "+C5GREG";
  }
  return "";
}

bool IsRegistrationLine(absl::string_view line) {
  for (const PrefixEntry& entry : kPrefixes) {
    if (absl::StartsWithIgnoreCase(line, entry.prefix)) return true;
  }
  return false;
}

bool IsRegistrationReadReply(absl::string_view line) {
  for (const PrefixEntry& entry : kPrefixes) {
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&rest, entry.prefix)) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(rest, ',');
    if (fields.size() < 2) return false;
    auto is_number = [](absl::string_view field) {
      field = absl::StripAsciiWhitespace(field);
      return !field.empty() && std::all_of(field.begin(), field.end(), absl::ascii_isdigit);
    };
    return is_number(fields[0]) && is_number(fields[1]);
  }
  return false;
}

absl::StatusOr<RegistrationInfo> ParseRegistration(absl::string_view line, bool solicited) {
  const PrefixEntry* match = nullptr;
  for (const PrefixEntry& entry : kPrefixes) {
    if (absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(line), entry.prefix)) {
      match = &entry;
      break;
    }
  }
  if (match == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a +CREG/+CGREG/+CEREG/+C5GREG reply, got \"", line, "\""));
  }
  ASSIGN_OR_RETURN(ReplyFields fields, ReplyFields::Parse(line, match->prefix));
  RegistrationInfo info;
  info.domain = match->domain;
  info.solicited = solicited;
  size_t i = 0;
  if (solicited) {
    ASSIGN_OR_RETURN(int64_t n, fields.Int(i++, "n"));
    if (n < 0 || n > 5) return fields.Error(absl::StrCat("<n> ", n, " is out of range"));
    info.n = static_cast<int>(n);
  }
  ASSIGN_OR_RETURN(int64_t stat, fields.Int(i++, "stat"));
  if (stat < 0 || stat > 255)
    return fields.Error(absl::StrCat("<stat> ", stat, " is out of range"));
  info.stat = static_cast<int>(stat);
  ASSIGN_OR_RETURN(std::optional<uint64_t> lac, fields.OptionalHex(i++, "lac"));
  if (lac) info.lac_or_tac = static_cast<uint32_t>(*lac);
  ASSIGN_OR_RETURN(info.cell_id, fields.OptionalHex(i++, "ci"));
  ASSIGN_OR_RETURN(std::optional<int64_t> act, fields.OptionalInt(i++, "AcT"));
  if (act) info.act = static_cast<int>(*act);
  return info;
}

}  // namespace cellfleet::modem
