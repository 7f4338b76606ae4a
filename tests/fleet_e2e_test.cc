// End to end with real processes: the simulator, three agents on loopback port 0, and
// the cellfleet CLI, as a user would run them.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "nlohmann/json.hpp"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::RunCommand;
using ::cellfleet::testing::Subprocess;
using ::cellfleet::testing::WaitForFile;
using ::testing::HasSubstr;

constexpr int kBoards = 3;

class FleetEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-e2e");
    testing::FleetOptions options;
    options.simulator = CELLFLEET_MODEMSIM;
    options.agent = CELLFLEET_AGENT;
    options.dir = dir_;
    options.boards = kBoards;
    // Reflection only where configured: the last board has it, the others not.
    options.agent_args = [](int index) {
      return index == kBoards - 1 ? std::vector<std::string>{"--reflection"}
                                  : std::vector<std::string>{};
    };
    Customize(options);
    options_ = options;
    absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    addresses_ = fleet_->addresses();
  }

  void TearDown() override {
    if (fleet_) {
      EXPECT_THAT(fleet_->Stop(), IsOk());
    }
    std::filesystem::remove_all(dir_);
  }

  virtual void Customize(testing::FleetOptions& /*options*/) {}

  // `cellfleet -o json status` until every live board reports READY (bounded).
  std::vector<nlohmann::json> StatusWhenReady(absl::Duration timeout) {
    std::vector<nlohmann::json> lines;
    const bool ready = testing::WaitFor(
        [&] {
          lines = StatusJson();
          bool all = lines.size() == static_cast<size_t>(kBoards);
          for (const nlohmann::json& line : lines) {
            all = all && line["ok"] == true &&
                  line["status"]["modem_state"] == "MODEM_STATE_READY" &&
                  line["status"].contains("serving_cell") &&
                  // the SIM's usage account shows from the sample after the SIM's
                  line["status"].value("usage", nlohmann::json::object()).contains("iccid");
          }
          return all;
        },
        timeout, absl::Milliseconds(200));
    if (!ready) ADD_FAILURE() << "fleet not READY within " << timeout;
    return lines;
  }

  std::vector<nlohmann::json> StatusJson(int* exit_code = nullptr,
                                         absl::Duration* elapsed = nullptr) {
    auto result = RunCommand({CELLFLEET_CLI, "--output", "json", "--timeout", "3", "status",
                              "--targets", absl::StrJoin(addresses_, ",")},
                             absl::Seconds(20));
    EXPECT_THAT(result, IsOk());
    std::vector<nlohmann::json> lines;
    if (!result.ok()) return lines;
    if (exit_code) *exit_code = result->exit_code;
    if (elapsed) *elapsed = result->elapsed;
    for (absl::string_view line : absl::StrSplit(result->out, '\n', absl::SkipEmpty())) {
      lines.push_back(nlohmann::json::parse(line));
    }
    // Every board gets a line, answered or not: none at all means the CLI itself failed.
    if (lines.empty()) {
      ADD_FAILURE() << "status printed nothing; exit code " << result->exit_code
                    << " (-1: killed by a signal), stderr: " << result->err;
    }
    return lines;
  }

  std::string dir_;
  testing::FleetOptions options_;
  std::unique_ptr<testing::Fleet> fleet_;
  std::vector<std::string> addresses_;
};

TEST_F(FleetEndToEndTest, StatusReturnsEachBoardsSimulatedValues) {
  std::vector<nlohmann::json> lines = StatusWhenReady(absl::Seconds(20));
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards));
  for (int i = 0; i < kBoards; ++i) {
    const nlohmann::json& line = lines[i];
    const nlohmann::json& status = line["status"];
    SCOPED_TRACE(fleet_->boards()[i].name);
    EXPECT_EQ(line["address"], addresses_[i]);
    EXPECT_EQ(line["agent_board_name"], fleet_->boards()[i].name);
    EXPECT_EQ(status["at_port"], fleet_->boards()[i].at_path);
    EXPECT_EQ(status["identity"]["imei"], fleet_->boards()[i].imei);
    EXPECT_EQ(status["identity"]["iccid"], fleet_->boards()[i].iccid);
    EXPECT_EQ(status["identity"]["model"], "EC25");
    EXPECT_EQ(status["sim_state"], "SIM_STATE_READY");
    EXPECT_EQ(status["serving_cell"]["radio_technology"], "RADIO_TECHNOLOGY_LTE");
    const int rsrp = status["serving_cell"]["lte"]["rsrp_dbm"];
    EXPECT_GE(rsrp, -140);
    EXPECT_LE(rsrp, -44);
    EXPECT_THAT(std::string(status["serving_cell"]["raw_response"]), HasSubstr("\"servingcell\""));
  }
  // Boards have their own identities.
  EXPECT_NE(lines[0]["status"]["identity"]["imei"], lines[1]["status"]["identity"]["imei"]);
}

