#include "modem/replies/carrier_aggregation.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {

std::optional<double> ComponentCarrier::bandwidth_mhz() const {
  switch (bandwidth_rb) {
    case 6:
      return 1.4;
    case 15:
      return 3;
    case 25:
      return 5;
    case 50:
      return 10;
    case 75:
      return 15;
    case 100:
      return 20;
    default:
      return std::nullopt;
  }
}

absl::StatusOr<std::vector<ComponentCarrier>> ParseQcainfo(const std::vector<std::string>& lines) {
  std::vector<ComponentCarrier> carriers;
  for (const std::string& line : lines) {
    ASSIGN_OR_RETURN(ReplyFields fields, ReplyFields::Parse(line, "+QCAINFO:"));
    ComponentCarrier cc;
    ASSIGN_OR_RETURN(std::string kind, fields.Text(0, "type"));
    if (absl::EqualsIgnoreCase(kind, "pcc")) {
      cc.primary = true;
    } else if (!absl::EqualsIgnoreCase(kind, "scc")) {
      return fields.Error(absl::StrCat("unknown carrier type \"", kind, "\""));
    }
    auto opt = [&](size_t i, absl::string_view name) -> absl::StatusOr<std::optional<int>> {
      ASSIGN_OR_RETURN(std::optional<int64_t> v, fields.OptionalInt(i, name));
      if (!v) return std::optional<int>();
      return std::optional<int>(static_cast<int>(*v));
    };
    ASSIGN_OR_RETURN(int64_t earfcn, fields.Int(1, "freq"));
    cc.earfcn = static_cast<int>(earfcn);
    ASSIGN_OR_RETURN(int64_t bw, fields.Int(2, "bandwidth"));
    cc.bandwidth_rb = static_cast<int>(bw);
    ASSIGN_OR_RETURN(cc.band, fields.Text(3, "band"));
    ASSIGN_OR_RETURN(cc.state, opt(4, "state"));
    ASSIGN_OR_RETURN(cc.pci, opt(5, "pci"));
    ASSIGN_OR_RETURN(cc.rsrp_dbm, opt(6, "rsrp"));
    ASSIGN_OR_RETURN(cc.rsrq_db, opt(7, "rsrq"));
    ASSIGN_OR_RETURN(cc.rssi_dbm, opt(8, "rssi"));
    ASSIGN_OR_RETURN(cc.rssnr_db, opt(9, "rssnr"));
    carriers.push_back(std::move(cc));
  }
  return carriers;
}

}  // namespace cellfleet::modem
