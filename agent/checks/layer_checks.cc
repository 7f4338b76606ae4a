#include "agent/checks/layer_checks.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/byte_units.h"
#include "convert/recovery_words.h"
#include "google/protobuf/util/time_util.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {

namespace {

using google::protobuf::util::TimeUtil;

// Signal graded as field engineers grade an install, by the bands router vendors publish
// (Teltonika's "Mobile Signal Strength Recommendations"; Digi's for Ec/Io): a figure in
// the fair-to-poor band warns (throughput suffers, links drop), one in the no-signal band
// fails. RSRP keeps a failure level below the vendors' -100 dBm "no signal" (LTE links
// hold to about -115 dBm at cell edge); the others are the vendors' bands.
struct Grading {
  const char* name;
  const char* unit;
  double good_from;  // at or above: excellent or good
  double fail_at;    // at or below: no usable signal
};
constexpr Grading kRsrp = {"RSRP", "dBm", -100, -116};  // LTE, NR
constexpr Grading kRsrq = {"RSRQ", "dB", -15, -20};     // LTE, NR
constexpr Grading kSinr = {"SINR", "dB", 13, 0};        // LTE, NR: 0-13 fair to poor
constexpr Grading kRscp = {"RSCP", "dBm", -95, -105};   // WCDMA
constexpr Grading kEcio = {"Ec/Io", "dB", -10, -20};    // WCDMA
constexpr Grading kRssi = {"RSSI", "dBm", -93, -107};   // +CSQ: 10 and 3 on its scale

}  // namespace

v1::DiagnosticCheck Check(const char* name, v1::CheckResult result, std::string detail) {
  v1::DiagnosticCheck check;
  check.set_name(name);
  check.set_result(result);
  check.set_detail(std::move(detail));
  return check;
}

v1::DiagnosticCheck Pass(const char* name, std::string detail) {
  return Check(name, v1::CHECK_RESULT_PASS, std::move(detail));
}
v1::DiagnosticCheck Warn(const char* name, std::string detail) {
  return Check(name, v1::CHECK_RESULT_WARN, std::move(detail));
}
v1::DiagnosticCheck Fail(const char* name, std::string detail) {
  return Check(name, v1::CHECK_RESULT_FAIL, std::move(detail));
}
v1::DiagnosticCheck Skipped(const char* name, std::string because) {
  return Check(name, v1::CHECK_RESULT_SKIPPED, std::move(because));
}

namespace {

std::string Seconds(absl::Duration d) { return absl::StrFormat("%.0fs", absl::ToDoubleSeconds(d)); }

}  // namespace

v1::DiagnosticCheck SampleCheck(const v1::ModemStatus& s, absl::Time now,
                                absl::Duration poll_interval) {
  if (!s.has_sampled_at()) return Fail("sample", "no status has been sampled yet");
  const absl::Time sampled =
      absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(s.sampled_at()));
  const absl::Duration age = now - sampled;
  // A poll cycle may legitimately wait out one slow command (AT+COPS? up to minutes).
  const absl::Duration stale_after = std::max(3 * poll_interval, absl::Seconds(15));
  if (age > stale_after) {
    return Warn("sample", absl::StrCat("the latest sample is ", Seconds(age),
                                       " old (polling every ", Seconds(poll_interval),
                                       "): the modem may hang on a command; "
                                       "the checks below are as of then"));
  }
  return Pass("sample", absl::StrCat("sampled ", Seconds(age), " ago"));
}

v1::DiagnosticCheck ModemCheck(const v1::ModemStatus& s) {
  const std::string port = s.at_port().empty() ? "the AT port" : s.at_port();
  // The poller's detail is the port's own error, which names the port already.
  const std::string why = s.modem_state_detail().empty() ? port : s.modem_state_detail();
  switch (s.modem_state()) {
    case v1::MODEM_STATE_READY: {
      const v1::Identity& id = s.identity();
      return Pass("modem",
                  absl::StrCat(id.manufacturer(), " ", id.model(), " firmware ",
                               id.firmware_revision(), ", IMEI ", id.imei(), ", on ", port));
    }
    case v1::MODEM_STATE_INITIALIZING:
      return Warn("modem", absl::StrCat("initialising (", why, ")"));
    case v1::MODEM_STATE_RESETTING:
      return Warn("modem",
                  absl::StrCat("the modem restarted and is being re-initialised (", why, ")"));
    case v1::MODEM_STATE_UNRESPONSIVE:
      return Fail("modem", absl::StrCat("commands time out (", why,
                                        "); if it persists, power-cycle the modem"));
    case v1::MODEM_STATE_ABSENT:
      return Fail("modem", absl::StrCat("no modem (", why,
                                        "); check USB (an EC25 is 2c7c:0125 in lsusb) and "
                                        "cellfleet-agent --list-modems"));
    default:
      return Fail("modem", "the agent reports no modem state");
  }
}

