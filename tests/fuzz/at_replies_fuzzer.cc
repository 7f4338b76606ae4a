// libFuzzer target over the AT framing and every reply parser: arbitrary bytes must
// never crash, hang or read out of bounds; malformed input must come back as a Status.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "client/reply_decoder.h"
#include "modem/line_framer.h"
#include "modem/ppp/pppd_log.h"
#include "modem/replies/carrier_aggregation.h"
#include "modem/replies/final_result.h"
#include "modem/replies/identity.h"
#include "modem/replies/operator_selection.h"
#include "modem/replies/pdp_context.h"
#include "modem/replies/registration.h"
#include "modem/replies/serving_cell.h"
#include "modem/replies/signal_quality.h"
#include "modem/replies/sim_status.h"
#include "modem/replies/urc.h"

using namespace cellfleet;  // NOLINT: a fuzzer's entry point, not library code

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  modem::LineFramer framer(512);
  std::vector<std::string> lines;
  framer.Feed(bytes, [&](absl::string_view line) { lines.emplace_back(line); });
  modem::ppp::PppdLogParser pppd;
  for (const std::string& line : lines) {
    (void)modem::ParseCsq(line);
    (void)modem::ParseQcsq(line);
    (void)modem::ParseCops(line);
    (void)modem::ParseRegistration(line, true);
    (void)modem::ParseRegistration(line, false);
    (void)modem::ParseCpin(line);
    (void)modem::ParseImei(line);
    (void)modem::ParseImsi(line);
    (void)modem::ParseIccid(line);
    (void)modem::ParseRevision(line);
    (void)modem::ParseCgdcont(line);
    (void)modem::IsKnownUrc(line);
    if (std::optional<modem::FinalResult> final = modem::ParseFinalResult(line)) {
      (void)modem::SimStateFromError(*final);
      (void)modem::FinalResultStatus(*final, "AT", "fuzz");
    }
    pppd.Feed(line);
  }
  (void)modem::ParseServingCell(lines, modem::LteSinrEncoding::kDb);
  (void)modem::ParseServingCell(lines, modem::LteSinrEncoding::kTwiceMinus20);
  (void)modem::ParseQcainfo(lines);
  (void)modem::ParseAti(lines);
  (void)client::DecodeModemOutput(bytes);
  return 0;
}
