#include "agent/config/unified_diff.h"

#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dtl/dtl.hpp"

namespace cellfleet::agent {
namespace {

std::vector<std::string> Lines(absl::string_view text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final newline
  return lines;
}

}  // namespace

std::string UnifiedDiff(absl::string_view name, absl::string_view before, absl::string_view after) {
  if (before == after) return "";
  const std::vector<std::string> a = Lines(before);
  const std::vector<std::string> b = Lines(after);
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.onHuge();
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream hunks;
  diff.printUnifiedFormat(hunks);
  return absl::StrCat("--- a/", name, "\n+++ b/", name, "\n", hunks.str());
}

}  // namespace cellfleet::agent
