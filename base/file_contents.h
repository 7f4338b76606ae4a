// A whole file read into memory, and when it cannot be, the system's reason ("No such file
// or directory", "Permission denied", "Is a directory"): "cannot read FILE" alone left
// users guessing which.
#ifndef CELLFLEET_BASE_FILE_CONTENTS_H_
#define CELLFLEET_BASE_FILE_CONTENTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::base {

// The bytes of `path`. Errors say "cannot read <what> <path>: <reason>" (`what`, e.g.
// "config file", may be empty): NOT_FOUND when it does not exist, PERMISSION_DENIED when
// this user may not read it, FAILED_PRECONDITION otherwise (a directory, an I/O error).
absl::StatusOr<std::string> ReadFileContents(const std::string& path, absl::string_view what = "");

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_FILE_CONTENTS_H_
