#include "client/reply_decoder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "modem/carrier_aggregation.h"
#include "modem/final_result.h"
#include "modem/identity.h"
#include "modem/operator_selection.h"
#include "modem/pdp_context.h"
#include "modem/registration.h"
#include "modem/reply_fields.h"
#include "modem/serving_cell.h"
#include "modem/signal_quality.h"
#include "modem/sim_status.h"
#include "modem/urc.h"

namespace cellfleet::client {
namespace {

using nlohmann::json;

template <typename T>
void Put(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

json LteJson(const modem::LteCell& c) {
  json j = {{"duplex", std::string(modem::DuplexName(c.duplex))},
            {"mcc", c.mcc},
            {"mnc", c.mnc},
            {"cell_id", c.cell_id},
            {"enb_id", c.enb_id()},
            {"pci", c.pci},
            {"earfcn", c.earfcn},
            {"band", c.band},
            {"tac", c.tac}};
  Put(j, "rsrp_dbm", c.rsrp_dbm);
  Put(j, "rsrq_db", c.rsrq_db);
  Put(j, "rssi_dbm", c.rssi_dbm);
  Put(j, "sinr_db", c.sinr_db);
  Put(j, "sinr_raw", c.sinr_raw);
  Put(j, "cqi", c.cqi);
  Put(j, "tx_power_dbm", c.tx_power_dbm);
  Put(j, "srxlev_db", c.srxlev_db);
  if (c.dl_bandwidth_code) Put(j, "dl_bandwidth_khz", modem::LteBandwidthKhz(*c.dl_bandwidth_code));
  if (c.ul_bandwidth_code) Put(j, "ul_bandwidth_khz", modem::LteBandwidthKhz(*c.ul_bandwidth_code));
  return j;
}

json ServingCellJson(const modem::ServingCellInfo& info) {
  json j = {{"command", "+QENG"}, {"state", std::string(modem::ServingStateName(info.state))}};
  if (info.rat != modem::RadioTech::kUnknown)
    j["rat"] = std::string(modem::RadioTechName(info.rat));
  if (info.rat == modem::RadioTech::kNr5gNsa) {
    if (info.lte) j["lte"] = LteJson(*info.lte);
    if (info.nr5g_nsa) {
      const modem::Nr5gNsaLeg& n = *info.nr5g_nsa;
      json nr = {{"mcc", n.mcc}, {"mnc", n.mnc}};
      Put(nr, "pci", n.pci);
      Put(nr, "rsrp_dbm", n.rsrp_dbm);
      Put(nr, "rsrq_db", n.rsrq_db);
      Put(nr, "sinr_db", n.sinr_db);
      Put(nr, "arfcn", n.arfcn);
      Put(nr, "band", n.band);
      j["nr5g_nsa"] = nr;
    }
  } else if (info.lte) {
    j.update(LteJson(*info.lte));
  } else if (info.nr5g_sa) {
    const modem::Nr5gSaCell& c = *info.nr5g_sa;
    j.update({{"duplex", std::string(modem::DuplexName(c.duplex))},
              {"mcc", c.mcc},
              {"mnc", c.mnc},
              {"cell_id", c.cell_id},
              {"pci", c.pci},
              {"arfcn", c.arfcn},
              {"band", c.band},
              {"tac", c.tac}});
    Put(j, "rsrp_dbm", c.rsrp_dbm);
    Put(j, "rsrq_db", c.rsrq_db);
    Put(j, "sinr_db", c.sinr_db);
  } else if (info.wcdma) {
    const modem::WcdmaCell& c = *info.wcdma;
    j.update({{"mcc", c.mcc},
              {"mnc", c.mnc},
              {"lac", c.lac},
              {"cell_id", c.cell_id},
              {"rnc_id", c.rnc_id()},
              {"uarfcn", c.uarfcn},
              {"psc", c.psc}});
    Put(j, "rscp_dbm", c.rscp_dbm);
    Put(j, "ecio_db", c.ecio_db);
  } else if (info.gsm) {
    const modem::GsmCell& c = *info.gsm;
    j.update({{"mcc", c.mcc},
              {"mnc", c.mnc},
              {"lac", c.lac},
              {"cell_id", c.cell_id},
              {"arfcn", c.arfcn}});
    Put(j, "bsic", c.bsic);
    Put(j, "rxlev_dbm", c.rxlev_dbm);
    if (c.band) {  // the manual's codes; other bands print "-"
      j["band"] = *c.band == 0 ? "DCS1800" : *c.band == 1 ? "PCS1900" : std::to_string(*c.band);
    }
  }
  return j;
}

bool StartsWithAny(absl::string_view line, std::initializer_list<absl::string_view> prefixes) {
  for (absl::string_view p : prefixes) {
    if (absl::StartsWithIgnoreCase(line, p)) return true;
  }
  return false;
}

}  // namespace

DecodeResult DecodeModemOutput(absl::string_view text) {
  std::vector<std::string> lines;
  for (absl::string_view raw : absl::StrSplit(text, absl::ByAnyChar("\r\n"))) {
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (!line.empty()) lines.emplace_back(line);
  }
  DecodeResult result;
  std::string last_command;  // the last echoed AT command, upper case
  auto fail = [&](size_t index, const absl::Status& status) {
    ++result.parse_errors;
    result.problems.push_back(absl::StrCat("line ", index + 1, ": ", status.message()));
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (absl::StartsWithIgnoreCase(line, "AT")) {
      last_command = absl::AsciiStrToUpper(line);
      continue;
    }
    if (line == "OK") continue;
    if (absl::StartsWithIgnoreCase(line, "+QENG:")) {
      std::vector<std::string> group = {line};
      while (i + 1 < lines.size() && absl::StartsWithIgnoreCase(lines[i + 1], "+QENG:") &&
             !absl::StrContains(absl::AsciiStrToLower(lines[i + 1]), "servingcell") &&
             !absl::StrContains(absl::AsciiStrToLower(lines[i + 1]), "neighbourcell")) {
        group.push_back(lines[++i]);
      }
      if (absl::StrContains(absl::AsciiStrToLower(line), "neighbourcell")) {
        result.replies.push_back({{"command", "+QENG"}, {"kind", "neighbourcell"}, {"raw", line}});
        continue;
      }
      absl::StatusOr<modem::ServingCellInfo> cell = modem::ParseServingCell(group);
      if (cell.ok())
        result.replies.push_back(ServingCellJson(*cell));
      else
        fail(i, cell.status());
    } else if (absl::StartsWithIgnoreCase(line, "+CSQ:")) {
      absl::StatusOr<modem::CsqReading> csq = modem::ParseCsq(line);
      if (!csq.ok()) {
        fail(i, csq.status());
        continue;
      }
      json j = {{"command", "+CSQ"},
                {"rssi", csq->rssi_code},
                {"ber", csq->ber_code ? json(*csq->ber_code) : json(nullptr)}};
      Put(j, "rssi_dbm", csq->rssi_dbm);
      result.replies.push_back(j);
    } else if (absl::StartsWithIgnoreCase(line, "+QCSQ:")) {
      absl::StatusOr<modem::QcsqReading> q = modem::ParseQcsq(line);
      if (!q.ok()) {
        fail(i, q.status());
        continue;
      }
      json j = {{"command", "+QCSQ"}, {"rat", q->sysmode}};
      Put(j, "rssi_dbm", q->rssi_dbm);
      Put(j, "rsrp_dbm", q->rsrp_dbm);
      Put(j, "rsrq_db", q->rsrq_db);
      Put(j, "sinr_db", q->sinr_db);
      Put(j, "rscp_dbm", q->rscp_dbm);
      Put(j, "ecio_db", q->ecio_db);
      result.replies.push_back(j);
    } else if (absl::StartsWithIgnoreCase(line, "+COPS:")) {
      absl::StatusOr<modem::OperatorSelection> c = modem::ParseCops(line);
      if (!c.ok()) {
        fail(i, c.status());
        continue;
      }
      json j = {{"command", "+COPS"}, {"mode", c->mode}};
      Put(j, "format", c->format);
      if (!c->oper.empty()) j["operator"] = c->oper;
      Put(j, "act", c->act);
      if (c->act) j["act_name"] = std::string(modem::AccessTechnologyName(*c->act));
      Put(j, "mcc", c->mcc());
      Put(j, "mnc", c->mnc());
      result.replies.push_back(j);
    } else if (modem::IsRegistrationLine(line)) {
      absl::StatusOr<modem::RegistrationInfo> r =
          modem::ParseRegistration(line, modem::IsRegistrationReadReply(line));
      if (!r.ok()) {
        fail(i, r.status());
        continue;
      }
      json j = {{"command", std::string(modem::RegistrationPrefix(r->domain))},
                {"solicited", r->solicited},
                {"stat", r->stat},
                {"stat_text", std::string(modem::RegistrationStatText(r->stat))}};
      Put(j, "n", r->n);
      Put(j,
          r->domain == modem::RegistrationDomain::kCircuit ||
                  r->domain == modem::RegistrationDomain::kGprs
              ? "lac"
              : "tac",
          r->lac_or_tac);
      Put(j, "cell_id", r->cell_id);
      Put(j, "act", r->act);
      if (r->act) j["act_name"] = std::string(modem::AccessTechnologyName(*r->act));
      j["stat_name"] = std::string(modem::RegistrationStatText(r->stat));
      result.replies.push_back(j);
    } else if (absl::StartsWithIgnoreCase(line, "+CPIN:")) {
      absl::StatusOr<modem::SimState> s = modem::ParseCpin(line);
      if (!s.ok()) {
        fail(i, s.status());
        continue;
      }
      result.replies.push_back(
          {{"command", "+CPIN"}, {"state", std::string(modem::SimStateName(*s))}});
    } else if (StartsWithAny(line, {"+CME ERROR:", "+CMS ERROR:"})) {
      std::optional<modem::FinalResult> f = modem::ParseFinalResult(line);
      if (!f) {  // e.g. lower case: modems print final results in upper case only
        fail(i, absl::InvalidArgumentError(absl::StrCat("malformed error result \"", line, "\"")));
        continue;
      }
      json j = {{"command", absl::StartsWith(line, "+CME") ? "+CME ERROR" : "+CMS ERROR"}};
      if (std::optional<int> code =
              f->kind == modem::FinalResultKind::kCmeError ? modem::CmeCode(*f) : f->code) {
        j["error_code"] = *code;
      }
      if (!f->text.empty()) j["message"] = f->text;
      if (std::optional<modem::SimState> sim = modem::SimStateFromError(*f)) {
        j["sim_state"] = std::string(modem::SimStateName(*sim));
      }
      result.replies.push_back(j);
    } else if (StartsWithAny(line, {"+QCCID:", "+CCID:", "+ICCID:"})) {
      absl::StatusOr<std::string> iccid = modem::ParseIccid(line);
      if (!iccid.ok()) {
        fail(i, iccid.status());
        continue;
      }
      result.replies.push_back({{"command", "+QCCID"}, {"iccid", *iccid}});
    } else if (absl::StartsWithIgnoreCase(line, "+CGDCONT:")) {
      absl::StatusOr<modem::PdpContext> ctx = modem::ParseCgdcont(line);
      if (!ctx.ok()) {
        fail(i, ctx.status());
        continue;
      }
      result.replies.push_back({{"command", "+CGDCONT"},
                                {"cid", ctx->cid},
                                {"pdp_type", ctx->pdp_type},
                                {"apn", ctx->apn}});
    } else if (absl::StartsWithIgnoreCase(line, "+QCAINFO:")) {
      absl::StatusOr<std::vector<modem::ComponentCarrier>> cc = modem::ParseQcainfo({line});
      if (!cc.ok()) {
        fail(i, cc.status());
        continue;
      }
      const modem::ComponentCarrier& c = cc->front();
      json j = {
          {"command", "+QCAINFO"}, {"primary", c.primary}, {"earfcn", c.earfcn}, {"band", c.band}};
      Put(j, "state", c.state);
      Put(j, "pci", c.pci);
      Put(j, "rsrp_dbm", c.rsrp_dbm);
      Put(j, "rsrq_db", c.rsrq_db);
      Put(j, "rssi_dbm", c.rssi_dbm);
      Put(j, "sinr_db", c.rssnr_db);
      result.replies.push_back(j);
    } else if (last_command == "ATI") {
      std::vector<std::string> block = {line};
      while (i + 1 < lines.size() && lines[i + 1] != "OK" && !absl::StartsWith(lines[i + 1], "+") &&
             !absl::StartsWithIgnoreCase(lines[i + 1], "AT")) {
        block.push_back(lines[++i]);
      }
      absl::StatusOr<modem::AtiInfo> ati = modem::ParseAti(block);
      if (!ati.ok()) {
        fail(i, ati.status());
        continue;
      }
      result.replies.push_back({{"command", "ATI"},
                                {"manufacturer", ati->manufacturer},
                                {"model", ati->model},
                                {"revision", ati->revision}});
      last_command.clear();
    } else if (last_command == "AT+CGSN" || last_command == "AT+GSN") {
      absl::StatusOr<std::string> imei = modem::ParseImei(line);
      if (imei.ok())
        result.replies.push_back({{"command", "+CGSN"}, {"imei", *imei}});
      else
        fail(i, imei.status());
    } else if (last_command == "AT+CIMI") {
      absl::StatusOr<std::string> imsi = modem::ParseImsi(line);
      if (imsi.ok())
        result.replies.push_back(
            {{"command", "+CIMI"}, {"imsi", *imsi}, {"mcc", imsi->substr(0, 3)}});
      else
        fail(i, imsi.status());
    } else if (last_command == "AT+QGMR" || last_command == "AT+CGMR" || last_command == "AT+GMR") {
      absl::StatusOr<std::string> rev = modem::ParseRevision(line);
      if (rev.ok())
        result.replies.push_back({{"command", "+QGMR"}, {"revision", *rev}});
      else
        fail(i, rev.status());
    } else if (std::optional<modem::FinalResult> final = modem::ParseFinalResult(line)) {
      result.replies.push_back({{"command", final->line}});
    } else if (modem::IsKnownUrc(line)) {
      result.replies.push_back(
          {{"command", line.substr(0, line.find(':'))}, {"unsolicited", true}, {"raw", line}});
    } else {
      std::string shown = line.substr(0, 80);
      for (char& c : shown) {
        if (!absl::ascii_isprint(c)) c = '?';  // never echo control bytes to a terminal
      }
      result.problems.push_back(
          absl::StrCat("line ", i + 1, ": not a modem reply cellfleet knows: \"", shown, "\""));
    }
  }
  return result;
}

}  // namespace cellfleet::client
