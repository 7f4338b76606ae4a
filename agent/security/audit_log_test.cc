#include "agent/security/audit_log.h"

#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"
#include "nlohmann/json.hpp"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

const Caller kOperator{"ops-laptop", "ipv4:192.0.2.7:40000", Role::kOperator};
const Caller kStranger{"", "ipv4:192.0.2.66:40000", Role::kNone};

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/audit-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.path = dir_ + "/audit.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<AuditLog> Open() {
    absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(options_, clock_);
    EXPECT_THAT(log, IsOk());
    return log.ok() ? *std::move(log) : nullptr;
  }

  static absl::Status BeginAndWait(AuditLog& log, absl::string_view what) {
    absl::Status written;
    absl::Notification done;
    log.Begin(kOperator, "Dial", what, [&](absl::Status s) {
      written = s;
      done.Notify();
    });
    done.WaitForNotificationWithTimeout(absl::Seconds(10));
    return written;
  }

  static void RecordAndWait(AuditLog& log, const Caller& caller, const grpc::Status& result,
                            absl::string_view what = "apn: \"internet\"") {
    absl::Notification done;
    log.Record(caller, "Dial", what, result, [&] { done.Notify(); });
    done.WaitForNotificationWithTimeout(absl::Seconds(10));
  }

  std::vector<nlohmann::json> Lines(const std::string& path) const {
    std::vector<nlohmann::json> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  std::string dir_;
  AuditLogOptions options_;
  base::SimulatedClock clock_;
};

// A full disk refuses the call: it never acts unaudited. RLIMIT_FSIZE stands for the
// disk: the file may grow 10 bytes, not a whole line.
TEST_F(AuditLogTest, ACallActsOnlyOnceItsBeginLineIsOnDiskAndAFullDiskRefusesIt) {
  std::unique_ptr<AuditLog> log = Open();
  ASSERT_THAT(BeginAndWait(*log, "first"), IsOk());  // positive control
  const uintmax_t size = std::filesystem::file_size(options_.path);

  struct sigaction ignore {
  }, old_action{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGXFSZ, &ignore, &old_action);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit limit = old_limit;
  limit.rlim_cur = size + 10;
  ::setrlimit(RLIMIT_FSIZE, &limit);
  const absl::Status refused = BeginAndWait(*log, "second");
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::sigaction(SIGXFSZ, &old_action, nullptr);

  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable,
                                HasSubstr("the audit log cannot be written (" + options_.path +
                                          ": File too large); calls that change the board "
                                          "are refused until it can")));
  EXPECT_EQ(std::filesystem::file_size(options_.path), size) << "the torn line is cut off";
  // Room again: calls are audited and act again, and every line reads.
  ASSERT_THAT(BeginAndWait(*log, "third"), IsOk());
  std::vector<nlohmann::json> lines = Lines(options_.path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["request"], "first");
  EXPECT_EQ(lines[1]["request"], "third");
  EXPECT_EQ(lines[1]["phase"], "begin");
}

TEST_F(AuditLogTest, ADeviceThatIsFullRefusesTooButOneThatCannotSyncDoesNot) {
  options_.path = "/dev/full";
  EXPECT_THAT(BeginAndWait(*Open(), "x"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("No space left on device")));
  options_.path = "/dev/null";  // fsync says EINVAL: nothing to wait for, not a failure
  EXPECT_THAT(BeginAndWait(*Open(), "x"), IsOk());
}

TEST_F(AuditLogTest, LinesAreBoundedAndSecretsMaskedInEveryField) {
  std::unique_ptr<AuditLog> log = Open();
  const std::string huge = "command: \"AT+CPIN=\\\"1234\\\"\" " + std::string(1 << 20, 'x');
  ASSERT_THAT(BeginAndWait(*log, huge), IsOk());
  RecordAndWait(*log, kOperator,
                grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                             "role viewer may not run AT+CLCK=\"SC\",1,\"4321\""),
                "command: \"AT+CLCK=\\\"SC\\\",1,\\\"4321\\\"\"");
  std::ifstream in(options_.path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_LT(text.size(), 3000u) << "a 1 MiB request is not written whole";
  EXPECT_THAT(text, Not(HasSubstr("1234")));
  EXPECT_THAT(text, Not(HasSubstr("4321")));
  std::vector<nlohmann::json> lines = Lines(options_.path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0]["request"].get<std::string>(), HasSubstr("AT+CPIN=\\\"***\\\"\" xxx"));
  EXPECT_THAT(lines[0]["request"].get<std::string>(), HasSubstr("more bytes]"));
  EXPECT_THAT(lines[1]["message"].get<std::string>(), HasSubstr("AT+CLCK=\"SC\",1,\"***\""));
}

TEST_F(AuditLogTest, AFullFileIsRotatedOnceAndBothHalvesRead) {
  options_.max_bytes = 4096;
  std::unique_ptr<AuditLog> log = Open();
  for (int i = 0; i < 100; ++i) {
    ASSERT_THAT(BeginAndWait(*log, "call " + std::to_string(i)), IsOk());
  }
  const std::string previous = options_.path + ".1";
  EXPECT_LE(std::filesystem::file_size(options_.path), 4096u);
  ASSERT_TRUE(std::filesystem::exists(previous));
  EXPECT_LE(std::filesystem::file_size(previous), 4096u);
  std::vector<nlohmann::json> now = Lines(options_.path), before = Lines(previous);
  ASSERT_FALSE(now.empty());
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(now.back()["request"], "call 99");
  // The two files hold the newest calls, in order, with none missing between them.
  EXPECT_EQ(std::stoi(before.back()["request"].get<std::string>().substr(5)) + 1,
            std::stoi(now.front()["request"].get<std::string>().substr(5)));
}

// A stranger's refusals are counted, one line a minute saying how many; a caller with a
// role gets a line for each (positive control).
TEST_F(AuditLogTest, AFloodOfStrangersIsCountedAndSampledNotWritten) {
  std::unique_ptr<AuditLog> log = Open();
  const grpc::Status refused(grpc::StatusCode::UNAUTHENTICATED, "Dial needs a client certificate");
  const Caller viewer{"grafana", "ipv4:192.0.2.8:1", Role::kViewer};
  const grpc::Status denied(grpc::StatusCode::PERMISSION_DENIED, "Dial needs the operator role");
  std::atomic<int> answered{0};
  for (int i = 0; i < 10'000; ++i) {
    log->Record(kStranger, "Dial", std::string(1000, 'x'), refused, [&] { ++answered; });
  }
  RecordAndWait(*log, viewer, denied);  // lines are written in order: all before it are in
  EXPECT_EQ(answered.load(), 10'000) << "every refusal is answered";
  EXPECT_EQ(log->unwritten_refusals(), 9'999);
  std::vector<nlohmann::json> lines = Lines(options_.path);
  ASSERT_EQ(lines.size(), 2u) << "the first stranger's line, and the viewer's";
  EXPECT_EQ(lines[0]["refusals_not_written"], 0);
  EXPECT_FALSE(lines[0].contains("request")) << "a stranger's request is never written";

  clock_.Advance(absl::Minutes(1));
  RecordAndWait(*log, kStranger, refused);
  lines = Lines(options_.path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["refusals_not_written"], 9'999);
  EXPECT_EQ(lines[2]["result"], "UNAUTHENTICATED");

  for (int i = 0; i < 3; ++i) RecordAndWait(*log, viewer, denied);
  EXPECT_EQ(Lines(options_.path).size(), 6u) << "a caller with a role: a line for each";
}

}  // namespace
}  // namespace cellfleet::agent
