// libFuzzer target over what an exposed agent reads from callers and files: the AT
// command line of RunAtCommand, the AT policy's pattern matcher and check, the masking
// of AT secrets, the pppd options reader and the agent's YAML config with its rules.
// Arbitrary bytes must never crash, hang or read out of bounds; bad input comes back as
// a Status.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/security/at_policy.h"
#include "agent/settings/agent_settings.h"
#include "modem/ppp/pppd_option_policy.h"
#include "modem/replies/at_secrets.h"
#include "modem/replies/command_line.h"

using namespace cellfleet;  // NOLINT: a fuzzer's entry point, not library code

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // A command line, and a pattern before the first newline matched against the rest.
  if (absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(bytes); line.ok()) {
    agent::AtPolicySettings settings;
    settings.operator_allow = {"AT*", "AT+CRSM=*"};
    settings.allow_chained = true;
    const agent::AtPolicy policy(settings);
    for (agent::Role role : {agent::Role::kNone, agent::Role::kViewer, agent::Role::kOperator}) {
      (void)policy.Check(role, *line);
    }
    (void)line->MaxResponseTime();
    (void)line->ReplyPrefix();
  }
  const size_t newline = bytes.find('\n');
  if (newline != std::string::npos) {
    const std::string pattern = bytes.substr(0, newline);
    if (agent::ValidateAtPattern(pattern).ok()) {
      (void)agent::MatchesAtPattern(pattern, bytes.substr(newline + 1));
    }
  }
  const std::string masked = modem::MaskAtSecrets(bytes);
  if (modem::MaskAtSecrets(masked) != masked) __builtin_trap();  // masking is idempotent
  (void)modem::ppp::PppdOptionWords(bytes);
  (void)modem::ppp::CheckAgentOptions(bytes, "", {"/usr/sbin/chat", "/etc/ppp/x"});
  agent::AgentSettings settings;
  if (agent::ParseAgentSettings(bytes, "fuzz.yaml", settings).ok()) {
    (void)agent::CheckSectionRules(settings);
  }
  return 0;
}
