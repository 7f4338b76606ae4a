#include "agent/checks/diagnosis.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace cellfleet::agent {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr absl::Duration kPoll = absl::Seconds(5);

// A healthy EC25 on LTE, dialed, config confirmed: every check passes.
v1::ModemStatus Healthy() {
  v1::ModemStatus s;
  *s.mutable_sampled_at() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kNow) - 2);
  s.set_modem_state(v1::MODEM_STATE_READY);
  s.set_at_port("/dev/ttyUSB2");
  // Issued 100 days ago for 825: far from its last third.
  s.mutable_agent_certificate()->set_subject("CN=board-07");
  *s.mutable_agent_certificate()->mutable_not_before() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kNow - absl::Hours(24 * 100)));
  *s.mutable_agent_certificate()->mutable_not_after() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kNow + absl::Hours(24 * 725)));
  s.mutable_identity()->set_manufacturer("Quectel");
  s.mutable_identity()->set_model("EC25");
  v1::SimUsage& usage = *s.mutable_usage();
  usage.set_iccid("89490200001234567890");
  usage.mutable_cycle()->set_rx_bytes(400'000'000);
  usage.mutable_cycle()->set_tx_bytes(20'000'000);
  usage.mutable_plan()->set_cap_bytes(1'000'000'000);
  usage.mutable_plan()->set_at_cap(v1::CAP_ACTION_HANG_UP);
  usage.set_state(v1::USAGE_STATE_OK);
  s.mutable_identity()->set_iccid("89860318740214867154");
  s.set_sim_state(v1::SIM_STATE_READY);
  s.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_HOME);
  s.mutable_operator_()->set_name("Telekom.de");
  v1::LteServingCell* lte = s.mutable_serving_cell()->mutable_lte();
  lte->set_rsrp_dbm(-88);
  lte->set_rsrq_db(-9);
  lte->set_sinr_db(16.4);
  v1::ConnectionStatus* link = s.mutable_connection();
  link->set_state(v1::CONNECTION_STATE_CONNECTED);
  link->set_interface_name("ppp0");
  link->set_local_address("10.64.0.2");
  link->set_config_version(3);
  s.mutable_config()->set_version(3);
  s.mutable_recovery()->set_enabled(true);
  return s;
}

// name -> result, and name -> detail.
std::map<std::string, v1::CheckResult> Results(const v1::DiagnoseResponse& r) {
  std::map<std::string, v1::CheckResult> out;
  for (const v1::DiagnosticCheck& check : r.checks()) out[check.name()] = check.result();
  return out;
}
std::string Detail(const v1::DiagnoseResponse& r, const std::string& name) {
  for (const v1::DiagnosticCheck& check : r.checks())
    if (check.name() == name) return check.detail();
  return "<no " + name + " check>";
}

TEST(DiagnosisTest, ASimBlockedAtItsCapFailsWithTheWayOut) {
  v1::ModemStatus s = Healthy();
  s.mutable_usage()->mutable_cycle()->set_rx_bytes(1'000'000'000);
  s.mutable_usage()->set_state(v1::USAGE_STATE_BLOCKED);
  const v1::DiagnoseResponse r = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(r)["usage"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(r, "usage"), HasSubstr("1.02 GB this cycle"));
  EXPECT_THAT(Detail(r, "usage"), HasSubstr("cellfleet usage override"));
}

// A fleet issued together expires together: each board says so before its clients do.
TEST(DiagnosisTest, TheAgentsCertificateWarnsInItsLastThirdAndFailsOnceExpired) {
  v1::ModemStatus s = Healthy();
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["certificate"], v1::CHECK_RESULT_PASS);
  EXPECT_THAT(Detail(Diagnose(s, kNow, kPoll), "certificate"),
              HasSubstr("CN=board-07, valid until"));
  const absl::Time late = kNow + absl::Hours(24 * 700);  // 25 days left of 825
  EXPECT_EQ(Results(Diagnose(s, late, kPoll))["certificate"], v1::CHECK_RESULT_WARN);
  EXPECT_THAT(Detail(Diagnose(s, late, kPoll), "certificate"),
              HasSubstr("(25 days left): in the last third of its life, renew it"));
  const absl::Time after = kNow + absl::Hours(24 * 726);
  EXPECT_EQ(Results(Diagnose(s, after, kPoll))["certificate"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(Diagnose(s, after, kPoll), "certificate"), HasSubstr("expired"));
  s.mutable_agent_certificate()->Clear();
  s.mutable_agent_certificate()->set_error("/etc/cellfleet/agent.crt: no PEM certificate");
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["certificate"], v1::CHECK_RESULT_FAIL);
  s.clear_agent_certificate();  // a plaintext agent
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["certificate"], v1::CHECK_RESULT_SKIPPED);
}