TEST_F(FleetEndToEndTest, DeadAgentIsReportedWithinItsDeadline) {
  StatusWhenReady(absl::Seconds(20));
  fleet_->agent(1).Signal(SIGKILL);
  ASSERT_THAT(fleet_->agent(1).Wait(absl::Seconds(5)), IsOk());
  int exit_code = 0;
  absl::Duration elapsed;
  std::vector<nlohmann::json> lines = StatusJson(&exit_code, &elapsed);
  EXPECT_EQ(exit_code, 1);
  EXPECT_LT(elapsed, absl::Seconds(10)) << "per-board deadline is 3 s";
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards));
  EXPECT_EQ(lines[0]["ok"], true);
  EXPECT_EQ(lines[1]["ok"], false);
  EXPECT_THAT(std::string(lines[1]["error"]["code"]),
              ::testing::AnyOf("UNAVAILABLE", "DEADLINE_EXCEEDED"));
  EXPECT_EQ(lines[2]["ok"], true);

  // The table form says the same to a person, and the same exit code.
  auto table = RunCommand(
      {CELLFLEET_CLI, "--timeout", "3", "status", "--targets", absl::StrJoin(addresses_, ",")},
      absl::Seconds(20));
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->exit_code, 1);
  EXPECT_THAT(table->out, HasSubstr("UNREACHABLE"));
  EXPECT_THAT(table->err, HasSubstr("1 of 3 boards did not answer"));
}

// gRPC shares a port between processes by default (SO_REUSEPORT): a second agent started
// on a running one's address used to start and take half its calls.
TEST_F(FleetEndToEndTest, ASecondAgentOnAUsedPortExitsNamingThePort) {
  StatusWhenReady(absl::Seconds(20));
  const testing::FleetBoard& board = fleet_->boards()[0];
  auto intruder = RunCommand(
      {CELLFLEET_AGENT, "--at-port", board.at_path, "--listen", addresses_[0], "--board-name",
       "intruder", "--lock-dir", dir_, "--state-dir", dir_ + "/intruder"},
      absl::Seconds(20));
  ASSERT_THAT(intruder, IsOk());
  EXPECT_EQ(intruder->exit_code, 1) << intruder->err;
  EXPECT_THAT(intruder->err,
              HasSubstr("cannot listen on " + addresses_[0] +
                        ": Address already in use (another process listens on port"));
  // The port's owner answers every call, as before.
  for (int i = 0; i < 4; ++i) {
    std::vector<nlohmann::json> lines = StatusJson();
    ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards));
    EXPECT_EQ(lines[0]["agent_board_name"], board.name);
  }
  // Positive control: the same command on a free port starts (and is stopped at once).
  auto started =
      Subprocess::Start({CELLFLEET_AGENT, "--at-port", board.at_path, "--listen", "127.0.0.1:0",
                         "--board-name", "second", "--lock-dir", dir_, "--state-dir",
                         dir_ + "/second", "--ready-file", dir_ + "/second.ready"},
                        dir_ + "/second.log");
  ASSERT_THAT(started, IsOk());
  EXPECT_THAT(WaitForFile(dir_ + "/second.ready", absl::Seconds(15)), IsOk());
  started->Signal(SIGTERM);
  EXPECT_THAT(started->Wait(absl::Seconds(10)), IsOk());
}

// The harness (and cellfleet-fleet) run again in the same directory: the last run's ready
// files used to be read before the new agents wrote theirs, listing dead ports.
TEST_F(FleetEndToEndTest, AFleetStartedAgainInTheSameDirectoryListsItsNewAgents) {
  StatusWhenReady(absl::Seconds(20));
  ASSERT_THAT(fleet_->Stop(), IsOk());
  fleet_.reset();
  for (int i = 0; i < kBoards; ++i) {  // what the last run left: its ready files
    ASSERT_TRUE(std::filesystem::exists(dir_ + "/agent" + std::to_string(i) + ".ready"));
  }
  absl::StatusOr<std::unique_ptr<testing::Fleet>> again = testing::Fleet::Start(options_);
  ASSERT_THAT(again, IsOk());
  fleet_ = std::move(*again);
  addresses_ = fleet_->addresses();
  std::vector<nlohmann::json> lines = StatusWhenReady(absl::Seconds(20));
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards));
  for (const nlohmann::json& line : lines) EXPECT_EQ(line["ok"], true) << line;
}

