#include "modem/replies/serving_cell.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {
namespace {

// Reads the fields that follow a RAT token, by position relative to it.
class RatFields {
 public:
  RatFields(const ReplyFields& fields, size_t base) : fields_(fields), base_(base) {}

  size_t size() const { return fields_.size() > base_ ? fields_.size() - base_ : 0; }

  absl::StatusOr<int> Int(size_t i, absl::string_view name) const {
    ASSIGN_OR_RETURN(int64_t v, fields_.Int(base_ + i, name));
    return static_cast<int>(v);
  }
  // "-" and fields past the end are absent; so are the sentinels some firmware prints
  // for an unmeasured NR leg (-32768, 65535).
  absl::StatusOr<std::optional<int>> OptInt(size_t i, absl::string_view name) const {
    ASSIGN_OR_RETURN(std::optional<int64_t> v, fields_.OptionalInt(base_ + i, name));
    if (!v || *v == -32768 || *v == 65535) return std::optional<int>();
    return std::optional<int>(static_cast<int>(*v));
  }
  absl::StatusOr<uint64_t> Hex(size_t i, absl::string_view name) const {
    return fields_.Hex(base_ + i, name);
  }
  absl::StatusOr<std::string> Text(size_t i, absl::string_view name) const {
    return fields_.Text(base_ + i, name);
  }
  std::optional<std::string> OptText(size_t i) const { return fields_.OptionalText(base_ + i); }
  absl::Status Error(absl::string_view reason) const { return fields_.Error(reason); }

