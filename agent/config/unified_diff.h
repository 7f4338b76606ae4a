// A unified diff of two texts (dtl computes the edit script), for dry-run applies.
#ifndef CELLFLEET_AGENT_CONFIG_UNIFIED_DIFF_H_
#define CELLFLEET_AGENT_CONFIG_UNIFIED_DIFF_H_

#include <string>

#include "absl/strings/string_view.h"

namespace cellfleet::agent {

// "--- a/NAME\n+++ b/NAME\n@@ ... @@\n..." with 3 lines of context, or "" when equal.
std::string UnifiedDiff(absl::string_view name, absl::string_view before, absl::string_view after);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CONFIG_UNIFIED_DIFF_H_
