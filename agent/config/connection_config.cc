#include "agent/config/connection_config.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/byte_units.h"
#include "base/duration_text.h"
#include "convert/ppp_to_proto.h"
#include "modem/replies/identity.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

using modem::ppp::Auth;
using modem::ppp::PdpType;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// "PDP_TYPE_IPV6" -> "IPV6"; a number the enum does not know -> "unknown".
std::string EnumSuffix(const std::string& name, absl::string_view prefix) {
  return name.size() > prefix.size() ? name.substr(prefix.size()) : "unknown";
}

}  // namespace

v1::ConnectionConfig WithDefaults(v1::ConnectionConfig c) {
  const modem::ppp::ConnectionSettings settings;
  const KeepUpPolicy keep_up;
  if (c.dial_string().empty()) c.set_dial_string(settings.dial_string);
  if (c.pdp_type() == v1::PDP_TYPE_UNSPECIFIED) c.set_pdp_type(v1::PDP_TYPE_IP);
  if (c.auth() == v1::AUTH_METHOD_UNSPECIFIED) c.set_auth(v1::AUTH_METHOD_NONE);
  if (!c.has_default_route()) c.set_default_route(settings.default_route);
  if (!c.has_use_peer_dns()) c.set_use_peer_dns(settings.use_peer_dns);
  v1::LcpEcho* echo = c.mutable_lcp_echo();
  if (echo->interval_seconds() == 0) echo->set_interval_seconds(settings.lcp_echo_interval_s);
  if (echo->failure_count() == 0) echo->set_failure_count(settings.lcp_echo_failure);
  v1::KeepUpPolicy* k = c.mutable_keep_up();
  if (!k->has_initial_backoff())
    *k->mutable_initial_backoff() = ToProtoDuration(keep_up.initial_backoff);
  if (!k->has_max_backoff()) *k->mutable_max_backoff() = ToProtoDuration(keep_up.max_backoff);
  if (!k->has_stable_after()) *k->mutable_stable_after() = ToProtoDuration(keep_up.stable_after);
  return c;
}

absl::StatusOr<LinkConfig> ToLinkConfig(const v1::ConnectionConfig& raw,
                                        const modem::ppp::ConnectionSettings& local) {
  const v1::ConnectionConfig c = WithDefaults(raw);
  LinkConfig link;
  link.settings = local;
  modem::ppp::ConnectionSettings& s = link.settings;
  s.apn = c.apn();
  absl::StatusOr<PdpType> pdp = convert::PdpFromProto(c.pdp_type());
  if (!pdp.ok()) return pdp.status();
  s.pdp_type = *pdp;
  absl::StatusOr<Auth> auth = convert::AuthFromProto(c.auth());
  if (!auth.ok()) return auth.status();
  s.auth = *auth;
  s.username = c.username();
  s.password = c.password();
  s.dial_string = c.dial_string();
  s.default_route = c.default_route();
  s.use_peer_dns = c.use_peer_dns();
  s.lcp_echo_interval_s =
      static_cast<int>(std::min<uint32_t>(c.lcp_echo().interval_seconds(), 1u << 30));
  s.lcp_echo_failure = static_cast<int>(std::min<uint32_t>(c.lcp_echo().failure_count(), 1u << 30));
  KeepUpPolicy& k = link.keep_up;
  k.enabled = c.keep_up().enabled();
  k.initial_backoff = FromProtoDuration(c.keep_up().initial_backoff());
  k.max_backoff = FromProtoDuration(c.keep_up().max_backoff());
  k.stable_after = FromProtoDuration(c.keep_up().stable_after());
  k.max_attempts = static_cast<int>(std::min<uint32_t>(c.keep_up().max_attempts(), 1u << 30));
  if (absl::Status valid = ValidateDataPlan(c.data_plan(), "data_plan"); !valid.ok()) return valid;
  link.plans.board = c.data_plan();
  for (const auto& [iccid, plan] : c.sim_data_plans()) {
    const std::string field = absl::StrCat("sim_data_plans[\"", iccid, "\"]");
    if (absl::Status valid = modem::ValidateIccid(iccid); !valid.ok())
      return Invalid(field, valid.message());
    if (absl::Status valid = ValidateDataPlan(plan, field); !valid.ok()) return valid;
    link.plans.by_iccid[iccid] = plan;
  }
  if (absl::Status valid = ValidateLinkConfig(link); !valid.ok()) return valid;
  return link;
}

absl::Status ValidateLinkConfig(const LinkConfig& link) {
  if (absl::Status valid = modem::ppp::Validate(link.settings); !valid.ok()) return valid;
  const KeepUpPolicy& k = link.keep_up;
  if (k.max_attempts < 0 || k.max_attempts > 1000000)
    return Invalid("keep_up.max_attempts", "0 (unlimited) .. 1000000");
  if (k.initial_backoff < absl::Seconds(1) || k.initial_backoff > absl::Hours(1))
    return Invalid("keep_up.initial_backoff", "1 s .. 1 h");
  if (k.max_backoff < k.initial_backoff || k.max_backoff > absl::Hours(24))
    return Invalid("keep_up.max_backoff", "from initial_backoff up to 24 h");
  if (k.stable_after < absl::Seconds(1) || k.stable_after > absl::Hours(24))
    return Invalid("keep_up.stable_after", "1 s .. 24 h");
  return absl::OkStatus();
}

