#include "modem/replies/sim_status.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::modem {

absl::string_view SimStateName(SimState state) {
  switch (state) {
    case SimState::kReady:
      return "READY";
    case SimState::kPinRequired:
      return "SIM PIN";
    case SimState::kPukRequired:
      return "SIM PUK";
    case SimState::kPin2Required:
      return "SIM PIN2";
    case SimState::kPuk2Required:
      return "SIM PUK2";
    case SimState::kPersonalizationLocked:
      return "LOCKED";
    case SimState::kNotInserted:
      return "NOT INSERTED";
    case SimState::kBusy:
      return "BUSY";
    case SimState::kFailure:
      return "FAILURE";
    case SimState::kUnknown:
      break;
  }
  return "UNKNOWN";
}

absl::StatusOr<SimState> ParseCpin(absl::string_view line) {
  absl::string_view t = absl::StripAsciiWhitespace(line);
  if (!absl::StartsWithIgnoreCase(t, "+CPIN:")) {
    return absl::InvalidArgumentError(absl::StrCat("expected a +CPIN reply, got \"", line, "\""));
  }
  std::string code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(t.substr(6)));
  if (code == "READY") return SimState::kReady;
  if (code == "SIM PIN") return SimState::kPinRequired;
  if (code == "SIM PUK") return SimState::kPukRequired;
  if (code == "SIM PIN2") return SimState::kPin2Required;
  if (code == "SIM PUK2") return SimState::kPuk2Required;
  if (absl::StartsWith(code, "PH-") &&
      (absl::EndsWith(code, " PIN") || absl::EndsWith(code, " PUK"))) {
    return SimState::kPersonalizationLocked;
  }
  if (code == "NOT INSERTED" || code == "NOT READY") return SimState::kNotInserted;
  return absl::InvalidArgumentError(
      absl::StrCat("malformed +CPIN reply: unknown code \"", code, "\" in \"", line, "\""));
}

std::optional<SimState> SimStateFromError(const FinalResult& result) {
  std::optional<int> code = CmeCode(result);
  if (!code) return std::nullopt;
  switch (*code) {
    case 10:
      return SimState::kNotInserted;
    case 11:
      return SimState::kPinRequired;
    case 12:
      return SimState::kPukRequired;
    case 13:
    case 15:
      return SimState::kFailure;
    case 14:
      return SimState::kBusy;
    case 17:
      return SimState::kPin2Required;
    case 18:
      return SimState::kPuk2Required;
    default:
      return std::nullopt;
  }
}

}  // namespace cellfleet::modem