TEST_F(FleetEndToEndTest, DiagnoseJudgesEveryBoardAndNamesTheUnreachable) {
  StatusWhenReady(absl::Seconds(20));
  fleet_->agent(1).Signal(SIGKILL);
  ASSERT_THAT(fleet_->agent(1).Wait(absl::Seconds(5)), IsOk());
  auto json = RunCommand({CELLFLEET_CLI, "--output", "json", "--timeout", "3", "diagnose",
                          "--targets", absl::StrJoin(addresses_, ",")},
                         absl::Seconds(20));
  ASSERT_THAT(json, IsOk());
  EXPECT_EQ(json->exit_code, 1) << "a board did not answer";
  std::vector<std::string> lines = absl::StrSplit(json->out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards)) << json->out;
  for (int i : {0, 2}) {
    const nlohmann::json board = nlohmann::json::parse(lines[i]);
    SCOPED_TRACE(board.dump());
    EXPECT_EQ(board["ok"], true);
    EXPECT_THAT(std::string(board["verdict"]), ::testing::AnyOf("PASS", "WARN", "FAIL"));
    std::map<std::string, std::string> results;
    for (const nlohmann::json& check : board["checks"]) results[check["name"]] = check["result"];
    EXPECT_EQ(results["modem"], "CHECK_RESULT_PASS");
    EXPECT_EQ(results["sim"], "CHECK_RESULT_PASS");
    EXPECT_EQ(results["link"], "CHECK_RESULT_PASS");  // not dialed
    EXPECT_EQ(results["recovery"], "CHECK_RESULT_PASS");
    EXPECT_EQ(results["usage"], "CHECK_RESULT_PASS");           // the SIM's account, no plan
    EXPECT_EQ(results["certificate"], "CHECK_RESULT_SKIPPED");  // plaintext on loopback
    EXPECT_EQ(results.size(), 10u);
  }
  EXPECT_EQ(nlohmann::json::parse(lines[1])["ok"], false);

  auto table = RunCommand({CELLFLEET_CLI, "--timeout", "3", "diagnose", "--all-checks", "--targets",
                           absl::StrJoin(addresses_, ",")},
                          absl::Seconds(20));
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->exit_code, 1);
  EXPECT_THAT(table->out, HasSubstr("BOARD"));
  EXPECT_THAT(table->out, HasSubstr("CHECK"));
  EXPECT_THAT(table->out, HasSubstr(absl::StrCat("EC25 firmware")));
  EXPECT_THAT(table->out, HasSubstr("UNREACHABLE"));
  EXPECT_THAT(table->err, HasSubstr("1 of 3 boards did not answer"));
}

TEST_F(FleetEndToEndTest, DoctorRunsTheChecklistLiveOnEveryBoard) {
  StatusWhenReady(absl::Seconds(20));
  auto json = RunCommand({CELLFLEET_CLI, "--output", "json", "doctor", "--wait", "20", "--targets",
                          absl::StrJoin(addresses_, ",")},
                         absl::Seconds(40));
  ASSERT_THAT(json, IsOk());
  std::vector<std::string> lines = absl::StrSplit(json->out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards)) << json->out << json->err;
  for (const std::string& line : lines) {
    const nlohmann::json board = nlohmann::json::parse(line);
    SCOPED_TRACE(board.dump());
    EXPECT_EQ(board["ok"], true);
    std::map<std::string, std::string> results;
    for (const nlohmann::json& check : board["checks"]) results[check["name"]] = check["result"];
    EXPECT_EQ(results.size(), 15u);
    EXPECT_EQ(results["at_port"], "CHECK_RESULT_PASS");
    EXPECT_EQ(results["sim"], "CHECK_RESULT_PASS");
    EXPECT_EQ(results["usb"], "CHECK_RESULT_SKIPPED");  // a pseudo-terminal, not USB
  }
  // Exit codes as for diagnose: 0 unless a board fails a check or does not answer.
  const bool any_fail = json->out.find("CHECK_RESULT_FAIL") != std::string::npos;
  EXPECT_EQ(json->exit_code, any_fail ? 1 : 0) << json->out;
  auto table = RunCommand({CELLFLEET_CLI, "doctor", "--all-checks", "--targets", addresses_[0]},
                          absl::Seconds(40));
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->out, HasSubstr("at_port"));
  EXPECT_THAT(table->out, HasSubstr("answered ATI in"));
}

