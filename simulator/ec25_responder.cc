#include "simulator/ec25_responder.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "modem/ppp/connection_settings.h"
#include "modem/replies/final_result.h"

namespace cellfleet::simulator {
namespace {

constexpr absl::string_view kCrLf = "\r\n";

// Splits "AT+CSQ;+COPS?" into basic commands "AT+CSQ", "AT+COPS?", minding quotes.
std::vector<std::string> SplitCommandLine(absl::string_view line) {
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  parts.push_back(current);
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::string_view p = absl::StripAsciiWhitespace(parts[i]);
    parts[i] = absl::StartsWithIgnoreCase(p, "AT") ? std::string(p) : absl::StrCat("AT", p);
  }
  return parts;
}

int LuhnCheckDigit(absl::string_view digits) {
  int sum = 0;
  bool double_it = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return (10 - sum % 10) % 10;
}

// On a 3G fallback the same radio walk, printed as WCDMA's RSCP (dBm) and Ec/Io (dB).
int WcdmaRscp(const RadioModel& radio) { return std::clamp(radio.rsrp() + 15, -120, -25); }
int WcdmaEcio(const RadioModel& radio) { return std::clamp(radio.rsrq() / 2, -24, 0); }

std::optional<int> ParseIntArg(absl::string_view text) {
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) return std::nullopt;
  return value;
}

}  // namespace

SimulatedIdentity MakeIdentity(uint64_t seed, int index, const RadioProfile& profile) {
  std::mt19937_64 rng(seed * 1000003u + static_cast<uint64_t>(index));
  std::uniform_int_distribution<uint64_t> six(0, 999999);
  SimulatedIdentity identity;
  // TAC 86xxxxxx is the range Quectel EC25 IMEIs use.
  std::string body = absl::StrFormat("86769504%06d", static_cast<int>(six(rng)));
  identity.imei = absl::StrCat(body, LuhnCheckDigit(body));
  identity.imsi = absl::StrFormat("%d%s%09d", profile.mcc, profile.mnc,
                                  static_cast<int>(six(rng) * 1000 % 1000000000));
  std::string iccid_body = absl::StrFormat("8949%s%012d", profile.mnc.substr(0, 2),
                                           static_cast<long long>(six(rng) * 1000000 + index));
  identity.iccid = absl::StrCat(iccid_body.substr(0, 19), LuhnCheckDigit(iccid_body.substr(0, 19)));
  return identity;
}

Ec25Responder::Ec25Responder(SimulatedModemState* modem, const base::Clock& clock)
    : modem_(modem), clock_(clock) {}

std::string Ec25Responder::Reset() {
  echo_ = true;
  cmee_ = 1;
  creg_n_ = cgreg_n_ = cereg_n_ = 0;
  cops_format_ = 0;
  modem_->cfun = 1;
  std::string out = absl::StrCat(kCrLf, "RDY", kCrLf);
  absl::StrAppend(&out, kCrLf, "+CFUN: 1", kCrLf);
  if (modem_->sim == SimCardState::kReady) {
    absl::StrAppend(&out, kCrLf, "+CPIN: READY", kCrLf, kCrLf, "+QUSIM: 1", kCrLf, kCrLf,
                    "+QIND: SMS DONE", kCrLf);
  }
  return out;
}

std::string Ec25Responder::CmeError(int code) const {
  if (cmee_ == 0) return "ERROR";
  if (cmee_ == 2) {
    absl::string_view text = modem::CmeErrorText(code);
    if (!text.empty()) return absl::StrCat("+CME ERROR: ", text);
  }
  return absl::StrCat("+CME ERROR: ", code);
}

int Ec25Responder::AccessTechnology() const {
  switch (modem_->rat) {
    case SimulatedRat::kWcdma:
      return 2;
    case SimulatedRat::kGsm:
      return 0;
    case SimulatedRat::kLte:
      break;
  }
  return 7;
}

