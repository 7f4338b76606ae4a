// Lets spdlog/fmt print absl::string_view and absl::Status (Debian's Abseil has its own
// string_view type, which fmt does not know).
#ifndef CELLFLEET_MODEM_LOG_FORMAT_H_
#define CELLFLEET_MODEM_LOG_FORMAT_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fmt/format.h"

template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view value, FormatContext& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(value.data(), value.size()),
                                                    ctx);
  }
};

template <>
struct fmt::formatter<absl::Status> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(const absl::Status& status, FormatContext& ctx) const {
    std::string text = status.ToString();
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(text), ctx);
  }
};

#endif  // CELLFLEET_MODEM_LOG_FORMAT_H_
