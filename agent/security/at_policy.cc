#include "agent/security/at_policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::agent {
namespace {

// A pattern names a command when its text before any '*' spells the whole command
// name: AT+CRSM=* names +CRSM; AT+C*, AT* and AT+CRS* do not.
bool NamesCommand(absl::string_view pattern, const modem::CommandPart& part) {
  const std::string named = "AT" + part.name;
  const absl::string_view literal = pattern.substr(0, pattern.find('*'));
  if (!absl::StartsWithIgnoreCase(literal, named)) return false;
  return literal.size() > named.size() || pattern.size() == literal.size();
}

// Whether a pattern of `patterns` allows `part`; one with a hazard only by a pattern
// that names it.
bool AnyMatches(const std::vector<std::string>& patterns, const modem::CommandPart& part) {
  const std::string command = part.AsCommand();
  for (const std::string& pattern : patterns) {
    if (!MatchesAtPattern(pattern, command)) continue;
    if (part.hazard.empty() || NamesCommand(pattern, part)) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidateAtPattern(absl::string_view pattern) {
  if (!absl::StartsWithIgnoreCase(pattern, "AT")) {
    return absl::InvalidArgumentError(
        absl::StrCat("AT pattern \"", pattern, "\" must start with AT (e.g. AT+QCFG=\"band\",*)"));
  }
  for (char c : pattern) {
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrCat("AT pattern \"", pattern, "\" has a byte that is not printable ASCII"));
    }
  }
  return absl::OkStatus();
}

bool MatchesAtPattern(absl::string_view pattern, absl::string_view command) {
  // Greedy wildcard matching with one backtrack point (the last '*' seen): linear enough
  // for 256-byte commands.
  size_t p = 0, c = 0, star = absl::string_view::npos, resume = 0;
  while (c < command.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = c;
    } else if (p < pattern.size() &&
               absl::ascii_toupper(pattern[p]) == absl::ascii_toupper(command[c])) {
      ++p;
      ++c;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      c = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AtPolicy::Allows(Role role, const modem::CommandPart& part) const {
  if (role >= Role::kViewer && AnyMatches(settings_.viewer_allow, part)) return true;
  if (role >= Role::kOperator) {
    return part.query || AnyMatches(settings_.operator_allow, part);
  }
  return false;
}

absl::Status AtPolicy::Check(Role role, const modem::CommandLine& line) const {
  if (std::string why = line.forbidden(); !why.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(why, "; no agent config can allow it"));
  }
  if (line.chained() && !settings_.allow_chained) {
    return absl::PermissionDeniedError(
        "several commands chained on one line; this agent runs one command per call "
        "(security.at_commands.allow_chained in its config)");
  }
  for (const modem::CommandPart& part : line.parts) {
    if (Allows(role, part)) continue;
    const std::string command = part.AsCommand();
    if (role >= Role::kViewer && !part.hazard.empty()) {
      return absl::PermissionDeniedError(absl::StrCat(
          command, " ", part.hazard, "; only a pattern naming ", part.name, " (e.g. AT", part.name,
          "=*) in security.at_commands.", role == Role::kOperator ? "operator" : "viewer",
          " allows it, never a broad one"));
    }
    if (role == Role::kOperator) {
      return absl::PermissionDeniedError(absl::StrCat(
          "operators may run queries only (read forms, test forms and known reads); ", command,
          " is not one: allow it in security.at_commands.operator of the agent's config"));
    }
    return absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(role), " may not run ", command,
                     " (viewers run no AT commands unless security.at_commands.viewer allows "
                     "them)"));
  }
  return absl::OkStatus();
}

}  // namespace cellfleet::agent
