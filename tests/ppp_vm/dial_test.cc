// Dial and hang-up with the real pppd and chat, inside the PPP test VM: the agent dials
// the simulator's modem port through gRPC from the CLI; a carrier pppd answers.
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/replies/command_timeouts.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "modem/uucp_lock.h"
#include "tests/ppp_vm/vm_board.h"

namespace cellfleet::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::unique_ptr<VmBoard> StartBoard(VmBoardOptions options = {}) {
  absl::StatusOr<std::unique_ptr<VmBoard>> board = VmBoard::Start(std::move(options));
  EXPECT_THAT(board, IsOk());
  return board.ok() ? std::move(*board) : nullptr;
}

bool Connected(const nlohmann::json& status) {
  return status.contains("connection") &&
         status["connection"].value("state", "") == "CONNECTION_STATE_CONNECTED";
}

uint64_t Counter(const nlohmann::json& connection, const char* name) {
  uint64_t value = 0;  // proto JSON writes 64-bit integers as strings
  if (connection.contains(name))
    (void)absl::SimpleAtoi(connection[name].get<std::string>(), &value);
  return value;
}

// Every pppd gone within `timeout` (the board's, and the carrier's after the hang-up).
bool NoPppdWithin(absl::Duration timeout) {
  return WaitFor([] { return PppdPids().empty(); }, timeout, absl::Milliseconds(100));
}

