// Real serial programs against the simulator: picocom on the AT port, as a person
// uses it, and chat with a standard LTE connect script on the modem port.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/spawn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "simulator/scenario.h"
#include "simulator/simulated_fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::testing::HasSubstr;

constexpr char kPicocom[] = "/usr/bin/picocom";
constexpr char kChat[] = "/usr/sbin/chat";

class SerialClientsTest : public ::testing::Test {
 protected:
  void StartSim(const std::string& scenario_yaml) {
    dir_ = testing::MakeTempDir("cellfleet-serial");
    simulator::SimulatedFleetOptions options;
    options.boards = 1;
    options.dir = dir_ + "/sim";
    auto scenario = simulator::ParseScenario(scenario_yaml, "test");
    ASSERT_THAT(scenario, IsOk());
    options.scenario = *scenario;
    auto fleet = simulator::SimulatedFleet::Create(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    fleet_->Start();
  }
  void TearDown() override {
    if (fleet_) fleet_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // Runs chat on the modem port with `script`; returns chat's exit status.
  int RunChat(const std::string& script) {
    const std::string script_path = dir_ + "/connect.chat";
    std::ofstream(script_path) << script;
    const std::string log = dir_ + "/chat.log";
    absl::StatusOr<pid_t> pid = base::Spawn({kChat, "-s", "-v", "-f", script_path})
                                    .Open(0, fleet_->boards()[0].modem_path, O_RDWR | O_NOCTTY)
                                    .Dup(0, 1)
                                    .Open(2, log, O_WRONLY | O_CREAT | O_TRUNC)
                                    .Start();
    EXPECT_THAT(pid, IsOk());
    if (!pid.ok()) return -1;
    absl::StatusOr<int> code = base::WaitForExit(*pid, absl::Seconds(30));
    if (!code.ok()) {
      ::kill(*pid, SIGKILL);
      ::waitpid(*pid, nullptr, 0);
      ADD_FAILURE() << "chat did not finish";
      return -1;
    }
    std::ifstream in(log);
    chat_log_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return *code;
  }

  std::string dir_;
  std::string chat_log_;
  std::unique_ptr<simulator::SimulatedFleet> fleet_;
};

// The standard LTE connect script (Quectel's reference, with our APN).
constexpr char kConnectScript[] = R"(ABORT "BUSY"
ABORT "NO CARRIER"
ABORT "NO DIALTONE"
ABORT "ERROR"
ABORT "NO ANSWER"
TIMEOUT 10
"" AT
OK ATE0
OK AT+CGDCONT=1,"IP","internet.example"
OK ATD*99#
CONNECT ""
)";

TEST_F(SerialClientsTest, ChatReachesConnect) {
  ASSERT_TRUE(std::filesystem::exists(kChat)) << "the ppp package provides chat";
  StartSim("data:\n  require_apn: internet.example\n");
  EXPECT_EQ(RunChat(kConnectScript), 0) << chat_log_;
  EXPECT_THAT(chat_log_, HasSubstr("CONNECT"));
}

TEST_F(SerialClientsTest, ChatFailsWithTheAbortIndexWhenRefused) {
  StartSim("data:\n  connect: no_carrier\n");
  EXPECT_EQ(RunChat(kConnectScript), 5)
      << "chat exits 4 + index of the ABORT string: NO CARRIER is #2\n"
      << chat_log_;
}

TEST_F(SerialClientsTest, ChatFailsOnAWrongApn) {
  StartSim("data:\n  require_apn: other.apn\n");
  EXPECT_EQ(RunChat(kConnectScript), 5) << chat_log_;
}

TEST_F(SerialClientsTest, ChatFailsWithErrorIndex) {
  StartSim("data:\n  connect: error\n");
  EXPECT_EQ(RunChat(kConnectScript), 7) << "ERROR is the fourth ABORT string\n" << chat_log_;
}

TEST_F(SerialClientsTest, PicocomShowsWhatAPersonSeesOnAnEc25) {
  ASSERT_TRUE(std::filesystem::exists(kPicocom)) << "setup.sh installs picocom";
  StartSim("");
  int terminal = -1;
  pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string port = fleet_->boards()[0].at_path;
    ::execl(kPicocom, kPicocom, "-q", "--nolock", "-b", "115200", port.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  absl::Cleanup reap = [pid, terminal] {  // whatever the assertions did
    if (::kill(pid, SIGKILL) == 0) ::waitpid(pid, nullptr, 0);
    ::close(terminal);
  };
  auto read_until = [&](absl::string_view needle, absl::Duration timeout = absl::Seconds(10)) {
    std::string seen;
    const absl::Time deadline = base::Clock::Real().Now() + timeout;
    while (!absl::StrContains(seen, needle) && base::Clock::Real().Now() < deadline) {
      pollfd pfd{terminal, POLLIN, 0};
      if (::poll(&pfd, 1, 100) > 0) {
        char buffer[1024];
        ssize_t n = ::read(terminal, buffer, sizeof(buffer));
        if (n <= 0) break;
        seen.append(buffer, static_cast<size_t>(n));
      }
    }
    return seen;
  };
  // Typing a command and Enter (CR), as at the keyboard; the modem echoes it.
  auto type = [&](const std::string& keys) {
    ASSERT_EQ(::write(terminal, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  };
  // picocom needs a moment to open the port: retry the first AT until it answers.
  std::string first;
  for (int attempt = 0; attempt < 20 && !absl::StrContains(first, "OK"); ++attempt) {
    type("AT\r");
    first = read_until("OK\r\n", absl::Seconds(1));
  }
  ASSERT_THAT(first, HasSubstr("AT\r\r\nOK\r\n"));
  type("ATI\r");
  EXPECT_THAT(read_until("OK\r\n"),
              HasSubstr("ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"));
  type("AT+CPIN?\r");
  EXPECT_THAT(read_until("OK\r\n"), HasSubstr("AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n"));
  type("AT+COPS?\r");
  EXPECT_THAT(read_until("OK\r\n"), HasSubstr("\r\n+COPS: 0,0,\"Telekom.de\",7\r\n\r\nOK\r\n"));
  type("AT+CSQ\r");
  EXPECT_THAT(read_until("OK\r\n"), ::testing::ContainsRegex("\\+CSQ: [0-9]+,99"));
  type("\x01");  // C-a, then C-x: picocom exits
  type("\x18");
  bool exited = false;
  int status = 0;
  const absl::Time deadline = base::Clock::Real().Now() + absl::Seconds(10);
  while (!(exited = ::waitpid(pid, &status, WNOHANG) == pid) &&
         base::Clock::Real().Now() < deadline) {
    read_until("\n", absl::Milliseconds(100));  // keep the terminal drained while it exits
  }
  EXPECT_TRUE(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "picocom did not exit on C-a C-x";
}

}  // namespace
}  // namespace cellfleet
