#include "proto/read_buffers.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace cellfleet {

void ReadIntoSizedBuffers() {
  constexpr absl::string_view kExperiment = "tcp_read_chunks";
  const char* set = std::getenv("GRPC_EXPERIMENTS");
  if (set == nullptr || *set == '\0') {
    setenv("GRPC_EXPERIMENTS", absl::StrCat("-", kExperiment).c_str(), /*overwrite=*/1);
  } else if (!absl::StrContains(set, kExperiment)) {  // the user's choice stands
    setenv("GRPC_EXPERIMENTS", absl::StrCat(set, ",-", kExperiment).c_str(), /*overwrite=*/1);
  }
}

}  // namespace cellfleet
