// The CLI as a library call: usage errors are one line and exit 2; unreachable boards
// are reported within the deadline and exit 1.
#include "client/cli.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace cellfleet::client {
namespace {

using ::testing::HasSubstr;

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

CliResult RunCli(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  CancelSignal cancel;
  int code = Run(args, in, out, err, cancel);
  return {code, out.str(), err.str()};
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A loopback port nobody listens on: bind, read the port, close.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(CliTest, UsageErrorsAreOneLineAndExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"status", "--targets", "not-an-address"},
           {"status", "--frobnicate"},
           {"status"},
           {"status", "--targets", "127.0.0.1:1", "--inventory", "x.yaml"},
           {"nosuchcommand"},
           {"--output", "xml", "status", "--targets", "127.0.0.1:1"},
           {"watch", "--targets", "127.0.0.1:1", "--deadband", "rsrp"},
           {"status", "--inventory", "/nonexistent.yaml"},
           // Remote AT: a bad command line is refused before any board is called.
           {"at", "CSQ", "--targets", "127.0.0.1:1"},
           {"at", "AT+CSQ\x1b", "--targets", "127.0.0.1:1"},
           {"at", "--targets", "127.0.0.1:1"},
           {"at", "AT+COPS=?", "--command-timeout", "600", "--targets", "127.0.0.1:1"},
           {"console", "--targets", "127.0.0.1:1,127.0.0.1:2"},
           // Boards behind a gateway: names, a gateway address, and the certificates.
           {"status", "--gateway", "127.0.0.1:1", "--targets", "127.0.0.1:9"},
           {"status", "--gateway", "nowhere", "--targets", "rock-001"},
           {"status", "--gateway", "127.0.0.1:1", "--inventory", "x.yaml"},
           {"status", "--gateway", "127.0.0.1:1", "--targets", "rock-001"}}) {
    CliResult r = RunCli(args);
    EXPECT_EQ(r.code, kExitUsage) << args[0] << " " << (args.size() > 1 ? args[1] : "");
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("cellfleet"));
  }
}

TEST(CliTest, BoardsBehindAGatewayNeedTheOperatorsCertificate) {
  CliResult r = RunCli({"status", "--gateway", "127.0.0.1:1", "--targets", "rock-001"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("board rock-001 is reached through the gateway 127.0.0.1:1"));
  EXPECT_THAT(r.err, HasSubstr("--ca, --cert, --key"));
}

TEST(CliTest, UnreachableBoardIsReportedWithinTheDeadline) {
  const std::string target = "127.0.0.1:" + std::to_string(UnusedPort());
  absl::Time start = base::Clock::Real().Now();
  CliResult r = RunCli({"--timeout", "2", "--output", "json", "status", "--targets", target});
  EXPECT_LT(base::Clock::Real().Now() - start, absl::Seconds(10));
  EXPECT_EQ(r.code, kExitFailed);
  nlohmann::json line = nlohmann::json::parse(r.out);
  EXPECT_EQ(line["address"], target);
  EXPECT_EQ(line["ok"], false);
  EXPECT_THAT(std::string(line["error"]["code"]),
              ::testing::AnyOf("UNAVAILABLE", "DEADLINE_EXCEEDED"));
}

// Global options after the subcommand, as the README writes them (`status -o json`) and
// as kubectl, gh and git users type them: taken, and checked as before.
TEST(CliTest, GlobalOptionsMayFollowTheCommand) {
  const std::string target = "127.0.0.1:" + std::to_string(UnusedPort());
  CliResult after = RunCli({"status", "--targets", target, "-o", "json", "--timeout", "1"});
  EXPECT_EQ(after.code, kExitFailed) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out)["address"], target);  // JSON: -o was taken
  CliResult nested = RunCli({"config", "get", "--targets", target, "--output", "json"});
  EXPECT_EQ(nested.code, kExitFailed) << nested.err;
  EXPECT_EQ(nlohmann::json::parse(nested.out)["ok"], false);

  // Checked wherever they stand: the reason names the option and its range.
  CliResult zero = RunCli({"status", "--targets", target, "--timeout", "0"});
  EXPECT_EQ(zero.code, kExitUsage);
  EXPECT_THAT(zero.err, HasSubstr("--timeout"));
  EXPECT_THAT(zero.err, HasSubstr("must be between 0.1 and 600 seconds, not 0"));
  EXPECT_THAT(zero.err, ::testing::Not(HasSubstr("not expected")));
  CliResult xml = RunCli({"status", "--targets", target, "-o", "xml"});
  EXPECT_EQ(xml.code, kExitUsage);
  EXPECT_THAT(xml.err, HasSubstr("xml"));
}

// Commands piped into the console run one by one as typed, each reply as the modem
// prints it; a line that is not a command is an error and the rest still run.
TEST(CliTest, ConsoleReadsCommandsFromAPipe) {
  CliResult r = RunCli({"--timeout", "1", "console", "--targets", "127.0.0.1:1"},
                       "# a comment\nCSQ\nexit\nAT+CSQ\n");
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_THAT(r.out, HasSubstr("127.0.0.1:1> CSQ\nerror: \"CSQ\" does not start with AT"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("> AT+CSQ")));  // `exit` ended it
}

TEST(CliTest, DecodeReadsStdin) {
  CliResult r = RunCli({"decode"}, "+CSQ: 11,99\r\nOK\r\n");
  EXPECT_EQ(r.code, kExitOk);
  nlohmann::json line = nlohmann::json::parse(r.out);
  EXPECT_EQ(line["command"], "+CSQ");
  EXPECT_EQ(line["signal"]["rssi_dbm"], -91);
  CliResult unknown = RunCli({"decode"}, "what is this\n");
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_THAT(unknown.err, HasSubstr("no modem reply recognised"));
}

}  // namespace
}  // namespace cellfleet::client
