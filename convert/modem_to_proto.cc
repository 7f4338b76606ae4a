#include "convert/modem_to_proto.h"

#include <string>

#include "proto/time_convert.h"

namespace cellfleet::convert {
namespace {

using modem::Duplex;
using modem::RadioTech;
using modem::ServingState;
using modem::SimState;

v1::SimState ToProto(SimState state) {
  switch (state) {
    case SimState::kReady:
      return v1::SIM_STATE_READY;
    case SimState::kPinRequired:
    case SimState::kPin2Required:
      return v1::SIM_STATE_PIN_REQUIRED;
    case SimState::kPukRequired:
    case SimState::kPuk2Required:
      return v1::SIM_STATE_PUK_REQUIRED;
    case SimState::kPersonalizationLocked:
      return v1::SIM_STATE_OTHER_LOCK;
    case SimState::kNotInserted:
      return v1::SIM_STATE_NOT_INSERTED;
    case SimState::kBusy:
      return v1::SIM_STATE_BUSY;
    case SimState::kFailure:
      return v1::SIM_STATE_FAILURE;
    case SimState::kUnknown:
      break;
  }
  return v1::SIM_STATE_UNSPECIFIED;
}

v1::RegistrationState RegistrationStateFromStat(int stat) {
  switch (stat) {
    case 0:
      return v1::REGISTRATION_STATE_NOT_REGISTERED;
    case 1:
      return v1::REGISTRATION_STATE_HOME;
    case 2:
      return v1::REGISTRATION_STATE_SEARCHING;
    case 3:
      return v1::REGISTRATION_STATE_DENIED;
    case 4:
      return v1::REGISTRATION_STATE_UNKNOWN;
    case 5:
    case 10:
      return v1::REGISTRATION_STATE_ROAMING;
    case 9:
      return v1::REGISTRATION_STATE_HOME;
    case 6:
      return v1::REGISTRATION_STATE_SMS_ONLY_HOME;
    case 7:
      return v1::REGISTRATION_STATE_SMS_ONLY_ROAMING;
    case 8:
    case 11:
      return v1::REGISTRATION_STATE_EMERGENCY_ONLY;
    default:
      return v1::REGISTRATION_STATE_OTHER;
  }
}

v1::AccessTechnology AccessTechnologyFromAct(std::optional<int> act) {
  if (!act) return v1::ACCESS_TECHNOLOGY_UNSPECIFIED;
  switch (*act) {
    case 0:
      return v1::ACCESS_TECHNOLOGY_GSM;
    case 2:
      return v1::ACCESS_TECHNOLOGY_UTRAN;
    case 3:
      return v1::ACCESS_TECHNOLOGY_GSM_EGPRS;
    case 4:
      return v1::ACCESS_TECHNOLOGY_UTRAN_HSDPA;
    case 5:
      return v1::ACCESS_TECHNOLOGY_UTRAN_HSUPA;
    case 6:
      return v1::ACCESS_TECHNOLOGY_UTRAN_HSPA;
    case 7:
      return v1::ACCESS_TECHNOLOGY_EUTRAN;
    case 8:
      return v1::ACCESS_TECHNOLOGY_EUTRAN_CAT_M;
    case 9:
      return v1::ACCESS_TECHNOLOGY_EUTRAN_NB_IOT;
    case 10:
      return v1::ACCESS_TECHNOLOGY_EUTRAN_5GCN;
    case 11:
      return v1::ACCESS_TECHNOLOGY_NR_5GCN;
    case 12:
      return v1::ACCESS_TECHNOLOGY_NGRAN;
    case 13:
      return v1::ACCESS_TECHNOLOGY_EUTRAN_NR_DC;
    case 100:
      return v1::ACCESS_TECHNOLOGY_CDMA;
    default:
      return v1::ACCESS_TECHNOLOGY_UNSPECIFIED;
  }
}

v1::Duplex ToProto(Duplex duplex) {
  switch (duplex) {
    case Duplex::kFdd:
      return v1::DUPLEX_FDD;
    case Duplex::kTdd:
      return v1::DUPLEX_TDD;
    case Duplex::kUnknown:
      break;
  }
  return v1::DUPLEX_UNSPECIFIED;
}

v1::ServingCellState ToProto(ServingState state) {
  switch (state) {
    case ServingState::kSearch:
      return v1::SERVING_CELL_STATE_SEARCH;
    case ServingState::kLimitedService:
      return v1::SERVING_CELL_STATE_LIMSRV;
    case ServingState::kIdle:
      return v1::SERVING_CELL_STATE_NOCONN;
    case ServingState::kConnected:
      return v1::SERVING_CELL_STATE_CONNECT;
    case ServingState::kUnknown:
      break;
  }
  return v1::SERVING_CELL_STATE_UNSPECIFIED;
}

v1::RadioTechnology ToProto(RadioTech rat) {
  switch (rat) {
    case RadioTech::kGsm:
      return v1::RADIO_TECHNOLOGY_GSM;
    case RadioTech::kWcdma:
      return v1::RADIO_TECHNOLOGY_WCDMA;
    case RadioTech::kLte:
      return v1::RADIO_TECHNOLOGY_LTE;
    case RadioTech::kLteCatM:
      return v1::RADIO_TECHNOLOGY_LTE_CAT_M;
    case RadioTech::kLteCatNb:
      return v1::RADIO_TECHNOLOGY_LTE_CAT_NB;
    case RadioTech::kNr5gSa:
      return v1::RADIO_TECHNOLOGY_NR5G_SA;
    case RadioTech::kNr5gNsa:
      return v1::RADIO_TECHNOLOGY_NR5G_NSA;
    default:
      return v1::RADIO_TECHNOLOGY_UNSPECIFIED;
  }
}

}  // namespace

v1::SimState SimStateToProto(modem::SimState state) { return ToProto(state); }

void FillOperator(const modem::OperatorSelection& cops, v1::Operator& out) {
  switch (cops.mode) {
    case 0:
      out.set_mode(v1::OPERATOR_SELECTION_MODE_AUTOMATIC);
      break;
    case 1:
      out.set_mode(v1::OPERATOR_SELECTION_MODE_MANUAL);
      break;
    case 2:
      out.set_mode(v1::OPERATOR_SELECTION_MODE_DEREGISTERED);
      break;
    case 4:
      out.set_mode(v1::OPERATOR_SELECTION_MODE_MANUAL_AUTOMATIC);
      break;
    default:
      break;
  }
  if (cops.format == 2) {
    out.set_numeric(cops.oper);
  } else {
    out.set_name(cops.oper);
  }
  out.set_access_technology(AccessTechnologyFromAct(cops.act));
}

void FillSignal(const modem::CsqReading& reading, v1::SignalQuality& out) {
  out.set_rssi_code(static_cast<uint32_t>(reading.rssi_code));
  if (reading.rssi_dbm) out.set_rssi_dbm(*reading.rssi_dbm);
  if (reading.ber_code) out.set_ber_code(static_cast<uint32_t>(*reading.ber_code));
}

void FillRegistration(const modem::RegistrationInfo& info, v1::Registration& out) {
  out.set_state(RegistrationStateFromStat(info.stat));
  out.set_stat_code(static_cast<uint32_t>(info.stat));
  out.set_access_technology(AccessTechnologyFromAct(info.act));
  if (info.lac_or_tac) out.set_location_area_code(*info.lac_or_tac);
  if (info.cell_id) out.set_cell_id(*info.cell_id);
}

namespace {

void FillLte(const modem::LteCell& cell, v1::LteServingCell& out) {
  out.set_duplex(ToProto(cell.duplex));
  out.set_mcc(static_cast<uint32_t>(cell.mcc));
  out.set_mnc(cell.mnc);
  out.set_cell_id(cell.cell_id);
  out.set_enb_id(cell.enb_id());
  out.set_local_cell_id(cell.local_cell_id());
  out.set_pci(static_cast<uint32_t>(cell.pci));
  out.set_earfcn(static_cast<uint32_t>(cell.earfcn));
  out.set_band(static_cast<uint32_t>(cell.band));
  if (cell.ul_bandwidth_code) {
    if (std::optional<int> khz = modem::LteBandwidthKhz(*cell.ul_bandwidth_code))
      out.set_ul_bandwidth_khz(*khz);
  }
  if (cell.dl_bandwidth_code) {
    if (std::optional<int> khz = modem::LteBandwidthKhz(*cell.dl_bandwidth_code))
      out.set_dl_bandwidth_khz(*khz);
  }
  out.set_tac(cell.tac);
  if (cell.rsrp_dbm) out.set_rsrp_dbm(*cell.rsrp_dbm);
  if (cell.rsrq_db) out.set_rsrq_db(*cell.rsrq_db);
  if (cell.rssi_dbm) out.set_rssi_dbm(*cell.rssi_dbm);
  if (cell.sinr_db) out.set_sinr_db(*cell.sinr_db);
  if (cell.sinr_raw) out.set_sinr_raw(*cell.sinr_raw);
  if (cell.cqi) out.set_cqi(static_cast<uint32_t>(*cell.cqi));
  if (cell.tx_power_dbm) out.set_tx_power_dbm(*cell.tx_power_dbm);
  if (cell.srxlev_db) out.set_srxlev_db(*cell.srxlev_db);
}

}  // namespace

void FillServingCell(const modem::ServingCellInfo& info, v1::ServingCell& out) {
  out.set_state(ToProto(info.state));
  out.set_radio_technology(ToProto(info.rat));
  out.set_raw_response(info.raw);
  if (info.rat == RadioTech::kNr5gNsa && info.lte) {
    v1::EnDcServingCell* endc = out.mutable_en_dc();
    FillLte(*info.lte, *endc->mutable_lte());
    if (info.nr5g_nsa) {
      const modem::Nr5gNsaLeg& leg = *info.nr5g_nsa;
      v1::Nr5gNsaLeg* nr = endc->mutable_nr();
      nr->set_mcc(static_cast<uint32_t>(leg.mcc));
      nr->set_mnc(leg.mnc);
      if (leg.pci) nr->set_pci(static_cast<uint32_t>(*leg.pci));
      if (leg.rsrp_dbm) nr->set_rsrp_dbm(*leg.rsrp_dbm);
      if (leg.sinr_db) nr->set_sinr_db(*leg.sinr_db);
      if (leg.rsrq_db) nr->set_rsrq_db(*leg.rsrq_db);
      if (leg.arfcn) nr->set_arfcn(static_cast<uint32_t>(*leg.arfcn));
      if (leg.band) nr->set_band(static_cast<uint32_t>(*leg.band));
      if (leg.dl_bandwidth_code) {
        if (std::optional<int> mhz = modem::NrBandwidthMhz(*leg.dl_bandwidth_code))
          nr->set_dl_bandwidth_mhz(*mhz);
      }
      if (leg.scs_code) {
        if (std::optional<int> khz = modem::NrScsKhz(*leg.scs_code))
          nr->set_subcarrier_spacing_khz(*khz);
      }
    }
  } else if (info.lte) {
    FillLte(*info.lte, *out.mutable_lte());
  } else if (info.wcdma) {
    const modem::WcdmaCell& cell = *info.wcdma;
    v1::WcdmaServingCell* w = out.mutable_wcdma();
    w->set_mcc(static_cast<uint32_t>(cell.mcc));
    w->set_mnc(cell.mnc);
    w->set_lac(cell.lac);
    w->set_cell_id(cell.cell_id);
    w->set_rnc_id(cell.rnc_id());
    w->set_uarfcn(static_cast<uint32_t>(cell.uarfcn));
    w->set_psc(static_cast<uint32_t>(cell.psc));
    if (cell.rac) w->set_rac(static_cast<uint32_t>(*cell.rac));
    if (cell.rscp_dbm) w->set_rscp_dbm(*cell.rscp_dbm);
    if (cell.ecio_db) w->set_ecio_db(*cell.ecio_db);
  } else if (info.gsm) {
    const modem::GsmCell& cell = *info.gsm;
    v1::GsmServingCell* g = out.mutable_gsm();
    g->set_mcc(static_cast<uint32_t>(cell.mcc));
    g->set_mnc(cell.mnc);
    g->set_lac(cell.lac);
    g->set_cell_id(cell.cell_id);
    if (cell.bsic) g->set_bsic(static_cast<uint32_t>(*cell.bsic));
    g->set_arfcn(static_cast<uint32_t>(cell.arfcn));
    if (cell.rxlev_dbm) g->set_rxlev_dbm(*cell.rxlev_dbm);
    if (cell.timing_advance) g->set_timing_advance(static_cast<uint32_t>(*cell.timing_advance));
    if (cell.voice_codec) g->set_voice_codec(*cell.voice_codec);
    if (cell.band) g->set_band(modem::GsmBandName(*cell.band));
  } else if (info.nr5g_sa) {
    const modem::Nr5gSaCell& cell = *info.nr5g_sa;
    v1::Nr5gSaServingCell* n = out.mutable_nr5g_sa();
    n->set_duplex(ToProto(cell.duplex));
    n->set_mcc(static_cast<uint32_t>(cell.mcc));
    n->set_mnc(cell.mnc);
    n->set_cell_id(cell.cell_id);
    n->set_pci(static_cast<uint32_t>(cell.pci));
    n->set_tac(cell.tac);
    n->set_arfcn(static_cast<uint32_t>(cell.arfcn));
    n->set_band(static_cast<uint32_t>(cell.band));
    if (cell.dl_bandwidth_code) {
      if (std::optional<int> mhz = modem::NrBandwidthMhz(*cell.dl_bandwidth_code))
        n->set_dl_bandwidth_mhz(*mhz);
    }
    if (cell.rsrp_dbm) n->set_rsrp_dbm(*cell.rsrp_dbm);
    if (cell.rsrq_db) n->set_rsrq_db(*cell.rsrq_db);
    if (cell.sinr_db) n->set_sinr_db(*cell.sinr_db);
    if (cell.scs_code) {
      if (std::optional<int> khz = modem::NrScsKhz(*cell.scs_code))
        n->set_subcarrier_spacing_khz(*khz);
    }
    if (cell.srxlev_db) n->set_srxlev_db(*cell.srxlev_db);
  }
}

void FillIdentity(const modem::ModemIdentity& identity, v1::Identity& out) {
  out.set_manufacturer(identity.manufacturer);
  out.set_model(identity.model);
  out.set_firmware_revision(identity.firmware_revision);
  out.set_imei(identity.imei);
  out.set_imsi(identity.imsi);
  out.set_iccid(identity.iccid);
}

void FillStatus(const modem::ModemSnapshot& snapshot, v1::ModemStatus& status) {
  FillIdentity(snapshot.identity, *status.mutable_identity());
  status.set_sim_state(SimStateToProto(snapshot.sim_state));
  if (snapshot.cs_registration)
    FillRegistration(*snapshot.cs_registration, *status.mutable_cs_registration());
  if (snapshot.eps_registration)
    FillRegistration(*snapshot.eps_registration, *status.mutable_eps_registration());
  if (snapshot.operator_selection)
    FillOperator(*snapshot.operator_selection, *status.mutable_operator_());
  if (snapshot.signal) FillSignal(*snapshot.signal, *status.mutable_signal());
  if (snapshot.serving_cell)
    FillServingCell(*snapshot.serving_cell, *status.mutable_serving_cell());
  *status.mutable_sampled_at() = ToProtoTime(snapshot.sampled_at);
}

}  // namespace cellfleet::convert
