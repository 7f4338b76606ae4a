// One command's reply lines as the status fields they stand for, so that a reply to an
// operator's AT command comes back decoded the way `status` shows it.
#ifndef CELLFLEET_CONVERT_REPLY_TO_STATUS_H_
#define CELLFLEET_CONVERT_REPLY_TO_STATUS_H_

#include <string>
#include <vector>

#include "cellfleet/v1/modem_status.pb.h"
#include "modem/replies/command_line.h"

namespace cellfleet::convert {

// Fills what a parser knows from the reply of a single-command `line` (AT+CSQ: signal;
// AT+QENG="servingcell": serving_cell; AT+COPS?, AT+CREG?, AT+CEREG?, AT+CPIN?, ATI,
// AT+CGSN, AT+CIMI, AT+QCCID, AT+GMR...). False when none does or the lines do not parse:
// the raw lines are the answer then.
bool DecodeReply(const modem::CommandLine& line, const std::vector<std::string>& lines,
                 v1::ModemStatus& out);

}  // namespace cellfleet::convert

#endif  // CELLFLEET_CONVERT_REPLY_TO_STATUS_H_
