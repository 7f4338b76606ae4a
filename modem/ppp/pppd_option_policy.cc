#include "modem/ppp/pppd_option_policy.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::modem::ppp {
namespace {

struct AllowedOption {
  absl::string_view name;
  int arguments;
};
// Only what RenderPppFiles writes; none is privileged in pppd 2.4.9 (the
// unprivileged-pppd test checks it).
constexpr AllowedOption kAllowed[] = {
    {"nodetach", 0},
    {"lock", 0},
    {"nocrtscts", 0},
    {"local", 0},
    {"noipdefault", 0},
    {"ipcp-accept-local", 0},
    {"ipcp-accept-remote", 0},
    {"noipv6", 0},
    {"+ipv6", 0},
    {"ipv6cp-use-ipaddr", 0},
    {"novj", 0},
    {"novjccomp", 0},
    {"defaultroute", 0},
    {"nodefaultroute", 0},
    {"usepeerdns", 0},
    {"refuse-pap", 0},
    {"refuse-chap", 0},
    {"refuse-mschap", 0},
    {"refuse-mschap-v2", 0},
    {"refuse-eap", 0},
    {"lcp-echo-interval", 1},
    {"lcp-echo-failure", 1},
    {"maxfail", 1},
    {"connect", 1},
    {"disconnect", 1},
    {"file", 1},
};

const AllowedOption* FindAllowed(absl::string_view word) {
  for (const AllowedOption& option : kAllowed) {
    if (option.name == word) return &option;
  }
  return nullptr;
}

absl::Status Refused(absl::string_view file, absl::string_view word, absl::string_view why) {
  return absl::InternalError(
      absl::StrCat("rendered pppd ", file, " refused at \"", absl::CHexEscape(word), "\": ", why));
}

bool IsDecimal(absl::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), absl::ascii_isdigit);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> PppdOptionWords(absl::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    if (absl::ascii_isspace(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == '#') {  // a comment runs to the end of the line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    std::string word;
    char quote = 0;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\\' && i + 1 < text.size()) {
        word.push_back(text[++i]);
      } else if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.push_back(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (absl::ascii_isspace(c)) {
        break;
      } else {
        word.push_back(c);
      }
    }
    if (quote != 0) return absl::InvalidArgumentError("unterminated quote in pppd options");
    words.push_back(std::move(word));
  }
  return words;
}

absl::Status CheckAgentOptions(absl::string_view options, absl::string_view secrets,
                               const OptionPolicy& policy) {
  absl::StatusOr<std::vector<std::string>> words = PppdOptionWords(options);
  if (!words.ok()) return absl::InternalError(words.status().message());
  const std::string chat_prefix = policy.chat_program + " ";
  for (size_t i = 0; i < words->size(); ++i) {
    const std::string& word = (*words)[i];
    if (i == 0 && absl::StartsWith(word, "/")) continue;  // the device
    if (i == 1 && IsDecimal(word)) continue;              // its speed
    const AllowedOption* allowed = FindAllowed(word);
    if (allowed == nullptr) return Refused("options", word, "not an allowed option");
    if (i + allowed->arguments >= words->size()) {
      return Refused("options", word, "argument missing");
    }
    if (allowed->arguments == 0) continue;
    const std::string& argument = (*words)[++i];
    if (word == "file" && argument != policy.secrets_file) {
      return Refused("options", argument, "only the secrets file may be included");
    }
    if ((word == "connect" || word == "disconnect") &&
        (!absl::StartsWith(argument, chat_prefix) ||
         argument.find_first_of("|;&$`<>(){}\n") != std::string::npos)) {
      return Refused("options", argument, "connect and disconnect run chat and nothing else");
    }
    if (word != "file" && word != "connect" && word != "disconnect" && !IsDecimal(argument)) {
      return Refused("options", argument, "a number was expected");
    }
  }
  absl::StatusOr<std::vector<std::string>> secret_words = PppdOptionWords(secrets);
  if (!secret_words.ok()) return absl::InternalError(secret_words.status().message());
  if (secret_words->size() % 2 != 0) return Refused("secrets", "", "odd number of words");
  for (size_t i = 0; i < secret_words->size(); i += 2) {
    const std::string& word = (*secret_words)[i];
    if (word != "user" && word != "password")
      return Refused("secrets", word, "only user and password belong here");
  }
  return absl::OkStatus();
}

}  // namespace cellfleet::modem::ppp