TEST(DiagnosisTest, AHealthyBoardPassesEveryCheckInLayerOrder) {
  const v1::DiagnoseResponse r = Diagnose(Healthy(), kNow, kPoll);
  std::vector<std::string> names;
  for (const v1::DiagnosticCheck& check : r.checks()) {
    names.push_back(check.name());
    EXPECT_EQ(check.result(), v1::CHECK_RESULT_PASS) << check.name() << ": " << check.detail();
  }
  EXPECT_THAT(names, ElementsAre("sample", "modem", "sim", "registration", "signal", "link",
                                 "usage", "certificate", "config", "recovery"));
  EXPECT_THAT(Detail(r, "usage"), HasSubstr("420 MB this cycle"));
  EXPECT_THAT(Detail(r, "signal"),
              HasSubstr("LTE: RSRP -88 dBm (good), RSRQ -9 dB (good), SINR 16.4 dB (good)"));
  EXPECT_THAT(Detail(r, "registration"), HasSubstr("home network on Telekom.de"));
  EXPECT_THAT(Detail(r, "link"), HasSubstr("ppp0 up, 10.64.0.2"));
}

TEST(DiagnosisTest, AnAbsentModemFailsAndSkipsWhatDependsOnIt) {
  v1::ModemStatus s = Healthy();
  s.set_modem_state(v1::MODEM_STATE_ABSENT);
  s.set_modem_state_detail("/dev/ttyUSB2: No such file or directory");
  const v1::DiagnoseResponse r = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(r)["modem"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(r, "modem"), HasSubstr("No such file or directory"));
  EXPECT_THAT(Detail(r, "modem"), HasSubstr("2c7c:0125"));
  for (const char* skipped : {"sim", "registration", "signal"}) {
    EXPECT_EQ(Results(r)[skipped], v1::CHECK_RESULT_SKIPPED) << skipped;
    EXPECT_THAT(Detail(r, skipped), HasSubstr("modem is not ready")) << skipped;
  }
}

TEST(DiagnosisTest, SimProblemsFailWithWhatToDoAndSkipRegistration) {
  const std::map<v1::SimState, std::string> cases = {
      {v1::SIM_STATE_NOT_INSERTED, "no SIM inserted"},
      {v1::SIM_STATE_PIN_REQUIRED, "PIN"},
      {v1::SIM_STATE_PUK_REQUIRED, "PUK"},
      {v1::SIM_STATE_FAILURE, "reseat or replace"},
  };
  for (const auto& [state, advice] : cases) {
    v1::ModemStatus s = Healthy();
    s.set_sim_state(state);
    const v1::DiagnoseResponse r = Diagnose(s, kNow, kPoll);
    EXPECT_EQ(Results(r)["sim"], v1::CHECK_RESULT_FAIL) << v1::SimState_Name(state);
    EXPECT_THAT(Detail(r, "sim"), HasSubstr(advice));
    EXPECT_EQ(Results(r)["registration"], v1::CHECK_RESULT_SKIPPED);
    EXPECT_EQ(Results(r)["signal"], v1::CHECK_RESULT_PASS);  // a modem measures without a SIM
  }
}

TEST(DiagnosisTest, RegistrationStatesAreGradedAndCregIsTheFallback) {
  const std::map<v1::RegistrationState, v1::CheckResult> cases = {
      {v1::REGISTRATION_STATE_ROAMING, v1::CHECK_RESULT_PASS},
      {v1::REGISTRATION_STATE_SEARCHING, v1::CHECK_RESULT_WARN},
      {v1::REGISTRATION_STATE_DENIED, v1::CHECK_RESULT_FAIL},
      {v1::REGISTRATION_STATE_NOT_REGISTERED, v1::CHECK_RESULT_FAIL},
      {v1::REGISTRATION_STATE_UNKNOWN, v1::CHECK_RESULT_WARN},
      {v1::REGISTRATION_STATE_SMS_ONLY_HOME, v1::CHECK_RESULT_FAIL},
      {v1::REGISTRATION_STATE_SMS_ONLY_ROAMING, v1::CHECK_RESULT_FAIL},
      {v1::REGISTRATION_STATE_EMERGENCY_ONLY, v1::CHECK_RESULT_FAIL},
  };
  for (const auto& [state, expected] : cases) {
    v1::ModemStatus s = Healthy();
    s.mutable_eps_registration()->set_state(state);
    EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["registration"], expected)
        << v1::RegistrationState_Name(state);
  }
  v1::ModemStatus fell_back_to_3g = Healthy();
  fell_back_to_3g.mutable_eps_registration()->set_state(v1::REGISTRATION_STATE_NOT_REGISTERED);
  fell_back_to_3g.mutable_cs_registration()->set_state(v1::REGISTRATION_STATE_HOME);
  const v1::DiagnoseResponse on_3g = Diagnose(fell_back_to_3g, kNow, kPoll);
  EXPECT_EQ(Results(on_3g)["registration"], v1::CHECK_RESULT_PASS);
  EXPECT_THAT(Detail(on_3g, "registration"), HasSubstr("+CREG"));

  v1::ModemStatus gsm_only = Healthy();
  gsm_only.clear_eps_registration();
  gsm_only.mutable_cs_registration()->set_state(v1::REGISTRATION_STATE_DENIED);
  const v1::DiagnoseResponse r = Diagnose(gsm_only, kNow, kPoll);
  EXPECT_EQ(Results(r)["registration"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(r, "registration"), HasSubstr("+CREG"));
}

