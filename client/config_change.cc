#include "client/config_change.h"

#include <fstream>
#include <istream>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/byte_units.h"
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
  command->add_option("--cycle-start-day", flags.cycle_start_day,
                      "Data plan: day of the month (UTC) its billing cycle starts, 1..28");
  command->add_option("--data-warn", flags.data_warn,
                      "Data plan: warn past this use a cycle, e.g. 800MB (0: never)");
  command->add_option("--data-cap", flags.data_cap,
                      "Data plan: the cap a cycle, e.g. 1GB (0: none)");
  command->add_option("--at-cap", flags.at_cap,
                      "Data plan: at the cap, warn (only report it) or hang-up (hold the link "
                      "down until the next cycle or `cellfleet usage override`)");
  command->add_option("--sim", flags.sim,
                      "The data plan flags set this SIM's own plan (ICCID) instead of the "
                      "board's; an all-zero plan removes it");
  if (with_confirm) {
    command->add_option("--confirm", flags.confirm,
                        "Roll back unless each board is back on the new config and confirmed "
                        "within this window, e.g. 120s");
  }
}

namespace {

absl::StatusOr<uint64_t> PlanBytes(const std::string& flag, const std::string& text) {
  if (absl::AsciiStrToLower(text) == "none") return 0;
  absl::StatusOr<uint64_t> bytes = base::ParseBytes(text);
  if (!bytes.ok())
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", bytes.status().message()));
  return bytes;
}

// The plan flags: fields of the board's plan, or one SIM's whole plan.
absl::Status AddPlanChange(const ConfigChangeFlags& flags, v1::ApplyConfigRequest& request) {
  const bool any = flags.cycle_start_day || flags.data_warn || flags.data_cap || flags.at_cap;
  if (!any) {
    if (flags.sim) return absl::InvalidArgumentError("--sim needs the plan flags it applies to");
    return absl::OkStatus();
  }
  v1::ConnectionConfig& c = *request.mutable_config();
  v1::DataPlan& plan =
      flags.sim ? (*c.mutable_sim_data_plans())[*flags.sim] : *c.mutable_data_plan();
  std::vector<std::string> paths;
  if (flags.cycle_start_day) {
    plan.set_cycle_start_day(*flags.cycle_start_day);
    paths.push_back("data_plan.cycle_start_day");
  }
  if (flags.data_warn) {
    absl::StatusOr<uint64_t> bytes = PlanBytes("--data-warn", *flags.data_warn);
    if (!bytes.ok()) return bytes.status();
    plan.set_warn_bytes(*bytes);
    paths.push_back("data_plan.warn_bytes");
  }
  if (flags.data_cap) {
    absl::StatusOr<uint64_t> bytes = PlanBytes("--data-cap", *flags.data_cap);
    if (!bytes.ok()) return bytes.status();
    plan.set_cap_bytes(*bytes);
    paths.push_back("data_plan.cap_bytes");
  }
  if (flags.at_cap) {
    const std::string action = absl::AsciiStrToLower(*flags.at_cap);
    if (action != "warn" && action != "hang-up") {
      return absl::InvalidArgumentError(
          absl::StrCat("--at-cap \"", *flags.at_cap, "\": expected warn or hang-up"));
    }
    plan.set_at_cap(action == "warn" ? v1::CAP_ACTION_WARN_ONLY : v1::CAP_ACTION_HANG_UP);
    paths.push_back("data_plan.at_cap");
  }
  if (flags.sim) paths = {"sim_data_plans"};  // the agent merges SIM plans by ICCID
  for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
  return absl::OkStatus();
}

}  // namespace

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
  if (absl::Status plan = AddPlanChange(flags, request); !plan.ok()) return plan;
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