v1::DiagnosticCheck SimCheck(const v1::ModemStatus& s) {
  switch (s.sim_state()) {
    case v1::SIM_STATE_READY:
      return Pass("sim", absl::StrCat("ready, ICCID ", s.identity().iccid(), ", IMSI ",
                                      s.identity().imsi()));
    case v1::SIM_STATE_BUSY:
      return Warn("sim", "busy (usual for a few seconds after the modem starts)");
    case v1::SIM_STATE_NOT_INSERTED:
      return Fail("sim", "no SIM inserted, or not seated");
    case v1::SIM_STATE_PIN_REQUIRED:
      return Fail("sim", "locked by its PIN: remove the PIN lock (AT+CLCK) or enter it (AT+CPIN)");
    case v1::SIM_STATE_PUK_REQUIRED:
      return Fail("sim", "blocked after wrong PINs: it needs its PUK from the carrier");
    case v1::SIM_STATE_FAILURE:
      return Fail("sim", "SIM failure: reseat or replace it");
    case v1::SIM_STATE_OTHER_LOCK:
      return Fail("sim", "locked (PIN2/PUK2 or a network personalisation lock)");
    default:
      return Warn("sim", "the modem did not report the SIM state");
  }
}

v1::DiagnosticCheck RegistrationCheck(const v1::ModemStatus& s) {
  // LTE registers through EPS (+CEREG); a modem that fell back to 2G/3G is registered
  // through +CREG while +CEREG says "not registered".
  auto registered = [](const v1::Registration& r) {
    return r.state() == v1::REGISTRATION_STATE_HOME || r.state() == v1::REGISTRATION_STATE_ROAMING;
  };
  const bool eps = registered(s.eps_registration()) ||
                   (!registered(s.cs_registration()) &&
                    s.eps_registration().state() != v1::REGISTRATION_STATE_UNSPECIFIED);
  const v1::Registration& r = eps ? s.eps_registration() : s.cs_registration();
  const std::string on =
      s.operator_().name().empty() ? std::string() : absl::StrCat(" on ", s.operator_().name());
  const char* via = eps ? " (+CEREG)" : " (+CREG)";
  switch (r.state()) {
    case v1::REGISTRATION_STATE_HOME:
      return Pass("registration", absl::StrCat("registered, home network", on, via));
    case v1::REGISTRATION_STATE_ROAMING:
      return Pass("registration", absl::StrCat("registered, roaming", on, via));
    case v1::REGISTRATION_STATE_SEARCHING:
      return Warn("registration", absl::StrCat("searching for a network", via));
    case v1::REGISTRATION_STATE_DENIED:
      return Fail(
          "registration",
          absl::StrCat("the network denied registration", via,
                       ": the SIM is not provisioned, barred or out of credit; ask the carrier"));
    case v1::REGISTRATION_STATE_NOT_REGISTERED:
      return Fail("registration", absl::StrCat("not registered and not searching", via,
                                               ": check AT+COPS (deregistered?) and AT+CFUN"));
    case v1::REGISTRATION_STATE_UNKNOWN:
      return Warn("registration", absl::StrCat("unknown, often out of coverage", via));
    case v1::REGISTRATION_STATE_SMS_ONLY_HOME:
    case v1::REGISTRATION_STATE_SMS_ONLY_ROAMING:
      return Fail("registration",
                  absl::StrCat("registered for SMS only (stat ", r.stat_code(), ")", via,
                               ": no packet data; the SIM's plan or the network lacks data "
                               "service, ask the carrier"));
    case v1::REGISTRATION_STATE_EMERGENCY_ONLY:
      return Fail("registration",
                  absl::StrCat("emergency services only (stat ", r.stat_code(), ")", via,
                               ": no usable network for this SIM here; check coverage and "
                               "the SIM's roaming"));
    case v1::REGISTRATION_STATE_OTHER:
      return Warn("registration", absl::StrCat("stat ", r.stat_code(), via));
    default:
      return Warn("registration", "the modem did not report a registration");
  }
}