TEST(PppLinkTest, DialsPingsAcrossTheLinkAndHangsUp) {
  std::unique_ptr<VmBoard> board = StartBoard();
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> dial = board->CliJson({"dial"}, modem::kDialTimeLimit);
  ASSERT_THAT(dial, IsOk());
  ASSERT_EQ((*dial)["ok"], true) << dial->dump() << "\n" << board->AgentLog();
  const nlohmann::json& link = (*dial)["connection"];
  EXPECT_EQ(link["state"], "CONNECTION_STATE_CONNECTED");
  EXPECT_EQ(link["local_address"], kBoardAddress);
  EXPECT_EQ(link["remote_address"], kNetworkAddress);
  EXPECT_THAT(link["dns_servers"], ElementsAre(kPrimaryDns, kSecondaryDns));
  const std::string interface_name = link["interface_name"];
  ASSERT_TRUE(absl::StartsWith(interface_name, "ppp")) << interface_name;

  // As installed: the agent runs as the service user; its pppd is Debian's setuid one,
  // root in effect, the service user in fact.
  const int service_uid = static_cast<int>(board->service().uid);
  EXPECT_NE(service_uid, 0);
  EXPECT_EQ(ProcessUids(board->agent_pid()), std::make_pair(service_uid, service_uid));
  std::vector<pid_t> board_pppd;
  for (pid_t pid : PppdPids()) {
    if (ParentPid(pid) == board->agent_pid()) board_pppd.push_back(pid);
  }
  ASSERT_EQ(board_pppd.size(), 1u);
  EXPECT_EQ(ProcessUids(board_pppd[0]), std::make_pair(service_uid, 0));

  // The kernel agrees, and the carrier answers across the link.
  EXPECT_THAT(InterfaceAddresses(interface_name),
              HasSubstr(absl::StrCat("inet ", kBoardAddress, " peer ", kNetworkAddress)));
  absl::StatusOr<CommandResult> ping =
      RunCommand({"/usr/bin/ping", "-c", "3", "-W", "5", "-I", interface_name, kNetworkAddress},
                 absl::Seconds(30));
  ASSERT_THAT(ping, IsOk());
  EXPECT_EQ(ping->exit_code, 0) << ping->out << ping->err;
  EXPECT_THAT(ping->out, HasSubstr("3 received"));
  // pppd wrote the peer's DNS to its own resolv.conf (usepeerdns); nobody else has to.
  std::ifstream resolv("/etc/ppp/resolv.conf");
  const std::string resolv_text((std::istreambuf_iterator<char>(resolv)),
                                std::istreambuf_iterator<char>());
  EXPECT_THAT(resolv_text, HasSubstr(absl::StrCat("nameserver ", kPrimaryDns)));

  // Status carries the link, with the interface's byte counters.
  absl::StatusOr<nlohmann::json> status = board->WaitForStatus(Connected, absl::Seconds(20));
  ASSERT_THAT(status, IsOk());
  // pppd owns the modem port; the AT port goes on being polled meanwhile, and the modem
  // reports the call in its serving cell.
  EXPECT_EQ((*status)["modem_state"], "MODEM_STATE_READY");
  ASSERT_TRUE(status->contains("serving_cell"));
  EXPECT_EQ((*status)["serving_cell"].value("state", ""), "SERVING_CELL_STATE_CONNECT");
  EXPECT_GT(Counter((*status)["connection"], "tx_bytes"), 3u * 84u);  // 3 pings went out
  EXPECT_GT(Counter((*status)["connection"], "rx_bytes"), 3u * 84u);  // and came back
  EXPECT_TRUE((*status)["connection"].contains("connected_since"));

  // Data usage, counted as installed: the service user's agent, under the unit's
  // sandbox, reads the kernel's ppp0 counters and keeps its ledger in the state dir.
  uint64_t used_rx = 0, used_tx = 0;
  nlohmann::json usage;
  EXPECT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<nlohmann::json> read = board->CliJson({"usage"}, absl::Seconds(20));
        if (!read.ok() || !read->contains("accounts") || (*read)["accounts"].empty()) return false;
        usage = *read;
        used_rx = Counter(usage["accounts"][0]["cycle"], "rx_bytes");
        used_tx = Counter(usage["accounts"][0]["cycle"], "tx_bytes");
        return used_rx > 3u * 84u && used_tx > 3u * 84u;
      },
      absl::Seconds(20)))
      << usage.dump();
  EXPECT_EQ(usage["accounts"][0]["state"], "USAGE_STATE_OK") << usage.dump();

  // The doctor, run by the agent as installed (the service user): the kernel's default
  // route goes via the link, and pppd wrote the peer's DNS (usepeerdns).
  absl::StatusOr<nlohmann::json> doctor = board->CliJson({"doctor"}, absl::Seconds(60));
  ASSERT_THAT(doctor, IsOk());
  std::map<std::string, std::string> checks;
  for (const nlohmann::json& check : (*doctor).value("checks", nlohmann::json::array())) {
    checks[check.value("name", "")] =
        absl::StrCat(check.value("result", ""), ": ", check.value("detail", ""));
  }
  EXPECT_THAT(checks["link"], HasSubstr("PASS")) << doctor->dump();
  EXPECT_EQ(checks["route"],
            absl::StrCat("CHECK_RESULT_PASS: default route via dev ", interface_name))
      << doctor->dump();
  EXPECT_THAT(checks["dns"],
              HasSubstr(absl::StrCat("PASS: pppd wrote the peer's DNS ", kPrimaryDns)))
      << doctor->dump();
  EXPECT_THAT(checks["at_port"], HasSubstr("PASS")) << doctor->dump();

  absl::StatusOr<nlohmann::json> hangup = board->CliJson({"hangup"}, absl::Seconds(30));
  ASSERT_THAT(hangup, IsOk());
  EXPECT_EQ((*hangup)["ok"], true) << hangup->dump();
  EXPECT_EQ((*hangup)["connection"]["state"], "CONNECTION_STATE_DISCONNECTED") << hangup->dump();
  EXPECT_FALSE(InterfaceExists(interface_name));
  // Debian's pppd totals the session as it ends ("Sent N bytes, received M bytes"): the
  // agent read them, and the ledger, saved at the session's end, has at least as much.
  EXPECT_EQ((*hangup)["connection"].value("counters_final", false), true) << hangup->dump();
  EXPECT_GE(Counter((*hangup)["connection"], "tx_bytes"), 3u * 84u) << hangup->dump();
  EXPECT_TRUE(WaitFor(
      [&] {
        struct stat st {};
        return ::stat((board->state_dir() + "/usage.pb").c_str(), &st) == 0 &&
               st.st_uid == board->service().uid && (st.st_mode & 0777) == 0600;
      },
      absl::Seconds(10)))
      << "the ledger is the service user's, 0600, in its state dir";
  absl::StatusOr<nlohmann::json> after = board->CliJson({"usage"}, absl::Seconds(20));
  ASSERT_THAT(after, IsOk());
  EXPECT_GE(Counter((*after)["accounts"][0]["cycle"], "tx_bytes"), used_tx) << after->dump();
  EXPECT_GE(Counter((*after)["accounts"][0]["cycle"], "rx_bytes"), used_rx) << after->dump();
  EXPECT_TRUE(NoPppdWithin(absl::Seconds(15))) << "a pppd is still running";
  // No stale UUCP lock: the port can be dialed again at once.
  absl::StatusOr<nlohmann::json> again = board->CliJson({"dial"}, modem::kDialTimeLimit);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)["ok"], true) << again->dump() << "\n" << board->AgentLog();

  // The agent stopping (systemctl stop: SIGTERM) ends its pppd gracefully: the link, every
  // pppd and the UUCP lock are gone.
  const std::string lock =
      modem::UucpLock::LockFilePath(board->dir() + "/sim/board-00/modem", "/var/lock");
  bool pppd_ended = false, lock_removed = false, link_gone = false;
  ASSERT_THAT(board->RestartAgent(SIGTERM,
                                  [&] {
                                    pppd_ended = NoPppdWithin(absl::Seconds(15));
                                    lock_removed = !std::filesystem::exists(lock);
                                    link_gone = !InterfaceExists(interface_name);
                                  }),
              IsOk());
  EXPECT_TRUE(pppd_ended);
  EXPECT_TRUE(lock_removed) << lock;
  EXPECT_TRUE(link_gone);
}