int Ec25Responder::RegistrationStat() const {
  if (!RadioOn() || !SimReady() || modem_->sim_failed) return 0;
  if (modem_->wedged) return 2;
  return modem_->radio->state().registration_stat;
}

bool Ec25Responder::Registered() const {
  const int stat = RegistrationStat();
  return stat == 1 || stat == 5;
}

std::string Ec25Responder::RegistrationLine(absl::string_view prefix, int n, bool solicited) const {
  // On a 3G/2G fallback the modem is registered in CS/PS (+CREG, +CGREG), not in EPS.
  const bool eps = prefix == "+CEREG";
  const bool on_this_domain = !eps || modem_->rat == SimulatedRat::kLte;
  const int stat = on_this_domain ? RegistrationStat() : 0;
  const bool registered = on_this_domain && Registered();
  std::string line = absl::StrCat(prefix, ": ");
  if (solicited) absl::StrAppend(&line, n, ",");
  absl::StrAppend(&line, stat);
  if (n >= 2 && registered) {
    const CellSite& cell = modem_->radio->serving();
    const uint64_t ci = modem_->rat == SimulatedRat::kGsm ? (cell.eci & 0xFFFF) : cell.eci;
    const uint32_t area = modem_->rat == SimulatedRat::kLte ? cell.tac : (cell.tac & 0xFFFF);
    absl::StrAppend(&line, absl::StrFormat(",\"%X\",\"%X\",%d", area, ci, AccessTechnology()));
  }
  return line;
}

std::string Ec25Responder::ServingCellLine() const {
  if (!RadioOn() || RegistrationStat() == 2) return "+QENG: \"servingcell\",\"SEARCH\"";
  const CellSite& c = modem_->radio->serving();
  const bool registered = Registered();
  const char* state = !registered ? "LIMSRV" : modem_->data_call_up ? "CONNECT" : "NOCONN";
  if (modem_->rat == SimulatedRat::kWcdma) {
    // Idle (no call) or camped only: the last five fields are "-".
    const int rscp = WcdmaRscp(*modem_->radio);
    const int ecio = WcdmaEcio(*modem_->radio);
    const std::string call = modem_->data_call_up ? "0,1,-,-,-" : "-,-,-,-,-";
    return absl::StrFormat("+QENG: \"servingcell\",\"%s\",\"WCDMA\",%d,%s,%X,%X,%d,%d,%d,%d,%d,%s",
                           state, c.mcc, c.mnc, c.tac & 0xFFFF, c.eci, 10700, c.pci, 1, rscp, ecio,
                           call);
  }
  if (modem_->rat == SimulatedRat::kGsm) {
    return absl::StrFormat(
        "+QENG: \"servingcell\",\"%s\",\"GSM\",%d,%s,%X,%X,%d,%d,0,%d,255,255,0,%d,%d,1,-,-,-,-,-,"
        "-,-,-,-,\"-\"",
        state, c.mcc, c.mnc, c.tac & 0xFFFF, c.eci & 0xFFFF, c.pci % 64, 20 + c.pci % 100,
        modem_->radio->rssi(), modem_->radio->srxlev(), modem_->radio->srxlev());
  }
  if (!registered) {
    // Camped without service: the modem leaves SINR and srxlev empty.
    return absl::StrFormat(
        "+QENG: \"servingcell\",\"LIMSRV\",\"LTE\",\"FDD\",%d,%s,%X,%d,%d,%d,%d,%d,%X,%d,%d,%d,-,-",
        c.mcc, c.mnc, c.eci, c.pci, c.earfcn, c.band, c.bandwidth_code, c.bandwidth_code, c.tac,
        modem_->radio->rsrp(), modem_->radio->rsrq(), modem_->radio->rssi());
  }
  return absl::StrFormat(
      "+QENG: \"servingcell\",\"%s\",\"LTE\",\"FDD\",%d,%s,%X,%d,%d,%d,%d,%d,%X,%d,%d,%d,%d,%d",
      state, c.mcc, c.mnc, c.eci, c.pci, c.earfcn, c.band, c.bandwidth_code, c.bandwidth_code,
      c.tac, modem_->radio->rsrp(), modem_->radio->rsrq(), modem_->radio->rssi(),
      modem_->radio->sinr(), modem_->radio->srxlev());
}

