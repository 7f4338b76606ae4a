#include "convert/recovery_words.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cellfleet::convert {

std::string RecoveryStepName(v1::RecoveryStep step) {
  return std::string(absl::StripPrefix(v1::RecoveryStep_Name(step), "RECOVERY_STEP_"));
}

std::string RecoveryOutcomeName(v1::RecoveryOutcome outcome) {
  return std::string(absl::StripPrefix(v1::RecoveryOutcome_Name(outcome), "RECOVERY_OUTCOME_"));
}

std::string DescribeRecoveryAction(const v1::RecoveryAction& action) {
  std::string text =
      absl::StrCat(RecoveryStepName(action.step()), " #", action.sequence(), " ",
                   RecoveryOutcomeName(action.outcome()), " (", action.requested_by());
  if (!action.problem().empty()) absl::StrAppend(&text, ", for: ", action.problem());
  absl::StrAppend(&text, ")");
  if (!action.detail().empty()) absl::StrAppend(&text, ": ", action.detail());
  return text;
}

}  // namespace cellfleet::convert
