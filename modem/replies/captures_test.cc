// Every reply in ../shared/testdata/at-captures/captures.json, captured from named real
// modems, is a row here: it must parse, and to its `expected` values.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/ppp/pppd_log.h"
#include "modem/replies/carrier_aggregation.h"
#include "modem/replies/final_result.h"
#include "modem/replies/identity.h"
#include "modem/replies/operator_selection.h"
#include "modem/replies/registration.h"
#include "modem/replies/serving_cell.h"
#include "modem/replies/signal_quality.h"
#include "modem/replies/sim_status.h"
#include "modem/replies/urc.h"
#include "modem/testing/status_matchers.h"
#include "nlohmann/json.hpp"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;
using json = nlohmann::json;

struct Capture {
  std::string id;
  json item;
};

std::vector<Capture> LoadCaptures() {
  std::ifstream in(CELLFLEET_CAPTURES_JSON);
  if (!in) return {};
  json all = json::parse(in);
  std::vector<Capture> captures;
  for (const json& item : all) captures.push_back({item.at("id").get<std::string>(), item});
  return captures;
}

std::vector<std::string> Lines(const std::string& raw) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    if (!line.empty() && line != "OK") lines.emplace_back(line);
  }
  return lines;
}

// Compares an optional parsed value with an expected JSON value (null = absent).
template <typename T>
void ExpectOptional(const json& expected, const char* key, const std::optional<T>& actual) {
  if (!expected.contains(key)) return;
  SCOPED_TRACE(key);
  if (expected.at(key).is_null()) {
    EXPECT_FALSE(actual.has_value());
  } else {
    ASSERT_TRUE(actual.has_value());
    EXPECT_EQ(*actual, expected.at(key).get<T>());
  }
}

template <typename T>
void ExpectValue(const json& expected, const char* key, const T& actual) {
  if (!expected.contains(key) || expected.at(key).is_null()) return;
  SCOPED_TRACE(key);
  EXPECT_EQ(actual, expected.at(key).get<T>());
}

std::optional<int> BwMhz(std::optional<int> code) {
  if (!code) return std::nullopt;
  std::optional<int> khz = LteBandwidthKhz(*code);
  if (!khz) return std::nullopt;
  return *khz / 1000;
}

void CheckLte(const json& e, const LteCell& cell) {
  ExpectValue(e, "duplex", std::string(DuplexName(cell.duplex)));
  ExpectValue(e, "mcc", cell.mcc);
  ExpectValue(e, "mnc", cell.mnc);
  ExpectValue(e, "cell_id", cell.cell_id);
  ExpectValue(e, "enb_id", cell.enb_id());
  ExpectValue(e, "eci_local_cell", cell.local_cell_id());
  ExpectValue(e, "pci", cell.pci);
  ExpectValue(e, "earfcn", cell.earfcn);
  ExpectValue(e, "band", cell.band);
  ExpectOptional(e, "ul_bw_code", cell.ul_bandwidth_code);
  ExpectOptional(e, "dl_bw_code", cell.dl_bandwidth_code);
  ExpectOptional(e, "ul_bw_mhz", BwMhz(cell.ul_bandwidth_code));
  ExpectOptional(e, "dl_bw_mhz", BwMhz(cell.dl_bandwidth_code));
  ExpectValue(e, "tac", cell.tac);
  ExpectOptional(e, "rsrp_dbm", cell.rsrp_dbm);
  ExpectOptional(e, "rsrq_db", cell.rsrq_db);
  ExpectOptional(e, "rssi_dbm", cell.rssi_dbm);
  ExpectOptional(e, "sinr_raw", cell.sinr_raw);
  ExpectOptional(e, "srxlev", cell.srxlev_db);
  ExpectOptional(e, "cqi", cell.cqi);
  ExpectOptional(e, "tx_power_raw", cell.tx_power_raw);
  ExpectOptional(e, "tx_power_dbm", cell.tx_power_dbm);
}

