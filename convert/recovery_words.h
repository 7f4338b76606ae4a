// The recovery ladder's values in the words operators see in logs, events, diagnose and
// the CLI, from one place.
#ifndef CELLFLEET_CONVERT_RECOVERY_WORDS_H_
#define CELLFLEET_CONVERT_RECOVERY_WORDS_H_

#include <string>

#include "cellfleet/v1/recovery.pb.h"

namespace cellfleet::convert {

// "MODEM_REBOOT", "RECOVERED".
std::string RecoveryStepName(v1::RecoveryStep step);
std::string RecoveryOutcomeName(v1::RecoveryOutcome outcome);
// "RADIO_RESET #1 NOT_RECOVERED (recovery ladder, for: not registered (SEARCHING))".
std::string DescribeRecoveryAction(const v1::RecoveryAction& action);

}  // namespace cellfleet::convert

#endif  // CELLFLEET_CONVERT_RECOVERY_WORDS_H_