std::string Ec25Responder::HandleLine(absl::string_view line) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(line);
  if (trimmed.empty()) return "";
  if (!absl::StartsWithIgnoreCase(trimmed, "AT")) {
    return absl::StrCat(kCrLf, "ERROR", kCrLf);
  }
  std::vector<std::string> info;
  std::string final;
  for (const std::string& command : SplitCommandLine(trimmed)) {
    final = Execute(command, info);
    if (!final.empty()) break;  // the first failing basic command ends the line
  }
  std::string out;
  if (!info.empty()) {
    out = absl::StrCat(kCrLf, absl::StrJoin(info, kCrLf), kCrLf);
  }
  absl::StrAppend(&out, kCrLf, final.empty() ? "OK" : final, kCrLf);
  return out;
}

// Echo, reset, error reporting, and the no-op settings chat and pppd send.
std::string Ec25Responder::SimMissing() const {
  if (modem_->sim == SimCardState::kNotInserted) return CmeError(10);
  if (modem_->sim == SimCardState::kPinRequired) return CmeError(11);
  return "";
}

std::optional<std::string> Ec25Responder::Settings(absl::string_view /*command*/,
                                                   const std::string& upper,
                                                   std::vector<std::string>& info) {
  if (upper == "AT") return "";
  if (upper == "ATE0" || upper == "ATE") {
    echo_ = false;
    return "";
  }
  if (upper == "ATE1") {
    echo_ = true;
    return "";
  }
  if (upper == "ATZ" || upper == "ATZ0") {
    echo_ = true;
    cmee_ = 1;
    return "";
  }
  if (absl::StartsWith(upper, "AT+CMEE=")) {
    std::optional<int> n = ParseIntArg(upper.substr(8));
    if (!n || *n < 0 || *n > 2) return CmeError(3);
    cmee_ = *n;
    return "";
  }
  if (upper == "AT+CMEE?") {
    info.push_back(absl::StrCat("+CMEE: ", cmee_));
    return "";
  }
  if (upper == "AT&D2" || upper == "AT&F" || upper == "ATV1" || upper == "ATQ0") return "";
  return std::nullopt;
}

// ATI, IMEI, model, firmware, IMSI and ICCID.
std::optional<std::string> Ec25Responder::Identity(absl::string_view /*command*/,
                                                   const std::string& upper,
                                                   std::vector<std::string>& info) {
  if (upper == "ATI") {
    info = {modem_->identity.manufacturer, modem_->identity.model,
            absl::StrCat("Revision: ", modem_->identity.revision)};
    return "";
  }
  if (upper == "AT+CGSN" || upper == "AT+GSN") {
    info.push_back(modem_->identity.imei);
    return "";
  }
  if (upper == "AT+CGMM" || upper == "AT+GMM") {
    info.push_back(modem_->identity.model);
    return "";
  }
  if (upper == "AT+CGMR" || upper == "AT+GMR") {
    info.push_back(modem_->identity.revision);
    return "";
  }
  if (upper == "AT+QGMR") {
    info.push_back(modem_->identity.firmware);
    return "";
  }
  if (upper == "AT+CIMI") {
    if (std::string e = SimMissing(); !e.empty()) return e;
    info.push_back(modem_->identity.imsi);
    return "";
  }
  if (upper == "AT+QCCID") {
    if (modem_->sim == SimCardState::kNotInserted) return CmeError(10);
    info.push_back(absl::StrCat("+QCCID: ", modem_->identity.iccid));
    return "";
  }
  if (upper == "AT+CSUB") {
    info.push_back("SubEdition: V03");
    return "";
  }
  return std::nullopt;
}