// The bands field engineers use: SINR 0 dB and below is no usable signal, 0-13 dB fair
// to poor; RSRQ -15 to -20 dB fair to poor, -20 and below none; RSRP below -100 dBm
// weak, -116 and below failing.
TEST(DiagnosisTest, SignalIsGradedOnItsWorstFigure) {
  struct Case {
    int rsrp;
    int rsrq;
    double sinr;
    v1::CheckResult expected;
  };
  for (const Case& c :
       {Case{-100, -15, 13.0, v1::CHECK_RESULT_PASS},  // the limits pass
        Case{-101, -9, 16.0, v1::CHECK_RESULT_WARN}, Case{-90, -16, 16.0, v1::CHECK_RESULT_WARN},
        Case{-90, -9, 12.9, v1::CHECK_RESULT_WARN}, Case{-90, -9, 0.5, v1::CHECK_RESULT_WARN},
        Case{-90, -9, 0.0, v1::CHECK_RESULT_FAIL},  // 0 dB: no usable signal
        Case{-90, -20, 16.0, v1::CHECK_RESULT_FAIL}, Case{-116, -9, 16.0, v1::CHECK_RESULT_FAIL},
        Case{-101, -16, -6.0, v1::CHECK_RESULT_FAIL}}) {
    v1::ModemStatus s = Healthy();
    s.mutable_serving_cell()->mutable_lte()->set_rsrp_dbm(c.rsrp);
    s.mutable_serving_cell()->mutable_lte()->set_rsrq_db(c.rsrq);
    s.mutable_serving_cell()->mutable_lte()->set_sinr_db(c.sinr);
    EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["signal"], c.expected)
        << "RSRP " << c.rsrp << " RSRQ " << c.rsrq << " SINR " << c.sinr;
  }
  v1::ModemStatus fair = Healthy();
  fair.mutable_serving_cell()->mutable_lte()->set_sinr_db(7);
  EXPECT_THAT(Detail(Diagnose(fair, kNow, kPoll), "signal"),
              HasSubstr("SINR 7 dB (fair to poor); weak: expect drops"));
}

// On WCDMA the check grades RSCP and Ec/Io, not +CSQ's RSSI.
TEST(DiagnosisTest, WcdmaIsGradedOnRscpAndEcio) {
  v1::ModemStatus s = Healthy();
  s.mutable_serving_cell()->clear_lte();
  s.mutable_serving_cell()->set_radio_technology(v1::RADIO_TECHNOLOGY_WCDMA);
  v1::WcdmaServingCell* w = s.mutable_serving_cell()->mutable_wcdma();
  w->set_rscp_dbm(-85);
  w->set_ecio_db(-6);
  s.mutable_signal()->set_rssi_dbm(-109);  // would fail if +CSQ were used
  v1::DiagnoseResponse r = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(r)["signal"], v1::CHECK_RESULT_PASS);
  EXPECT_THAT(Detail(r, "signal"), HasSubstr("WCDMA: RSCP -85 dBm (good), Ec/Io -6 dB (good)"));
  w->set_ecio_db(-14);
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["signal"], v1::CHECK_RESULT_WARN);
  w->set_rscp_dbm(-106);
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["signal"], v1::CHECK_RESULT_FAIL);
}

