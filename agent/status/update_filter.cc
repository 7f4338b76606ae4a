#include "agent/status/update_filter.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/keepalive.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::MessageDifferencer;

// Slack so a sample published a hair early (timer jitter) still counts as due.
constexpr absl::Duration kSlack = absl::Milliseconds(100);

const v1::LteServingCell* LteOf(const v1::ModemStatus& s) {
  if (s.serving_cell().has_lte()) return &s.serving_cell().lte();
  if (s.serving_cell().has_en_dc()) return &s.serving_cell().en_dc().lte();
  return nullptr;
}

void StripLteSignal(v1::LteServingCell* lte) {
  lte->clear_rsrp_dbm();
  lte->clear_rsrq_db();
  lte->clear_rssi_dbm();
  lte->clear_sinr_db();
  lte->clear_sinr_raw();
  lte->clear_cqi();
  lte->clear_tx_power_dbm();
  lte->clear_srxlev_db();
}

// Data used this cycle moves an on-change stream at this step, not with every packet.
constexpr uint64_t kUsageStep = 1'000'000;

// The status without its timestamp, the metrics that deadbands govern, and the link's
// byte counters (they move with every packet: not a change worth a metered update).
v1::ModemStatus WithoutSignal(const v1::ModemStatus& s) {
  v1::ModemStatus copy = s;
  copy.clear_sampled_at();
  copy.clear_signal();
  if (copy.has_connection()) {
    copy.mutable_connection()->clear_rx_bytes();
    copy.mutable_connection()->clear_tx_bytes();
  }
  if (copy.has_usage()) {  // a change per megabyte used: the collector's figure stays fresh
    v1::UsageCycle* cycle = copy.mutable_usage()->mutable_cycle();
    cycle->set_rx_bytes((cycle->rx_bytes() + cycle->tx_bytes()) / kUsageStep);
    cycle->clear_tx_bytes();
    copy.mutable_usage()->clear_projected_bytes();
    copy.mutable_usage()->clear_last_seen();
  }
  if (copy.has_serving_cell()) {
    v1::ServingCell* cell = copy.mutable_serving_cell();
    cell->clear_raw_response();
    if (cell->has_lte()) StripLteSignal(cell->mutable_lte());
    if (cell->has_en_dc()) StripLteSignal(cell->mutable_en_dc()->mutable_lte());
  }
  return copy;
}

// True when a metric moved by at least its deadband (0: any change), or appeared/vanished.
template <typename T>
bool Moved(bool had, T before, bool has, T after, uint32_t deadband) {
  if (had != has) return true;
  if (!has) return false;
  double delta = std::fabs(static_cast<double>(after) - static_cast<double>(before));
  return deadband == 0 ? delta > 0 : delta >= deadband;
}

}  // namespace

absl::StatusOr<UpdateFilter> UpdateFilter::Create(const v1::WatchStatusRequest& request,
                                                  absl::Duration min_interval) {
  UpdateFilter filter;
  absl::Duration interval = FromProtoDuration(request.sample_interval());
  absl::Duration heartbeat = FromProtoDuration(request.heartbeat_interval());
  if (interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("sample_interval must not be negative");
  }
  if (heartbeat < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("heartbeat_interval must not be negative");
  }
  if (interval > absl::Hours(24) || heartbeat > absl::Hours(24)) {
    return absl::InvalidArgumentError("intervals longer than 24 h are not supported");
  }
  for (const std::string& path : request.field_mask().paths()) {
    google::protobuf::FieldMask single;
    single.add_paths(path);
    if (!FieldMaskUtil::IsValidFieldMask<v1::ModemStatus>(single)) {
      return absl::InvalidArgumentError(
          absl::StrCat("field_mask path \"", path, "\" is not a field of ModemStatus"));
    }
  }
  filter.on_change_ = request.on_change();
  filter.sample_interval_ = std::max(interval, min_interval);
  filter.heartbeat_interval_ = heartbeat == absl::ZeroDuration()
                                   ? kDefaultStreamHeartbeat
                                   : std::max(heartbeat, min_interval);
  filter.deadbands_ = request.deadbands();
  filter.mask_ = request.field_mask();
  return filter;
}

StatusPtr UpdateFilter::Mask(const StatusPtr& status) const {
  if (mask_.paths_size() == 0) return status;
  auto masked = std::make_shared<v1::ModemStatus>(*status);
  FieldMaskUtil::TrimMessage(mask_, masked.get());
  return masked;
}

bool UpdateFilter::Changed(const v1::ModemStatus& before, const v1::ModemStatus& after) const {
  if (!MessageDifferencer::Equals(WithoutSignal(before), WithoutSignal(after))) return true;
  const v1::LteServingCell* a = LteOf(before);
  const v1::LteServingCell* b = LteOf(after);
  if ((a == nullptr) != (b == nullptr)) return true;
  if (a != nullptr) {
    if (Moved(a->has_rsrp_dbm(), a->rsrp_dbm(), b->has_rsrp_dbm(), b->rsrp_dbm(),
              deadbands_.rsrp_db()) ||
        Moved(a->has_rsrq_db(), a->rsrq_db(), b->has_rsrq_db(), b->rsrq_db(),
              deadbands_.rsrq_db()) ||
        Moved(a->has_sinr_db(), a->sinr_db(), b->has_sinr_db(), b->sinr_db(),
              deadbands_.sinr_db()) ||
        Moved(a->has_rssi_dbm(), a->rssi_dbm(), b->has_rssi_dbm(), b->rssi_dbm(),
              deadbands_.rssi_db())) {
      return true;
    }
  }
  return Moved(before.signal().has_rssi_dbm(), before.signal().rssi_dbm(),
               after.signal().has_rssi_dbm(), after.signal().rssi_dbm(), deadbands_.rssi_db());
}

std::optional<PlannedUpdate> UpdateFilter::Offer(const StatusPtr& status, absl::Time now) {
  StatusPtr masked = Mask(status);
  const absl::Duration since = now - last_sent_at_;
  if (!on_change_) {
    if (last_sent_ && since + kSlack < sample_interval_) return std::nullopt;
    last_sent_ = masked;
    last_sent_at_ = now;
    return PlannedUpdate{v1::UPDATE_KIND_SAMPLE, masked};
  }
  if (!last_sent_ || Changed(*last_sent_, *masked)) {
    last_sent_ = masked;
    last_sent_at_ = now;
    return PlannedUpdate{v1::UPDATE_KIND_CHANGE, masked};
  }
  if (since + kSlack >= heartbeat_interval_) {
    last_sent_at_ = now;
    static const StatusPtr kEmpty = std::make_shared<const v1::ModemStatus>();
    return PlannedUpdate{v1::UPDATE_KIND_HEARTBEAT, kEmpty};
  }
  return std::nullopt;
}

}  // namespace cellfleet::agent