TEST_F(FleetEndToEndTest, RecoverIsAnOperatorsCallAndNamesItsSteps) {
  StatusWhenReady(absl::Seconds(20));
  // These agents' callers are viewers (the agent's default): refused, every board.
  auto refused = RunCommand({CELLFLEET_CLI, "--output", "json", "recover", "--step", "radio-reset",
                             "--targets", absl::StrJoin(addresses_, ",")},
                            absl::Seconds(20));
  ASSERT_THAT(refused, IsOk());
  EXPECT_EQ(refused->exit_code, 1);
  std::vector<std::string> lines = absl::StrSplit(refused->out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards)) << refused->out;
  for (const std::string& line : lines) {
    const nlohmann::json refusal = nlohmann::json::parse(line)["error"];
    EXPECT_EQ(refusal["code"], "PERMISSION_DENIED") << line;
    // The refusal says how to get the role, for a real board and for a simulated fleet.
    EXPECT_THAT(std::string(refusal["message"]),
                HasSubstr("Recover needs the operator role; callers without a client "
                          "certificate have viewer"));
    EXPECT_THAT(std::string(refusal["message"]), HasSubstr("--unauthenticated-role=operator"));
  }
  auto unknown =
      RunCommand({CELLFLEET_CLI, "recover", "--step", "reflash", "--targets", addresses_[0]},
                 absl::Seconds(20));
  ASSERT_THAT(unknown, IsOk());
  EXPECT_EQ(unknown->exit_code, 2) << unknown->err;
  EXPECT_THAT(unknown->err, HasSubstr("reflash"));
}

TEST_F(FleetEndToEndTest, WatchStreamsFromEveryBoard) {
  StatusWhenReady(absl::Seconds(20));
  auto result = RunCommand({CELLFLEET_CLI, "--output", "json", "watch", "--targets",
                            absl::StrJoin(addresses_, ","), "--interval", "0.5", "--count", "3"},
                           absl::Seconds(30));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->exit_code, 0) << result->err;
  std::map<std::string, std::vector<uint64_t>> sequences;
  for (absl::string_view line : absl::StrSplit(result->out, '\n', absl::SkipEmpty())) {
    nlohmann::json update = nlohmann::json::parse(line);
    sequences[update["address"]].push_back(
        std::stoull(update["update"]["sequence"].get<std::string>()));
  }
  ASSERT_EQ(sequences.size(), static_cast<size_t>(kBoards));
  for (const auto& [address, seq] : sequences) {
    EXPECT_THAT(seq, ::testing::ElementsAre(1, 2, 3)) << address;
  }
}

TEST_F(FleetEndToEndTest, HistoryShowsWhatHappened) {
  StatusWhenReady(absl::Seconds(20));
  auto result = RunCommand({CELLFLEET_CLI, "--output", "json", "history", "--targets",
                            absl::StrJoin(addresses_, ","), "--since", "1h", "--events-only"},
                           absl::Seconds(20));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->exit_code, 0) << result->err;
  std::map<std::string, int> ready_events;
  for (absl::string_view line : absl::StrSplit(result->out, '\n', absl::SkipEmpty())) {
    nlohmann::json entry = nlohmann::json::parse(line);
    if (entry["event"]["kind"] == "EVENT_KIND_MODEM_STATE_CHANGED" &&
        absl::StrContains(std::string(entry["event"]["detail"]), "-> MODEM_STATE_READY")) {
      ++ready_events[entry["board"]];
    }
  }
  EXPECT_EQ(ready_events.size(), static_cast<size_t>(kBoards)) << result->out;
  auto bad =
      RunCommand({CELLFLEET_CLI, "history", "--targets", addresses_[0], "--since", "yesterday"},
                 absl::Seconds(10));
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(bad->exit_code, 2);
  EXPECT_THAT(bad->err, HasSubstr("--since"));
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& slice : slices)
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return out;
}

