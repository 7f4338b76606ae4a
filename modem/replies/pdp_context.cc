#include "modem/replies/pdp_context.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {

absl::StatusOr<PdpContext> ParseCgdcont(absl::string_view line) {
  ASSIGN_OR_RETURN(ReplyFields fields, ReplyFields::Parse(line, "+CGDCONT:"));
  PdpContext context;
  ASSIGN_OR_RETURN(int64_t cid, fields.Int(0, "cid"));
  if (cid < 0 || cid > 255) return fields.Error(absl::StrCat("cid ", cid, " is out of range"));
  context.cid = static_cast<int>(cid);
  ASSIGN_OR_RETURN(context.pdp_type, fields.Text(1, "PDP_type"));
  if (fields.size() > 2) {
    ASSIGN_OR_RETURN(context.apn, fields.Text(2, "APN"));
  }
  if (fields.size() > 3) {
    ASSIGN_OR_RETURN(context.address, fields.Text(3, "PDP_addr"));
  }
  return context;
}

}  // namespace cellfleet::modem
