// Turns raw modem output, as pasted from picocom, into one JSON object per reply.
#ifndef CELLFLEET_CLIENT_REPLY_DECODER_H_
#define CELLFLEET_CLIENT_REPLY_DECODER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace cellfleet::client {

struct DecodeResult {
  std::vector<nlohmann::json> replies;  // recognised and parsed
  std::vector<std::string> problems;    // "line 3: ..." for unparseable or unknown lines
  int parse_errors = 0;                 // recognised but malformed
};

// Lines are grouped into replies: the three +QENG lines of EN-DC, the lines of ATI,
// bare IMEI/IMSI lines after their echoed command. Echoes and OK are skipped.
DecodeResult DecodeModemOutput(absl::string_view text);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_REPLY_DECODER_H_