 private:
  const ReplyFields& fields_;
  size_t base_;
};

absl::StatusOr<ServingState> ParseState(absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(text);
  if (upper == "SEARCH") return ServingState::kSearch;
  if (upper == "LIMSRV") return ServingState::kLimitedService;
  if (upper == "NOCONN") return ServingState::kIdle;
  if (upper == "CONNECT") return ServingState::kConnected;
  return absl::InvalidArgumentError(absl::StrCat("unknown servingcell state \"", text, "\""));
}

RadioTech ParseRat(absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(text);
  if (upper == "LTE") return RadioTech::kLte;
  if (upper == "CAT-M" || upper == "CAT-M1" || upper == "EMTC") return RadioTech::kLteCatM;
  if (upper == "CAT-NB" || upper == "CAT-NB1" || upper == "NBIOT") return RadioTech::kLteCatNb;
  if (upper == "WCDMA") return RadioTech::kWcdma;
  if (upper == "GSM") return RadioTech::kGsm;
  if (upper == "NR5G-SA") return RadioTech::kNr5gSa;
  if (upper == "NR5G-NSA") return RadioTech::kNr5gNsa;
  if (upper == "TDSCDMA") return RadioTech::kTdscdma;
  if (upper == "CDMA") return RadioTech::kCdma;
  if (upper == "HDR") return RadioTech::kHdr;
  return RadioTech::kUnknown;
}

Duplex ParseDuplex(absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(text);
  if (upper == "FDD") return Duplex::kFdd;
  if (upper == "TDD") return Duplex::kTdd;
  return Duplex::kUnknown;
}

std::optional<double> ScaleLteSinr(std::optional<int> raw, LteSinrEncoding encoding) {
  if (!raw) return std::nullopt;
  // A negative value can only be dB, whatever the family.
  if (encoding == LteSinrEncoding::kTwiceMinus20 && *raw >= 0 && *raw <= 25) {
    return 2.0 * *raw - 20.0;
  }
  return static_cast<double>(*raw);
}

// NR SINR is dB, but early RM500Q firmware printed tenths (180 for 18.0 dB).
std::optional<double> ScaleNrSinr(std::optional<int> raw) {
  if (!raw) return std::nullopt;
  if (*raw > 40) return *raw / 10.0;
  return static_cast<double>(*raw);
}

absl::StatusOr<LteCell> ParseLte(const RatFields& f, LteSinrEncoding encoding) {
  if (f.size() < 10) return f.Error("LTE cell needs at least 10 fields");
  LteCell cell;
  ASSIGN_OR_RETURN(std::string duplex, f.Text(0, "is_tdd"));
  cell.duplex = ParseDuplex(duplex);
  ASSIGN_OR_RETURN(cell.mcc, f.Int(1, "mcc"));
  ASSIGN_OR_RETURN(cell.mnc, f.Text(2, "mnc"));
  ASSIGN_OR_RETURN(cell.cell_id, f.Hex(3, "cellID"));
  ASSIGN_OR_RETURN(cell.pci, f.Int(4, "pcid"));
  ASSIGN_OR_RETURN(cell.earfcn, f.Int(5, "earfcn"));
  ASSIGN_OR_RETURN(cell.band, f.Int(6, "freq_band_ind"));
  ASSIGN_OR_RETURN(cell.ul_bandwidth_code, f.OptInt(7, "ul_bandwidth"));
  ASSIGN_OR_RETURN(cell.dl_bandwidth_code, f.OptInt(8, "dl_bandwidth"));
  ASSIGN_OR_RETURN(uint64_t tac, f.Hex(9, "tac"));
  cell.tac = static_cast<uint32_t>(tac);
  ASSIGN_OR_RETURN(cell.rsrp_dbm, f.OptInt(10, "rsrp"));
  ASSIGN_OR_RETURN(cell.rsrq_db, f.OptInt(11, "rsrq"));
  ASSIGN_OR_RETURN(cell.rssi_dbm, f.OptInt(12, "rssi"));
  ASSIGN_OR_RETURN(cell.sinr_raw, f.OptInt(13, "sinr"));
  cell.sinr_db = ScaleLteSinr(cell.sinr_raw, encoding);
  // 15 fields: EC2x layout (..., sinr, srxlev). 17: RG50xQ layout adds cqi, tx_power.
  if (f.size() >= 17) {
    ASSIGN_OR_RETURN(cell.cqi, f.OptInt(14, "cqi"));
    ASSIGN_OR_RETURN(cell.tx_power_raw, f.OptInt(15, "tx_power"));
    if (cell.tx_power_raw) cell.tx_power_dbm = *cell.tx_power_raw / 10.0;
    ASSIGN_OR_RETURN(cell.srxlev_db, f.OptInt(16, "srxlev"));
  } else if (f.size() == 15) {
    ASSIGN_OR_RETURN(cell.srxlev_db, f.OptInt(14, "srxlev"));
  }
  return cell;
}

absl::StatusOr<WcdmaCell> ParseWcdma(const RatFields& f) {
  if (f.size() < 6) return f.Error("WCDMA cell needs at least 6 fields");
  WcdmaCell cell;
  ASSIGN_OR_RETURN(cell.mcc, f.Int(0, "mcc"));
  ASSIGN_OR_RETURN(cell.mnc, f.Text(1, "mnc"));
  ASSIGN_OR_RETURN(uint64_t lac, f.Hex(2, "lac"));
  cell.lac = static_cast<uint32_t>(lac);
  ASSIGN_OR_RETURN(cell.cell_id, f.Hex(3, "cellID"));
  ASSIGN_OR_RETURN(cell.uarfcn, f.Int(4, "uarfcn"));
  ASSIGN_OR_RETURN(cell.psc, f.Int(5, "psc"));
  ASSIGN_OR_RETURN(cell.rac, f.OptInt(6, "rac"));
  ASSIGN_OR_RETURN(cell.rscp_dbm, f.OptInt(7, "rscp"));
  ASSIGN_OR_RETURN(cell.ecio_db, f.OptInt(8, "ecio"));
  ASSIGN_OR_RETURN(cell.phych, f.OptInt(9, "phych"));
  ASSIGN_OR_RETURN(cell.sf, f.OptInt(10, "sf"));
  ASSIGN_OR_RETURN(cell.slot, f.OptInt(11, "slot"));
  ASSIGN_OR_RETURN(cell.speech_code, f.OptInt(12, "speech_code"));
  ASSIGN_OR_RETURN(cell.com_mod, f.OptInt(13, "com_mod"));
  return cell;
}

absl::StatusOr<GsmCell> ParseGsm(const RatFields& f) {
  if (f.size() < 6) return f.Error("GSM cell needs at least 6 fields");
  GsmCell cell;
  ASSIGN_OR_RETURN(cell.mcc, f.Int(0, "mcc"));
  ASSIGN_OR_RETURN(cell.mnc, f.Text(1, "mnc"));
  ASSIGN_OR_RETURN(uint64_t lac, f.Hex(2, "lac"));
  cell.lac = static_cast<uint32_t>(lac);
  ASSIGN_OR_RETURN(cell.cell_id, f.Hex(3, "cellID"));
  ASSIGN_OR_RETURN(cell.bsic, f.OptInt(4, "bsic"));
  ASSIGN_OR_RETURN(cell.arfcn, f.Int(5, "arfcn"));
  ASSIGN_OR_RETURN(cell.band, f.OptInt(6, "band"));
  ASSIGN_OR_RETURN(std::optional<int> rxlev, f.OptInt(7, "rxlev"));
  // The manual says 0..63 (dBm = value - 111), yet real firmware prints dBm directly.
  if (rxlev) cell.rxlev_dbm = *rxlev < 0 ? *rxlev : *rxlev - 111;
  ASSIGN_OR_RETURN(cell.txp, f.OptInt(8, "txp"));
  ASSIGN_OR_RETURN(cell.rla, f.OptInt(9, "rla"));
  ASSIGN_OR_RETURN(cell.drx, f.OptInt(10, "drx"));
  ASSIGN_OR_RETURN(cell.c1, f.OptInt(11, "c1"));
  ASSIGN_OR_RETURN(cell.c2, f.OptInt(12, "c2"));
  ASSIGN_OR_RETURN(cell.gprs, f.OptInt(13, "gprs"));
  cell.tch = f.OptText(14);
  ASSIGN_OR_RETURN(cell.ts, f.OptInt(15, "ts"));
  ASSIGN_OR_RETURN(cell.timing_advance, f.OptInt(16, "ta"));
  ASSIGN_OR_RETURN(cell.maio, f.OptInt(17, "maio"));
  ASSIGN_OR_RETURN(cell.hsn, f.OptInt(18, "hsn"));
  ASSIGN_OR_RETURN(cell.rxlevsub, f.OptInt(19, "rxlevsub"));
  ASSIGN_OR_RETURN(cell.rxlevfull, f.OptInt(20, "rxlevfull"));
  ASSIGN_OR_RETURN(cell.rxqualsub, f.OptInt(21, "rxqualsub"));
  ASSIGN_OR_RETURN(cell.rxqualfull, f.OptInt(22, "rxqualfull"));
  cell.voice_codec = f.OptText(23);
  return cell;
}

absl::StatusOr<Nr5gSaCell> ParseNr5gSa(const RatFields& f) {
  if (f.size() < 8) return f.Error("NR5G-SA cell needs at least 8 fields");
  Nr5gSaCell cell;
  ASSIGN_OR_RETURN(std::string duplex, f.Text(0, "duplex_mode"));
  cell.duplex = ParseDuplex(duplex);
  ASSIGN_OR_RETURN(cell.mcc, f.Int(1, "mcc"));
  ASSIGN_OR_RETURN(cell.mnc, f.Text(2, "mnc"));
  ASSIGN_OR_RETURN(cell.cell_id, f.Hex(3, "cellID"));
  ASSIGN_OR_RETURN(cell.pci, f.Int(4, "pcid"));
  ASSIGN_OR_RETURN(uint64_t tac, f.Hex(5, "tac"));
  cell.tac = static_cast<uint32_t>(tac);
  ASSIGN_OR_RETURN(cell.arfcn, f.Int(6, "arfcn"));
  ASSIGN_OR_RETURN(cell.band, f.Int(7, "band"));
  ASSIGN_OR_RETURN(cell.dl_bandwidth_code, f.OptInt(8, "nr_dl_bandwidth"));
  ASSIGN_OR_RETURN(cell.rsrp_dbm, f.OptInt(9, "rsrp"));
  ASSIGN_OR_RETURN(cell.rsrq_db, f.OptInt(10, "rsrq"));
  ASSIGN_OR_RETURN(std::optional<int> sinr, f.OptInt(11, "sinr"));
  cell.sinr_db = ScaleNrSinr(sinr);
  ASSIGN_OR_RETURN(cell.scs_code, f.OptInt(12, "scs"));
  ASSIGN_OR_RETURN(cell.srxlev_db, f.OptInt(13, "srxlev"));
  return cell;
}

absl::StatusOr<Nr5gNsaLeg> ParseNr5gNsa(const RatFields& f) {
  if (f.size() < 2) return f.Error("NR5G-NSA leg needs at least 2 fields");
  Nr5gNsaLeg leg;
  ASSIGN_OR_RETURN(leg.mcc, f.Int(0, "mcc"));
  ASSIGN_OR_RETURN(leg.mnc, f.Text(1, "mnc"));
  ASSIGN_OR_RETURN(leg.pci, f.OptInt(2, "pcid"));
  ASSIGN_OR_RETURN(leg.rsrp_dbm, f.OptInt(3, "rsrp"));
  ASSIGN_OR_RETURN(leg.sinr_raw, f.OptInt(4, "sinr"));
  leg.sinr_db = ScaleNrSinr(leg.sinr_raw);
  ASSIGN_OR_RETURN(leg.rsrq_db, f.OptInt(5, "rsrq"));
  ASSIGN_OR_RETURN(leg.arfcn, f.OptInt(6, "arfcn"));
  ASSIGN_OR_RETURN(leg.band, f.OptInt(7, "band"));
  ASSIGN_OR_RETURN(leg.dl_bandwidth_code, f.OptInt(8, "nr_dl_bandwidth"));
  ASSIGN_OR_RETURN(leg.scs_code, f.OptInt(9, "scs"));
  return leg;
}

// Fills `info` from the fields after a RAT token at `base`.
absl::Status ParseRatSection(const ReplyFields& fields, size_t base, RadioTech rat,
                             LteSinrEncoding encoding, ServingCellInfo& info) {
  RatFields f(fields, base);
  switch (rat) {
    case RadioTech::kLte:
    case RadioTech::kLteCatM:
    case RadioTech::kLteCatNb: {
      ASSIGN_OR_RETURN(info.lte, ParseLte(f, encoding));
      return absl::OkStatus();
    }
    case RadioTech::kWcdma: {
      ASSIGN_OR_RETURN(info.wcdma, ParseWcdma(f));
      return absl::OkStatus();
    }
    case RadioTech::kGsm: {
      ASSIGN_OR_RETURN(info.gsm, ParseGsm(f));
      return absl::OkStatus();
    }
    case RadioTech::kNr5gSa: {
      ASSIGN_OR_RETURN(info.nr5g_sa, ParseNr5gSa(f));
      return absl::OkStatus();
    }
    case RadioTech::kNr5gNsa: {
      ASSIGN_OR_RETURN(info.nr5g_nsa, ParseNr5gNsa(f));
      return absl::OkStatus();
    }
    case RadioTech::kTdscdma:
    case RadioTech::kCdma:
    case RadioTech::kHdr:
      return absl::OkStatus();  // recognised, kept raw
    case RadioTech::kUnknown:
      break;
  }
  return fields.Error("unknown radio technology");
}

}  // namespace