// The SIM's state and the signal readings.
std::optional<std::string> Ec25Responder::SimAndSignal(absl::string_view /*command*/,
                                                       const std::string& upper,
                                                       std::vector<std::string>& info) {
  if (upper == "AT+CPIN?") {
    if (modem_->sim == SimCardState::kNotInserted) return CmeError(10);
    if (modem_->sim_failed) return CmeError(13);
    info.push_back(SimReady() ? "+CPIN: READY" : "+CPIN: SIM PIN");
    return "";
  }
  if (upper == "AT+CSQ") {
    info.push_back(
        absl::StrCat("+CSQ: ", SimReady() && RadioOn() ? modem_->radio->csq_rssi() : 99, ",99"));
    return "";
  }
  if (upper == "AT+QCSQ") {
    if (!Registered()) {
      info.push_back("+QCSQ: \"NOSERVICE\"");
    } else if (modem_->rat == SimulatedRat::kWcdma) {
      info.push_back(absl::StrCat("+QCSQ: \"WCDMA\",", modem_->radio->rssi(), ",",
                                  WcdmaRscp(*modem_->radio), ",", WcdmaEcio(*modem_->radio) * 10));
    } else if (modem_->rat == SimulatedRat::kGsm) {
      info.push_back(absl::StrCat("+QCSQ: \"GSM\",", modem_->radio->rssi()));
    } else {
      // +QCSQ encodes SINR as 0..250 (dB = v / 5 - 20).
      int sinr_code = std::clamp((modem_->radio->sinr() + 20) * 5, 0, 250);
      info.push_back(absl::StrCat("+QCSQ: \"LTE\",", modem_->radio->rssi(), ",",
                                  modem_->radio->rsrp(), ",", sinr_code, ",",
                                  modem_->radio->rsrq()));
    }
    return "";
  }
  return std::nullopt;
}

// Operator, registration and the engineering (serving/neighbour cell) view.
std::optional<std::string> Ec25Responder::Network(absl::string_view /*command*/,
                                                  const std::string& upper,
                                                  std::vector<std::string>& info) {
  if (upper == "AT+COPS?") {
    if (!Registered()) {
      info.push_back("+COPS: 0");
    } else if (cops_format_ == 2) {
      info.push_back(absl::StrCat("+COPS: 0,2,\"", modem_->radio->profile().mcc,
                                  modem_->radio->profile().mnc, "\",", AccessTechnology()));
    } else {
      info.push_back(absl::StrCat("+COPS: 0,", cops_format_, ",\"",
                                  modem_->radio->profile().operator_name, "\",",
                                  AccessTechnology()));
    }
    return "";
  }
  if (upper == "AT+COPS=?") {  // a network scan: the serving operator and a competitor
    if (!SimReady() || !RadioOn()) return CmeError(3);
    const auto& radio = modem_->radio->profile();
    info.push_back(absl::StrCat("+COPS: (2,\"", radio.operator_name, "\",\"", radio.operator_name,
                                "\",\"", radio.mcc, radio.mnc, "\",", AccessTechnology(),
                                "),(3,\"Other\",\"Other\",\"", radio.mcc,
                                "99\",7),,(0,1,2,3,4),(0,1,2)"));
    return "";
  }
  if (absl::StartsWith(upper, "AT+COPS=3,")) {
    std::optional<int> format = ParseIntArg(upper.substr(10));
    if (!format || *format < 0 || *format > 2) return CmeError(3);
    cops_format_ = *format;
    return "";
  }
  if (absl::StartsWith(upper, "AT+COPS=")) return "";  // 0 (automatic) accepted as-is
  struct RegistrationCommand {
    absl::string_view name;
    int* n;
  };
  for (RegistrationCommand reg :
       {RegistrationCommand{"+CREG", &creg_n_}, RegistrationCommand{"+CGREG", &cgreg_n_},
        RegistrationCommand{"+CEREG", &cereg_n_}}) {
    std::string base = absl::StrCat("AT", reg.name);
    if (upper == absl::StrCat(base, "?")) {
      info.push_back(RegistrationLine(reg.name, *reg.n, /*solicited=*/true));
      return "";
    }
    if (absl::StartsWith(upper, absl::StrCat(base, "="))) {
      std::optional<int> n = ParseIntArg(upper.substr(base.size() + 1));
      if (!n || *n < 0 || *n > 2) return CmeError(3);
      *reg.n = *n;
      return "";
    }
  }
  if (upper == "AT+QENG=\"SERVINGCELL\"") {
    info.push_back(ServingCellLine());
    return "";
  }
  if (upper == "AT+QENG=\"NEIGHBOURCELL\"") {
    const auto& cells = modem_->radio->cells();
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i == modem_->radio->state().serving_cell || !Registered()) continue;
      const CellSite& c = cells[i];
      const char* kind = c.earfcn == modem_->radio->serving().earfcn ? "intra" : "inter";
      info.push_back(
          absl::StrFormat("+QENG: \"neighbourcell %s\",\"LTE\",%d,%d,%d,%d,%d,%d,%d,-,-,-,-", kind,
                          c.earfcn, c.pci, modem_->radio->rsrq() - 2, modem_->radio->rsrp() - 6,
                          modem_->radio->rssi() - 5, 0, modem_->radio->srxlev() - 6));
    }
    return "";
  }
  return std::nullopt;
}

