// The checks of a board, one per layer, each judging a status (as the poller samples it,
// or as the doctor reads it live) and saying what to do. Diagnose and the doctor both
// grade with these, so a board reads the same either way.
#ifndef CELLFLEET_AGENT_CHECKS_LAYER_CHECKS_H_
#define CELLFLEET_AGENT_CHECKS_LAYER_CHECKS_H_

#include <string>

#include "absl/time/time.h"
#include "cellfleet/v1/agent_service.pb.h"

namespace cellfleet::agent {

v1::DiagnosticCheck Check(const char* name, v1::CheckResult result, std::string detail);
v1::DiagnosticCheck Pass(const char* name, std::string detail);
v1::DiagnosticCheck Warn(const char* name, std::string detail);
v1::DiagnosticCheck Fail(const char* name, std::string detail);
// Meaningless while a check before it fails: `because` names that failure.
v1::DiagnosticCheck Skipped(const char* name, std::string because);

// Whether the poller is alive: the latest sample's age against `poll_interval`.
v1::DiagnosticCheck SampleCheck(const v1::ModemStatus& s, absl::Time now,
                                absl::Duration poll_interval);
v1::DiagnosticCheck ModemCheck(const v1::ModemStatus& s);
v1::DiagnosticCheck SimCheck(const v1::ModemStatus& s);
// EPS (+CEREG) for LTE, else circuit-switched (+CREG) after a fallback to 2G/3G.
v1::DiagnosticCheck RegistrationCheck(const v1::ModemStatus& s);
// Graded by the bands router vendors publish (Teltonika's "Mobile Signal Strength
// Recommendations", Digi's for Ec/Io): RSRP -100/-116 dBm, RSRQ -15/-20 dB, SINR 13/0 dB
// on LTE and NR; RSCP -95/-105 dBm and Ec/Io -10/-20 dB on WCDMA; +CSQ's RSSI -93/-107
// dBm only when the serving cell has none. At or above the first: good; between: fair to
// poor (WARN); at or below the second: no usable signal (FAIL).
v1::DiagnosticCheck SignalCheck(const v1::ModemStatus& s);
v1::DiagnosticCheck LinkCheck(const v1::ModemStatus& s);
v1::DiagnosticCheck ConfigCheck(const v1::ModemStatus& s);
// The recovery ladder: a loss of service it works on (WARN), or one it may not reset over
// (FAIL: a cause no reset fixes, its budget spent, the top of the ladder reached).
v1::DiagnosticCheck RecoveryCheck(const v1::ModemStatus& s);
// The SIM's data this cycle against its plan: FAIL while blocked at the cap.
v1::DiagnosticCheck UsageCheck(const v1::ModemStatus& s);
// The agent's TLS certificate: fails when expired or unreadable, warns in the last third
// of its life (when make-certs.sh renews), and on a plaintext agent is skipped.
v1::DiagnosticCheck CertificateCheck(const v1::ModemStatus& s, absl::Time now);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_CHECKS_LAYER_CHECKS_H_
