#include "modem/replies/command_line.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "modem/replies/command_timeouts.h"

namespace cellfleet::modem {
namespace {

bool IsText(char c) { return c >= 0x20 && c <= 0x7e; }

// V.250 5.4.1: extended command names are letters, digits and ! % - . / : _
bool IsNameChar(char c) { return absl::ascii_isalnum(c) || absl::StrContains("!%-./:_", c); }

// Extended commands whose execute form (no '=' or '?') only reads.
const absl::flat_hash_set<absl::string_view>& ReadOnlyActions() {
  static const auto* kNames = new absl::flat_hash_set<absl::string_view>{
      "+CSQ",   "+QCSQ",     "+CGSN",    "+GSN",  "+CIMI",    "+QCCID",   "+CCID",
      "+ICCID", "+CGMI",     "+CGMM",    "+CGMR", "+GMI",     "+GMM",     "+GMR",
      "+QGMR",  "+CNUM",     "+CLCC",    "+CEER", "+QNWINFO", "+QSPN",    "+QTEMP",
      "+CPAS",  "+QINISTAT", "+QCAINFO", "+GCAP", "+QLTS",    "+CGPADDR", "+CGCONTRDP"};
  return *kNames;
}

// Extended commands whose set form reads: AT+QENG="servingcell", AT+CGPADDR=1...
const absl::flat_hash_set<absl::string_view>& ReadingSetForms() {
  static const auto* kNames =
      new absl::flat_hash_set<absl::string_view>{"+QENG", "+CGPADDR", "+CGCONTRDP"};
  return *kNames;
}

// Quectel's settings by name: with the name alone the set form reads the setting.
const absl::flat_hash_set<absl::string_view>& SettingByName() {
  static const auto* kNames =
      new absl::flat_hash_set<absl::string_view>{"+QCFG", "+QURCCFG", "+QNWPREFCFG"};
  return *kNames;
}

// The parameters of a set form (after '='), split on commas outside strings.
std::vector<std::string> Parameters(absl::string_view args) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : args) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

std::string Unquoted(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return absl::AsciiStrToLower(value);
}

constexpr absl::string_view kDataMode =
    "switches the AT port into data mode, and the agent's poller shares that port; bring "
    "the link up with `cellfleet dial`";
constexpr absl::string_view kResultFormat =
    "changes how the modem ends its replies, so the agent could no longer tell where a "
    "reply ends";
constexpr absl::string_view kRestoresProfile =
    "restores stored or factory settings (echo, error reporting, URC routing) under the "
    "agent; reboot the modem with AT+CFUN=1,1 instead";
constexpr absl::string_view kPrompt =
    "waits at a '>' prompt for text ended by Ctrl-Z, which a command line cannot carry: "
    "the AT channel would hang until the modem gives up";
constexpr absl::string_view kLineSettings =
    "changes the character that ends command lines or replies, so the agent could no "
    "longer tell where a reply ends";
constexpr absl::string_view kSerialSettings = "changes the serial settings of the agent's port";
constexpr absl::string_view kFileSystem =
    "writes, erases or streams the modem's file system (binary transfers the AT channel "
    "cannot carry)";

// Extended commands no policy may allow in any form but a query.
std::string ForbiddenExtended(absl::string_view name, absl::string_view args) {
  if (name == "+CGDATA") return std::string(kDataMode);
  if (name == "+IPR" || name == "+ICF" || name == "+IFC") return std::string(kSerialSettings);
  if (name == "+CMUX") return "starts the multiplexer, which takes the port from the agent";
  if (name == "+QURCCFG") return "moves unsolicited result codes off the port the agent reads";
  if (name == "+QFOTADL") return "flashes the modem's firmware";
  if (name == "+CMGS" || name == "+CMGW" || name == "+CMGC") return std::string(kPrompt);
  if (absl::StartsWith(name, "+QF") && name != "+QFLST" && name != "+QFLDS") {
    return std::string(kFileSystem);
  }
  if (name == "+QCFG") {
    const std::string setting = Unquoted(Parameters(args).front());
    if (setting == "usbnet" || setting == "usbcfg") {
      return "changes the modem's USB composition, the interfaces the agent and pppd use";
    }
  }
  return "";
}

// Extended commands only a pattern naming them allows (CommandPart::hazard).
std::string HazardousExtended(absl::string_view name) {
  if (name == "+CRSM" || name == "+CSIM") {
    return "reads and writes the SIM's files directly: a wrong write or a wrong PIN "
           "count can lock the SIM of a board no one can visit";
  }
  if (name == "+QNVFW" || name == "+QNVW") {
    return "writes the modem's non-volatile items: a wrong item can leave the modem "
           "unable to register until it is reflashed";
  }
  if (name == "+QPRTPARA") {
    return "backs up or restores the modem's stored parameters: a restore resets them "
           "under the agent";
  }
  return "";
}

// A numeric parameter as the modem reads it: "01", " 1 " and "\"1\"" are all 1; -1 if
// it is not a number.
int NumericParameter(absl::string_view value) {
  const std::string text = Unquoted(value);
  if (text.empty() || text.size() > 6 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
    return -1;
  }
  return std::stoi(text);
}

bool TakesModemAway(absl::string_view name, absl::string_view args) {
  if (name == "+QPOWD" || name == "+QRST") return true;
  if (name != "+CFUN") return false;
  // AT+CFUN=1 turns the radio on; any other level, or a reset (1,1 01,1 1,"1"), takes
  // the modem away.
  std::vector<std::string> params = Parameters(args);
  const bool reset = params.size() > 1 && NumericParameter(params[1]) != 0;
  return NumericParameter(params[0]) != 1 || reset;
}

// An extended command: name, then nothing (execute), '?', "=?" or '=' and parameters.
absl::StatusOr<CommandPart> ParseExtended(absl::string_view text, size_t column) {
  size_t end = 1;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  CommandPart part;
  part.text = std::string(text);
  part.name = absl::AsciiStrToUpper(text.substr(0, end));
  if (end == 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("column %d: a command name must follow '%c'", column + 1, text[0]));
  }
  absl::string_view form = text.substr(end);
  const bool read_or_test = form == "?" || form == "=?";
  if (!form.empty() && form.front() != '=' && !read_or_test) {
    return absl::InvalidArgumentError(absl::StrFormat("column %d: unexpected '%c' after %s",
                                                      column + end + 1, form.front(), part.name));
  }
  absl::string_view args = form.empty() || read_or_test ? "" : form.substr(1);
  part.query =
      read_or_test || (form.empty() && ReadOnlyActions().contains(part.name)) ||
      (!form.empty() && ReadingSetForms().contains(part.name)) ||
      // AT+QCFG="band" reads the setting; AT+QCFG="band",... changes it
      (SettingByName().contains(part.name) && !form.empty() && Parameters(args).size() == 1);
  if (!part.query) {
    part.forbidden = ForbiddenExtended(part.name, args);
    part.hazard = HazardousExtended(part.name);
    part.takes_modem_away = TakesModemAway(part.name, args);
  }
  return part;
}

