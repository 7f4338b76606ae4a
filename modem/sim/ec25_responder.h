// The command interpreter of a simulated Quectel EC25: one AT command line in, the
// bytes a real EC25 would print back out (V1 verbose framing: CR LF around each line).
#ifndef CELLFLEET_MODEM_SIM_EC25_RESPONDER_H_
#define CELLFLEET_MODEM_SIM_EC25_RESPONDER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "modem/sim/radio_model.h"
#include "modem/sim/scenario.h"

namespace cellfleet::modem::sim {

struct SimIdentity {
  std::string manufacturer = "Quectel";
  std::string model = "EC25";
  std::string revision = "EC25EFAR06A06M4G";
  std::string firmware = "EC25EFAR06A06M4G_01.001.01.001";  // AT+QGMR
  std::string imei;
  std::string imsi;
  std::string iccid;
};

// Builds a plausible identity for board `index` (valid Luhn IMEI, 20-char ICCID).
SimIdentity MakeIdentity(uint64_t seed, int index, const RadioProfile& profile);

struct PdpContextSetting {
  std::string type = "IP";
  std::string apn;
};

// What the AT port and the modem port of one simulated modem share.
struct SimModemState {
  SimIdentity identity;
  RadioModel* radio = nullptr;
  SimCardState sim = SimCardState::kReady;
  std::map<int, PdpContextSetting> contexts = {{1, PdpContextSetting{}}};
  int cfun = 1;
  DataSettings data;
};

class Ec25Responder {
 public:
  // `modem` is shared with the board's other port and must outlive this.
  explicit Ec25Responder(SimModemState* modem);

  // Handles one command line (without CR); returns what the modem prints after the echo.
  std::string HandleLine(absl::string_view line);

  // URCs caused by radio changes since the last call (+CREG/+CEREG when enabled).
  std::string TakeUrcs();

  // What the modem prints on power-up (RDY and friends), after resetting its settings.
  std::string Reset();

  bool echo() const { return echo_; }
  // ATD on this port asks for data mode; the port owner decides (see sim_fleet).
  bool TakeDialRequest() {
    bool d = dial_requested_;
    dial_requested_ = false;
    return d;
  }

 private:
  // One basic command (after splitting "AT+A;+B"); appends info lines, returns the
  // final result line, or "" to mean OK.
  std::string Execute(absl::string_view command, std::vector<std::string>& info);
  std::string CmeError(int code) const;
  std::string RegistrationLine(absl::string_view prefix, int n, bool solicited) const;
  std::string ServingCellLine() const;

  SimModemState* modem_;
  bool echo_ = true;  // factory default; comes back after every reset
  int cmee_ = 1;
  int creg_n_ = 0;
  int cgreg_n_ = 0;
  int cereg_n_ = 0;
  int cops_format_ = 0;
  bool dial_requested_ = false;
  // For URCs: what was last reported.
  int reported_stat_ = -1;
  size_t reported_cell_ = 0;
};

}  // namespace cellfleet::modem::sim

#endif  // CELLFLEET_MODEM_SIM_EC25_RESPONDER_H_
