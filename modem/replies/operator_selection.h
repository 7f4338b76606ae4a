// Parser for `+COPS: <mode>[,<format>,<oper>[,<AcT>]]`.
#ifndef CELLFLEET_MODEM_REPLIES_OPERATOR_SELECTION_H_
#define CELLFLEET_MODEM_REPLIES_OPERATOR_SELECTION_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

struct OperatorSelection {
  int mode = 0;               // 0 auto, 1 manual, 2 deregister, 3 format only, 4 manual/auto
  std::optional<int> format;  // 0 long alphanumeric, 1 short, 2 numeric
  std::string oper;           // empty when not registered
  std::optional<int> act;     // same codes as the registration replies

  // For format 2: the MCC (first 3 digits) and the MNC (the rest), as strings.
  std::optional<std::string> mcc() const;
  std::optional<std::string> mnc() const;
};

absl::StatusOr<OperatorSelection> ParseCops(absl::string_view line);

// Human name of an <AcT> code ("E-UTRAN", "UTRAN w/HSDPA", ...).
absl::string_view AccessTechnologyName(int act);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_OPERATOR_SELECTION_H_