TEST(PppLinkTest, WrongApnIsRefusedByTheNetworkAndChatFails) {
  VmBoardOptions options;
  options.accepted_apns = {"internet.example"};
  options.connection_yaml = "  apn: wrong.example\n";
  std::unique_ptr<VmBoard> board = StartBoard(options);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> dial = board->CliJson({"dial"}, modem::kDialTimeLimit);
  ASSERT_THAT(dial, IsOk());
  EXPECT_EQ((*dial)["ok"], false);
  EXPECT_EQ((*dial)["error"]["code"], "UNAVAILABLE") << dial->dump();
  absl::StatusOr<nlohmann::json> status = board->WaitForStatus(
      [](const nlohmann::json& s) {
        return s["connection"].value("state", "") == "CONNECTION_STATE_FAILED";
      },
      absl::Seconds(20));
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ((*status)["connection"]["failure"], "CONNECTION_FAILURE_NO_CARRIER")
      << status->dump() << "\n"
      << board->AgentLog();
  EXPECT_TRUE(NoPppdWithin(absl::Seconds(15)));
}

struct AuthCase {
  const char* name;
  const char* method;           // the agent's auth
  const char* network_require;  // the carrier's require-pap / require-chap
  const char* password;         // what the agent sends; the carrier expects "right-secret"
  bool connects;
};

class PppAuthTest : public ::testing::TestWithParam<AuthCase> {};

TEST_P(PppAuthTest, TheCarrierChecksTheCredentials) {
  const AuthCase& c = GetParam();
  VmBoardOptions options;
  options.network_options = {"auth", c.network_require};
  const std::string secrets = "\"fleet\" * \"right-secret\" *\n";
  (std::string(c.method) == "pap" ? options.network_pap_secrets : options.network_chap_secrets) =
      secrets;
  options.connection_yaml = absl::StrCat("  apn: internet.example\n  auth: ", c.method,
                                         "\n  username: fleet\n  password: ", c.password, "\n");
  std::unique_ptr<VmBoard> board = StartBoard(options);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> dial = board->CliJson({"dial"}, modem::kDialTimeLimit);
  ASSERT_THAT(dial, IsOk());
  ASSERT_EQ((*dial)["ok"], c.connects) << dial->dump() << "\n" << board->AgentLog();
  if (c.connects) {
    EXPECT_EQ((*dial)["connection"]["local_address"], kBoardAddress);
    return;
  }
  // pppd exit 19: the peer refused our credentials. Fix the board, not retry.
  EXPECT_EQ((*dial)["error"]["code"], "FAILED_PRECONDITION") << dial->dump();
  absl::StatusOr<nlohmann::json> status = board->WaitForStatus(
      [](const nlohmann::json& s) {
        return s["connection"].value("state", "") == "CONNECTION_STATE_FAILED";
      },
      absl::Seconds(20));
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ((*status)["connection"]["failure"], "CONNECTION_FAILURE_AUTH_REJECTED")
      << status->dump();
  // The secret went through pppd's options file only: never on a command line.
  EXPECT_THAT(board->AgentLog(), Not(HasSubstr(c.password)));
}

