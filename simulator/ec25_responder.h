// The command interpreter of a simulated Quectel EC25: one AT command line in, the
// bytes a real EC25 would print back out (V1 verbose framing: CR LF around each line).
#ifndef CELLFLEET_SIMULATOR_EC25_RESPONDER_H_
#define CELLFLEET_SIMULATOR_EC25_RESPONDER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "simulator/radio_model.h"
#include "simulator/scenario.h"

namespace cellfleet::simulator {

struct SimulatedIdentity {
  std::string manufacturer = "Quectel";
  std::string model = "EC25";
  std::string revision = "EC25EFAR06A06M4G";
  std::string firmware = "EC25EFAR06A06M4G_01.001.01.001";  // AT+QGMR
  std::string imei;
  std::string imsi;
  std::string iccid;
};

// Builds a plausible identity for board `index` (valid Luhn IMEI, 20-char ICCID).
SimulatedIdentity MakeIdentity(uint64_t seed, int index, const RadioProfile& profile);

struct PdpContextSetting {
  std::string type = "IP";
  std::string apn;
};

// What the AT port and the modem port of one simulated modem share.
struct SimulatedModemState {
  SimulatedIdentity identity;
  RadioModel* radio = nullptr;
  SimCardState sim = SimCardState::kReady;
  std::map<int, PdpContextSetting> contexts = {{1, PdpContextSetting{}}};
  int cfun = 1;  // 0 and 4: the radio is off
  DataSettings data;
  SimulatedRat rat = SimulatedRat::kLte;
  bool data_call_up = false;  // a call on the modem port: +QENG says CONNECT
  // Just after boot the SIM answers +CME ERROR: 14 (SIM busy) until then.
  absl::Time sim_busy_until = absl::InfinitePast();
  // Faults only a reboot clears: no registration (the radio keeps searching), and a SIM
  // that reads as failed.
  bool wedged = false;
  bool sim_failed = false;
  // The firmware hangs: no port answers, and no AT command reaches it; only cutting the
  // power clears it.
  bool hung = false;
};

// What a command asks of the port's owner beyond its reply (see simulated_fleet).
enum class PortRequest { kNone, kDataMode, kResumeData, kHangUp, kReboot, kPowerDown };

class Ec25Responder {
 public:
  // `modem` is shared with the board's other port and must outlive this.
  // `clock` times the SIM's busy spell after boot; must outlive the responder.
  explicit Ec25Responder(SimulatedModemState* modem,
                         const base::Clock& clock = base::Clock::Real());

  // Handles one command line (without CR); returns what the modem prints after the echo.
  std::string HandleLine(absl::string_view line);

  // URCs caused by radio changes since the last call (+CREG/+CEREG when enabled).
  std::string TakeUrcs();

  // What the modem prints on power-up (RDY and friends), after resetting its settings.
  std::string Reset();

  bool echo() const { return echo_; }
  // Whether this port has a call the owner keeps while in online command mode (after
  // +++): ATO resumes it, ATH ends it.
  void set_call_active(bool active) { call_active_ = active; }
  // ATD, ATO, ATH, AT+CFUN=1,1, AT+QPOWD: what the owner must do after the reply.
  PortRequest TakeRequest() {
    PortRequest r = request_;
    request_ = PortRequest::kNone;
    return r;
  }

 private:
  // One basic command (after splitting "AT+A;+B"); appends info lines, returns the
  // final result line, or "" to mean OK.
  std::string Execute(absl::string_view command, std::vector<std::string>& info);
  // The command families Execute tries in turn: each returns nullopt for a command that
  // is not one of its own, else Execute's result.
  std::optional<std::string> Settings(absl::string_view command, const std::string& upper,
                                      std::vector<std::string>& info);
  std::optional<std::string> Identity(absl::string_view command, const std::string& upper,
                                      std::vector<std::string>& info);
  std::optional<std::string> SimAndSignal(absl::string_view command, const std::string& upper,
                                          std::vector<std::string>& info);
  std::optional<std::string> Network(absl::string_view command, const std::string& upper,
                                     std::vector<std::string>& info);
  std::optional<std::string> DataContexts(absl::string_view command, const std::string& upper,
                                          std::vector<std::string>& info);
  std::optional<std::string> Calls(absl::string_view command, const std::string& upper,
                                   std::vector<std::string>& info);
  bool SimReady() const { return modem_->sim == SimCardState::kReady; }
  // The CME error for a command that needs the SIM; "" when it is there and unlocked.
  std::string SimMissing() const;
  std::string CmeError(int code) const;
  std::string RegistrationLine(absl::string_view prefix, int n, bool solicited) const;
  std::string ServingCellLine() const;
  int AccessTechnology() const;  // +COPS/+CxREG <AcT> of the current radio
  bool RadioOn() const { return modem_->cfun == 1; }
  // The 27.007 <stat> the modem reports, the one place that decides it: the network's
  // answer, except that a modem with its radio off, or without a usable SIM, is not
  // registered (it may camp for emergency calls, but it never registers), and a wedged
  // modem keeps searching.
  int RegistrationStat() const;
  bool Registered() const;
  bool SimBusy() const { return clock_.Now() < modem_->sim_busy_until; }

  SimulatedModemState* modem_;
  const base::Clock& clock_;
  bool echo_ = true;  // factory default; comes back after every reset
  int cmee_ = 1;
  int creg_n_ = 0;
  int cgreg_n_ = 0;
  int cereg_n_ = 0;
  int cops_format_ = 0;
  PortRequest request_ = PortRequest::kNone;
  bool call_active_ = false;
  // For URCs: what was last reported.
  int reported_stat_ = -1;
  size_t reported_cell_ = 0;
  SimulatedRat reported_rat_ = SimulatedRat::kLte;
};

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_EC25_RESPONDER_H_
