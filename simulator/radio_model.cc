#include "simulator/radio_model.h"

#include <algorithm>
#include <cmath>

namespace cellfleet::simulator {
namespace {

constexpr int kResourceBlocks[] = {6, 15, 25, 50, 75, 100};

double Clamp(double v, double lo, double hi) { return std::max(lo, std::min(hi, v)); }

}  // namespace

RadioModel::RadioModel(uint64_t seed, RadioProfile profile)
    : profile_(std::move(profile)), rng_(seed) {
  // Three cells around the board: the serving one and two neighbours on LTE band 3/20.
  std::uniform_int_distribution<uint64_t> enb(10000, 900000);
  std::uniform_int_distribution<int> pci(0, 503);
  std::uniform_int_distribution<uint32_t> tac(0x100, 0xFFFE);
  const uint64_t enb_id = enb(rng_);
  const uint32_t area = tac(rng_);
  const int earfcns[] = {1300, 6300, 1300};
  const int bands[] = {3, 20, 3};
  const int bandwidths[] = {5, 3, 5};
  for (int i = 0; i < 3; ++i) {
    CellSite cell;
    cell.mcc = profile_.mcc;
    cell.mnc = profile_.mnc;
    cell.eci = ((enb_id + static_cast<uint64_t>(i / 2)) << 8) | static_cast<uint64_t>(1 + i);
    cell.pci = pci(rng_);
    cell.earfcn = earfcns[i];
    cell.band = bands[i];
    cell.bandwidth_code = bandwidths[i];
    cell.tac = area;
    cells_.push_back(cell);
  }
  state_.rsrp_dbm = profile_.base_rsrp_dbm;
  state_.registration_stat = profile_.roaming ? 5 : 1;
}

void RadioModel::Step(int seconds) {
  for (int i = 0; i < seconds; ++i) StepOnce();
}

void RadioModel::StepOnce() {
  if (!profile_.drift) return;
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  // Mean-reverting walk keeps the signal near the profile's base, within 3GPP ranges.
  state_.rsrp_dbm +=
      profile_.rsrp_step_db * noise(rng_) + 0.1 * (profile_.base_rsrp_dbm - state_.rsrp_dbm);
  state_.rsrp_dbm = Clamp(state_.rsrp_dbm, -140, -44);
  state_.rsrq_db =
      Clamp(state_.rsrq_db + 0.5 * noise(rng_) + 0.1 * (-10 - state_.rsrq_db), -20, -3);
  double sinr_target = Clamp((state_.rsrp_dbm + 120) * 0.6, -5, 30);
  state_.sinr_db =
      Clamp(state_.sinr_db + noise(rng_) + 0.2 * (sinr_target - state_.sinr_db), -20, 30);

  if (searching_left_ > 0) {
    if (--searching_left_ == 0) state_.registration_stat = profile_.roaming ? 5 : 1;
  } else if (coin(rng_) < profile_.deregister_per_second && registered()) {
    state_.registration_stat = 2;
    searching_left_ = profile_.searching_seconds;
    ++state_.registration_drops;
  }
  if (registered() && coin(rng_) < profile_.handover_per_second) {
    state_.serving_cell = (state_.serving_cell + 1) % cells_.size();
    state_.rsrp_dbm += 3;  // handovers go to a stronger cell
    ++state_.handovers;
  }
}

int RadioModel::rsrp() const { return static_cast<int>(std::lround(state_.rsrp_dbm)); }
int RadioModel::rsrq() const { return static_cast<int>(std::lround(state_.rsrq_db)); }
int RadioModel::sinr() const { return static_cast<int>(std::lround(state_.sinr_db)); }

int RadioModel::rssi() const {
  // RSRQ = N * RSRP / RSSI  =>  RSSI = 10 log10(N) + RSRP - RSRQ (dB units).
  const int rb = kResourceBlocks[std::clamp(serving().bandwidth_code, 0, 5)];
  return static_cast<int>(std::lround(10.0 * std::log10(rb) + state_.rsrp_dbm - state_.rsrq_db));
}

int RadioModel::csq_rssi() const {
  if (state_.registration_stat == 0) return 99;
  return std::clamp((rssi() + 113) / 2, 0, 31);
}

int RadioModel::srxlev() const { return std::max(0, rsrp() + 124); }

}  // namespace cellfleet::simulator