INSTANTIATE_TEST_SUITE_P(
    PapAndChap, PppAuthTest,
    ::testing::Values(AuthCase{"PapAccepted", "pap", "require-pap", "right-secret", true},
                      AuthCase{"PapRejected", "pap", "require-pap", "wrong-secret", false},
                      AuthCase{"ChapAccepted", "chap", "require-chap", "right-secret", true},
                      AuthCase{"ChapRejected", "chap", "require-chap", "wrong-secret", false}),
    [](const ::testing::TestParamInfo<AuthCase>& param_info) {
      return std::string(param_info.param.name);
    });

// A board with keep-up (1 s backoff, 5 attempts), dialed: `since` is when it came up.
void DialWithKeepUp(VmBoardOptions options, std::unique_ptr<VmBoard>& board, std::string& since) {
  options.connection_yaml =
      "  apn: internet.example\n"
      "  keep_up: {enabled: true, initial_backoff: 1s, max_backoff: 2s, max_attempts: 5, "
      "stable_after: 60s}\n";
  board = StartBoard(options);
  ASSERT_NE(board, nullptr);
  absl::StatusOr<nlohmann::json> dial = board->CliJson({"dial"}, modem::kDialTimeLimit);
  ASSERT_THAT(dial, IsOk());
  ASSERT_EQ((*dial)["ok"], true) << dial->dump() << "\n" << board->AgentLog();
  const nlohmann::json& link = dial->value("connection", nlohmann::json::object());
  ASSERT_TRUE(link.contains("connected_since")) << dial->dump() << "\n" << board->AgentLog();
  since = link["connected_since"].get<std::string>();
}

TEST(PppLinkTest, PeerDyingHangsUpTheModemAndKeepUpRedials) {
  VmBoardOptions options;
  std::unique_ptr<VmBoard> board;
  std::string since;
  ASSERT_NO_FATAL_FAILURE(DialWithKeepUp(options, board, since));

  // The carrier dies: kill every pppd that is not the agent's own child.
  const pid_t agent = board->agent_pid();
  int killed = 0;
  for (pid_t pid : PppdPids()) {
    if (ParentPid(pid) != agent) {
      ::kill(pid, SIGKILL);
      ++killed;
    }
  }
  ASSERT_GE(killed, 1);  // the carrier (and the child pppd forks to shunt its pty)

  // Keep-up dials again, to a new carrier session...
  absl::StatusOr<nlohmann::json> back = board->WaitForStatus(
      [&](const nlohmann::json& s) {
        return Connected(s) && s["connection"].value("connected_since", "") != since;
      },
      absl::Seconds(60));
  ASSERT_THAT(back, IsOk()) << board->AgentLog();
  EXPECT_EQ((*back)["connection"]["local_address"], kBoardAddress);
  EXPECT_EQ((*back)["connection"].value("redial_attempts", 0), 1) << back->dump();
  // ...after the modem reported NO CARRIER and dropped the line, which pppd saw as
  // "Modem hangup" (16). The failed state lasts only the backoff, shorter than a status
  // poll here can catch; the history has it, as every link change is sampled at once.
  absl::StatusOr<CommandResult> history =
      board->Cli({"history", "--events-only", "--since", "1h"}, absl::Seconds(20));
  ASSERT_THAT(history, IsOk());
  std::vector<std::string> downs;
  for (absl::string_view line : absl::StrSplit(history->out, '\n', absl::SkipEmpty())) {
    const nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry.contains("event") &&
        entry["event"].value("kind", "") == "EVENT_KIND_LINK_DOWN") {
      downs.push_back(entry["event"].value("detail", ""));
    }
  }
  ASSERT_EQ(downs.size(), 1u) << history->out;
  EXPECT_THAT(downs[0], HasSubstr("CONNECTION_FAILURE_MODEM_HANGUP")) << history->out;
}

