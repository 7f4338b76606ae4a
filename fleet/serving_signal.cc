#include "fleet/serving_signal.h"

#include "absl/strings/str_cat.h"
#include "fleet/error_text.h"

namespace cellfleet::fleet {

ServingSignal SignalOf(const v1::ModemStatus& s) {
  ServingSignal out;
  const v1::ServingCell& cell = s.serving_cell();
  out.rat = ShortEnumName(v1::RadioTechnology_Name(cell.radio_technology()), "RADIO_TECHNOLOGY_");
  auto lte = [&out](const v1::LteServingCell& l) {
    if (l.has_rsrp_dbm()) out.rsrp = l.rsrp_dbm();
    if (l.has_rsrq_db()) out.rsrq = l.rsrq_db();
    if (l.has_sinr_db()) out.sinr = l.sinr_db();
    if (l.has_rssi_dbm()) out.rssi = l.rssi_dbm();
    out.band = absl::StrCat(l.band());
    out.earfcn = absl::StrCat(l.earfcn());
    out.pci = absl::StrCat(l.pci());
    out.cell_id = absl::StrCat(l.cell_id());
  };
  if (cell.has_lte()) lte(cell.lte());
  if (cell.has_en_dc()) lte(cell.en_dc().lte());
  if (cell.has_nr5g_sa()) {
    const v1::Nr5gSaServingCell& n = cell.nr5g_sa();
    if (n.has_rsrp_dbm()) out.rsrp = n.rsrp_dbm();
    if (n.has_rsrq_db()) out.rsrq = n.rsrq_db();
    if (n.has_sinr_db()) out.sinr = n.sinr_db();
    out.band = absl::StrCat(n.band());
    out.earfcn = absl::StrCat(n.arfcn());
    out.pci = absl::StrCat(n.pci());
    out.cell_id = absl::StrCat(n.cell_id());
  }
  if (cell.has_wcdma()) {
    const v1::WcdmaServingCell& w = cell.wcdma();
    if (w.has_rscp_dbm()) out.rscp = w.rscp_dbm();
    if (w.has_ecio_db()) out.ecio = w.ecio_db();
    out.earfcn = absl::StrCat(w.uarfcn());
    out.cell_id = absl::StrCat(w.cell_id());
  }
  if (cell.has_gsm()) {
    out.band = cell.gsm().band();
    out.earfcn = absl::StrCat(cell.gsm().arfcn());
    out.cell_id = absl::StrCat(cell.gsm().cell_id());
  }
  if (!out.rssi && s.signal().has_rssi_dbm()) out.rssi = s.signal().rssi_dbm();
  return out;
}

}  // namespace cellfleet::fleet
