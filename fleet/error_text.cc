#include "fleet/error_text.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::fleet {

std::string CodeName(grpc::StatusCode code) {
  // gRPC's codes are the canonical codes absl::StatusCode numbers the same way.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string ErrorText(const grpc::Status& status) {
  return absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
}

std::string ShortEnumName(const std::string& full, const std::string& prefix) {
  std::string name = absl::StartsWith(full, prefix) ? full.substr(prefix.size()) : full;
  return name == "UNSPECIFIED" ? "-" : name;
}

}  // namespace cellfleet::fleet