LteSinrEncoding LteSinrEncodingForModel(absl::string_view model) {
  std::string upper = absl::AsciiStrToUpper(model);
  // The RG50xQ/RM5xxQ application note's 2X-20 applies to Qualcomm-based parts; the
  // Unisoc-based RM500U/RG500U print dB like the EC25 (AT_FACTS.md 1.3).
  const bool qualcomm_5g = absl::StartsWith(upper, "RG50") || absl::StartsWith(upper, "RM50") ||
                           absl::StartsWith(upper, "RM51") || absl::StartsWith(upper, "RM52");
  const bool unisoc = upper.size() > 5 && upper[5] == 'U';
  return qualcomm_5g && !unisoc ? LteSinrEncoding::kTwiceMinus20 : LteSinrEncoding::kDb;
}

absl::string_view ServingStateName(ServingState state) {
  switch (state) {
    case ServingState::kSearch:
      return "SEARCH";
    case ServingState::kLimitedService:
      return "LIMSRV";
    case ServingState::kIdle:
      return "NOCONN";
    case ServingState::kConnected:
      return "CONNECT";
    case ServingState::kUnknown:
      break;
  }
  return "UNKNOWN";
}

absl::string_view RadioTechName(RadioTech rat) {
  switch (rat) {
    case RadioTech::kGsm:
      return "GSM";
    case RadioTech::kWcdma:
      return "WCDMA";
    case RadioTech::kLte:
      return "LTE";
    case RadioTech::kLteCatM:
      return "CAT-M";
    case RadioTech::kLteCatNb:
      return "CAT-NB";
    case RadioTech::kNr5gSa:
      return "NR5G-SA";
    case RadioTech::kNr5gNsa:
      return "NR5G-NSA";
    case RadioTech::kTdscdma:
      return "TDSCDMA";
    case RadioTech::kCdma:
      return "CDMA";
    case RadioTech::kHdr:
      return "HDR";
    case RadioTech::kUnknown:
      break;
  }
  return "";
}