// Basic commands (V.250 5.3.1), any number back to back ("E0V1"), then possibly one
// extended command ("ATE0+CMEE=2" is one valid line).
absl::Status ParsePiece(absl::string_view piece, size_t column, std::vector<CommandPart>& out) {
  size_t i = 0;
  while (i < piece.size()) {
    const char c = absl::ascii_toupper(piece[i]);
    if (absl::StrContains("+$^%", c)) {
      absl::StatusOr<CommandPart> part = ParseExtended(piece.substr(i), column + i);
      if (!part.ok()) return part.status();
      out.push_back(*std::move(part));
      return absl::OkStatus();
    }
    CommandPart part;
    size_t end = i + 1;
    if (c == 'D') {
      end = piece.size();  // the dial string is the rest of the line
      part.forbidden = std::string(kDataMode);
      part.name = "D";
    } else if (c == 'S' && end < piece.size() && absl::ascii_isdigit(piece[end])) {
      while (end < piece.size() && absl::ascii_isdigit(piece[end])) ++end;
      part.name = absl::AsciiStrToUpper(piece.substr(i, end - i));
      if (end < piece.size() && piece[end] == '?') {
        ++end;
        part.query = true;
      } else if (end < piece.size() && piece[end] == '=') {
        ++end;
        while (end < piece.size() && absl::ascii_isdigit(piece[end])) ++end;
      }
      // S3 ends command lines and replies, S4 formats replies (V.250 6.2.1, 6.2.2).
      if (!part.query && (part.name == "S3" || part.name == "S4")) {
        part.forbidden = std::string(kLineSettings);
      }
    } else if (c == '&' || absl::ascii_isalpha(c)) {
      if (c == '&') {
        if (end >= piece.size() || !absl::ascii_isalpha(piece[end])) {
          return absl::InvalidArgumentError(
              absl::StrFormat("column %d: a letter must follow '&'", column + i + 2));
        }
        ++end;
      }
      part.name = absl::AsciiStrToUpper(piece.substr(i, end - i));
      const size_t digits = end;
      while (end < piece.size() && absl::ascii_isdigit(piece[end])) ++end;
      const absl::string_view value = piece.substr(digits, end - digits);
      const std::string& n = part.name;
      part.query = n == "I";
      if (n == "A" || n == "O") part.forbidden = std::string(kDataMode);
      if ((n == "V" && (value.empty() || value == "0")) || (n == "Q" && value == "1")) {
        part.forbidden = std::string(kResultFormat);
      }
      if (n == "Z" || n == "&F") part.forbidden = std::string(kRestoresProfile);
      if (n == "&W") {
        part.hazard =
            "stores this session's settings as the modem's power-up profile, which every "
            "later start of the agent inherits";
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrFormat("column %d: unexpected '%c'", column + i + 1, piece[i]));
    }
    part.text = std::string(piece.substr(i, end - i));
    out.push_back(std::move(part));
    i = end;
  }
  return absl::OkStatus();
}

}  // namespace

