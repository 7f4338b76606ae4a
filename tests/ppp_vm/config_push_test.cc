// Config push over a real PPP link, inside the PPP test VM: the carrier accepts two APNs
// and refuses the rest, so a push can succeed, fail and roll back for real.
#include <signal.h>

#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/replies/command_timeouts.h"
#include "modem/testing/status_matchers.h"
#include "tests/ppp_vm/vm_board.h"

namespace cellfleet::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

VmBoardOptions TwoApnCarrier(bool keep_up) {
  VmBoardOptions options;
  options.accepted_apns = {"internet.example", "backup.example"};
  options.connection_yaml = "  apn: internet.example\n";
  if (keep_up) {
    options.connection_yaml +=
        "  keep_up: {enabled: true, initial_backoff: 1s, max_backoff: 2s, stable_after: 60s}\n";
  }
  return options;
}

std::unique_ptr<VmBoard> StartDialedBoard(bool keep_up) {
  absl::StatusOr<std::unique_ptr<VmBoard>> board = VmBoard::Start(TwoApnCarrier(keep_up));
  EXPECT_THAT(board, IsOk());
  if (!board.ok()) return nullptr;
  absl::StatusOr<nlohmann::json> dial = (*board)->CliJson({"dial"}, modem::kDialTimeLimit);
  EXPECT_THAT(dial, IsOk());
  if (!dial.ok() || (*dial)["ok"] != true) {
    ADD_FAILURE() << (dial.ok() ? dial->dump() : "") << (*board)->AgentLog();
    return nullptr;
  }
  return std::move(*board);
}

uint64_t Number(const nlohmann::json& value) {
  uint64_t n = 0;  // proto JSON writes 64-bit integers as strings
  if (value.is_string()) (void)absl::SimpleAtoi(value.get<std::string>(), &n);
  if (value.is_number()) n = value.get<uint64_t>();
  return n;
}

// Up, on config `version`, with the address the carrier gives.
std::function<bool(const nlohmann::json&)> UpOn(uint64_t version) {
  return [version](const nlohmann::json& s) {
    const nlohmann::json& link = s.value("connection", nlohmann::json::object());
    return link.value("state", "") == "CONNECTION_STATE_CONNECTED" &&
           Number(link.value("config_version", nlohmann::json())) == version &&
           Number(s.value("config", nlohmann::json::object()).value("version", nlohmann::json())) ==
               version;
  };
}

void ExpectPingAcross(const nlohmann::json& status) {
  const std::string interface_name = status["connection"]["interface_name"];
  absl::StatusOr<CommandResult> ping =
      RunCommand({"/usr/bin/ping", "-c", "2", "-W", "5", "-I", interface_name, kNetworkAddress},
                 absl::Seconds(30));
  ASSERT_THAT(ping, IsOk());
  EXPECT_EQ(ping->exit_code, 0) << ping->out << ping->err;
}

std::string Apn(VmBoard& board) {
  absl::StatusOr<nlohmann::json> get = board.CliJson({"config", "get"}, absl::Seconds(20));
  if (!get.ok()) return get.status().ToString();
  return (*get)["config"]["current"]["config"].value("apn", "");
}

TEST(ConfigPushVmTest, AGoodApnPushedAndConfirmedStaysAfterAgentRestart) {
  std::unique_ptr<VmBoard> board = StartDialedBoard(/*keep_up=*/true);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> push =
      board->CliJson({"apn", "set", "backup.example", "--confirm", "120s"}, absl::Seconds(150));
  ASSERT_THAT(push, IsOk());
  ASSERT_EQ((*push)["result"], "CONFIRMED") << push->dump() << board->AgentLog();
  absl::StatusOr<nlohmann::json> up = board->WaitForStatus(UpOn(2), absl::Seconds(30));
  ASSERT_THAT(up, IsOk());
  ExpectPingAcross(*up);

  ASSERT_THAT(board->RestartAgent(SIGTERM), IsOk());  // as systemctl restart does
  // Keep-up brings the link back by itself, on the pushed version.
  absl::StatusOr<nlohmann::json> again = board->WaitForStatus(UpOn(2), absl::Seconds(90));
  ASSERT_THAT(again, IsOk()) << board->AgentLog();
  EXPECT_EQ(Apn(*board), "backup.example");
  ExpectPingAcross(*again);
}

TEST(ConfigPushVmTest, ABadApnRollsBackAndTheLinkReturnsOnTheOldOne) {
  std::unique_ptr<VmBoard> board = StartDialedBoard(/*keep_up=*/false);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> push =
      board->CliJson({"apn", "set", "refused.example", "--confirm", "120s"}, absl::Seconds(150));
  ASSERT_THAT(push, IsOk());
  EXPECT_EQ((*push)["result"], "ROLLED_BACK") << push->dump() << board->AgentLog();
  EXPECT_THAT((*push)["detail"].get<std::string>(), HasSubstr("NO CARRIER"));
  absl::StatusOr<nlohmann::json> back = board->WaitForStatus(UpOn(1), absl::Seconds(60));
  ASSERT_THAT(back, IsOk()) << board->AgentLog();
  EXPECT_EQ(Apn(*board), "internet.example");
  ExpectPingAcross(*back);
}