namespace {

struct Figure {
  const Grading* grading;
  double value;
};

struct Measured {
  std::string where;  // "LTE", "NR5G-SA", "WCDMA", "+CSQ"
  std::vector<Figure> figures;
};

std::optional<Measured> Measure(const v1::ModemStatus& s) {
  const v1::ServingCell& cell = s.serving_cell();
  // LTE and NR SA cells carry the same optional rsrp_dbm, rsrq_db and sinr_db.
  auto of_cell = [](const char* where, const auto& c) {
    Measured m{where, {}};
    if (c.has_rsrp_dbm()) m.figures.push_back({&kRsrp, static_cast<double>(c.rsrp_dbm())});
    if (c.has_rsrq_db()) m.figures.push_back({&kRsrq, static_cast<double>(c.rsrq_db())});
    if (c.has_sinr_db()) m.figures.push_back({&kSinr, c.sinr_db()});
    return m;
  };
  std::optional<Measured> m;
  if (cell.has_lte()) m = of_cell("LTE", cell.lte());
  if (cell.has_en_dc()) m = of_cell("LTE anchor of EN-DC", cell.en_dc().lte());
  if (cell.has_nr5g_sa()) m = of_cell("NR5G-SA", cell.nr5g_sa());
  if (cell.has_wcdma()) {
    m = Measured{"WCDMA", {}};
    const v1::WcdmaServingCell& w = cell.wcdma();
    if (w.has_rscp_dbm()) m->figures.push_back({&kRscp, static_cast<double>(w.rscp_dbm())});
    if (w.has_ecio_db()) m->figures.push_back({&kEcio, static_cast<double>(w.ecio_db())});
  }
  if ((!m || m->figures.empty()) && s.signal().has_rssi_dbm()) {
    m = Measured{"+CSQ", {{&kRssi, static_cast<double>(s.signal().rssi_dbm())}}};
  }
  return m;
}

}  // namespace

v1::DiagnosticCheck SignalCheck(const v1::ModemStatus& s) {
  std::optional<Measured> m = Measure(s);
  if (!m || m->figures.empty()) {
    return Warn("signal", "no signal measurement (no serving cell, +CSQ unknown)");
  }
  std::vector<std::string> figures;
  v1::CheckResult result = v1::CHECK_RESULT_PASS;
  for (const Figure& f : m->figures) {
    const Grading& g = *f.grading;
    const char* band = "good";
    if (f.value <= g.fail_at) {
      band = "no usable signal";
      result = v1::CHECK_RESULT_FAIL;
    } else if (f.value < g.good_from) {
      band = "fair to poor";
      if (result == v1::CHECK_RESULT_PASS) result = v1::CHECK_RESULT_WARN;
    }
    figures.push_back(absl::StrFormat("%s %g %s (%s)", g.name, f.value, g.unit, band));
  }
  std::string detail = absl::StrCat(m->where, ": ", absl::StrJoin(figures, ", "));
  if (result == v1::CHECK_RESULT_WARN)
    absl::StrAppend(&detail, "; weak: expect drops, check the antennas");
  if (result == v1::CHECK_RESULT_FAIL)
    absl::StrAppend(&detail,
                    "; too weak for a stable link: check the antennas and their placement");
  return Check("signal", result, std::move(detail));
}

