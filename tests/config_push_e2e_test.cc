// `cellfleet config ...` and `cellfleet apn set` against three real agent processes on
// loopback, with a stand-in pppd whose "network" refuses one APN (the real pppd is in
// tests/ppp_vm): rollouts that confirm, canaries that stop a rollout, refusals that name
// the field, and the exit codes.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "nlohmann/json.hpp"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::RunCommand;
using ::testing::HasSubstr;

constexpr int kBoards = 3;
constexpr char kRefusedApn[] = "refused.example";

class ConfigPushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cellfleet-push");
    ::setenv("FAKE_PPPD_MODE", "by-apn", 1);
    ::setenv("FAKE_PPPD_REFUSED_APN", kRefusedApn, 1);
    testing::FleetOptions options;
    options.simulator = CELLFLEET_MODEMSIM;
    options.agent = CELLFLEET_AGENT;
    options.dir = dir_;
    options.boards = kBoards;
    options.poll_interval = "0.3";
    options.agent_args = [this](int i) -> std::vector<std::string> {
      return {"--pppd",
              CELLFLEET_FAKE_PPPD,
              "--apn",
              "internet.example",
              "--unauthenticated-role",
              "operator",
              "--audit-log",
              absl::StrCat(dir_, "/audit", i, ".jsonl")};
    };
    absl::StatusOr<std::unique_ptr<testing::Fleet>> fleet = testing::Fleet::Start(options);
    ASSERT_THAT(fleet, IsOk());
    fleet_ = std::move(*fleet);
    targets_ = fleet_->targets();
    // Every board's link is up before a push, as on a fleet in the field.
    auto dial = Cli({"dial", "--targets", targets_});
    ASSERT_EQ(dial.exit_code, 0) << dial.out << dial.err;
  }

  void TearDown() override {
    if (fleet_) {
      EXPECT_THAT(fleet_->Stop(), IsOk());
    }
    ::unsetenv("FAKE_PPPD_MODE");
    ::unsetenv("FAKE_PPPD_REFUSED_APN");
    std::filesystem::remove_all(dir_);
  }

  testing::CommandResult Cli(std::vector<std::string> args,
                             absl::Duration timeout = absl::Seconds(60)) {
    args.insert(args.begin(), CELLFLEET_CLI);
    absl::StatusOr<testing::CommandResult> result = RunCommand(args, timeout);
    EXPECT_THAT(result, IsOk());
    return result.ok() ? *result : testing::CommandResult{};
  }

  std::vector<nlohmann::json> JsonLines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
      lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
  }

  // The config version in force on each board, in board order.
  std::vector<uint64_t> Versions() {
    auto get = Cli({"-o", "json", "config", "get", "--targets", targets_});
    std::vector<uint64_t> versions;
    for (const nlohmann::json& line : JsonLines(get.out)) {
      versions.push_back(std::stoull(line["config"]["current"]["version"].get<std::string>()));
    }
    return versions;
  }

  std::string dir_, targets_;
  std::unique_ptr<testing::Fleet> fleet_;
};

TEST_F(ConfigPushTest, ApnSetConfirmsEveryBoardOnceItIsBackOnTheNewLink) {
  auto push = Cli({"-o", "json", "apn", "set", "backup.example", "--confirm", "30s", "--canary",
                   "1", "--progress", "--targets", targets_});
  EXPECT_EQ(push.exit_code, 0) << push.out << push.err;
  const std::vector<nlohmann::json> lines = JsonLines(push.out);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards));
  for (const nlohmann::json& line : lines) {
    EXPECT_EQ(line["result"], "CONFIRMED") << line.dump();
    EXPECT_EQ(line["version"], 2);
  }
  // A progress line per board and step.
  for (int i = 0; i < kBoards; ++i) {
    EXPECT_THAT(push.err, HasSubstr(absl::StrCat("applied version 2; redialing")));
    EXPECT_THAT(push.err, HasSubstr("back on version 2 (ppp0 10.221.128.38); confirming"));
  }
  EXPECT_EQ(Versions(), std::vector<uint64_t>(kBoards, 2));
  auto get = Cli({"config", "get", "--targets", targets_});
  EXPECT_THAT(get.out, HasSubstr("backup.example"));
}

