// Parser for AT+QENG="servingcell" (Quectel EC2x / EG9x / EP06 / RG50xQ / RM5xxQ).
#ifndef CELLFLEET_MODEM_REPLIES_SERVING_CELL_H_
#define CELLFLEET_MODEM_REPLIES_SERVING_CELL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

enum class ServingState { kUnknown, kSearch, kLimitedService, kIdle, kConnected };
// kLteCatM ("CAT-M", "eMTC") and kLteCatNb ("CAT-NB") print LTE's field layout.
enum class RadioTech {
  kUnknown,
  kGsm,
  kWcdma,
  kLte,
  kLteCatM,
  kLteCatNb,
  kNr5gSa,
  kNr5gNsa,
  kTdscdma,
  kCdma,
  kHdr
};
enum class Duplex { kUnknown, kFdd, kTdd };

// How a modem family prints LTE SINR in +QENG (AT_FACTS.md 1.3): EC2x prints dB; the
// RG50xQ/RM5xxQ application note defines dB = 2 * value - 20 for values 0..25.
enum class LteSinrEncoding { kDb, kTwiceMinus20 };

// Picks the encoding from the model name (ATI line 2 or AT+CGMM).
LteSinrEncoding LteSinrEncodingForModel(absl::string_view model);

absl::string_view ServingStateName(ServingState state);
absl::string_view RadioTechName(RadioTech rat);
absl::string_view DuplexName(Duplex duplex);

struct LteCell {
  Duplex duplex = Duplex::kUnknown;
  int mcc = 0;
  std::string mnc;
  uint64_t cell_id = 0;  // ECI
  int pci = 0;
  int earfcn = 0;
  int band = 0;
  std::optional<int> ul_bandwidth_code;  // 0..5 = 1.4, 3, 5, 10, 15, 20 MHz
  std::optional<int> dl_bandwidth_code;
  uint32_t tac = 0;
  std::optional<int> rsrp_dbm;
  std::optional<int> rsrq_db;
  std::optional<int> rssi_dbm;
  std::optional<int> sinr_raw;
  std::optional<double> sinr_db;
  std::optional<int> cqi;
  std::optional<int> tx_power_raw;  // 1/10 dBm
  std::optional<double> tx_power_dbm;
  std::optional<int> srxlev_db;

  uint32_t enb_id() const { return static_cast<uint32_t>(cell_id >> 8); }
  uint32_t local_cell_id() const { return static_cast<uint32_t>(cell_id & 0xFF); }
};

// GSM <band> code as the manual names it: 0 "DCS1800", 1 "PCS1900"; others as a number.
std::string GsmBandName(int code);

// LTE bandwidth code to kHz (1400 .. 20000); nullopt for unknown codes.
std::optional<int> LteBandwidthKhz(int code);
// NR DL bandwidth code to MHz (table in RG50xQ-AN 3.2.2).
std::optional<int> NrBandwidthMhz(int code);
// NR subcarrier spacing code to kHz.
std::optional<int> NrScsKhz(int code);

struct WcdmaCell {
  int mcc = 0;
  std::string mnc;
  uint32_t lac = 0;
  uint64_t cell_id = 0;
  int uarfcn = 0;
  int psc = 0;
  std::optional<int> rac;
  std::optional<int> rscp_dbm;
  std::optional<int> ecio_db;
  std::optional<int> phych;
  std::optional<int> sf;
  std::optional<int> slot;
  std::optional<int> speech_code;
  std::optional<int> com_mod;

  uint32_t rnc_id() const { return static_cast<uint32_t>(cell_id >> 16); }
  uint32_t local_cell_id() const { return static_cast<uint32_t>(cell_id & 0xFFFF); }
};

struct GsmCell {
  int mcc = 0;
  std::string mnc;
  uint32_t lac = 0;
  uint64_t cell_id = 0;
  std::optional<int> bsic;
  int arfcn = 0;
  std::optional<int> band;  // 0 = DCS1800, 1 = PCS1900
  std::optional<int> rxlev_dbm;
  std::optional<int> txp;
  std::optional<int> rla;
  std::optional<int> drx;
  std::optional<int> c1;
  std::optional<int> c2;
  std::optional<int> gprs;
  std::optional<std::string> tch;  // a channel number, or "h" when hopping
  std::optional<int> ts;
  std::optional<int> timing_advance;
  std::optional<int> maio;
  std::optional<int> hsn;
  std::optional<int> rxlevsub;
  std::optional<int> rxlevfull;
  std::optional<int> rxqualsub;
  std::optional<int> rxqualfull;
  std::optional<std::string> voice_codec;
};

struct Nr5gSaCell {
  Duplex duplex = Duplex::kUnknown;
  int mcc = 0;
  std::string mnc;
  uint64_t cell_id = 0;  // NCI, 36-bit
  int pci = 0;
  uint32_t tac = 0;
  int arfcn = 0;
  int band = 0;
  std::optional<int> dl_bandwidth_code;
  std::optional<int> rsrp_dbm;
  std::optional<int> rsrq_db;
  std::optional<double> sinr_db;
  std::optional<int> scs_code;
  std::optional<int> srxlev_db;
};

struct Nr5gNsaLeg {
  int mcc = 0;
  std::string mnc;
  std::optional<int> pci;
  std::optional<int> rsrp_dbm;
  std::optional<int> sinr_raw;
  std::optional<double> sinr_db;
  std::optional<int> rsrq_db;
  std::optional<int> arfcn;
  std::optional<int> band;
  std::optional<int> dl_bandwidth_code;
  std::optional<int> scs_code;
};

struct ServingCellInfo {
  ServingState state = ServingState::kUnknown;
  RadioTech rat = RadioTech::kUnknown;  // kNr5gNsa for the multi-line EN-DC form
  std::optional<LteCell> lte;           // LTE, or the LTE anchor of EN-DC
  std::optional<WcdmaCell> wcdma;
  std::optional<GsmCell> gsm;
  std::optional<Nr5gSaCell> nr5g_sa;
  std::optional<Nr5gNsaLeg> nr5g_nsa;  // the NR leg of EN-DC
  std::string raw;                     // the +QENG lines joined with "\n"
};

// Parses the +QENG lines of one AT+QENG="servingcell" reply (1 line, or 3 for EN-DC).
absl::StatusOr<ServingCellInfo> ParseServingCell(const std::vector<std::string>& lines,
                                                 LteSinrEncoding lte_sinr = LteSinrEncoding::kDb);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_SERVING_CELL_H_