namespace {

// What to do about each way a link fails.
const char* LinkAdvice(v1::ConnectionFailure failure) {
  switch (failure) {
    case v1::CONNECTION_FAILURE_NO_CARRIER:
    case v1::CONNECTION_FAILURE_MODEM_ERROR:
      return "the network refused the call: check the APN (cellfleet config get)";
    case v1::CONNECTION_FAILURE_AUTH_REJECTED:
      return "the network refused the credentials: check username, password and PAP/CHAP";
    case v1::CONNECTION_FAILURE_PORT_LOCKED:
      return "another program holds the modem port (picocom? ModemManager?)";
    case v1::CONNECTION_FAILURE_PORT_OPEN_FAILED:
      return "the modem port cannot be opened: check the device and its permissions";
    case v1::CONNECTION_FAILURE_CHAT_TIMEOUT:
      return "the modem port did not answer the dial script: is it the modem port (ttyUSB3)?";
    case v1::CONNECTION_FAILURE_ECHO_TIMEOUT:
    case v1::CONNECTION_FAILURE_MODEM_HANGUP:
    case v1::CONNECTION_FAILURE_PEER_TERMINATED:
      return "the link died: weak signal or the network ended the session; keep-up redials";
    case v1::CONNECTION_FAILURE_NO_KERNEL_SUPPORT:
      return "the kernel has no PPP: load ppp_async and ppp_generic";
    case v1::CONNECTION_FAILURE_OPTION_ERROR:
      return "pppd refused its options: is /etc/ppp/peers/cellfleet installed (package "
             "cellfleet-agent) and the agent's user in group dip?";
    case v1::CONNECTION_FAILURE_NOT_PRIVILEGED:
      return "pppd lacks privileges: it must run setuid root, the agent in group dip";
    default:
      return "see the agent's log for pppd's output";
  }
}

}  // namespace

v1::DiagnosticCheck LinkCheck(const v1::ModemStatus& s) {
  const v1::ConnectionStatus& link = s.connection();
  switch (link.state()) {
    case v1::CONNECTION_STATE_CONNECTED:
      return Pass("link", absl::StrCat(link.interface_name(), " up, ", link.local_address(),
                                       " peer ", link.remote_address(), ", DNS ",
                                       absl::StrJoin(link.dns_servers(), " "), ", config version ",
                                       link.config_version()));
    case v1::CONNECTION_STATE_DIALING:
      return Warn("link", link.redial_attempts() > 0
                              ? absl::StrCat("redialing, attempt ", link.redial_attempts())
                              : std::string("dialing"));
    case v1::CONNECTION_STATE_DISCONNECTING:
      return Warn("link", "hanging up");
    case v1::CONNECTION_STATE_FAILED: {
      std::string why = v1::ConnectionFailure_Name(link.failure());
      if (!link.failure_detail().empty()) absl::StrAppend(&why, " (", link.failure_detail(), ")");
      return Fail("link", absl::StrCat(why, ": ", LinkAdvice(link.failure())));
    }
    case v1::CONNECTION_STATE_DISCONNECTED:
      return Pass("link", "down: not dialed (cellfleet dial brings it up)");
    default:
      return Skipped("link", "no PPP connection on this agent");
  }
}

v1::DiagnosticCheck ConfigCheck(const v1::ModemStatus& s) {
  if (!s.has_config()) return Skipped("config", "config push is off on this agent (see its log)");
  const v1::ConfigState& config = s.config();
  if (config.has_pending()) {
    return Warn(
        "config",
        absl::StrCat("version ", config.pending().version(), " awaits a confirm until ",
                     TimeUtil::ToString(config.pending().deadline()),
                     ", else it rolls back to version ", config.pending().rollback_to_version()));
  }
  if (config.recent_steps_size() > 0) {
    const v1::ConfigStep& last = *config.recent_steps().rbegin();
    if (last.kind() == v1::CONFIG_STEP_KIND_ROLLED_BACK) {
      return Warn("config", absl::StrCat("version ", config.version(),
                                         " in force after a rollback of version ", last.version(),
                                         ": ", last.detail()));
    }
  }
  return Pass("config", absl::StrCat("version ", config.version()));
}