TEST_F(ConfigPushTest, AFailingCanaryStopsTheRolloutAndRollsItselfBack) {
  auto push =
      Cli({"apn", "set", kRefusedApn, "--confirm", "30s", "--canary", "1", "--targets", targets_});
  EXPECT_EQ(push.exit_code, 1) << push.out << push.err;
  EXPECT_THAT(push.out, HasSubstr("ROLLED_BACK"));
  EXPECT_THAT(push.out, HasSubstr("NO CARRIER"));
  EXPECT_THAT(push.out, HasSubstr("not pushed: canary"));
  EXPECT_THAT(push.err, HasSubstr("3 of 3 boards did not end confirmed"));
  // The canary is back on version 1 (its pushed version 2 is history); the others were
  // never touched.
  EXPECT_EQ(Versions(), std::vector<uint64_t>(kBoards, 1));
  auto get = Cli({"-o", "json", "config", "get", "--previous", "--targets", targets_});
  const std::vector<nlohmann::json> lines = JsonLines(get.out);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kBoards));
  EXPECT_THAT(lines[0]["config"]["previous"][0]["note"].get<std::string>(),
              HasSubstr("rolled back: redial with version 2 failed"));
  EXPECT_FALSE(lines[1]["config"].contains("previous"));
  // The audit log has the operator's apply and the agent's own rollback.
  std::ifstream audit(dir_ + "/audit0.jsonl");
  const std::string audit_text((std::istreambuf_iterator<char>(audit)),
                               std::istreambuf_iterator<char>());
  EXPECT_THAT(audit_text, HasSubstr("\"ApplyConfig\""));
  EXPECT_THAT(audit_text, HasSubstr("\"RollbackConfig\""));
  EXPECT_THAT(audit_text, HasSubstr("CONFIG_STEP_KIND_ROLLED_BACK"));
}

TEST_F(ConfigPushTest, DiffShowsTheChangeAndChangesNothing) {
  auto diff = Cli({"config", "diff", "--apn", "backup.example", "--targets", targets_});
  EXPECT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_THAT(diff.out, HasSubstr("-apn: internet.example\n+apn: backup.example\n"));
  EXPECT_THAT(diff.out, HasSubstr("+OK 'AT+CGDCONT=1,\"IP\",\"backup.example\"'"));
  EXPECT_EQ(Versions(), std::vector<uint64_t>(kBoards, 1));
}

TEST_F(ConfigPushTest, BadValuesAreRefusedNamingTheFieldAndBadFlagsAreUsageErrors) {
  auto bad_apn = Cli({"-o", "json", "apn", "set", "bad\"apn", "--targets", targets_});
  EXPECT_EQ(bad_apn.exit_code, 1);
  for (const nlohmann::json& line : JsonLines(bad_apn.out)) {
    EXPECT_EQ(line["result"], "FAILED");
    EXPECT_THAT(line["detail"].get<std::string>(), HasSubstr("INVALID_ARGUMENT: apn: "));
  }
  const std::string password_file = dir_ + "/password";
  { std::ofstream(password_file) << "with\"quote\n"; }
  auto bad_password = Cli({"-o", "json", "config", "apply", "--auth", "pap", "--username", "fleet",
                           "--password-file", password_file, "--targets", targets_});
  EXPECT_EQ(bad_password.exit_code, 1);
  EXPECT_THAT(bad_password.out, HasSubstr("INVALID_ARGUMENT: password: "));
  EXPECT_EQ(Versions(), std::vector<uint64_t>(kBoards, 1));

  EXPECT_EQ(Cli({"config", "apply", "--pdp-type", "X25", "--targets", targets_}).exit_code, 2);
  EXPECT_EQ(Cli({"config", "apply", "--targets", targets_}).exit_code, 2) << "nothing to change";
  EXPECT_EQ(Cli({"apn", "set", "x.example", "--confirm", "soon", "--targets", targets_}).exit_code,
            2);
  auto confirm = Cli({"config", "confirm", "--targets", targets_});
  EXPECT_EQ(confirm.exit_code, 1);
  EXPECT_THAT(confirm.out, HasSubstr("no version awaits confirmation"));
}

}  // namespace
}  // namespace cellfleet