// PDP contexts, functionality (radio on/off, reboot) and power-down.
std::optional<std::string> Ec25Responder::DataContexts(absl::string_view command,
                                                       const std::string& upper,
                                                       std::vector<std::string>& info) {
  if (upper == "AT+CGDCONT?") {
    for (const auto& [cid, ctx] : modem_->contexts) {
      info.push_back(absl::StrFormat("+CGDCONT: %d,\"%s\",\"%s\",\"0.0.0.0\",0,0,0,0", cid,
                                     ctx.type, ctx.apn));
    }
    return "";
  }
  if (absl::StartsWith(upper, "AT+CGDCONT=")) {
    // AT+CGDCONT=<cid>[,"<type>"[,"<apn>"[,...]]]: keep the APN's original case.
    std::vector<std::string> args = absl::StrSplit(command.substr(11), ',');
    std::optional<int> cid = args.empty() ? std::nullopt : ParseIntArg(args[0]);
    if (!cid || *cid < 1 || *cid > 16) return CmeError(3);
    if (args.size() == 1) {
      modem_->contexts.erase(*cid);
      return "";
    }
    auto unquote = [](std::string s) {
      absl::string_view v = absl::StripAsciiWhitespace(s);
      v = absl::StripPrefix(absl::StripSuffix(v, "\""), "\"");
      return std::string(v);
    };
    PdpContextSetting ctx;
    ctx.type = absl::AsciiStrToUpper(unquote(args[1]));
    if (ctx.type != "IP" && ctx.type != "IPV6" && ctx.type != "IPV4V6") return CmeError(3);
    if (args.size() > 2) ctx.apn = unquote(args[2]);
    modem_->contexts[*cid] = ctx;
    return "";
  }
  if (upper == "AT+CFUN?") {
    info.push_back(absl::StrCat("+CFUN: ", modem_->cfun));
    return "";
  }
  if (absl::StartsWith(upper, "AT+CFUN=")) {
    std::vector<std::string> args = absl::StrSplit(upper.substr(8), ',');
    std::optional<int> fun = ParseIntArg(args[0]);
    if (!fun || (*fun != 0 && *fun != 1 && *fun != 4)) return CmeError(3);
    std::optional<int> reset = args.size() > 1 ? ParseIntArg(args[1]) : std::optional<int>(0);
    if (!reset || *reset < 0 || *reset > 1) return CmeError(3);
    if (*reset == 1) {  // reboot: OK, then the ports go away (USB re-enumeration)
      request_ = PortRequest::kReboot;
      return "";
    }
    modem_->cfun = *fun;
    modem_->radio->SetRegistration(modem_->cfun == 1 ? modem_->radio->home_stat() : 0);
    return "";
  }
  if (upper == "AT+QPOWD" || upper == "AT+QPOWD=0" || upper == "AT+QPOWD=1") {
    request_ = PortRequest::kPowerDown;  // OK, then POWERED DOWN, then the ports go
    return "";
  }
  return std::nullopt;
}

