#include "convert/reply_to_status.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "convert/modem_to_proto.h"
#include "modem/replies/identity.h"

namespace cellfleet::convert {
namespace {

// The first line that starts with `prefix`, or null.
const std::string* LineWith(const std::vector<std::string>& lines, absl::string_view prefix) {
  for (const std::string& line : lines) {
    if (absl::StartsWithIgnoreCase(line, prefix)) return &line;
  }
  return nullptr;
}

// A bare value (IMEI, IMSI, revision): the first line, parsed.
bool DecodeIdentityField(const std::vector<std::string>& lines,
                         absl::StatusOr<std::string> (*parse)(absl::string_view),
                         std::string modem::ModemIdentity::*field, v1::ModemStatus& out) {
  if (lines.empty()) return false;
  absl::StatusOr<std::string> value = parse(lines.front());
  if (!value.ok()) return false;
  modem::ModemIdentity identity;
  identity.*field = *value;
  FillIdentity(identity, *out.mutable_identity());
  return true;
}

}  // namespace

bool DecodeReply(const modem::CommandLine& line, const std::vector<std::string>& lines,
                 v1::ModemStatus& out) {
  if (line.parts.size() != 1) return false;
  const std::string& name = line.parts[0].name;
  if (name == "+CSQ") {
    const std::string* reply = LineWith(lines, "+CSQ:");
    absl::StatusOr<modem::CsqReading> csq =
        reply ? modem::ParseCsq(*reply) : absl::NotFoundError("");
    if (!csq.ok()) return false;
    FillSignal(*csq, *out.mutable_signal());
    return true;
  }
  if (name == "+QENG" &&
      absl::StrContains(absl::AsciiStrToLower(line.parts[0].text), "servingcell")) {
    absl::StatusOr<modem::ServingCellInfo> cell = modem::ParseServingCell(lines);
    if (!cell.ok()) return false;
    FillServingCell(*cell, *out.mutable_serving_cell());
    return true;
  }
  if (name == "+COPS" && absl::EndsWith(line.parts[0].text, "?")) {
    const std::string* reply = LineWith(lines, "+COPS:");
    absl::StatusOr<modem::OperatorSelection> cops =
        reply ? modem::ParseCops(*reply) : absl::NotFoundError("");
    if (!cops.ok()) return false;
    FillOperator(*cops, *out.mutable_operator_());
    return true;
  }
  if (name == "+CREG" || name == "+CEREG") {
    const std::string* reply = LineWith(lines, name + ":");
    if (reply == nullptr || !modem::IsRegistrationReadReply(*reply)) return false;
    absl::StatusOr<modem::RegistrationInfo> info = modem::ParseRegistration(*reply, true);
    if (!info.ok()) return false;
    FillRegistration(
        *info, name == "+CREG" ? *out.mutable_cs_registration() : *out.mutable_eps_registration());
    return true;
  }
  if (name == "+CPIN") {
    const std::string* reply = LineWith(lines, "+CPIN:");
    absl::StatusOr<modem::SimState> sim =
        reply ? modem::ParseCpin(*reply) : absl::NotFoundError("");
    if (!sim.ok()) return false;
    out.set_sim_state(SimStateToProto(*sim));
    return true;
  }
  if (name == "+QCCID" || name == "+CCID" || name == "+ICCID") {
    return DecodeIdentityField(lines, modem::ParseIccid, &modem::ModemIdentity::iccid, out);
  }
  if (name == "+CGSN" || name == "+GSN") {
    return DecodeIdentityField(lines, modem::ParseImei, &modem::ModemIdentity::imei, out);
  }
  if (name == "+CIMI") {
    return DecodeIdentityField(lines, modem::ParseImsi, &modem::ModemIdentity::imsi, out);
  }
  if (name == "+QGMR" || name == "+CGMR" || name == "+GMR") {
    return DecodeIdentityField(lines, modem::ParseRevision,
                               &modem::ModemIdentity::firmware_revision, out);
  }
  if (name == "I") {
    absl::StatusOr<modem::AtiInfo> ati = modem::ParseAti(lines);
    if (!ati.ok()) return false;
    modem::ModemIdentity identity;
    identity.manufacturer = ati->manufacturer;
    identity.model = ati->model;
    identity.firmware_revision = ati->revision;
    FillIdentity(identity, *out.mutable_identity());
    return true;
  }
  return false;
}

}  // namespace cellfleet::convert
