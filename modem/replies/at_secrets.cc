#include "modem/replies/at_secrets.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::modem {
namespace {

constexpr int kEvery = -1;

struct SecretCommand {
  absl::string_view name;    // with '+', followed by '=' in the text
  std::vector<int> secrets;  // 0-based parameter positions, or kEvery
};

// 3GPP TS 27.007 and Quectel's EC25 AT manual: where each command carries its secret.
const std::vector<SecretCommand>& SecretCommands() {
  static const auto* kCommands = new std::vector<SecretCommand>{
      {"+CPIN", {kEvery}},  // <pin>[,<newpin>]
      {"+CLCK", {2}},       // <fac>,<mode>[,<passwd>[,<class>]]
      {"+CPWD", {1, 2}},    // <fac>,<oldpwd>,<newpwd>
      {"+CGAUTH", {3}},     // <cid>,<auth_prot>,<userid>,<password>
      {"+QICSGP", {4}},     // <contextID>,<context_type>,<APN>,<username>,<password>,...
      {"+CSIM", {1}},       // <length>,<command>: a VERIFY APDU holds the PIN
      {"+CRSM", {5}},       // <command>,<fileid>,<P1>,<P2>,<P3>,<data>,...
  };
  return *kCommands;
}

bool Masks(const SecretCommand& command, int position) {
  for (int secret : command.secrets) {
    if (secret == kEvery || secret == position) return true;
  }
  return false;
}

// The end of the parameter that starts at `at`: a string ("..." or, in a protobuf text
// rendering, \"...\") ends after its closing quote; anything else before , ; a blank or
// a quote.
size_t ParameterEnd(absl::string_view text, size_t at, size_t* inner_begin, size_t* inner_end) {
  for (absl::string_view quote : {absl::string_view("\\\""), absl::string_view("\"")}) {
    if (absl::StartsWith(text.substr(at), quote)) {
      *inner_begin = at + quote.size();
      const size_t close = text.find(quote, *inner_begin);
      *inner_end = close == absl::string_view::npos ? text.size() : close;
      return close == absl::string_view::npos ? text.size() : close + quote.size();
    }
  }
  size_t end = at;
  while (end < text.size() && !absl::ascii_isspace(text[end]) && text[end] != ',' &&
         text[end] != ';' && text[end] != '"' && text[end] != '\\') {
    ++end;
  }
  *inner_begin = at;
  *inner_end = end;
  return end;
}

// Appends the parameters of `command` from text[at], masked; returns where they end.
size_t MaskParameters(absl::string_view text, size_t at, const SecretCommand& command,
                      std::string& out) {
  for (int position = 0;; ++position) {
    while (at < text.size() && text[at] == ' ') out.push_back(text[at++]);
    size_t inner_begin = at, inner_end = at;
    const size_t end = ParameterEnd(text, at, &inner_begin, &inner_end);
    absl::StrAppend(&out, text.substr(at, inner_begin - at));
    if (Masks(command, position) && inner_end > inner_begin) {
      absl::StrAppend(&out, "***");
    } else {
      absl::StrAppend(&out, text.substr(inner_begin, inner_end - inner_begin));
    }
    absl::StrAppend(&out, text.substr(inner_end, end - inner_end));
    at = end;
    while (at < text.size() && text[at] == ' ') out.push_back(text[at++]);
    if (at >= text.size() || text[at] != ',') return at;
    out.push_back(text[at++]);
  }
}

}  // namespace

std::string MaskAtSecrets(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  while (at < text.size()) {
    const SecretCommand* found = nullptr;
    if (text[at] == '+') {
      for (const SecretCommand& command : SecretCommands()) {
        const absl::string_view rest = text.substr(at);
        const size_t n = command.name.size();
        const bool test_form = rest.size() > n + 1 && rest[n + 1] == '?';  // AT+CPIN=?
        if (rest.size() > n && rest[n] == '=' && !test_form &&
            absl::StartsWithIgnoreCase(rest, command.name)) {
          found = &command;
          break;
        }
      }
    }
    if (found == nullptr) {
      out.push_back(text[at++]);
      continue;
    }
    absl::StrAppend(&out, text.substr(at, found->name.size() + 1));  // the name and '='
    at = MaskParameters(text, at + found->name.size() + 1, *found, out);
  }
  return out;
}

}  // namespace cellfleet::modem