grpc::ByteBuffer FromString(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// One request, one response on a bidi stream, as a generic tool would do it.
class OneShotBidi : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit OneShotBidi(const std::string& request) : request_(FromString(request)) {}
  void Start() {
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnWriteDone(bool) override { StartWritesDone(); }
  void OnReadDone(bool ok) override {
    if (ok) got_ = ToString(response_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  absl::Notification done_;
  grpc::Status status_;
  std::string got_;

 private:
  grpc::ByteBuffer request_, response_;
};

TEST_F(FleetEndToEndTest, HealthServesEveryProbeAndReflectionOnlyWhereConfigured) {
  auto channel = grpc::CreateChannel(addresses_[0], grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  // grpc.health.v1.Health/Check with an empty request: SERVING is field 1 = 1.
  grpc::ClientContext health_context;
  health_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer request = FromString(""), response;
  absl::Notification health_done;
  grpc::Status health_status;
  stub.UnaryCall(&health_context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &response, [&](grpc::Status status) {
                   health_status = status;
                   health_done.Notify();
                 });
  ASSERT_TRUE(health_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(health_status.ok()) << health_status.error_message();
  EXPECT_EQ(ToString(response), std::string("\x08\x01", 2));

  // Server reflection, where configured: list_services (field 7) names our service; an
  // agent not configured for it does not serve it.
  for (const int board : {kBoards - 1, 0}) {
    SCOPED_TRACE(board == 0 ? "reflection not configured" : "--reflection");
    grpc::GenericStub board_stub(
        grpc::CreateChannel(addresses_[board], grpc::InsecureChannelCredentials()));
    grpc::ClientContext reflection_context;
    reflection_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    OneShotBidi call(std::string("\x3a\x00", 2));
    board_stub.PrepareBidiStreamingCall(
        &reflection_context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        grpc::StubOptions(), &call);
    call.Start();
    ASSERT_TRUE(call.done_.WaitForNotificationWithTimeout(absl::Seconds(10)));
    if (board == 0) {
      EXPECT_EQ(call.status_.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    } else {
      EXPECT_TRUE(call.status_.ok()) << call.status_.error_message();
      EXPECT_THAT(call.got_, HasSubstr("cellfleet.v1.ModemAgent"));
    }
  }
}

TEST_F(FleetEndToEndTest, DialAndHangUpGiveOneLinePerBoard) {
  // Plaintext callers on loopback are viewers by default: dialling is refused, per board.
  for (const char* verb : {"dial", "hangup"}) {
    auto result = RunCommand(
        {CELLFLEET_CLI, "--output", "json", verb, "--targets", absl::StrJoin(addresses_, ",")},
        absl::Seconds(30));
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->exit_code, 1) << verb;
    std::vector<std::string> lines = absl::StrSplit(result->out, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards)) << result->out;
    for (const std::string& line : lines) {
      nlohmann::json board = nlohmann::json::parse(line);
      EXPECT_EQ(board["ok"], false);
      EXPECT_EQ(board["error"]["code"], "PERMISSION_DENIED") << line;
    }
  }
}

// Boards whose links carried 1, 5 and 3 MB: a fake pppd and a fake sysfs tree each,
// operators by default.
class FleetUsageTest : public FleetEndToEndTest {
 protected:
  static constexpr uint64_t kUsed[kBoards] = {1'000'000, 5'000'000, 3'000'000};

  void Customize(testing::FleetOptions& options) override {
    ::setenv("FAKE_PPPD_MODE", "connect", 1);  // the agents' pppd stand-in inherits it
    for (int i = 0; i < kBoards; ++i) {
      const std::string ppp0 = absl::StrCat(dir_, "/sys", i, "/class/net/ppp0");
      std::filesystem::create_directories(ppp0 + "/statistics");
      std::ofstream(ppp0 + "/ifindex") << "7\n";
      std::ofstream(ppp0 + "/statistics/rx_bytes") << kUsed[i] * 9 / 10 << "\n";
      std::ofstream(ppp0 + "/statistics/tx_bytes") << kUsed[i] / 10 << "\n";
    }
    options.agent_args = [dir = dir_](int i) {
      return std::vector<std::string>{"--pppd",
                                      CELLFLEET_FAKE_PPPD,
                                      "--sysfs",
                                      absl::StrCat(dir, "/sys", i),
                                      "--unauthenticated-role",
                                      "operator"};
    };
  }
  void TearDown() override {
    FleetEndToEndTest::TearDown();
    ::unsetenv("FAKE_PPPD_MODE");
  }

  // `cellfleet usage` (JSON lines, or the table).
  testing::CommandResult Usage(std::vector<std::string> args = {}, bool json = true) {
    std::vector<std::string> command = {CELLFLEET_CLI, "--output", json ? "json" : "table",
                                        "usage"};
    command.insert(command.end(), args.begin(), args.end());
    command.insert(command.end(), {"--targets", absl::StrJoin(addresses_, ",")});
    absl::StatusOr<testing::CommandResult> result = RunCommand(command, absl::Seconds(30));
    EXPECT_THAT(result, IsOk());
    return result.ok() ? *result : testing::CommandResult();
  }
};

TEST_F(FleetUsageTest, UsageShowsTheFleetMostUsedFirstAndOverrideNeedsABlock) {
  StatusWhenReady(absl::Seconds(30));
  auto dialed = RunCommand(
      {CELLFLEET_CLI, "--output", "json", "dial", "--targets", absl::StrJoin(addresses_, ",")},
      absl::Seconds(30));
  ASSERT_THAT(dialed, IsOk());
  ASSERT_EQ(dialed->exit_code, 0) << dialed->out << dialed->err;
  std::vector<nlohmann::json> lines;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        lines.clear();
        for (absl::string_view line : absl::StrSplit(Usage().out, '\n', absl::SkipEmpty()))
          lines.push_back(nlohmann::json::parse(line));
        if (lines.size() != static_cast<size_t>(kBoards)) return false;
        for (const nlohmann::json& line : lines) {
          const nlohmann::json& cycle = line["accounts"][0]["cycle"];
          if (!cycle.contains("rx_bytes") || !cycle.contains("tx_bytes")) return false;
        }
        return true;
      },
      absl::Seconds(20)))
      << "every board counted its link";
  // Most used first: board 1 (5 MB), board 2 (3 MB), board 0 (1 MB).
  const std::vector<int> order = {1, 2, 0};
  for (int row = 0; row < kBoards; ++row) {
    const nlohmann::json& line = lines[static_cast<size_t>(row)];
    const int board = order[static_cast<size_t>(row)];
    EXPECT_EQ(line["address"], addresses_[static_cast<size_t>(board)]);
    EXPECT_EQ(line["accounts"][0]["iccid"], fleet_->boards()[static_cast<size_t>(board)].iccid);
    EXPECT_EQ(line["accounts"][0]["cycle"]["rx_bytes"], std::to_string(kUsed[board] * 9 / 10));
    EXPECT_EQ(line["accounts"][0]["state"], "USAGE_STATE_OK");
  }
  const testing::CommandResult table = Usage({}, /*json=*/false);
  EXPECT_THAT(table.out, HasSubstr("5.00 MB"));
  EXPECT_THAT(table.out, HasSubstr("4.50 MB / 500 kB"));
  EXPECT_LT(table.out.find("5.00 MB"), table.out.find("3.00 MB")) << table.out;
  EXPECT_LT(table.out.find("3.00 MB"), table.out.find("1.00 MB")) << table.out;

  // Nothing is blocked: an override is refused on every board, saying why.
  const testing::CommandResult refused = Usage({"override", "--reason", "test"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(refused.out, HasSubstr("only a SIM blocked at its cap can be let through"));
}

TEST_F(FleetEndToEndTest, AgentDrainsStreamsOnSigterm) {
  StatusWhenReady(absl::Seconds(20));
  auto watcher = Subprocess::Start({CELLFLEET_CLI, "--output", "json", "watch", "--targets",
                                    addresses_[0], "--interval", "0.5", "--duration", "20"},
                                   dir_ + "/watch.log");
  ASSERT_THAT(watcher, IsOk());
  ASSERT_THAT(WaitForFile(dir_ + "/watch.log", absl::Seconds(10)), IsOk());
  absl::StatusOr<int> agent_exit = fleet_->agent(0).Stop(absl::Seconds(10));
  ASSERT_THAT(agent_exit, IsOk());
  EXPECT_EQ(*agent_exit, 0);
  watcher->Signal(SIGINT);
  EXPECT_THAT(watcher->Wait(absl::Seconds(10)), IsOk());
  absl::StatusOr<std::string> log = WaitForFile(dir_ + "/watch.log", absl::Seconds(1));
  ASSERT_THAT(log, IsOk());
  EXPECT_THAT(*log, HasSubstr("agent is shutting down"));
}

}  // namespace
}  // namespace cellfleet