v1::DiagnosticCheck CertificateCheck(const v1::ModemStatus& s, absl::Time now) {
  if (!s.has_agent_certificate()) return Skipped("certificate", "plaintext: no TLS certificate");
  const v1::AgentCertificate& c = s.agent_certificate();
  if (!c.error().empty()) return Fail("certificate", absl::StrCat("cannot be read: ", c.error()));
  const absl::Time start = FromProtoTime(c.not_before()), end = FromProtoTime(c.not_after());
  const std::string until =
      absl::StrCat(c.subject(), ", valid until ", TimeUtil::ToString(c.not_after()));
  if (now >= end) {
    return Fail("certificate",
                absl::StrCat(until,
                             ": expired; clients refuse it. Renew it "
                             "(make-certs.sh DIR renew agent-NAME) and copy it here"));
  }
  const absl::Duration left = end - now;
  if (left < (end - start) / 3) {
    return Warn("certificate",
                absl::StrCat(until, " (", absl::ToInt64Hours(left) / 24,
                             " days left): in the last third of its life, renew it"));
  }
  return Pass("certificate", until);
}

v1::DiagnosticCheck UsageCheck(const v1::ModemStatus& s) {
  const v1::SimUsage& u = s.usage();
  if (u.iccid().empty()) {
    return Skipped("usage", s.identity().iccid().empty()
                                ? "no SIM has been seen yet"
                                : "the SIM's account shows from the next sample on");
  }
  const uint64_t used = u.cycle().rx_bytes() + u.cycle().tx_bytes();
  std::string detail =
      absl::StrCat("SIM ", u.iccid(), ": ", base::FormatBytes(used), " this cycle (until ",
                   TimeUtil::ToString(u.cycle().end()), ")");
  if (u.plan().cap_bytes() > 0)
    absl::StrAppend(&detail, " of a ", base::FormatBytes(u.plan().cap_bytes()), " cap");
  if (u.projected_bytes() > 0)
    absl::StrAppend(&detail, ", on pace for ", base::FormatBytes(u.projected_bytes()));
  switch (u.state()) {
    case v1::USAGE_STATE_WARNING:
      return Warn("usage", absl::StrCat(detail, ": past the warning threshold"));
    case v1::USAGE_STATE_CAP_REACHED:
      return Warn("usage", absl::StrCat(detail, ": past the cap (the plan only warns)"));
    case v1::USAGE_STATE_BLOCKED:
      return Fail("usage", absl::StrCat(detail,
                                        ": at the cap, link held down until the next cycle; "
                                        "`cellfleet usage override --reason ...` lets it through"));
    case v1::USAGE_STATE_OVERRIDDEN:
      return Warn("usage",
                  absl::StrCat(detail, ": past the cap, let through by ", u.cap_override().by(),
                               " (", u.cap_override().reason(), ")"));
    default:
      return Pass("usage", detail);
  }
}

v1::DiagnosticCheck RecoveryCheck(const v1::ModemStatus& s) {
  if (!s.has_recovery()) return Skipped("recovery", "this agent reports no recovery ladder");
  const v1::RecoveryStatus& r = s.recovery();
  const v1::RecoveryAction& last = r.last();
  std::string last_text;
  if (last.sequence() > 0) {
    last_text = absl::StrCat("last step ", convert::RecoveryStepName(last.step()), " by ",
                             last.requested_by(), " at ", TimeUtil::ToString(last.started_at()),
                             ": ", convert::RecoveryOutcomeName(last.outcome()));
    if (!last.detail().empty()) absl::StrAppend(&last_text, " (", last.detail(), ")");
  }
  auto with_last = [&](std::string text) {
    return last_text.empty() ? text : absl::StrCat(text, "; ", last_text);
  };
  if (!r.held().empty()) {
    return Fail("recovery", with_last(absl::StrCat(r.problem(), "; not resetting: ", r.held())));
  }
  if (!r.problem().empty()) {
    std::string detail = r.problem();
    if (!r.enabled()) {
      absl::StrAppend(&detail, "; the ladder is off (recovery.enabled)");
    } else if (r.next_step() != v1::RECOVERY_STEP_UNSPECIFIED) {
      absl::StrAppend(&detail,
                      "; next step if it lasts: ", convert::RecoveryStepName(r.next_step()));
    }
    return Warn("recovery", with_last(std::move(detail)));
  }
  return Pass("recovery", with_last(r.enabled() ? "no loss of service"
                                                : "no loss of service; the ladder is off"));
}

}  // namespace cellfleet::agent
