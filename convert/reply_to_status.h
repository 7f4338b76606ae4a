// The one table of replies that carry status fields: which commands ask for each, how its
// reply line starts, and how its lines fill a v1::ModemStatus. The agent decodes an
// operator's AT reply with it (by the command asked); the CLI's `decode` with it (by the
// line, or the echoed command before a bare value), so both show a reply as `status` does.
#ifndef CELLFLEET_CONVERT_REPLY_TO_STATUS_H_
#define CELLFLEET_CONVERT_REPLY_TO_STATUS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cellfleet/v1/modem_status.pb.h"
#include "modem/replies/command_line.h"

namespace cellfleet::convert {

struct StatusReply {
  absl::string_view name;                   // as shown: "+CSQ", "ATI"
  std::vector<absl::string_view> asked_by;  // command names (upper case) whose reply it is
  // How its reply line starts; empty for a bare value (IMEI, IMSI, revision, ATI's lines),
  // known only by the command echoed before it.
  std::vector<absl::string_view> line_prefixes;
  // The reply's lines (with or without the echo and OK) into `out`; an error says why not.
  absl::Status (*fill)(const std::vector<std::string>& lines, v1::ModemStatus& out);

  bool StartsLine(absl::string_view line) const;
};

// The entry for a reply to `part` (AT+CSQ, AT+COPS?, AT+QENG="servingcell"...), or null.
const StatusReply* StatusReplyAskedBy(const modem::CommandPart& part);

// The entry whose reply line `line` is (by its prefix), or null.
const StatusReply* StatusReplyOfLine(absl::string_view line);

// Fills what the table knows from the reply of a single-command `line`. False when no
// entry does or the lines do not parse: the raw lines are the answer then.
bool DecodeReply(const modem::CommandLine& line, const std::vector<std::string>& lines,
                 v1::ModemStatus& out);

}  // namespace cellfleet::convert

#endif  // CELLFLEET_CONVERT_REPLY_TO_STATUS_H_