v1::ConnectionConfig FromLinkConfig(const LinkConfig& link) {
  const modem::ppp::ConnectionSettings& s = link.settings;
  v1::ConnectionConfig c;
  c.set_apn(s.apn);
  c.set_pdp_type(convert::PdpToProto(s.pdp_type));
  c.set_username(s.username);
  c.set_password(s.password);
  c.set_auth(convert::AuthToProto(s.auth));
  c.set_dial_string(s.dial_string);
  c.set_default_route(s.default_route);
  c.set_use_peer_dns(s.use_peer_dns);
  c.mutable_lcp_echo()->set_interval_seconds(static_cast<uint32_t>(s.lcp_echo_interval_s));
  c.mutable_lcp_echo()->set_failure_count(static_cast<uint32_t>(s.lcp_echo_failure));
  v1::KeepUpPolicy* k = c.mutable_keep_up();
  k->set_enabled(link.keep_up.enabled);
  *k->mutable_initial_backoff() = ToProtoDuration(link.keep_up.initial_backoff);
  *k->mutable_max_backoff() = ToProtoDuration(link.keep_up.max_backoff);
  k->set_max_attempts(static_cast<uint32_t>(std::max(link.keep_up.max_attempts, 0)));
  *k->mutable_stable_after() = ToProtoDuration(link.keep_up.stable_after);
  *c.mutable_data_plan() = link.plans.board;
  for (const auto& [iccid, plan] : link.plans.by_iccid) (*c.mutable_sim_data_plans())[iccid] = plan;
  return c;
}

v1::ConnectionConfig Masked(v1::ConnectionConfig config) {
  if (!config.password().empty()) config.set_password(kMaskedSecret);
  return config;
}

// "data_plan: cycle from day 1, warn at 800 MB, cap 1.00 GB (hang up)".
std::string PlanText(const v1::DataPlan& plan) {
  std::string text = absl::StrCat("cycle from day ", std::max(plan.cycle_start_day(), 1u));
  if (plan.warn_bytes() > 0)
    absl::StrAppend(&text, ", warn at ", base::FormatBytes(plan.warn_bytes()));
  if (plan.cap_bytes() > 0) {
    absl::StrAppend(&text, ", cap ", base::FormatBytes(plan.cap_bytes()),
                    plan.at_cap() == v1::CAP_ACTION_HANG_UP ? " (hang up)" : " (warn only)");
  } else {
    absl::StrAppend(&text, ", no cap");
  }
  return text;
}

std::string ConfigText(const v1::ConnectionConfig& raw) {
  const v1::ConnectionConfig c = Masked(WithDefaults(raw));
  const v1::KeepUpPolicy& k = c.keep_up();
  // By ICCID, in order: a diff shows one line per SIM.
  const std::map<std::string, v1::DataPlan> sims(c.sim_data_plans().begin(),
                                                 c.sim_data_plans().end());
  std::string plans = absl::StrCat("data_plan: ", PlanText(c.data_plan()), "\n");
  for (const auto& [iccid, plan] : sims)
    absl::StrAppend(&plans, "data_plan[", iccid, "]: ", PlanText(plan), "\n");
  return absl::StrCat(
      "apn: ", c.apn().empty() ? "(network default)" : c.apn(), "\n",
      "pdp_type: ", EnumSuffix(v1::PdpType_Name(c.pdp_type()), "PDP_TYPE_"), "\n",
      "auth: ", absl::AsciiStrToLower(EnumSuffix(v1::AuthMethod_Name(c.auth()), "AUTH_METHOD_")),
      "\n", "username: ", c.username(), "\n",
      "password: ", c.password().empty() ? "(none)" : c.password(), "\n",
      "dial_string: ", c.dial_string(), "\n",
      "default_route: ", c.default_route() ? "true" : "false", "\n",
      "use_peer_dns: ", c.use_peer_dns() ? "true" : "false", "\n",
      "lcp_echo_interval: ", c.lcp_echo().interval_seconds(), "\n",
      "lcp_echo_failure: ", c.lcp_echo().failure_count(), "\n",
      "keep_up.enabled: ", k.enabled() ? "true" : "false", "\n",
      "keep_up.initial_backoff: ", base::DurationText(FromProtoDuration(k.initial_backoff())), "\n",
      "keep_up.max_backoff: ", base::DurationText(FromProtoDuration(k.max_backoff())), "\n",
      "keep_up.max_attempts: ", k.max_attempts(), "\n",
      "keep_up.stable_after: ", base::DurationText(FromProtoDuration(k.stable_after())), "\n",
      plans);
}

}  // namespace cellfleet::agent
