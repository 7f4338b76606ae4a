#include "base/byte_units.h"

#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cellfleet::base {

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000) return absl::StrCat(bytes, " B");
  double value = static_cast<double>(bytes) / 1000;
  size_t unit = 0;
  while (value >= 999.5 && unit + 1 < sizeof(kUnits) / sizeof(kUnits[0])) {
    value /= 1000;
    ++unit;
  }
  const int decimals = value < 9.995 ? 2 : (value < 99.95 ? 1 : 0);
  return absl::StrFormat("%.*f %s", decimals, value, kUnits[unit]);
}

absl::StatusOr<uint64_t> ParseBytes(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  size_t digits = 0;
  while (digits < t.size() && (absl::ascii_isdigit(t[digits]) || t[digits] == '.')) ++digits;
  double number = 0;
  if (digits == 0 || !absl::SimpleAtod(t.substr(0, digits), &number) || number < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a size: use e.g. 500MB, 1.5GB, 2GiB"));
  }
  const std::string unit(absl::StripAsciiWhitespace(absl::string_view(t).substr(digits)));
  double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "kb" || unit == "k") scale = 1e3;
  if (unit == "mb" || unit == "m") scale = 1e6;
  if (unit == "gb" || unit == "g") scale = 1e9;
  if (unit == "tb" || unit == "t") scale = 1e12;
  if (unit == "kib") scale = 1024.0;
  if (unit == "mib") scale = 1024.0 * 1024;
  if (unit == "gib") scale = 1024.0 * 1024 * 1024;
  if (unit == "tib") scale = 1024.0 * 1024 * 1024 * 1024;
  if (scale == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\": unknown unit \"", unit, "\" (B, kB, MB, GB, TB, KiB..TiB)"));
  }
  const double bytes = std::round(number * scale);
  if (bytes >= static_cast<double>(std::numeric_limits<uint64_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is too large"));
  }
  return static_cast<uint64_t>(bytes);
}

}  // namespace cellfleet::base
