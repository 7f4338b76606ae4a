#include "convert/reply_to_status.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "convert/modem_to_proto.h"
#include "modem/replies/identity.h"

namespace cellfleet::convert {
namespace {

// The first line that starts with `prefix`, or NotFound.
absl::StatusOr<std::string> LineWith(const std::vector<std::string>& lines,
                                     absl::string_view prefix) {
  for (const std::string& line : lines) {
    if (absl::StartsWithIgnoreCase(line, prefix)) return line;
  }
  return absl::NotFoundError(absl::StrCat("no ", prefix, " line in the reply"));
}

// The reply's lines without the echo and the final OK: what the parsers of a bare value
// and of ATI read.
std::vector<std::string> Payload(const std::vector<std::string>& lines) {
  std::vector<std::string> payload;
  for (const std::string& line : lines) {
    if (line == "OK" || absl::StartsWithIgnoreCase(line, "AT")) continue;
    payload.push_back(line);
  }
  return payload;
}

absl::Status FillCsq(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  absl::StatusOr<std::string> line = LineWith(lines, "+CSQ:");
  if (!line.ok()) return line.status();
  absl::StatusOr<modem::CsqReading> csq = modem::ParseCsq(*line);
  if (!csq.ok()) return csq.status();
  FillSignal(*csq, *out.mutable_signal());
  return absl::OkStatus();
}

absl::Status FillQeng(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  std::vector<std::string> qeng;
  for (const std::string& line : lines) {
    if (absl::StartsWithIgnoreCase(line, "+QENG:")) qeng.push_back(line);
  }
  absl::StatusOr<modem::ServingCellInfo> cell = modem::ParseServingCell(qeng);
  if (!cell.ok()) return cell.status();
  FillServingCell(*cell, *out.mutable_serving_cell());
  return absl::OkStatus();
}

absl::Status FillCops(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  absl::StatusOr<std::string> line = LineWith(lines, "+COPS:");
  if (!line.ok()) return line.status();
  absl::StatusOr<modem::OperatorSelection> cops = modem::ParseCops(*line);
  if (!cops.ok()) return cops.status();
  FillOperator(*cops, *out.mutable_operator_());
  return absl::OkStatus();
}

// Only the read form (+CREG: <n>,<stat>...): the same prefix also starts a URC, which is
// an event, not a reply.
absl::Status FillRegistrationRead(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  for (const std::string& line : lines) {
    if (!modem::IsRegistrationLine(line) || !modem::IsRegistrationReadReply(line)) continue;
    absl::StatusOr<modem::RegistrationInfo> info = modem::ParseRegistration(line, true);
    if (!info.ok()) return info.status();
    switch (info->domain) {
      case modem::RegistrationDomain::kCircuit:
        FillRegistration(*info, *out.mutable_cs_registration());
        return absl::OkStatus();
      case modem::RegistrationDomain::kEps:
        FillRegistration(*info, *out.mutable_eps_registration());
        return absl::OkStatus();
      default:  // a status carries the CS and EPS domains only
        return absl::InvalidArgumentError(
            absl::StrCat(modem::RegistrationPrefix(info->domain), " is not in a status"));
    }
  }
  return absl::NotFoundError("no registration read reply in the reply");
}

absl::Status FillCpin(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  absl::StatusOr<std::string> line = LineWith(lines, "+CPIN:");
  if (!line.ok()) return line.status();
  absl::StatusOr<modem::SimState> sim = modem::ParseCpin(*line);
  if (!sim.ok()) return sim.status();
  out.set_sim_state(SimStateToProto(*sim));
  return absl::OkStatus();
}

// One identity field from the reply's first line that is not the echo or OK.
template <absl::StatusOr<std::string> (*Parse)(absl::string_view),
          std::string modem::ModemIdentity::*kField>
absl::Status FillIdentityField(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  std::vector<std::string> payload = Payload(lines);
  if (payload.empty()) return absl::NotFoundError("the reply has no value");
  absl::StatusOr<std::string> value = Parse(payload.front());
  if (!value.ok()) return value.status();
  modem::ModemIdentity identity;
  identity.*kField = *value;
  FillIdentity(identity, *out.mutable_identity());
  return absl::OkStatus();
}

absl::Status FillAti(const std::vector<std::string>& lines, v1::ModemStatus& out) {
  absl::StatusOr<modem::AtiInfo> ati = modem::ParseAti(Payload(lines));
  if (!ati.ok()) return ati.status();
  modem::ModemIdentity identity;
  identity.manufacturer = ati->manufacturer;
  identity.model = ati->model;
  identity.firmware_revision = ati->revision;
  FillIdentity(identity, *out.mutable_identity());
  return absl::OkStatus();
}

const StatusReply kStatusReplies[] = {
    {"+CSQ", {"+CSQ"}, {"+CSQ:"}, FillCsq},
    {"+QENG", {"+QENG"}, {"+QENG:"}, FillQeng},
    {"+COPS", {"+COPS"}, {"+COPS:"}, FillCops},
    {"+CREG", {"+CREG", "+CEREG"}, {}, FillRegistrationRead},
    {"+CPIN", {"+CPIN"}, {"+CPIN:"}, FillCpin},
    {"+QCCID",
     {"+QCCID", "+CCID", "+ICCID"},
     {"+QCCID:", "+CCID:", "+ICCID:"},
     FillIdentityField<modem::ParseIccid, &modem::ModemIdentity::iccid>},
    {"+CGSN",
     {"+CGSN", "+GSN"},
     {},
     FillIdentityField<modem::ParseImei, &modem::ModemIdentity::imei>},
    {"+CIMI", {"+CIMI"}, {}, FillIdentityField<modem::ParseImsi, &modem::ModemIdentity::imsi>},
    {"+QGMR",
     {"+QGMR", "+CGMR", "+GMR"},
     {},
     FillIdentityField<modem::ParseRevision, &modem::ModemIdentity::firmware_revision>},
    {"ATI", {"I"}, {}, FillAti},
};

// Only the reads and executions that report: AT+COPS=1,... sets, AT+QENG="neighbourcell"
// reports something a status does not carry.
bool AsksForStatus(const StatusReply& reply, const modem::CommandPart& part) {
  if (reply.name == "+COPS" || reply.name == "+CREG") return absl::EndsWith(part.text, "?");
  if (reply.name == "+QENG") {
    return absl::StrContains(absl::AsciiStrToLower(part.text), "servingcell");
  }
  return true;
}

}  // namespace

bool StatusReply::StartsLine(absl::string_view line) const {
  for (absl::string_view prefix : line_prefixes) {
    if (absl::StartsWithIgnoreCase(line, prefix)) return true;
  }
  return false;
}

const StatusReply* StatusReplyAskedBy(const modem::CommandPart& part) {
  for (const StatusReply& reply : kStatusReplies) {
    for (absl::string_view name : reply.asked_by) {
      if (part.name == name) return AsksForStatus(reply, part) ? &reply : nullptr;
    }
  }
  return nullptr;
}

const StatusReply* StatusReplyOfLine(absl::string_view line) {
  for (const StatusReply& reply : kStatusReplies) {
    if (reply.StartsLine(line)) return &reply;
  }
  return nullptr;
}

bool DecodeReply(const modem::CommandLine& line, const std::vector<std::string>& lines,
                 v1::ModemStatus& out) {
  if (line.parts.size() != 1) return false;
  const StatusReply* reply = StatusReplyAskedBy(line.parts[0]);
  return reply != nullptr && reply->fill(lines, out).ok();
}

}  // namespace cellfleet::convert