// ATD, ATO, ATH: the data call on this port.
std::optional<std::string> Ec25Responder::Calls(absl::string_view /*command*/,
                                                const std::string& upper,
                                                std::vector<std::string>& /*info*/) {
  if (absl::StartsWith(upper, "ATD")) {
    absl::string_view number = absl::string_view(upper).substr(3);
    absl::ConsumePrefix(&number, "T");  // tone dialing is accepted and ignored
    // *99# activates context 1; *99***N# context N (the APN the network sees).
    const std::optional<int> dial_cid = modem::ppp::DialContextId(number);
    if (!dial_cid) return "NO CARRIER";
    if (!Registered()) return "NO CARRIER";
    const DataSettings& data = modem_->data;
    if (data.connect == ConnectMode::kError) return "ERROR";
    if (data.connect == ConnectMode::kNoCarrier) return "NO CARRIER";
    if (!data.require_apn.empty()) {
      auto ctx = modem_->contexts.find(*dial_cid);
      const bool accepted = ctx != modem_->contexts.end() &&
                            std::any_of(data.require_apn.begin(), data.require_apn.end(),
                                        [&](const std::string& apn) {
                                          return absl::EqualsIgnoreCase(apn, ctx->second.apn);
                                        });
      if (!accepted) return "NO CARRIER";  // the network refuses the APN
    }
    request_ = PortRequest::kDataMode;
    return "CONNECT 150000000";
  }
  if (upper == "ATO" || upper == "ATO0") {  // back online after +++
    if (!call_active_) return "NO CARRIER";
    request_ = PortRequest::kResumeData;
    return "CONNECT 150000000";
  }
  if (upper == "ATH" || upper == "ATH0") {
    if (call_active_) request_ = PortRequest::kHangUp;
    return "";
  }
  return std::nullopt;
}

std::string Ec25Responder::Execute(absl::string_view command, std::vector<std::string>& info) {
  const std::string upper = absl::AsciiStrToUpper(command);
  const bool sim_query =
      upper == "AT+CPIN?" || upper == "AT+CIMI" || upper == "AT+QCCID" || upper == "AT+COPS?";
  if (sim_query && SimBusy()) return CmeError(14);  // just after boot (AT_FACTS.md 2.5)

  for (auto family :
       {&Ec25Responder::Settings, &Ec25Responder::Identity, &Ec25Responder::SimAndSignal,
        &Ec25Responder::Network, &Ec25Responder::DataContexts, &Ec25Responder::Calls}) {
    if (std::optional<std::string> result = (this->*family)(command, upper, info)) return *result;
  }
  return "ERROR";
}

std::string Ec25Responder::TakeUrcs() {
  const RadioState& s = modem_->radio->state();
  std::string out;
  const int stat = RegistrationStat();
  if (reported_stat_ < 0) {
    reported_stat_ = stat;
    reported_cell_ = s.serving_cell;
    return out;
  }
  const bool stat_changed = stat != reported_stat_ || modem_->rat != reported_rat_;
  const bool cell_changed = s.serving_cell != reported_cell_;
  for (const auto& [prefix, n] : {std::pair<absl::string_view, int>{"+CREG", creg_n_},
                                  {"+CGREG", cgreg_n_},
                                  {"+CEREG", cereg_n_}}) {
    if ((stat_changed && n >= 1) || (cell_changed && n >= 2)) {
      absl::StrAppend(&out, kCrLf, RegistrationLine(prefix, n, false), kCrLf);
    }
  }
  reported_stat_ = stat;
  reported_cell_ = s.serving_cell;
  reported_rat_ = modem_->rat;
  return out;
}

}  // namespace cellfleet::simulator
