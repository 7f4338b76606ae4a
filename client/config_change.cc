#include "client/config_change.h"

#include <fstream>
#include <istream>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "proto/time_convert.h"

namespace cellfleet::client {

void AddConfigChangeOptions(CLI::App* command, ConfigChangeFlags& flags, bool with_confirm) {
  command->add_option("--apn", flags.apn, "APN (AT+CGDCONT context 1)");
  command->add_option("--pdp-type", flags.pdp_type, "IP, IPV6 or IPV4V6");
  command->add_option("--auth", flags.auth, "none, pap or chap");
  command->add_option("--username", flags.username, "User name for PAP/CHAP");
  command->add_option("--password-file", flags.password_file,
                      "File holding the PAP/CHAP password (- for stdin; never on argv)");
  command->add_option("--dial-string", flags.dial_string, "Dial string (default *99#)");
  command->add_option("--keep-up", flags.keep_up, "Redial a dropped link: true or false");
  command->add_option("--lcp-echo-interval", flags.lcp_echo_interval, "Seconds between LCP echoes");
  command->add_option("--lcp-echo-failure", flags.lcp_echo_failure,
                      "Unanswered LCP echoes before the link counts as dead");
  if (with_confirm) {
    command->add_option("--confirm", flags.confirm,
                        "Roll back unless each board is back on the new config and confirmed "
                        "within this window, e.g. 120s");
  }
}

absl::StatusOr<v1::ApplyConfigRequest> BuildConfigChange(const ConfigChangeFlags& flags,
                                                         std::istream& in) {
  v1::ApplyConfigRequest request;
  v1::ConnectionConfig& c = *request.mutable_config();
  auto change = [&request](const char* path) { request.mutable_update_mask()->add_paths(path); };
  if (flags.apn) {
    c.set_apn(*flags.apn);
    change("apn");
  }
  if (flags.pdp_type) {
    v1::PdpType type;
    if (!v1::PdpType_Parse("PDP_TYPE_" + absl::AsciiStrToUpper(*flags.pdp_type), &type) ||
        type == v1::PDP_TYPE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("--pdp-type \"", *flags.pdp_type, "\": expected IP, IPV6 or IPV4V6"));
    }
    c.set_pdp_type(type);
    change("pdp_type");
  }
  if (flags.auth) {
    v1::AuthMethod method;
    if (!v1::AuthMethod_Parse("AUTH_METHOD_" + absl::AsciiStrToUpper(*flags.auth), &method) ||
        method == v1::AUTH_METHOD_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("--auth \"", *flags.auth, "\": expected none, pap or chap"));
    }
    c.set_auth(method);
    change("auth");
  }
  if (flags.username) {
    c.set_username(*flags.username);
    change("username");
  }
  if (flags.password_file) {
    std::string password;
    if (*flags.password_file == "-") {
      std::getline(in, password);
    } else {
      std::ifstream file(*flags.password_file);
      if (!file) {
        return absl::InvalidArgumentError(
            absl::StrCat("--password-file ", *flags.password_file, ": cannot read it"));
      }
      std::getline(file, password);
    }
    c.set_password(password);  // one line; the agent refuses anything unsafe in it
    change("password");
  }
  if (flags.dial_string) {
    c.set_dial_string(*flags.dial_string);
    change("dial_string");
  }
  if (flags.keep_up) {
    c.mutable_keep_up()->set_enabled(*flags.keep_up);
    change("keep_up.enabled");
  }
  if (flags.lcp_echo_interval) {
    c.mutable_lcp_echo()->set_interval_seconds(*flags.lcp_echo_interval);
    change("lcp_echo.interval_seconds");
  }
  if (flags.lcp_echo_failure) {
    c.mutable_lcp_echo()->set_failure_count(*flags.lcp_echo_failure);
    change("lcp_echo.failure_count");
  }
  if (request.update_mask().paths().empty()) {
    return absl::InvalidArgumentError("nothing to change: give --apn, --auth, ... (see --help)");
  }
  if (flags.confirm) {
    absl::Duration window;
    if (!absl::ParseDuration(*flags.confirm, &window) || window <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--confirm \"", *flags.confirm, "\": expected a duration such as 120s"));
    }
    *request.mutable_confirm_within() = ToProtoDuration(window);
  }
  return request;
}

}  // namespace cellfleet::client
