#include "agent/checks/diagnosis.h"

#include "agent/checks/layer_checks.h"

namespace cellfleet::agent {

v1::DiagnoseResponse Diagnose(const v1::ModemStatus& latest, absl::Time now,
                              absl::Duration poll_interval) {
  v1::DiagnoseResponse response;
  auto add = [&response](v1::DiagnosticCheck check) { *response.add_checks() = std::move(check); };
  add(SampleCheck(latest, now, poll_interval));
  add(ModemCheck(latest));
  if (latest.modem_state() != v1::MODEM_STATE_READY) {
    const std::string because = "the modem is not ready (see modem)";
    add(Skipped("sim", because));
    add(Skipped("registration", because));
    add(Skipped("signal", because));
  } else {
    add(SimCheck(latest));
    if (latest.sim_state() != v1::SIM_STATE_READY) {
      add(Skipped("registration", "no usable SIM (see sim)"));
    } else {
      add(RegistrationCheck(latest));
    }
    add(SignalCheck(latest));  // a modem camps and measures without a SIM too
  }
  add(LinkCheck(latest));
  add(UsageCheck(latest));
  add(CertificateCheck(latest, now));
  add(ConfigCheck(latest));
  add(RecoveryCheck(latest));
  return response;
}

}  // namespace cellfleet::agent