TEST(DiagnosisTest, WithoutACellTheSignalIsCsqs) {
  // No serving cell: +CSQ's RSSI; nothing at all: a warning, not a pass.
  v1::ModemStatus csq = Healthy();
  csq.clear_serving_cell();
  csq.mutable_signal()->set_rssi_dbm(-109);
  const v1::DiagnoseResponse weak = Diagnose(csq, kNow, kPoll);
  EXPECT_EQ(Results(weak)["signal"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(weak, "signal"), HasSubstr("+CSQ: RSSI -109 dBm"));
  csq.clear_signal();
  EXPECT_EQ(Results(Diagnose(csq, kNow, kPoll))["signal"], v1::CHECK_RESULT_WARN);
}

TEST(DiagnosisTest, AFailedLinkNamesItsReasonAndWhatToDo) {
  v1::ModemStatus s = Healthy();
  s.mutable_connection()->set_state(v1::CONNECTION_STATE_FAILED);
  s.mutable_connection()->set_failure(v1::CONNECTION_FAILURE_NO_CARRIER);
  s.mutable_connection()->set_failure_detail("Connect script failed");
  const v1::DiagnoseResponse r = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(r)["link"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(r, "link"),
              HasSubstr("CONNECTION_FAILURE_NO_CARRIER (Connect script failed)"));
  EXPECT_THAT(Detail(r, "link"), HasSubstr("check the APN"));

  s.mutable_connection()->set_state(v1::CONNECTION_STATE_DISCONNECTED);
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["link"], v1::CHECK_RESULT_PASS);
  s.clear_connection();
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["link"], v1::CHECK_RESULT_SKIPPED);
}

TEST(DiagnosisTest, APendingConfirmAndARollbackAreWarnings) {
  v1::ModemStatus s = Healthy();
  s.mutable_config()->mutable_pending()->set_version(4);
  s.mutable_config()->mutable_pending()->set_rollback_to_version(3);
  const v1::DiagnoseResponse pending = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(pending)["config"], v1::CHECK_RESULT_WARN);
  EXPECT_THAT(Detail(pending, "config"), HasSubstr("rolls back to version 3"));

  s.mutable_config()->clear_pending();
  v1::ConfigStep* step = s.mutable_config()->add_recent_steps();
  step->set_kind(v1::CONFIG_STEP_KIND_ROLLED_BACK);
  step->set_version(4);
  step->set_detail("no confirm within 2m");
  const v1::DiagnoseResponse rolled = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(rolled)["config"], v1::CHECK_RESULT_WARN);
  EXPECT_THAT(Detail(rolled, "config"), HasSubstr("rollback of version 4: no confirm within 2m"));

  s.clear_config();
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["config"], v1::CHECK_RESULT_SKIPPED);
}

TEST(DiagnosisTest, TheRecoveryLadderWarnsWhileItWorksAndFailsWhenHeld) {
  v1::ModemStatus s = Healthy();
  EXPECT_EQ(Detail(Diagnose(s, kNow, kPoll), "recovery"), "no loss of service");
  v1::RecoveryStatus& r = *s.mutable_recovery();
  r.set_problem("not registered (SEARCHING) for 12m0s");
  r.set_next_step(v1::RECOVERY_STEP_MODEM_REBOOT);
  v1::RecoveryAction& last = *r.mutable_last();
  last.set_sequence(1);
  last.set_step(v1::RECOVERY_STEP_RADIO_RESET);
  last.set_outcome(v1::RECOVERY_OUTCOME_NOT_RECOVERED);
  last.set_requested_by("recovery ladder");
  const v1::DiagnoseResponse working = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(working)["recovery"], v1::CHECK_RESULT_WARN);
  EXPECT_THAT(Detail(working, "recovery"),
              HasSubstr("for 12m0s; next step if it lasts: MODEM_REBOOT; last step RADIO_RESET by "
                        "recovery ladder"));
  r.set_held("budget spent: 3 steps in the last hour (at most 3), 3 in the last day (at most 10)");
  const v1::DiagnoseResponse held = Diagnose(s, kNow, kPoll);
  EXPECT_EQ(Results(held)["recovery"], v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(Detail(held, "recovery"), HasSubstr("not resetting: budget spent"));
  s.clear_recovery();
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["recovery"], v1::CHECK_RESULT_SKIPPED);
}

TEST(DiagnosisTest, AStaleSampleIsAWarningAndNoSampleAFailure) {
  v1::ModemStatus s = Healthy();
  EXPECT_EQ(Results(Diagnose(s, kNow + absl::Seconds(12), kPoll))["sample"],
            v1::CHECK_RESULT_PASS);  // within 15 s
  const v1::DiagnoseResponse stale = Diagnose(s, kNow + absl::Seconds(60), kPoll);
  EXPECT_EQ(Results(stale)["sample"], v1::CHECK_RESULT_WARN);
  EXPECT_THAT(Detail(stale, "sample"), HasSubstr("62s old (polling every 5s)"));
  s.clear_sampled_at();
  EXPECT_EQ(Results(Diagnose(s, kNow, kPoll))["sample"], v1::CHECK_RESULT_FAIL);
}

}  // namespace
}  // namespace cellfleet::agent
