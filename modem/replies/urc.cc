#include "modem/replies/urc.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace cellfleet::modem {

bool IsKnownUrc(absl::string_view line) {
  static constexpr absl::string_view kExact[] = {"RDY", "POWERED DOWN", "RING"};
  static constexpr absl::string_view kPrefixes[] = {
      "+CPIN:",  "+QUSIM:",  "+QIND:", "+CFUN:",  "+CREG:", "+CGREG:",
      "+CEREG:", "+C5GREG:", "+QCSQ:", "+CTZE:",  "+CTZV:", "+QSTAT:",
      "+CMTI:",  "+CRING:",  "+CUSD:", "+QIURC:", "+CGEV:", "+QNETDEVSTATUS:",
  };
  absl::string_view t = absl::StripAsciiWhitespace(line);
  for (absl::string_view exact : kExact) {
    if (t == exact) return true;
  }
  for (absl::string_view prefix : kPrefixes) {
    if (absl::StartsWithIgnoreCase(t, prefix)) return true;
  }
  return false;
}

}  // namespace cellfleet::modem