absl::string_view DuplexName(Duplex duplex) {
  switch (duplex) {
    case Duplex::kFdd:
      return "FDD";
    case Duplex::kTdd:
      return "TDD";
    case Duplex::kUnknown:
      break;
  }
  return "";
}

std::string GsmBandName(int code) {
  if (code == 0) return "DCS1800";
  if (code == 1) return "PCS1900";
  return std::to_string(code);
}

std::optional<int> LteBandwidthKhz(int code) {
  static constexpr int kKhz[] = {1400, 3000, 5000, 10000, 15000, 20000};
  if (code < 0 || code > 5) return std::nullopt;
  return kKhz[code];
}

std::optional<int> NrBandwidthMhz(int code) {
  static constexpr int kMhz[] = {5,  10, 15, 20,  25,  30,  40, 50, 60,
                                 70, 80, 90, 100, 200, 400, 35, 45};
  if (code < 0 || code > 16) return std::nullopt;
  return kMhz[code];
}

std::optional<int> NrScsKhz(int code) {
  if (code < 0 || code > 4) return std::nullopt;
  return 15 << code;
}

absl::StatusOr<ServingCellInfo> ParseServingCell(const std::vector<std::string>& lines,
                                                 LteSinrEncoding lte_sinr) {
  if (lines.empty()) return absl::InvalidArgumentError("empty +QENG reply");
  ServingCellInfo info;
  info.raw = absl::StrJoin(lines, "\n");
  ASSIGN_OR_RETURN(ReplyFields first, ReplyFields::Parse(lines[0], "+QENG:"));
  ASSIGN_OR_RETURN(std::string kind, first.Text(0, "type"));
  if (!absl::EqualsIgnoreCase(kind, "servingcell")) {
    return first.Error("expected \"servingcell\"");
  }
  ASSIGN_OR_RETURN(std::string state, first.Text(1, "state"));
  ASSIGN_OR_RETURN(info.state, ParseState(state));

  if (first.size() > 2) {  // single-line form: RAT and its fields follow the state
    ASSIGN_OR_RETURN(std::string rat, first.Text(2, "rat"));
    info.rat = ParseRat(rat);
    RETURN_IF_ERROR(ParseRatSection(first, 3, info.rat, lte_sinr, info));
    return info;
  }
  // EN-DC: "+QENG: "LTE",..." and "+QENG:"NR5G-NSA",..." lines follow.
  for (size_t i = 1; i < lines.size(); ++i) {
    ASSIGN_OR_RETURN(ReplyFields section, ReplyFields::Parse(lines[i], "+QENG:"));
    ASSIGN_OR_RETURN(std::string rat_text, section.Text(0, "rat"));
    RadioTech rat = ParseRat(rat_text);
    RETURN_IF_ERROR(ParseRatSection(section, 1, rat, lte_sinr, info));
  }
  if (info.nr5g_nsa) {
    info.rat = RadioTech::kNr5gNsa;
  } else if (info.lte) {
    info.rat = RadioTech::kLte;
  }
  return info;
}

}  // namespace cellfleet::modem