bool CommandLine::query() const {
  return std::all_of(parts.begin(), parts.end(), [](const CommandPart& p) { return p.query; });
}

bool CommandLine::takes_modem_away() const {
  return std::any_of(parts.begin(), parts.end(),
                     [](const CommandPart& p) { return p.takes_modem_away; });
}

std::string CommandLine::forbidden() const {
  for (const CommandPart& part : parts) {
    if (!part.forbidden.empty()) return absl::StrCat(part.AsCommand(), " ", part.forbidden);
  }
  return "";
}

std::string CommandLine::ReplyPrefix() const {
  if (parts.size() != 1 || !absl::StartsWith(parts[0].name, "+")) return "";
  return parts[0].name + ":";
}

absl::Duration CommandLine::MaxResponseTime() const {
  absl::Duration total;
  for (const CommandPart& part : parts) total += modem::MaxResponseTime(part.AsCommand());
  return total;
}

absl::StatusOr<CommandLine> ParseCommandLine(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return absl::InvalidArgumentError("empty command");
  if (text.size() > kMaxCommandLineBytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "command of %d bytes; at most %d are accepted", text.size(), kMaxCommandLineBytes));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsText(text[i])) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "byte 0x%02x at column %d is not printable ASCII (control characters would "
          "end or garble the command)",
          static_cast<unsigned char>(text[i]), i + 1));
    }
  }
  if (!absl::StartsWithIgnoreCase(text, "AT")) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" does not start with AT (e.g. AT+CSQ)"));
  }
  if (std::count(text.begin(), text.end(), '"') % 2 != 0) {
    return absl::InvalidArgumentError("a string (\") is not terminated");
  }
  CommandLine line;
  line.text = std::string(text);
  absl::string_view body = text.substr(2);
  if (body.empty()) {  // bare AT: "are you there?"
    line.parts.push_back(CommandPart{"", "", true, false, "", ""});
    return line;
  }
  // Split on ';' outside strings; one ';' may end the line.
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && body[i] == '"') quoted = !quoted;
    if (i < body.size() && (quoted || body[i] != ';')) continue;
    absl::string_view piece = body.substr(start, i - start);
    if (piece.empty() && !(i == body.size() && start > 0)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("column %d: empty command between ';'", start + 3));
    }
    if (absl::Status parsed = ParsePiece(piece, start + 2, line.parts); !parsed.ok()) {
      return parsed;
    }
    if (!line.parts.empty() && line.parts.back().name == "D") break;  // ';' belongs to ATD
    start = i + 1;
  }
  return line;
}

std::string EscapeNonText(absl::string_view line, size_t* escaped) {
  std::string out;
  size_t count = 0;
  for (char c : line) {
    if (IsText(c) || c == '\t') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
      ++count;
    }
  }
  if (escaped != nullptr) *escaped = count;
  return out;
}

}  // namespace cellfleet::modem
