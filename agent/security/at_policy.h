// Which AT command lines each role may run through the agent (RunAtCommand). By default
// viewers run nothing and operators run queries; the agent's config allows more per role
// by pattern; a short list (modem/replies/command_line.h) no config can allow.
#ifndef CELLFLEET_AGENT_SECURITY_AT_POLICY_H_
#define CELLFLEET_AGENT_SECURITY_AT_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/security/authorizer.h"
#include "modem/replies/command_line.h"

namespace cellfleet::agent {

struct AtPolicySettings {
  // Patterns of whole commands, `*` matching any run of characters, case-insensitive:
  // `AT+QCFG="band",*`. An operator may also run what viewers may.
  std::vector<std::string> viewer_allow;
  std::vector<std::string> operator_allow;
  // Several commands on one line (AT+CSQ;+COPS?): each part is checked on its own.
  bool allow_chained = false;
};

// INVALID_ARGUMENT naming the pattern when one cannot match a command (empty, not
// starting with AT, not printable ASCII).
absl::Status ValidateAtPattern(absl::string_view pattern);

// `*` is the only wildcard; everything else, `?` included, is literal.
bool MatchesAtPattern(absl::string_view pattern, absl::string_view command);

class AtPolicy {
 public:
  explicit AtPolicy(AtPolicySettings settings) : settings_(std::move(settings)) {}

  // OK, or PERMISSION_DENIED saying what was refused and where it could be allowed.
  absl::Status Check(Role role, const modem::CommandLine& line) const;

 private:
  bool Allows(Role role, const modem::CommandPart& part) const;

  AtPolicySettings settings_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SECURITY_AT_POLICY_H_
