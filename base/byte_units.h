// Byte counts for people: decimal units, as carriers bill ("1.50 GB").
#ifndef CELLFLEET_BASE_BYTE_UNITS_H_
#define CELLFLEET_BASE_BYTE_UNITS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::base {

// "812 B", "15.2 kB", "1.50 GB": three significant digits from kB up.
std::string FormatBytes(uint64_t bytes);

// "500MB", "1.5GB", "2 GiB", "1000" (bytes): INVALID_ARGUMENT for anything else.
absl::StatusOr<uint64_t> ParseBytes(absl::string_view text);

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_BYTE_UNITS_H_