TEST(ConfigPushVmTest, NoConfirmWithinTheWindowRollsBack) {
  std::unique_ptr<VmBoard> board = StartDialedBoard(/*keep_up=*/false);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> push = board->CliJson(
      {"apn", "set", "backup.example", "--confirm", "30s", "--manual-confirm"}, absl::Seconds(60));
  ASSERT_THAT(push, IsOk());
  ASSERT_EQ((*push)["result"], "PENDING") << push->dump();
  // The board does come up on the new APN...
  ASSERT_THAT(board->WaitForStatus(UpOn(2), absl::Seconds(60)), IsOk()) << board->AgentLog();
  // ...but nobody confirms it: back on version 1 once the window closes.
  absl::StatusOr<nlohmann::json> back = board->WaitForStatus(UpOn(1), absl::Seconds(90));
  ASSERT_THAT(back, IsOk()) << board->AgentLog();
  EXPECT_EQ(Apn(*board), "internet.example");
  ExpectPingAcross(*back);
  absl::StatusOr<nlohmann::json> late = board->CliJson({"config", "confirm", "--version", "2"});
  ASSERT_THAT(late, IsOk());
  EXPECT_EQ((*late)["ok"], false);
  EXPECT_THAT((*late)["error"]["message"].get<std::string>(), HasSubstr("rolled back"));
}

TEST(ConfigPushVmTest, AgentKilledDuringApplyRestartsWholeAndStillRollsBack) {
  std::unique_ptr<VmBoard> board = StartDialedBoard(/*keep_up=*/false);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> push = board->CliJson(
      {"apn", "set", "backup.example", "--confirm", "20s", "--manual-confirm"}, absl::Seconds(60));
  ASSERT_THAT(push, IsOk());
  ASSERT_EQ((*push)["result"], "PENDING") << push->dump();
  // SIGKILL while the agent redials with the new APN: no clean-up of any kind runs.
  std::string stored;
  std::vector<pid_t> orphans;  // pppds the dead agent left behind
  const pid_t killed_agent = board->agent_pid();
  ASSERT_THAT(board->RestartAgent(SIGKILL,
                                  [&] {
                                    std::ifstream in(board->state_dir() + "/config.json");
                                    stored.assign(std::istreambuf_iterator<char>(in),
                                                  std::istreambuf_iterator<char>());
                                    for (pid_t pid : PppdPids()) {
                                      const pid_t parent = ParentPid(pid);
                                      if (parent != board->simulator_pid() &&
                                          ParentPid(parent) != board->simulator_pid()) {
                                        orphans.push_back(pid);
                                      }
                                    }
                                  }),
              IsOk());
  std::cout << "pppd processes left by the killed agent " << killed_agent << ": " << orphans.size()
            << "\n";
  // What the dead agent left is one whole config: parseable, version 1 or 2, an APN.
  const nlohmann::json config = nlohmann::json::parse(stored, nullptr, false);
  ASSERT_FALSE(config.is_discarded()) << stored;
  EXPECT_THAT(Number(config["current"]["version"]), AnyOf(1u, 2u));
  EXPECT_THAT(config["current"]["config"]["apn"].get<std::string>(),
              AnyOf("internet.example", "backup.example"));
  // The restarted agent ends the pppd its predecessor left, keeps the pending confirm
  // and, once the window has closed, restores version 1 and dials it.
  absl::StatusOr<nlohmann::json> back = board->WaitForStatus(UpOn(1), absl::Seconds(120));
  ASSERT_THAT(back, IsOk()) << board->AgentLog();
  EXPECT_EQ(Apn(*board), "internet.example");
  ExpectPingAcross(*back);
  for (pid_t orphan : orphans) {
    EXPECT_NE(ParentPid(orphan), 1) << "pppd " << orphan << " of the killed agent still runs";
  }
  EXPECT_THAT(board->AgentLog(), HasSubstr(orphans.empty() ? "" : "from an earlier agent run"));
  // No pppd left over from the killed agent: each is the new agent's, the carrier's (a
  // child of the simulator) or a helper the carrier forked.
  for (pid_t pid : PppdPids()) {
    const pid_t parent = ParentPid(pid);
    const bool helper = ParentPid(parent) == board->simulator_pid();
    EXPECT_TRUE(parent == board->agent_pid() || parent == board->simulator_pid() || helper)
        << "pppd " << pid << " (parent " << parent << ") outlived the agent that started it";
  }
}

}  // namespace
}  // namespace cellfleet::testing