void CheckServingCell(const Capture& c) {
  const json& e = c.item.at("expected");
  LteSinrEncoding encoding = LteSinrEncodingForModel(
      absl::StrContains(c.item.at("model").get<std::string>(), "RM500Q") ? "RM500Q" : "EC25");
  absl::StatusOr<ServingCellInfo> info = ParseServingCell(Lines(c.item.at("raw")), encoding);
  ASSERT_THAT(info, IsOk());
  ExpectValue(e, "state", std::string(ServingStateName(info->state)));
  if (e.contains("rat")) {
    if (e.at("rat").is_null()) {
      EXPECT_EQ(info->rat, RadioTech::kUnknown);
    } else {
      EXPECT_EQ(std::string(RadioTechName(info->rat)), e.at("rat").get<std::string>());
    }
  }
  if (e.contains("lte")) {  // EN-DC
    EXPECT_EQ(info->rat, RadioTech::kNr5gNsa);
    ASSERT_TRUE(info->lte.has_value());
    CheckLte(e.at("lte"), *info->lte);
    ASSERT_TRUE(info->lte->sinr_db.has_value());
    EXPECT_DOUBLE_EQ(*info->lte->sinr_db,
                     e.at("lte").at("sinr_db_per_RG50xQ_doc_2x_minus_20").get<double>());
    ASSERT_TRUE(info->nr5g_nsa.has_value());
    const json& nr = e.at("nr5g_nsa");
    ExpectValue(nr, "mcc", info->nr5g_nsa->mcc);
    ExpectValue(nr, "mnc", info->nr5g_nsa->mnc);
    ExpectOptional(nr, "pci", info->nr5g_nsa->pci);
    ExpectOptional(nr, "rsrp_dbm", info->nr5g_nsa->rsrp_dbm);
    ExpectOptional(nr, "rsrq_db", info->nr5g_nsa->rsrq_db);
    ExpectOptional(nr, "sinr_raw", info->nr5g_nsa->sinr_raw);
    ExpectOptional(nr, "sinr_db", info->nr5g_nsa->sinr_db);
    return;
  }
  if (info->rat == RadioTech::kLte) {
    ASSERT_TRUE(info->lte.has_value());
    CheckLte(e, *info->lte);
    // EC2x-family captures print SINR in dB (AT_FACTS.md 1.3).
    if (e.contains("sinr_db_if_raw_dB") && encoding == LteSinrEncoding::kDb) {
      ExpectOptional(e, "sinr_db_if_raw_dB", info->lte->sinr_db);
    }
  } else if (info->rat == RadioTech::kNr5gSa) {
    ASSERT_TRUE(info->nr5g_sa.has_value());
    const Nr5gSaCell& cell = *info->nr5g_sa;
    ExpectValue(e, "duplex", std::string(DuplexName(cell.duplex)));
    ExpectValue(e, "mcc", cell.mcc);
    ExpectValue(e, "mnc", cell.mnc);
    ExpectValue(e, "cell_id", cell.cell_id);
    ExpectValue(e, "pci", cell.pci);
    ExpectValue(e, "tac", cell.tac);
    ExpectValue(e, "arfcn", cell.arfcn);
    ExpectValue(e, "band", cell.band);
    ExpectOptional(e, "nr_dl_bw_code", cell.dl_bandwidth_code);
    ExpectOptional(e, "nr_dl_bw_mhz", NrBandwidthMhz(cell.dl_bandwidth_code.value_or(-1)));
    ExpectOptional(e, "rsrp_dbm", cell.rsrp_dbm);
    ExpectOptional(e, "rsrq_db", cell.rsrq_db);
    ExpectOptional(e, "sinr_db", cell.sinr_db);
    ExpectOptional(e, "scs_code", cell.scs_code);
    ExpectOptional(e, "scs_khz", NrScsKhz(cell.scs_code.value_or(-1)));
    ExpectOptional(e, "srxlev", cell.srxlev_db);
  } else if (info->rat == RadioTech::kGsm) {
    ASSERT_TRUE(info->gsm.has_value());
    const GsmCell& cell = *info->gsm;
    ExpectValue(e, "mcc", cell.mcc);
    ExpectValue(e, "mnc", cell.mnc);
    ExpectValue(e, "lac", cell.lac);
    ExpectValue(e, "cell_id", cell.cell_id);
    // The capture file keeps these as strings, as printed.
    auto as_text = [](std::optional<int> v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return std::to_string(*v);
    };
    ExpectOptional(e, "bsic", as_text(cell.bsic));
    ExpectValue(e, "arfcn", std::to_string(cell.arfcn));
    ExpectOptional(e, "band", as_text(cell.band));
    ExpectOptional(e, "rxlev_dbm", cell.rxlev_dbm);
    ExpectOptional(e, "txp", as_text(cell.txp));
    ExpectOptional(e, "rla", as_text(cell.rla));
    ExpectOptional(e, "c1", as_text(cell.c1));
    ExpectOptional(e, "c2", as_text(cell.c2));
    ExpectOptional(e, "gprs", as_text(cell.gprs));
    ExpectOptional(e, "tch", cell.tch);
    ExpectOptional(e, "ta", as_text(cell.timing_advance));
    ExpectOptional(e, "rxqualfull", as_text(cell.rxqualfull));
    ExpectOptional(e, "voicecodec", cell.voice_codec);
  } else if (info->rat == RadioTech::kWcdma) {
    ASSERT_TRUE(info->wcdma.has_value());
    const WcdmaCell& cell = *info->wcdma;
    ExpectValue(e, "mcc", cell.mcc);
    ExpectValue(e, "mnc", cell.mnc);
    ExpectValue(e, "lac", cell.lac);
    ExpectValue(e, "cell_id", cell.cell_id);
    ExpectValue(e, "rnc_id", cell.rnc_id());
    ExpectValue(e, "utran_local_cell", cell.local_cell_id());
    ExpectValue(e, "uarfcn", cell.uarfcn);
    ExpectValue(e, "psc", cell.psc);
    ExpectOptional(e, "rac", cell.rac);
    ExpectOptional(e, "rscp_dbm", cell.rscp_dbm);
    ExpectOptional(e, "ecio_db", cell.ecio_db);
    ExpectOptional(e, "phych", cell.phych);
    ExpectOptional(e, "sf", cell.sf);
    ExpectOptional(e, "com_mod", cell.com_mod);
  }
}