TEST(PppLinkTest, ANetworkThatEndsTheSessionCleanlyIsRedialed) {
  VmBoardOptions options;
  options.hangup_on_carrier_loss = false;  // only LCP says goodbye; the modem keeps the line
  std::unique_ptr<VmBoard> board;
  std::string since;
  ASSERT_NO_FATAL_FAILURE(DialWithKeepUp(options, board, since));

  // SIGTERM makes the carrier's pppd send an LCP Terminate-Request: a clean end, after
  // which the board's pppd exits 0 ("terminated at the peer's request"). Only the main
  // carrier pppd (the simulator's child): its own child shunts bytes to its pty and must
  // live on to carry the Terminate-Request.
  int signalled = 0;
  for (pid_t pid : PppdPids()) {
    if (ParentPid(pid) == board->simulator_pid()) {
      ::kill(pid, SIGTERM);
      ++signalled;
    }
  }
  ASSERT_EQ(signalled, 1);
  absl::StatusOr<nlohmann::json> back = board->WaitForStatus(
      [&](const nlohmann::json& s) {
        return Connected(s) && s["connection"].value("connected_since", "") != since;
      },
      absl::Seconds(60));
  ASSERT_THAT(back, IsOk()) << board->AgentLog();
  EXPECT_GE((*back)["connection"].value("redial_attempts", 0), 1) << back->dump();
  // The history says why: the network ended it (pppd may add "Modem hangup" after).
  absl::StatusOr<CommandResult> history =
      board->Cli({"history", "--events-only", "--since", "1h"}, absl::Seconds(20));
  ASSERT_THAT(history, IsOk());
  EXPECT_THAT(history->out, HasSubstr("CONNECTION_FAILURE_PEER_TERMINATED: LCP terminated by peer"))
      << history->out << "\n"
      << board->AgentLog();
}

TEST(PppLinkTest, APortLockedByAnotherProgramIsReported) {
  std::unique_ptr<VmBoard> board = StartBoard();
  ASSERT_NE(board, nullptr);
  // pppd, picocom and minicom honour the same UUCP lock file; here this (live) test
  // process holds it, as picocom would while someone types AT commands.
  absl::StatusOr<nlohmann::json> dial;
  {
    absl::StatusOr<modem::UucpLock> lock =
        modem::UucpLock::Acquire(board->dir() + "/sim/board-00/modem", "/var/lock");
    ASSERT_THAT(lock, IsOk());
    dial = board->CliJson({"dial"}, modem::kDialTimeLimit);
  }  // released: the next dial may take the port
  ASSERT_THAT(dial, IsOk());
  EXPECT_EQ((*dial)["ok"], false);
  EXPECT_EQ((*dial)["error"]["code"], "FAILED_PRECONDITION") << dial->dump();
  EXPECT_THAT((*dial)["error"]["message"].get<std::string>(), HasSubstr("locked"));
  absl::StatusOr<nlohmann::json> status = board->WaitForStatus(
      [](const nlohmann::json& s) {
        return s["connection"].value("failure", "") == "CONNECTION_FAILURE_PORT_LOCKED";
      },
      absl::Seconds(20));
  EXPECT_THAT(status, IsOk()) << board->AgentLog();
  // Once the other program lets go, the same board dials.
  absl::StatusOr<nlohmann::json> again = board->CliJson({"dial"}, modem::kDialTimeLimit);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)["ok"], true) << again->dump() << "\n" << board->AgentLog();
}

}  // namespace
}  // namespace cellfleet::testing
