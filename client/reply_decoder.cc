#include "client/reply_decoder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/report.h"
#include "convert/modem_to_proto.h"
#include "convert/reply_to_status.h"
#include "convert/valid_utf8.h"
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

// A reply the status table knows: {"command": its name, and the status fields it fills}.
Decoded StatusFieldsReply(const convert::StatusReply& reply,
                          const std::vector<std::string>& lines) {
  v1::ModemStatus status;
  if (absl::Status filled = reply.fill(lines, status); !filled.ok()) return filled;
  // Bytes that are not UTF-8 (a garbled operator name) become U+FFFD, as in the agent's
  // status: the decoder shows what a status would.
  convert::MakeStringsValidUtf8(status);
  json j = ProtoToJson(status);
  if (!j.is_object()) return absl::InvalidArgumentError("the reply is not UTF-8 text");
  j["command"] = std::string(reply.name);
  const std::string& imsi = status.identity().imsi();
  if (imsi.size() >= 3) j["mcc"] = imsi.substr(0, 3);  // the country, for a reader of a paste
  return j;
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

// Replies a status does not carry (or, for registration, also its events), recognised by
// their own line: by a prefix, or by the parser's own rule. Those a status carries are
// routed by convert/'s table.
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
    {{"+QCSQ:"}, nullptr, DecodeQcsq},
    {{}, modem::IsRegistrationLine, DecodeRegistration},
    {{"+CME ERROR:", "+CMS ERROR:"}, nullptr, DecodeError},
    {{"+CGDCONT:"}, nullptr, DecodeCgdcont},
    {{"+QCAINFO:"}, nullptr, DecodeQcainfo},
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
      absl::StatusOr<modem::CommandLine> echoed = modem::ParseCommandLine(line);
      echoed_ = echoed.ok() && echoed->parts.size() == 1
                    ? convert::StatusReplyAskedBy(echoed->parts[0])
                    : nullptr;
      return;
    }
    if (line == "OK") return;
    if (absl::StartsWithIgnoreCase(line, "+QENG:")) return DecodeQeng(line);
    for (const LineDecoder& decoder : kLineDecoders) {
      if (decoder.Recognises(line)) return Add(decoder.decode(line));
    }
    if (const convert::StatusReply* reply = convert::StatusReplyOfLine(line)) {
      return Add(StatusFieldsReply(*reply, {line}));
    }
    // A bare value (IMEI, IMSI, revision) or ATI's lines: known by the echo before them.
    if (echoed_ != nullptr && echoed_->line_prefixes.empty()) return DecodeEchoed(line);
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
    Add(StatusFieldsReply(*convert::StatusReplyOfLine(line), group));  // "+QENG:" is in it
  }

  // A bare value on one line; ATI's lines up to OK, the next command or a +reply.
  void DecodeEchoed(const std::string& line) {
    const convert::StatusReply& reply = *echoed_;
    std::vector<std::string> block = {line};
    if (reply.name == "ATI") {
      while (i_ + 1 < lines_.size() && lines_[i_ + 1] != "OK" &&
             !absl::StartsWith(lines_[i_ + 1], "+") &&
             !absl::StartsWithIgnoreCase(lines_[i_ + 1], "AT")) {
        block.push_back(lines_[++i_]);
      }
      echoed_ = nullptr;
    }
    Add(StatusFieldsReply(reply, block));
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
  // The status reply the last echoed command asks for, if any.
  const convert::StatusReply* echoed_ = nullptr;
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