void CheckRegistration(const Capture& c) {
  const json& e = c.item.at("expected");
  absl::StatusOr<RegistrationInfo> info =
      ParseRegistration(c.item.at("raw").get<std::string>(), e.at("solicited").get<bool>());
  ASSERT_THAT(info, IsOk());
  ExpectValue(e, "prefix", std::string(RegistrationPrefix(info->domain)));
  ExpectOptional(e, "n", info->n);
  ExpectValue(e, "stat", info->stat);
  ExpectValue(e, "stat_text", std::string(RegistrationStatText(info->stat)));
  ExpectOptional(e, "lac_or_tac", info->lac_or_tac);
  ExpectOptional(e, "ci", info->cell_id);
  ExpectOptional(e, "act", info->act);
}

void CheckCapture(const Capture& c) {
  const std::string& id = c.id;
  const std::string raw = c.item.at("raw").get<std::string>();
  const json& e = c.item.contains("expected") ? c.item.at("expected") : json::object();
  if (absl::StartsWith(id, "qeng-")) return CheckServingCell(c);
  if (absl::StartsWith(id, "csq-")) {
    absl::StatusOr<CsqReading> r = ParseCsq(raw);
    ASSERT_THAT(r, IsOk());
    ExpectValue(e, "rssi_code", r->rssi_code);
    ExpectOptional(e, "rssi_dbm", r->rssi_dbm);
    ExpectValue(e, "ber_known", r->ber_code.has_value());
    return;
  }
  if (absl::StartsWith(id, "qcsq-")) {
    absl::StatusOr<QcsqReading> r = ParseQcsq(raw);
    ASSERT_THAT(r, IsOk());
    ExpectValue(e, "sysmode", r->sysmode);
    ExpectOptional(e, "rssi_dbm", r->rssi_dbm);
    ExpectOptional(e, "rsrp_dbm", r->rsrp_dbm);
    ExpectOptional(e, "rsrq_db", r->rsrq_db);
    ExpectOptional(e, "sinr_raw", r->sinr_raw);
    ASSERT_TRUE(r->sinr_db.has_value());
    EXPECT_NEAR(*r->sinr_db, e.at("sinr_db").get<double>(), 1e-9);
    return;
  }
  if (absl::StartsWith(id, "cops-")) {
    absl::StatusOr<OperatorSelection> r = ParseCops(raw);
    ASSERT_THAT(r, IsOk());
    ExpectValue(e, "mode", r->mode);
    ExpectOptional(e, "format", r->format);
    ExpectValue(e, "oper", r->oper);
    ExpectOptional(e, "act", r->act);
    ExpectOptional(e, "mcc", r->mcc());
    ExpectOptional(e, "mnc", r->mnc());
    return;
  }
  if (absl::StrContains(id, "reg-")) return CheckRegistration(c);
  if (absl::StartsWith(id, "cpin-")) {
    absl::StatusOr<SimState> r = ParseCpin(raw);
    ASSERT_THAT(r, IsOk());
    ExpectValue(e, "sim_state", std::string(SimStateName(*r)));
    return;
  }
  if (absl::StartsWith(id, "cme-")) {
    std::optional<FinalResult> r = ParseFinalResult(raw);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kind, FinalResultKind::kCmeError);
    ExpectOptional(e, "code", r->code);
    if (e.contains("meaning")) {
      EXPECT_EQ(r->text, e.at("meaning").get<std::string>());
    }
    if (e.contains("text")) {
      EXPECT_EQ(r->text, e.at("text").get<std::string>());
    }
    if (r->code == 10 || r->text == "SIM not inserted") {
      EXPECT_EQ(SimStateFromError(*r).value_or(SimState::kUnknown), SimState::kNotInserted);
    }
    return;
  }
  if (absl::StartsWith(id, "urc-")) {
    std::vector<std::string> urcs = Lines(raw);
    EXPECT_EQ(urcs, e.at("urcs").get<std::vector<std::string>>());
    for (const std::string& line : urcs) EXPECT_TRUE(IsKnownUrc(line)) << line;
    return;
  }
  if (id == "ati-ep06") {
    absl::StatusOr<AtiInfo> r = ParseAti(Lines(raw));
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->manufacturer, e.at("manufacturer"));
    EXPECT_EQ(r->model, e.at("model"));
    EXPECT_EQ(r->revision, e.at("revision"));
    return;
  }
  if (absl::StartsWith(id, "cgmr-") || absl::StartsWith(id, "qgmr-")) {
    absl::StatusOr<std::string> r = ParseRevision(raw);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(*r, e.at("revision"));
    return;
  }
  if (absl::StartsWith(id, "qccid-")) {
    absl::StatusOr<std::string> r = ParseIccid(raw);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(*r, e.at("iccid"));
    return;
  }
  if (absl::StartsWith(id, "cimi-")) {
    absl::StatusOr<std::string> r = ParseImsi(raw);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(*r, e.at("imsi"));
    EXPECT_EQ(r->substr(0, 3), e.at("mcc"));
    return;
  }
  if (absl::StartsWith(id, "qcainfo-")) {
    absl::StatusOr<std::vector<ComponentCarrier>> r = ParseQcainfo(Lines(raw));
    ASSERT_THAT(r, IsOk());
    ASSERT_EQ(r->size(), 1 + e.at("scc").size());
    auto check = [](const json& x, const ComponentCarrier& cc) {
      EXPECT_EQ(cc.earfcn, x.at("earfcn"));
      EXPECT_EQ(cc.bandwidth_rb, x.at("bw_rb"));
      EXPECT_EQ(cc.bandwidth_mhz().value_or(-1), x.at("bw_mhz").get<double>());
      EXPECT_EQ(cc.band, x.at("band"));
      ExpectOptional(x, "pci", cc.pci);
      ExpectOptional(x, "rsrp_dbm", cc.rsrp_dbm);
      ExpectOptional(x, "rsrq_db", cc.rsrq_db);
      ExpectOptional(x, "rssi_dbm", cc.rssi_dbm);
      ExpectOptional(x, "rssnr_db", cc.rssnr_db);
    };
    EXPECT_TRUE((*r)[0].primary);
    check(e.at("pcc"), (*r)[0]);
    for (size_t i = 0; i < e.at("scc").size(); ++i) {
      EXPECT_FALSE((*r)[i + 1].primary);
      check(e.at("scc")[i], (*r)[i + 1]);
    }
    return;
  }
  if (absl::StartsWith(id, "pppd-")) {
    ppp::PppdLogParser parser;
    for (const std::string& line : Lines(raw)) parser.Feed(line);
    const ppp::PppdLinkFacts& facts = parser.facts();
    ExpectValue(e, "ppp_up", facts.ip_up());
    ExpectOptional(e, "ifname", facts.interface_name);
    ExpectOptional(e, "local_ip", facts.local_address);
    ExpectOptional(e, "remote_ip", facts.remote_address);
    ExpectValue(e, "remote_ip_is_placeholder", facts.remote_is_placeholder);
    if (e.contains("dns1")) {
      EXPECT_EQ(facts.dns_servers.at(0), e.at("dns1"));
    }
    if (e.contains("dns2") && e.at("dns2").is_null()) {
      EXPECT_EQ(facts.dns_servers.size(), 1u);
    }
    if (e.contains("chat_exit")) {
      EXPECT_EQ(facts.connect_script_status.value_or(-1), e.at("chat_exit").get<int>());
      EXPECT_TRUE(facts.connect_script_failed);
    }
    if (e.contains("chat_status")) {
      EXPECT_EQ(facts.connect_script_status.value_or(-1), e.at("chat_status").get<int>());
    }
    return;
  }
  ADD_FAILURE() << "no parser is mapped to capture " << id;
}

class CapturesTest : public ::testing::TestWithParam<Capture> {};

TEST_P(CapturesTest, ParsesToExpectedValues) {
  SCOPED_TRACE(GetParam().item.value("source", ""));
  CheckCapture(GetParam());
}

INSTANTIATE_TEST_SUITE_P(AllCaptures, CapturesTest, ::testing::ValuesIn(LoadCaptures()),
                         [](const ::testing::TestParamInfo<Capture>& param_info) {
                           std::string name = param_info.param.id;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(CapturesFileTest, IsPresentAndComplete) {
  // The file sits in ../shared beside the checkout (CI provides it).
  EXPECT_GE(LoadCaptures().size(), 52u) << "captures.json missing at " << CELLFLEET_CAPTURES_JSON;
}

}  // namespace
}  // namespace cellfleet::modem
