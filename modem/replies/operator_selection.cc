#include "modem/replies/operator_selection.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {

std::optional<std::string> OperatorSelection::mcc() const {
  if (format != 2 || oper.size() < 5) return std::nullopt;
  return oper.substr(0, 3);
}

std::optional<std::string> OperatorSelection::mnc() const {
  if (format != 2 || oper.size() < 5) return std::nullopt;
  return oper.substr(3);
}

absl::StatusOr<OperatorSelection> ParseCops(absl::string_view line) {
  ASSIGN_OR_RETURN(ReplyFields fields, ReplyFields::Parse(line, "+COPS:"));
  OperatorSelection selection;
  ASSIGN_OR_RETURN(int64_t mode, fields.Int(0, "mode"));
  if (mode < 0 || mode > 4) return fields.Error(absl::StrCat("mode ", mode, " is out of range"));
  selection.mode = static_cast<int>(mode);
  ASSIGN_OR_RETURN(std::optional<int64_t> format, fields.OptionalInt(1, "format"));
  if (format) {
    if (*format < 0 || *format > 2) {
      return fields.Error(absl::StrCat("format ", *format, " is out of range"));
    }
    selection.format = static_cast<int>(*format);
    ASSIGN_OR_RETURN(selection.oper, fields.Text(2, "oper"));
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> act, fields.OptionalInt(3, "AcT"));
  if (act) selection.act = static_cast<int>(*act);
  return selection;
}

absl::string_view AccessTechnologyName(int act) {
  switch (act) {
    case 0:
      return "GSM";
    case 1:
      return "GSM Compact";
    case 2:
      return "UTRAN";
    case 3:
      return "GSM w/EGPRS";
    case 4:
      return "UTRAN w/HSDPA";
    case 5:
      return "UTRAN w/HSUPA";
    case 6:
      return "UTRAN w/HSDPA+HSUPA";
    case 7:
      return "E-UTRAN";
    case 8:  // Quectel BG9x; EC-GSM-IoT in 3GPP TS 27.007
      return "LTE Cat M1";
    case 9:  // Quectel BG9x; E-UTRAN (NB-S1 mode) in 27.007
      return "LTE Cat NB1";
    case 10:
      return "E-UTRAN (5GCN)";
    case 11:
      return "NR (5GCN)";
    case 12:
      return "NG-RAN";
    case 13:
      return "E-UTRAN-NR dual connectivity";
    case 100:
      return "CDMA";
    default:
      return "unknown";
  }
}

}  // namespace cellfleet::modem
