#include "client/reply_decoder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/report.h"
#include "convert/modem_to_proto.h"
#include "modem/replies/carrier_aggregation.h"
#include "modem/replies/final_result.h"
#include "modem/replies/pdp_context.h"
#include "modem/replies/urc.h"

namespace cellfleet::client {
namespace {

using nlohmann::json;
using Decoded = absl::StatusOr<json>;

template <typename T>
void Put(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

// {"command": command, key: message as the status shows it}.
json Reply(absl::string_view command, const char* key, const google::protobuf::Message& message) {
  return {{"command", std::string(command)}, {key, ProtoToJson(message)}};
}

json IdentityReply(const char* command, const modem::ModemIdentity& identity) {
  v1::Identity proto;
  convert::FillIdentity(identity, proto);
  return Reply(command, "identity", proto);
}

Decoded DecodeCsq(const std::string& line) {
  absl::StatusOr<modem::CsqReading> csq = modem::ParseCsq(line);
  if (!csq.ok()) return csq.status();
  v1::SignalQuality signal;
  convert::FillSignal(*csq, signal);
  return Reply("+CSQ", "signal", signal);
}

// +QCSQ has no field of its own in a status (the serving cell carries the same values).
Decoded DecodeQcsq(const std::string& line) {
  absl::StatusOr<modem::QcsqReading> q = modem::ParseQcsq(line);
  if (!q.ok()) return q.status();
  json j = {{"command", "+QCSQ"}, {"rat", q->sysmode}};
  Put(j, "rssi_dbm", q->rssi_dbm);
  Put(j, "rsrp_dbm", q->rsrp_dbm);
  Put(j, "rsrq_db", q->rsrq_db);
  Put(j, "sinr_db", q->sinr_db);
  Put(j, "rscp_dbm", q->rscp_dbm);
  Put(j, "ecio_db", q->ecio_db);
  return j;
}

Decoded DecodeCops(const std::string& line) {
  absl::StatusOr<modem::OperatorSelection> cops = modem::ParseCops(line);
  if (!cops.ok()) return cops.status();
  v1::Operator proto;
  convert::FillOperator(*cops, proto);
  return Reply("+COPS", "operator", proto);
}

Decoded DecodeRegistration(const std::string& line) {
  const bool solicited = modem::IsRegistrationReadReply(line);
  absl::StatusOr<modem::RegistrationInfo> info = modem::ParseRegistration(line, solicited);
  if (!info.ok()) return info.status();
  v1::Registration proto;
  convert::FillRegistration(*info, proto);
  json j = Reply(modem::RegistrationPrefix(info->domain), "registration", proto);
  j["solicited"] = solicited;
  return j;
}

Decoded DecodeCpin(const std::string& line) {
  absl::StatusOr<modem::SimState> sim = modem::ParseCpin(line);
  if (!sim.ok()) return sim.status();
  return json{{"command", "+CPIN"},
              {"sim_state", v1::SimState_Name(convert::SimStateToProto(*sim))}};
}

Decoded DecodeError(const std::string& line) {
  std::optional<modem::FinalResult> f = modem::ParseFinalResult(line);
  if (!f) {  // e.g. lower case: modems print final results in upper case only
    return absl::InvalidArgumentError(absl::StrCat("malformed error result \"", line, "\""));
  }
  json j = {{"command", absl::StartsWith(line, "+CME") ? "+CME ERROR" : "+CMS ERROR"}};
  if (std::optional<int> code =
          f->kind == modem::FinalResultKind::kCmeError ? modem::CmeCode(*f) : f->code) {
    j["error_code"] = *code;
  }
  if (!f->text.empty()) j["message"] = f->text;
  if (std::optional<modem::SimState> sim = modem::SimStateFromError(*f)) {
    j["sim_state"] = v1::SimState_Name(convert::SimStateToProto(*sim));
  }
  return j;
}

Decoded DecodeIccid(const std::string& line) {
  absl::StatusOr<std::string> iccid = modem::ParseIccid(line);
  if (!iccid.ok()) return iccid.status();
  modem::ModemIdentity identity;
  identity.iccid = *iccid;
  return IdentityReply("+QCCID", identity);
}

// The PDP context and carrier aggregation are not in a status: their own fields.
Decoded DecodeCgdcont(const std::string& line) {
  absl::StatusOr<modem::PdpContext> ctx = modem::ParseCgdcont(line);
  if (!ctx.ok()) return ctx.status();
  return json{
      {"command", "+CGDCONT"}, {"cid", ctx->cid}, {"pdp_type", ctx->pdp_type}, {"apn", ctx->apn}};
}

Decoded DecodeQcainfo(const std::string& line) {
  absl::StatusOr<std::vector<modem::ComponentCarrier>> cc = modem::ParseQcainfo({line});
  if (!cc.ok()) return cc.status();
  const modem::ComponentCarrier& c = cc->front();
  json j = {
      {"command", "+QCAINFO"}, {"primary", c.primary}, {"earfcn", c.earfcn}, {"band", c.band}};
  Put(j, "state", c.state);
  Put(j, "pci", c.pci);
  Put(j, "rsrp_dbm", c.rsrp_dbm);
  Put(j, "rsrq_db", c.rsrq_db);
  Put(j, "rssi_dbm", c.rssi_dbm);
  Put(j, "sinr_db", c.rssnr_db);
  return j;
}

// Replies recognised by their own line: by a prefix, or by the parser's own rule.
struct LineDecoder {
  std::vector<absl::string_view> prefixes;
  bool (*matches)(absl::string_view line);  // instead of prefixes, where set
  Decoded (*decode)(const std::string& line);

  bool Recognises(absl::string_view line) const {
    if (matches != nullptr) return matches(line);
    for (absl::string_view prefix : prefixes) {
      if (absl::StartsWithIgnoreCase(line, prefix)) return true;
    }
    return false;
  }
};

const LineDecoder kLineDecoders[] = {
    {{"+CSQ:"}, nullptr, DecodeCsq},
    {{"+QCSQ:"}, nullptr, DecodeQcsq},
    {{"+COPS:"}, nullptr, DecodeCops},
    {{}, modem::IsRegistrationLine, DecodeRegistration},
    {{"+CPIN:"}, nullptr, DecodeCpin},
    {{"+CME ERROR:", "+CMS ERROR:"}, nullptr, DecodeError},
    {{"+QCCID:", "+CCID:", "+ICCID:"}, nullptr, DecodeIccid},
    {{"+CGDCONT:"}, nullptr, DecodeCgdcont},
    {{"+QCAINFO:"}, nullptr, DecodeQcainfo},
};

// Replies that are a bare value, recognised by the command echoed before them.
struct EchoedDecoder {
  std::vector<absl::string_view> commands;  // upper case, as echoed
  const char* reply;
  absl::StatusOr<std::string> (*parse)(absl::string_view line);
  std::string modem::ModemIdentity::*field;
};

const EchoedDecoder kEchoedDecoders[] = {
    {{"AT+CGSN", "AT+GSN"}, "+CGSN", modem::ParseImei, &modem::ModemIdentity::imei},
    {{"AT+CIMI"}, "+CIMI", modem::ParseImsi, &modem::ModemIdentity::imsi},
    {{"AT+QGMR", "AT+CGMR", "AT+GMR"},
     "+QGMR",
     modem::ParseRevision,
     &modem::ModemIdentity::firmware_revision},
};

class Decoder {
 public:
  explicit Decoder(std::vector<std::string> lines) : lines_(std::move(lines)) {}

  DecodeResult Run() && {
    for (i_ = 0; i_ < lines_.size(); ++i_) DecodeLine(lines_[i_]);
    return std::move(result_);
  }

 private:
  void DecodeLine(const std::string& line) {
    if (absl::StartsWithIgnoreCase(line, "AT")) {
      last_command_ = absl::AsciiStrToUpper(line);
      return;
    }
    if (line == "OK") return;
    if (absl::StartsWithIgnoreCase(line, "+QENG:")) return DecodeQeng(line);
    for (const LineDecoder& decoder : kLineDecoders) {
      if (decoder.Recognises(line)) return Add(decoder.decode(line));
    }
    if (last_command_ == "ATI") return DecodeAti(line);
    for (const EchoedDecoder& decoder : kEchoedDecoders) {
      for (absl::string_view command : decoder.commands) {
        if (last_command_ != command) continue;
        absl::StatusOr<std::string> value = decoder.parse(line);
        if (!value.ok()) return Add(value.status());
        modem::ModemIdentity identity;
        identity.*decoder.field = *value;
        json reply = IdentityReply(decoder.reply, identity);
        if (decoder.field == &modem::ModemIdentity::imsi) reply["mcc"] = value->substr(0, 3);
        return Add(reply);
      }
    }
    if (std::optional<modem::FinalResult> final = modem::ParseFinalResult(line)) {
      return Add(json{{"command", final->line}});
    }
    if (modem::IsKnownUrc(line)) {
      return Add(
          json{{"command", line.substr(0, line.find(':'))}, {"unsolicited", true}, {"raw", line}});
    }
    std::string shown = line.substr(0, 80);
    for (char& c : shown) {
      if (!absl::ascii_isprint(c)) c = '?';  // never echo control bytes to a terminal
    }
    result_.problems.push_back(
        absl::StrCat("line ", i_ + 1, ": not a modem reply cellfleet knows: \"", shown, "\""));
  }

  // The serving cell: one line, or three for EN-DC.
  void DecodeQeng(const std::string& line) {
    if (absl::StrContains(absl::AsciiStrToLower(line), "neighbourcell")) {
      return Add(json{{"command", "+QENG"}, {"kind", "neighbourcell"}, {"raw", line}});
    }
    std::vector<std::string> group = {line};
    while (i_ + 1 < lines_.size() && absl::StartsWithIgnoreCase(lines_[i_ + 1], "+QENG:") &&
           !absl::StrContains(absl::AsciiStrToLower(lines_[i_ + 1]), "servingcell") &&
           !absl::StrContains(absl::AsciiStrToLower(lines_[i_ + 1]), "neighbourcell")) {
      group.push_back(lines_[++i_]);
    }
    absl::StatusOr<modem::ServingCellInfo> cell = modem::ParseServingCell(group);
    if (!cell.ok()) return Add(cell.status());
    v1::ServingCell proto;
    convert::FillServingCell(*cell, proto);
    Add(Reply("+QENG", "serving_cell", proto));
  }

  // ATI's lines up to OK, the next command or a +reply.
  void DecodeAti(const std::string& line) {
    std::vector<std::string> block = {line};
    while (i_ + 1 < lines_.size() && lines_[i_ + 1] != "OK" &&
           !absl::StartsWith(lines_[i_ + 1], "+") &&
           !absl::StartsWithIgnoreCase(lines_[i_ + 1], "AT")) {
      block.push_back(lines_[++i_]);
    }
    last_command_.clear();
    absl::StatusOr<modem::AtiInfo> ati = modem::ParseAti(block);
    if (!ati.ok()) return Add(ati.status());
    modem::ModemIdentity identity;
    identity.manufacturer = ati->manufacturer;
    identity.model = ati->model;
    identity.firmware_revision = ati->revision;
    Add(IdentityReply("ATI", identity));
  }

  void Add(const Decoded& decoded) {
    if (decoded.ok()) {
      result_.replies.push_back(*decoded);
      return;
    }
    ++result_.parse_errors;
    result_.problems.push_back(absl::StrCat("line ", i_ + 1, ": ", decoded.status().message()));
  }

  const std::vector<std::string> lines_;
  size_t i_ = 0;
  std::string last_command_;  // the last echoed AT command, upper case
  DecodeResult result_;
};

}  // namespace

DecodeResult DecodeModemOutput(absl::string_view text) {
  std::vector<std::string> lines;
  for (absl::string_view raw : absl::StrSplit(text, absl::ByAnyChar("\r\n"))) {
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (!line.empty()) lines.emplace_back(line);
  }
  return Decoder(std::move(lines)).Run();
}

}  // namespace cellfleet::client
