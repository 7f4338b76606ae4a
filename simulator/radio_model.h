// A believable, deterministic LTE radio for one simulated board: signal as a bounded
// mean-reverting random walk, occasional handovers, registration that drops and returns.
#ifndef CELLFLEET_SIMULATOR_RADIO_MODEL_H_
#define CELLFLEET_SIMULATOR_RADIO_MODEL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace cellfleet::simulator {

struct CellSite {
  int mcc = 262;
  std::string mnc = "01";
  uint64_t eci = 0;  // 28-bit E-UTRAN cell id
  int pci = 0;
  int earfcn = 0;
  int band = 0;
  int bandwidth_code = 5;  // 20 MHz
  uint32_t tac = 0;
};

struct RadioState {
  // 0 not searching, 1 home, 2 searching, 3 denied, 5 roaming (27.007 <stat>).
  int registration_stat = 1;
  size_t serving_cell = 0;  // index into cells
  double rsrp_dbm = -95;
  double rsrq_db = -10;
  double sinr_db = 12;
  uint64_t handovers = 0;
  uint64_t registration_drops = 0;
};

struct RadioProfile {
  std::string operator_name = "Telekom.de";
  int mcc = 262;
  std::string mnc = "01";
  double base_rsrp_dbm = -95;
  double rsrp_step_db = 1.5;           // random-walk step per second (std dev)
  double handover_per_second = 0.002;  // probability per 1 s step
  double deregister_per_second = 0.0005;
  int searching_seconds = 8;  // how long a drop lasts
  bool roaming = false;
  bool drift = true;  // false: signal, cell and registration stay put (exact tests)
};

class RadioModel {
 public:
  RadioModel(uint64_t seed, RadioProfile profile);

  // Advances by whole seconds; the same seed and step count give the same states.
  void Step(int seconds = 1);

  const RadioState& state() const { return state_; }
  RadioState& mutable_state() { return state_; }
  const RadioProfile& profile() const { return profile_; }
  const std::vector<CellSite>& cells() const { return cells_; }
  const CellSite& serving() const { return cells_[state_.serving_cell]; }
  bool registered() const { return state_.registration_stat == 1 || state_.registration_stat == 5; }

  // Derived quantities, rounded the way the modem prints them.
  int rsrp() const;
  int rsrq() const;
  int sinr() const;
  int rssi() const;      // from RSRP, RSRQ and the number of resource blocks
  int csq_rssi() const;  // +CSQ <rssi> code 0..31, 99 when not camped
  int srxlev() const;

  // Scenario hooks.
  void SetRegistration(int stat) { state_.registration_stat = stat; }
  // A lasting change of level (fade or recovery): the walk reverts to the new level.
  void ShiftSignal(double rsrp_delta_db) {
    state_.rsrp_dbm += rsrp_delta_db;
    profile_.base_rsrp_dbm += rsrp_delta_db;
  }
  int home_stat() const { return profile_.roaming ? 5 : 1; }

 private:
  void StepOnce();

  RadioProfile profile_;
  std::mt19937_64 rng_;
  std::vector<CellSite> cells_;
  RadioState state_;
  int searching_left_ = 0;
};

}  // namespace cellfleet::simulator

#endif  // CELLFLEET_SIMULATOR_RADIO_MODEL_H_
